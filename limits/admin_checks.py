"""Read-only admin of pre-trade decisions: the audit trail of every check (imported by limits/admin.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_format import json_table, quantity
from limits.models.checks import CheckDecision


@admin.register(CheckDecision)
class CheckDecisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "evaluated_at",
        "account_code",
        "strategy",
        "symbol",
        "side",
        "order_quantity",
        "order_price",
        "decision",
        "open",
        "client_order_id",
        "caller",
    ]
    list_filter = ["decision", "side", "order_type"]
    search_fields = ["check_id", "client_order_id", "symbol", "account__code"]
    date_hierarchy = "evaluated_at"
    list_select_related = ["account", "strategy", "caller"]
    ordering = ["-evaluated_at", "-id"]
    show_full_result_count = False

    # Every field read-only, the JSON ones as tables.
    JSON_FIELDS = ("violations", "warnings", "request")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = [f.name for f in CheckDecision._meta.get_fields() if getattr(f, "concrete", False)]
        return [f"{name}_table" if name in self.JSON_FIELDS else name for name in names]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    @admin.display(description="account", ordering="account__code")
    def account_code(self, obj: CheckDecision) -> str:
        return obj.account.code

    @admin.display(description="quantity", ordering="quantity")
    def order_quantity(self, obj: CheckDecision) -> str:
        return quantity(obj.quantity)

    @admin.display(description="price", ordering="price")
    def order_price(self, obj: CheckDecision) -> str:
        return quantity(obj.price)

    @admin.display(description="open quantity", ordering="open_quantity")
    def open(self, obj: CheckDecision) -> str:
        return quantity(obj.open_quantity)

    @admin.display(description="violations")
    def violations_table(self, obj: CheckDecision) -> str:
        return json_table(obj.violations)

    @admin.display(description="warnings")
    def warnings_table(self, obj: CheckDecision) -> str:
        return json_table(obj.warnings)

    @admin.display(description="request")
    def request_table(self, obj: CheckDecision) -> str:
        return json_table(obj.request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing is allowed; the form renders every field read-only and nothing can be saved.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
