from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from positions.api import account_state, fills, reference

urlpatterns: list[URLPattern | URLResolver] = [
    # Reference and market data (helper: foundation API).
    path("instruments/", reference.InstrumentListView.as_view(), name="instrument-list"),
    path("instruments/<str:symbol>/", reference.InstrumentDetailView.as_view(), name="instrument-detail"),
    path("prices/", reference.PriceListView.as_view(), name="price-list"),
    path("fx-rates/", reference.FxRateListView.as_view(), name="fxrate-list"),
    path("price-history/", reference.PriceHistoryListView.as_view(), name="pricehistory-list"),
    path("rates/", reference.RateListView.as_view(), name="rate-list"),
    # Fills and account state (helper: ledger).
    path("fills/", fills.FillListView.as_view(), name="fill-list"),
    path("accounts/<str:code>/positions/", account_state.PositionListView.as_view(), name="position-list"),
    path(
        "accounts/<str:code>/cash-movements/",
        account_state.CashMovementListView.as_view(),
        name="cashmovement-list",
    ),
    path("accounts/<str:code>/summary/", account_state.SummaryView.as_view(), name="account-summary"),
]
