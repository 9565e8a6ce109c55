"""POST and GET /api/v1/fills/.

POST takes one fill or a list. A list is atomic. Status: 201 when at least one fill is new, 200 when
every fill is an identical replay (nothing changed), 409 when a fill_id is already stored for its
account with a different payload (nothing from the request is stored), 400 naming each bad field
(a list: errors keyed by item index) with nothing stored.

An `account` the caller cannot see, or that does not exist, is 404 for the whole request, as under
/accounts/{code}/ and /checks/: the answer never reveals whether an account exists. A visible account
on which the caller's role may not trade (viewer) is 403.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

import django_filters
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import StrictSerializer
from accounts.api.fields import AwareDateTimeField, DecimalString, positive_decimal
from accounts.api.lists import ItemListSerializer
from accounts.models import Account, Strategy
from accounts.scoping import Action
from positions.api.errors import ConflictOut, conflict_response
from positions.api.fields import IdField, StrictCharField
from positions.api.fills_fast import fast_validated_fills
from positions.api.reference import InstrumentSymbolField, instruments_context
from positions.models import Fill, Side
from positions.selectors import fills_for_user
from positions.services import FillConflict, FillInput, LedgerOutOfRange, fills_record


class FillIn(StrictSerializer):
    class Meta:
        list_serializer_class = ItemListSerializer

    fill_id = IdField()
    account = StrictCharField(max_length=64)
    strategy = StrictCharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    symbol = InstrumentSymbolField()
    side = serializers.ChoiceField(choices=Side.choices)
    quantity = positive_decimal()
    price = positive_decimal()
    executed_at = AwareDateTimeField(help_text="With a UTC offset; at most 5 minutes in the future.")
    fee = DecimalString(required=False, min_value=0, help_text="In the instrument's currency; default 0.")
    check_id = serializers.UUIDField(required=False, allow_null=True)

    def validate_account(self, value: str) -> Account:
        account: Account | None = self.context["accounts"].get(value)
        if account is None:
            raise serializers.ValidationError("Unknown account.")
        return account

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        code = attrs.get("strategy") or None
        strategy = None
        if code is not None:
            strategy = self.context["strategies"].get((attrs["account"].pk, code))
            if strategy is None:
                raise serializers.ValidationError({"strategy": ["Unknown strategy for this account."]})
        attrs["strategy"] = strategy
        return attrs


class FillOut(serializers.Serializer[Fill]):
    fill_id = serializers.CharField()
    account = serializers.CharField(source="account.code")
    strategy = serializers.CharField(source="strategy.code", allow_null=True, default=None)
    symbol = serializers.CharField(source="instrument.symbol")
    currency = serializers.CharField(source="instrument.currency")
    side = serializers.CharField()
    quantity = DecimalString()
    price = DecimalString()
    fee = DecimalString()
    executed_at = serializers.DateTimeField()
    check_id = serializers.UUIDField(allow_null=True)
    recorded_at = serializers.DateTimeField()

    def to_representation(self, instance: Fill) -> dict[str, Any]:
        # The declared fields, each formatted by its own field, without DRF's generic walk (a source
        # lookup, a None check and two calls per value: ~50 us a fill, half a second for a list of
        # 10,000). tests/positions/test_api_fills_bulk.py holds it equal to the generic walk.
        fields = self.fields
        strategy = instance.strategy
        instrument = instance.instrument
        if self._zone is None:  # DRF's DateTimeField looks it up for every value
            self._zone = timezone.get_current_timezone()
        return {
            "fill_id": instance.fill_id,
            "account": instance.account.code,
            "strategy": strategy.code if strategy is not None else None,
            "symbol": instrument.symbol,
            "currency": instrument.currency,
            "side": instance.side,
            "quantity": fields["quantity"].to_representation(instance.quantity),
            "price": fields["price"].to_representation(instance.price),
            "fee": fields["fee"].to_representation(instance.fee),
            "executed_at": self._datetime(instance.executed_at),
            "check_id": None if instance.check_id is None else str(instance.check_id),
            "recorded_at": self._datetime(instance.recorded_at),
        }

    _zone: tzinfo | None = None
    _texts: dict[datetime, str] | None = None

    def _datetime(self, value: datetime) -> str:
        # DateTimeField.to_representation in ISO 8601: in the current time zone, UTC written "Z".
        # Remembered for the answer: the fills of one call share their recorded_at.
        if self._texts is None:
            self._texts = {}
        text = self._texts.get(value)
        if text is None:
            text = value.astimezone(self._zone).isoformat()
            text = text[:-6] + "Z" if text.endswith("+00:00") else text
            self._texts[value] = text
        return text


class FillRecordedOut(FillOut):
    created = serializers.BooleanField(help_text="False: an identical replay of a stored fill.")


def _fills_context(request: Request) -> dict[str, Any]:
    """Everything the items refer to, loaded once for the whole request (three queries)."""
    items = request.data if isinstance(request.data, list) else [request.data]
    codes = {i["account"] for i in items if isinstance(i, dict) and isinstance(i.get("account"), str)}
    accounts = {a.code: a for a in Account.objects.for_user(request.user, Action.VIEW).filter(code__in=codes)}
    if codes - set(accounts):
        # As everywhere under an account: one the caller may not see is a 404, whether it exists or not.
        raise Http404("No such account.")
    strategies = {
        (s.account_id, s.code): s for s in Strategy.objects.filter(account__in=list(accounts.values()))
    }
    return {**instruments_context(request), "accounts": accounts, "strategies": strategies}


class FillFilter(django_filters.FilterSet):  # type: ignore[misc]
    account = django_filters.CharFilter(field_name="account__code")
    strategy = django_filters.CharFilter(field_name="strategy__code")
    symbol = django_filters.CharFilter(field_name="instrument__symbol")
    executed_after = django_filters.IsoDateTimeFilter(field_name="executed_at", lookup_expr="gte")
    executed_before = django_filters.IsoDateTimeFilter(field_name="executed_at", lookup_expr="lt")

    class Meta:
        model = Fill
        fields = ["account", "strategy", "symbol", "executed_after", "executed_before"]


class FillListView(generics.ListAPIView[Fill]):
    """Fills of the caller's accounts, newest first; filters: account, strategy, symbol,
    executed_after (inclusive), executed_before (exclusive)."""

    serializer_class = FillOut
    filterset_class = FillFilter

    def get_queryset(self) -> Any:
        return fills_for_user(user=self.request.user)

    @extend_schema(
        request=FillIn(many=True),
        description="One fill object or a list of them (atomic). " + (__doc__ or ""),
        responses={
            201: FillRecordedOut(many=True),
            200: OpenApiResponse(FillRecordedOut(many=True), description="Every fill was a replay."),
            409: ConflictOut,
        },
    )
    def post(self, request: Request) -> Response:
        many = isinstance(request.data, list)
        context = _fills_context(request)
        # A list in the usual shape validates in plain Python (same result); anything else, FillIn.
        items = fast_validated_fills(request.data, context) if many else None
        if items is None:
            data = FillIn(data=request.data, many=many, context=context)
            data.is_valid(raise_exception=True)
            items = data.validated_data if many else [data.validated_data]
        accounts = {item["account"].pk: item["account"] for item in items}
        tradable = set(
            Account.objects.for_user(request.user, Action.TRADE)
            .filter(pk__in=list(accounts))
            .values_list("pk", flat=True)
        )
        denied = sorted(a.code for pk, a in accounts.items() if pk not in tradable)
        if denied:
            raise PermissionDenied(f"Your role does not allow recording fills on {', '.join(denied)}.")
        fills = [
            FillInput(
                account=item["account"],
                fill_id=item["fill_id"],
                instrument=item["symbol"],
                side=item["side"],
                quantity=item["quantity"],
                price=item["price"],
                executed_at=item["executed_at"],
                strategy=item["strategy"],
                fee=item.get("fee", Decimal(0)),
                check_id=item.get("check_id"),
            )
            for item in items
        ]
        try:
            result = fills_record(fills=fills, recorded_by=request.user)
        except FillConflict as exc:
            return conflict_response(
                exc.code, str(exc), exc.differences, account=exc.account_code, fill_id=exc.fill_id
            )
        except LedgerOutOfRange as exc:
            raise serializers.ValidationError({"quantity": [str(exc)]}) from None
        # One list serializer for the whole answer: a serializer per fill copies its fields each time.
        rows = FillOut(result.fills, many=True).data  # type: ignore[arg-type]
        out = [{**row, "created": created} for row, created in zip(rows, result.created, strict=True)]
        code = status.HTTP_201_CREATED if result.any_created else status.HTTP_200_OK
        return Response(out if many else out[0], status=code)
