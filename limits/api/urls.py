"""Routes of the limits app under /api/v1/. The checks helper appends the /checks/ routes."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from limits.api import views

ACCOUNT = "accounts/<str:code>/"
STRATEGY = "accounts/<str:code>/strategies/<str:strategy>/"
GROUP = "groups/<str:group>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("groups/", views.GroupListView.as_view(), name="group-list"),
    path(GROUP, views.GroupDetailView.as_view(), name="group-detail"),
    # Limits
    path(f"{ACCOUNT}limits/", views.AccountLimitsView.as_view(), name="account-limits"),
    path(f"{STRATEGY}limits/", views.StrategyLimitsView.as_view(), name="strategy-limits"),
    path(f"{GROUP}limits/", views.GroupLimitsView.as_view(), name="group-limits"),
    # Limit history
    path(f"{ACCOUNT}limits/history/", views.AccountLimitHistoryView.as_view(), name="account-limit-history"),
    path(
        f"{STRATEGY}limits/history/", views.StrategyLimitHistoryView.as_view(), name="strategy-limit-history"
    ),
    path(f"{GROUP}limits/history/", views.GroupLimitHistoryView.as_view(), name="group-limit-history"),
    # Temporary overrides
    path(f"{ACCOUNT}limits/overrides/", views.AccountOverridesView.as_view(), name="account-limit-overrides"),
    path(
        f"{STRATEGY}limits/overrides/", views.StrategyOverridesView.as_view(), name="strategy-limit-overrides"
    ),
    path(f"{GROUP}limits/overrides/", views.GroupOverridesView.as_view(), name="group-limit-overrides"),
    path(
        f"{ACCOUNT}limits/overrides/<int:override_id>/end/",
        views.AccountOverrideEndView.as_view(),
        name="account-limit-override-end",
    ),
    path(
        f"{STRATEGY}limits/overrides/<int:override_id>/end/",
        views.StrategyOverrideEndView.as_view(),
        name="strategy-limit-override-end",
    ),
    path(
        f"{GROUP}limits/overrides/<int:override_id>/end/",
        views.GroupOverrideEndView.as_view(),
        name="group-limit-override-end",
    ),
    # Kill switch
    path(f"{ACCOUNT}trading-state/", views.AccountTradingStateView.as_view(), name="account-trading-state"),
    path(
        f"{STRATEGY}trading-state/", views.StrategyTradingStateView.as_view(), name="strategy-trading-state"
    ),
    path(f"{GROUP}trading-state/", views.GroupTradingStateView.as_view(), name="group-trading-state"),
    # Pre-trade check, decision log, releases (limits/api/checks.py)
    path("", include("limits.api.checks")),
    path("", include("limits.api.what_if")),
]
