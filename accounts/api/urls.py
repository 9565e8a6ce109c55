from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from accounts.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    path("accounts/", views.AccountListView.as_view(), name="account-list"),
    path("accounts/<str:code>/", views.AccountDetailView.as_view(), name="account-detail"),
    path("accounts/<str:code>/strategies/", views.StrategyListView.as_view(), name="strategy-list"),
    path(
        "accounts/<str:code>/strategies/<str:strategy>/",
        views.StrategyDetailView.as_view(),
        name="strategy-detail",
    ),
    path("accounts/<str:code>/changes/", views.ChangeLogView.as_view(), name="account-changes"),
    path("accounts/<str:code>/members/", views.MemberListView.as_view(), name="member-list"),
    path(
        "accounts/<str:code>/members/<str:username>/", views.MemberDetailView.as_view(), name="member-detail"
    ),
]
