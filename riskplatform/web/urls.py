"""The pages at the site root: login, the overview, account and desk pages and their actions.

The dashboards' old addresses (`/`, `/accounts/<code>/`, `/alerts/<id>/acknowledge/`) are the same."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from riskplatform.web import auth, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", auth.SiteLoginView.as_view(), name="login"),
    path("logout/", auth.SiteLogoutView.as_view(), name="logout"),
    path("password/", auth.SitePasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth.SitePasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", views.overview, name="overview"),
    path("accounts/<str:code>/", views.account_detail, name="account"),
    path("accounts/<str:code>/trading-state/", views.account_trading_state, name="account_trading_state"),
    path("accounts/<str:code>/limits/", views.account_limits, name="account_limits"),
    path("accounts/<str:code>/reports.csv", views.account_reports_csv, name="account_reports_csv"),
    path("desks/<str:code>/", views.desk_detail, name="desk"),
    path("desks/<str:code>/trading-state/", views.desk_trading_state, name="desk_trading_state"),
    path("desks/<str:code>/limits/", views.desk_limits, name="desk_limits"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
