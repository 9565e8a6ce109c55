"""Reference and market data endpoints: instruments, marks, FX rates, price history, risk-free rates.

Everyone authenticated reads; staff (or a user holding the model's change permission, e.g. a market
data feed) writes. Posted lists are atomic: all items are stored or none, and errors are keyed by the
index of the bad item.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import IsStaffOrReadOnly, StrictSerializer
from accounts.api.fields import (
    AwareDateTimeField,
    CurrencyField,
    DecimalString,
    StrictDateField,
    positive_decimal,
)
from accounts.api.lists import ItemListSerializer, symbols_in
from positions.models import AssetClass, FxRate, Instrument, OptionType, Price, PriceHistory, RiskFreeRate
from positions.selectors import reference as selectors
from positions.services import reference as services

SYMBOL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:+=-]{0,63}$"


# --- fields ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class InstrumentSymbolField(serializers.CharField):
    """Input: a symbol that must name an existing instrument; validated value: the Instrument.

    Views put `instruments` (symbol -> Instrument) in the context so a list costs one query.
    """

    default_error_messages = {**serializers.CharField.default_error_messages, "unknown": "Unknown symbol."}

    def to_internal_value(self, data: Any) -> Instrument:  # type: ignore[override]
        symbol = super().to_internal_value(data)
        known: dict[str, Instrument] | None = self.context.get("instruments")
        if known is None:
            known = selectors.instruments_by_symbol([symbol])
        instrument = known.get(symbol)
        if instrument is None:
            self.fail("unknown")
        return instrument


@extend_schema_field({"type": "string", "nullable": True})
class BlankAsNullField(serializers.CharField):
    """Output: an empty choice (e.g. option_type of a stock) is rendered as null."""

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        return value or None


def instruments_context(request: Request) -> dict[str, Any]:
    return {"request": request, "instruments": selectors.instruments_by_symbol(symbols_in(request.data))}


class UpsertResultOut(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    stale = serializers.ListField(
        child=serializers.CharField(),
        help_text="Items ignored because a newer value was already stored (marks and FX rates only).",
    )


def upsert_response(result: services.UpsertResult) -> Response:
    out = UpsertResultOut({"created": result.created, "updated": result.updated, "stale": result.stale})
    return Response(out.data, status=status.HTTP_200_OK)


# --- instruments -------------------------------------------------------------------------------


class InstrumentOut(serializers.Serializer[Instrument]):
    symbol = serializers.CharField()
    name = serializers.CharField()
    asset_class = serializers.CharField()
    currency = serializers.CharField()
    multiplier = DecimalString(max_digits=20, decimal_places=6)
    margin_rate = DecimalString(max_digits=8, decimal_places=6)
    underlying = serializers.CharField(source="underlying.symbol", allow_null=True, default=None)
    option_type = BlankAsNullField()
    strike = DecimalString(allow_null=True)
    expiry = serializers.DateField(allow_null=True)
    dividend_yield = DecimalString(max_digits=8, decimal_places=6)
    updated_at = serializers.DateTimeField()


class InstrumentIn(StrictSerializer):
    """Option terms (underlying, option_type, strike, expiry) are required for options, forbidden
    otherwise. On PATCH the terms are checked on the instrument as it would be after the change."""

    symbol = serializers.RegexField(
        SYMBOL_PATTERN,
        max_length=64,
        error_messages={"invalid": "Use letters, digits and . _ : + = - (no spaces or slashes)."},
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    asset_class = serializers.ChoiceField(choices=AssetClass.choices)
    currency = CurrencyField()
    multiplier = positive_decimal(max_digits=20, decimal_places=6, required=False)
    margin_rate = DecimalString(
        max_digits=8, decimal_places=6, min_value=Decimal("0"), max_value=Decimal("1"), required=False
    )
    underlying = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    option_type = serializers.ChoiceField(
        choices=OptionType.choices, required=False, allow_null=True, allow_blank=True
    )
    strike = positive_decimal(required=False, allow_null=True)
    expiry = StrictDateField(required=False, allow_null=True)
    dividend_yield = DecimalString(
        max_digits=8, decimal_places=6, min_value=Decimal("0"), max_value=Decimal("1"), required=False
    )

    def validate_symbol(self, value: str) -> str:
        instance: Instrument | None = self.instance
        if instance is not None:
            if value != instance.symbol:
                raise serializers.ValidationError("The symbol identifies the instrument; it cannot change.")
            return value
        if Instrument.objects.filter(symbol=value).exists():
            raise serializers.ValidationError("An instrument with this symbol already exists.")
        return value

    def validate_underlying(self, value: str | None) -> Instrument | None:
        if not value:
            return None
        found = selectors.instruments_by_symbol([value]).get(value)
        if found is None:
            raise serializers.ValidationError("Unknown symbol.")
        return found

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Instrument | None = self.instance
        merged: dict[str, Any] = {}
        if instance is not None:
            merged = {
                name: getattr(instance, name) for name in ("symbol", "asset_class", *services.OPTION_TERMS)
            }
        merged.update(attrs)
        errors = services.option_terms_errors(merged)
        if instance is not None and services.instrument_has_fills(instance):
            for name in services.FROZEN_ONCE_TRADED:
                if name in attrs and attrs[name] != getattr(instance, name):
                    errors[name] = ["The instrument has fills; create a new instrument instead."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class InstrumentFilter(django_filters.FilterSet):  # type: ignore[misc]
    asset_class = django_filters.ChoiceFilter(choices=AssetClass.choices)
    currency = django_filters.CharFilter()
    underlying = django_filters.CharFilter(field_name="underlying__symbol")

    class Meta:
        model = Instrument
        fields = ["asset_class", "currency", "underlying"]


class InstrumentListView(generics.ListAPIView[Instrument]):
    permission_classes = [IsStaffOrReadOnly]
    write_permission = "positions.change_instrument"
    serializer_class = InstrumentOut
    filterset_class = InstrumentFilter

    def get_queryset(self) -> Any:
        return selectors.instrument_list()

    @extend_schema(request=InstrumentIn, responses={201: InstrumentOut})
    def post(self, request: Request) -> Response:
        data = InstrumentIn(data=request.data)
        data.is_valid(raise_exception=True)
        instrument = services.instrument_create(**data.validated_data)
        return Response(InstrumentOut(instrument).data, status=status.HTTP_201_CREATED)


class InstrumentDetailView(generics.RetrieveAPIView[Instrument]):
    permission_classes = [IsStaffOrReadOnly]
    write_permission = "positions.change_instrument"
    serializer_class = InstrumentOut
    lookup_field = "symbol"

    def get_queryset(self) -> Any:
        return selectors.instrument_list()

    @extend_schema(request=InstrumentIn, responses={200: InstrumentOut})
    def patch(self, request: Request, symbol: str) -> Response:
        instrument = self.get_object()
        data = InstrumentIn(instance=instrument, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        instrument = services.instrument_update(instrument=instrument, changes=data.validated_data)
        return Response(InstrumentOut(instrument).data)


# --- latest marks ------------------------------------------------------------------------------


class PriceIn(StrictSerializer):
    class Meta:
        list_serializer_class = ItemListSerializer

    symbol = InstrumentSymbolField()
    price = positive_decimal()
    as_of = AwareDateTimeField()
    implied_vol = DecimalString(
        max_digits=12,
        decimal_places=8,
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        required=False,
        allow_null=True,
        help_text="Annualised implied volatility of an option, e.g. 0.25.",
    )


class PriceOut(serializers.Serializer[Price]):
    symbol = serializers.CharField(source="instrument.symbol")
    currency = serializers.CharField(source="instrument.currency")
    price = DecimalString()
    as_of = serializers.DateTimeField()
    implied_vol = DecimalString(max_digits=12, decimal_places=8, allow_null=True)
    updated_at = serializers.DateTimeField()


class PriceFilter(django_filters.FilterSet):  # type: ignore[misc]
    symbol = django_filters.CharFilter(field_name="instrument__symbol")

    class Meta:
        model = Price
        fields = ["symbol"]


class PriceListView(generics.ListAPIView[Price]):
    """Latest marks. POST a list to upsert: a mark older than the one stored for its instrument is
    ignored and listed under `stale`, so out-of-order feed deliveries never roll a price back."""

    permission_classes = [IsStaffOrReadOnly]
    write_permission = "positions.change_price"
    serializer_class = PriceOut
    filterset_class = PriceFilter

    def get_queryset(self) -> Any:
        return selectors.price_list()

    @extend_schema(request=PriceIn(many=True), responses={200: UpsertResultOut})
    def post(self, request: Request) -> Response:
        data = PriceIn(data=request.data, many=True, context=instruments_context(request))
        data.is_valid(raise_exception=True)
        marks = [
            services.MarkIn(
                instrument=item["symbol"],
                price=item["price"],
                as_of=item["as_of"],
                implied_vol=item.get("implied_vol"),
            )
            for item in data.validated_data
        ]
        return upsert_response(services.prices_upsert(marks=marks))


# --- FX rates ----------------------------------------------------------------------------------


class FxRateIn(StrictSerializer):
    class Meta:
        list_serializer_class = ItemListSerializer

    base = CurrencyField()
    quote = CurrencyField()
    rate = positive_decimal(help_text="Units of `quote` for one unit of `base`.")
    as_of = AwareDateTimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["base"] == attrs["quote"]:
            raise serializers.ValidationError({"quote": ["Must differ from base."]})
        return attrs


class FxRateOut(serializers.Serializer[FxRate]):
    base = serializers.CharField()
    quote = serializers.CharField()
    rate = DecimalString()
    as_of = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class FxRateFilter(django_filters.FilterSet):  # type: ignore[misc]
    base = django_filters.CharFilter()
    quote = django_filters.CharFilter()

    class Meta:
        model = FxRate
        fields = ["base", "quote"]


class FxRateListView(generics.ListAPIView[FxRate]):
    """Latest FX rates (1 base = rate quote). POST upserts with the same staleness rule as marks."""

    permission_classes = [IsStaffOrReadOnly]
    write_permission = "positions.change_fxrate"
    serializer_class = FxRateOut
    filterset_class = FxRateFilter

    def get_queryset(self) -> Any:
        return selectors.fx_rate_list()

    @extend_schema(request=FxRateIn(many=True), responses={200: UpsertResultOut})
    def post(self, request: Request) -> Response:
        data = FxRateIn(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        rates = [services.FxRateIn(**item) for item in data.validated_data]
        return upsert_response(services.fx_rates_upsert(rates=rates))


# --- price history -----------------------------------------------------------------------------


class PriceHistoryIn(StrictSerializer):
    symbol = InstrumentSymbolField()
    date = StrictDateField()
    close = positive_decimal()

    class Meta:
        list_serializer_class = ItemListSerializer

    @staticmethod
    def item_key(attrs: dict[str, Any]) -> tuple[tuple[int, Any], str]:
        return (attrs["symbol"].pk, attrs["date"]), "date"

    def validate_date(self, value: Any) -> Any:
        # A close is known only once the day is over somewhere; one day of lead covers every time zone.
        if value > timezone.now().date() + timedelta(days=1):
            raise serializers.ValidationError("Must not be in the future.")
        return value


class PriceHistoryOut(serializers.Serializer[PriceHistory]):
    symbol = serializers.CharField(source="instrument.symbol")
    date = serializers.DateField()
    close = DecimalString()


class PriceHistoryFilter(django_filters.FilterSet):  # type: ignore[misc]
    symbol = django_filters.CharFilter(field_name="instrument__symbol")
    date = django_filters.DateFromToRangeFilter(
        help_text="Use date_after=YYYY-MM-DD and/or date_before=YYYY-MM-DD (both inclusive)."
    )

    class Meta:
        model = PriceHistory
        fields = ["symbol", "date"]


class PriceHistoryListView(generics.ListAPIView[PriceHistory]):
    """Daily closes. POST upserts by (symbol, date); a list naming the same day twice is refused."""

    permission_classes = [IsStaffOrReadOnly]
    write_permission = "positions.change_pricehistory"
    serializer_class = PriceHistoryOut
    filterset_class = PriceHistoryFilter

    def get_queryset(self) -> Any:
        return selectors.price_history_list()

    @extend_schema(request=PriceHistoryIn(many=True), responses={200: UpsertResultOut})
    def post(self, request: Request) -> Response:
        data = PriceHistoryIn(data=request.data, many=True, context=instruments_context(request))
        data.is_valid(raise_exception=True)
        closes = [
            services.CloseIn(instrument=item["symbol"], date=item["date"], close=item["close"])
            for item in data.validated_data
        ]
        return upsert_response(services.price_history_upsert(closes=closes))


# --- risk-free rates ---------------------------------------------------------------------------


class RateIn(StrictSerializer):
    currency = CurrencyField()
    rate = DecimalString(
        max_digits=12,
        decimal_places=8,
        min_value=Decimal("-1"),
        max_value=Decimal("1"),
        help_text="Continuously compounded annual rate: 0.05 is 5%.",
    )

    class Meta:
        list_serializer_class = ItemListSerializer

    @staticmethod
    def item_key(attrs: dict[str, Any]) -> tuple[str, str]:
        return attrs["currency"], "currency"


class RateOut(serializers.Serializer[RiskFreeRate]):
    currency = serializers.CharField()
    rate = DecimalString(max_digits=12, decimal_places=8)
    updated_at = serializers.DateTimeField()


class RateListView(generics.ListAPIView[RiskFreeRate]):
    permission_classes = [IsStaffOrReadOnly]
    write_permission = "positions.change_riskfreerate"
    serializer_class = RateOut
    filterset_fields = ["currency"]

    def get_queryset(self) -> Any:
        return selectors.risk_free_rate_list()

    @extend_schema(request=RateIn(many=True), responses={200: UpsertResultOut})
    def post(self, request: Request) -> Response:
        data = RateIn(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        rates = [services.RateIn(**item) for item in data.validated_data]
        return upsert_response(services.risk_free_rates_upsert(rates=rates))
