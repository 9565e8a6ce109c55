"""Admin for instruments, market data and the ledger.

Fills, positions, cash movements and balances are read-only: fills are immutable (corrections are new
fills), movements are recorded through the API, and positions and balances are derived from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_format import money, quantity
from positions.models import (
    CashBalance,
    CashMovement,
    Fill,
    FxRate,
    Instrument,
    Position,
    Price,
    PriceHistory,
    RiskFreeRate,
)

# The admin classes are generic only for the type checker (no django_stubs_ext monkeypatch at run time).
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:
    ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(ModelAdmin):
    """Browse and search only: no add, change or delete, even for superusers."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(ModelAdmin):
    list_display = (
        "symbol",
        "name",
        "asset_class",
        "currency",
        "multiplier",
        "margin_rate",
        "underlying",
        "option_type",
        "strike",
        "expiry",
    )
    list_filter = ("asset_class", "currency", "option_type")
    search_fields = ("symbol", "name", "underlying__symbol")
    list_select_related = ("underlying",)
    autocomplete_fields = ("underlying",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Price)
class PriceAdmin(ModelAdmin):
    list_display = ("instrument", "price", "implied_vol", "as_of", "updated_at")
    list_filter = ("instrument__asset_class", "instrument__currency")
    search_fields = ("instrument__symbol",)
    list_select_related = ("instrument",)
    autocomplete_fields = ("instrument",)
    date_hierarchy = "as_of"


@admin.register(FxRate)
class FxRateAdmin(ModelAdmin):
    list_display = ("base", "quote", "rate", "as_of", "updated_at")
    list_filter = ("base", "quote")
    search_fields = ("base", "quote")


@admin.register(PriceHistory)
class PriceHistoryAdmin(ModelAdmin):
    list_display = ("instrument", "date", "close")
    list_filter = ("instrument__asset_class",)
    search_fields = ("instrument__symbol",)
    list_select_related = ("instrument",)
    autocomplete_fields = ("instrument",)
    date_hierarchy = "date"
    # Counting two years of closes for every page is the slow part of this changelist.
    show_full_result_count = False


@admin.register(RiskFreeRate)
class RiskFreeRateAdmin(ModelAdmin):
    list_display = ("currency", "rate", "updated_at")
    search_fields = ("currency",)


@admin.register(Fill)
class FillAdmin(ReadOnlyAdmin):
    list_display = (
        "executed_at",
        "account",
        "strategy",
        "instrument",
        "side",
        "fill_quantity",
        "fill_price",
        "fill_fee",
        "fill_id",
        "check_id",
    )

    @admin.display(description="quantity", ordering="quantity")
    def fill_quantity(self, obj: Fill) -> str:
        return quantity(obj.quantity)

    @admin.display(description="price", ordering="price")
    def fill_price(self, obj: Fill) -> str:
        return f"{quantity(obj.price)} {obj.instrument.currency}"

    @admin.display(description="fee", ordering="fee")
    def fill_fee(self, obj: Fill) -> str:
        return money(obj.fee, obj.instrument.currency)

    list_filter = ("side", "instrument__asset_class", "account")
    search_fields = ("fill_id", "check_id", "account__code", "instrument__symbol")
    list_select_related = ("account", "strategy", "strategy__account", "instrument")
    date_hierarchy = "executed_at"


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = (
        "account",
        "strategy",
        "instrument",
        "position_quantity",
        "average_price",
        "realized",
        "position_fees",
        "updated_at",
    )

    @admin.display(description="quantity", ordering="quantity")
    def position_quantity(self, obj: Position) -> str:
        return quantity(obj.quantity)

    @admin.display(description="avg price", ordering="avg_price")
    def average_price(self, obj: Position) -> str:
        return f"{quantity(obj.avg_price)} {obj.instrument.currency}"

    @admin.display(description="realized P&L", ordering="realized_pnl")
    def realized(self, obj: Position) -> str:
        return money(obj.realized_pnl, obj.instrument.currency)

    @admin.display(description="fees", ordering="fees")
    def position_fees(self, obj: Position) -> str:
        return money(obj.fees, obj.instrument.currency)

    list_filter = ("account", "instrument__asset_class")
    search_fields = ("account__code", "strategy__code", "instrument__symbol")
    list_select_related = ("account", "strategy", "strategy__account", "instrument")


@admin.register(CashMovement)
class CashMovementAdmin(ReadOnlyAdmin):
    list_display = ("recorded_at", "account", "movement_id", "movement_amount", "reason", "recorded_by")

    @admin.display(description="amount", ordering="amount")
    def movement_amount(self, obj: CashMovement) -> str:
        return money(obj.amount, obj.currency)

    list_filter = ("currency", "account")
    search_fields = ("movement_id", "account__code", "reason")
    list_select_related = ("account", "recorded_by")
    date_hierarchy = "recorded_at"


@admin.register(CashBalance)
class CashBalanceAdmin(ReadOnlyAdmin):
    list_display = ("account", "balance", "updated_at")

    @admin.display(description="amount", ordering="amount")
    def balance(self, obj: CashBalance) -> str:
        return money(obj.amount, obj.currency)

    list_filter = ("currency", "account")
    search_fields = ("account__code",)
    list_select_related = ("account",)
