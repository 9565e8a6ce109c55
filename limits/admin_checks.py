"""Read-only admin of pre-trade decisions: the audit trail of every check (imported by limits/admin.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from limits.models.checks import CheckDecision


@admin.register(CheckDecision)
class CheckDecisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "evaluated_at",
        "account",
        "strategy",
        "symbol",
        "side",
        "quantity",
        "price",
        "decision",
        "open_quantity",
        "client_order_id",
        "caller",
    ]
    list_filter = ["decision", "side", "order_type"]
    search_fields = ["check_id", "client_order_id", "symbol", "account__code"]
    date_hierarchy = "evaluated_at"
    list_select_related = ["account", "strategy", "caller"]
    ordering = ["-evaluated_at", "-id"]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in CheckDecision._meta.get_fields() if getattr(f, "concrete", False)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing is allowed; the form renders every field read-only and nothing can be saved.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
