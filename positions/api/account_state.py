"""Account state under /api/v1/accounts/{code}/: positions, cash movements, summary.

Viewers read; cash movements are written by risk managers (staff count as risk managers).
Figures that sum across instruments are in the account's base currency. When the market data
cannot value the account (no FX path to the base currency, no mark for an open position) the
summary answers 422 with `code` missing_fx_rate or missing_price; the positions list still answers,
valuing each position in its own currency and showing null mark and values where a mark is missing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import AccountScopedView, StrictSerializer
from accounts.api.fields import CurrencyField, DecimalString, MoneyString
from positions.api.errors import (
    ConflictOut,
    MarketDataErrorOut,
    conflict_response,
    market_data_error_response,
)
from positions.api.fields import IdField, StrictCharField
from positions.ledger.errors import MarketDataError
from positions.models import CashMovement
from positions.selectors import account_summary, cash_movements_for_account, position_rows
from positions.services import CashMovementConflict, LedgerOutOfRange, cash_movement_record

# --- positions ---------------------------------------------------------------------------------


class PositionOut(serializers.Serializer[Any]):
    symbol = serializers.CharField()
    strategy = serializers.CharField(allow_null=True)
    quantity = DecimalString(help_text="Signed: negative is short.")
    avg_price = DecimalString()
    realized_pnl = MoneyString(help_text="Before fees, in the instrument's currency.")
    fees = MoneyString()
    mark_price = DecimalString(allow_null=True)
    mark_as_of = serializers.DateTimeField(allow_null=True)
    market_value = MoneyString(
        allow_null=True, help_text="quantity x mark x multiplier; null without a mark."
    )
    unrealized_pnl = MoneyString(allow_null=True)
    currency = serializers.CharField()
    multiplier = DecimalString()
    asset_class = serializers.CharField()


class PositionListView(AccountScopedView):
    @extend_schema(responses={200: PositionOut(many=True)})
    def get(self, request: Request, code: str) -> Response:
        """Open positions and flat ones with realized P&L, valued in their own currency."""
        rows = position_rows(account=self.get_account())
        return Response(PositionOut(rows, many=True).data)


# --- cash movements ----------------------------------------------------------------------------


def non_zero(value: Decimal) -> None:
    if value == 0:
        raise serializers.ValidationError("Must not be zero.")


class CashMovementIn(StrictSerializer):
    movement_id = IdField()
    currency = CurrencyField()
    amount = DecimalString(validators=[non_zero], help_text="Deposit positive, withdrawal negative.")
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class CashMovementOut(serializers.Serializer[CashMovement]):
    movement_id = serializers.CharField()
    currency = serializers.CharField()
    amount = DecimalString()
    reason = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)


class CashMovementRecordedOut(CashMovementOut):
    created = serializers.BooleanField(help_text="False: an identical replay of a stored movement.")


class CashMovementListView(AccountScopedView, generics.ListAPIView[CashMovement]):
    """Deposits (+) and withdrawals (-), newest first. POST is idempotent on movement_id: 201 new,
    200 identical replay (nothing changes), 409 same movement_id with another payload."""

    serializer_class = CashMovementOut

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no account in the URL
            return CashMovement.objects.none()
        return cash_movements_for_account(account=self.get_account())

    @extend_schema(
        request=CashMovementIn,
        responses={
            201: CashMovementRecordedOut,
            200: OpenApiResponse(CashMovementRecordedOut, description="An identical replay."),
            409: ConflictOut,
        },
    )
    def post(self, request: Request, code: str) -> Response:
        account = self.get_account()
        data = CashMovementIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = cash_movement_record(account=account, recorded_by=request.user, **data.validated_data)
        except CashMovementConflict as exc:
            return conflict_response(exc.code, str(exc), exc.differences, movement_id=exc.movement_id)
        except LedgerOutOfRange as exc:
            raise serializers.ValidationError({"amount": [str(exc)]}) from None
        body = {**CashMovementOut(result.movement).data, "created": result.created}
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


# --- summary -----------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


class SummaryOut(serializers.Serializer[Any]):
    base_currency = serializers.CharField()
    cash = MoneyString()
    equity = MoneyString(help_text="cash + unrealized P&L")
    gross_exposure = MoneyString(help_text="Sum of |market value|; options at their premium.")
    net_exposure = MoneyString()
    leverage = DecimalString(allow_null=True, help_text="gross exposure / equity; null when equity <= 0.")
    daily_pnl = MoneyString(help_text="Since the risk day's start: realized today + change in unrealized.")
    realized_pnl_today = MoneyString(help_text="Net of today's fees.")
    unrealized_pnl = MoneyString()
    margin_required = MoneyString()
    margin_excess = MoneyString(help_text="equity - margin_required")
    var_99 = serializers.SerializerMethodField(help_text="Latest nightly 99% VaR (a number) or null.")
    utilization = serializers.SerializerMethodField(help_text="{limit_name: percent used}")

    def get_var_99(self, obj: Any) -> float | None:
        return _number(obj.var_99)

    def get_utilization(self, obj: Any) -> dict[str, float | None]:
        return {name: _number(value) for name, value in obj.utilization.items()}


class SummaryView(AccountScopedView):
    @extend_schema(
        responses={
            200: SummaryOut,
            422: OpenApiResponse(MarketDataErrorOut, description="missing_fx_rate or missing_price"),
        }
    )
    def get(self, request: Request, code: str) -> Response:
        """Cash, equity, exposure, leverage, P&L and margin in the account's base currency."""
        account = self.get_account()
        try:
            summary = account_summary(account=account)
        except MarketDataError as exc:
            return market_data_error_response(exc)
        return Response(SummaryOut(summary).data)
