from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from positions.api import reference

urlpatterns: list[URLPattern | URLResolver] = [
    # Reference and market data (helper: foundation API).
    path("instruments/", reference.InstrumentListView.as_view(), name="instrument-list"),
    path("instruments/<str:symbol>/", reference.InstrumentDetailView.as_view(), name="instrument-detail"),
    path("prices/", reference.PriceListView.as_view(), name="price-list"),
    path("fx-rates/", reference.FxRateListView.as_view(), name="fxrate-list"),
    path("price-history/", reference.PriceHistoryListView.as_view(), name="pricehistory-list"),
    path("rates/", reference.RateListView.as_view(), name="rate-list"),
]
