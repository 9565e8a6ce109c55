from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from analytics.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/<str:code>/risk/var/", views.VarView.as_view(), name="risk-var"),
    path("accounts/<str:code>/risk/greeks/", views.GreeksView.as_view(), name="risk-greeks"),
    path("accounts/<str:code>/risk/stress/", views.StressView.as_view(), name="risk-stress"),
    path("accounts/<str:code>/risk/backtest/", views.BacktestView.as_view(), name="risk-backtest"),
    path(
        "accounts/<str:code>/risk/concentration/",
        views.ConcentrationView.as_view(),
        name="risk-concentration",
    ),
    path("accounts/<str:code>/risk/reports/", views.ReportListView.as_view(), name="risk-reports"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/<int:id>/acknowledge/", views.AlertAcknowledgeView.as_view(), name="alert-acknowledge"),
]
