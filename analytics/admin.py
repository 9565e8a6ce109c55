"""Admin: stress scenarios are edited here (with shock validation); reports and alerts are read-only
(alerts may be acknowledged)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.scoping import Action, can
from analytics.models import Alert, AlertState, RiskReport, StressScenario
from analytics.scenarios import ShockError, parse_shocks
from analytics.selectors.risk import symbol_kind
from analytics.services.alerts import alert_acknowledge


class StressScenarioForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = StressScenario
        fields = ["name", "description", "shocks", "is_active"]
        help_texts = {
            "shocks": 'e.g. {"equity": "-0.20", "AAPL": "-0.35", "vol": "0.10", "rates": "0.01", '
            '"fx": {"EUR": "-0.15"}}: relative moves by asset class or symbol, absolute vol and rate adds, '
            "currency moves against the base currency.",
        }

    def clean_shocks(self) -> Any:
        shocks = self.cleaned_data["shocks"]
        try:
            parse_shocks(shocks, name=self.cleaned_data.get("name") or "scenario", symbol_kind=symbol_kind)
        except ShockError as exc:
            raise forms.ValidationError(
                [f"{key}: {' '.join(msgs)}" for key, msgs in exc.errors.items()]
            ) from None
        return shocks


@admin.register(StressScenario)
class StressScenarioAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = StressScenarioForm
    list_display = ["name", "is_active", "builtin", "shocks_text", "updated_at"]
    list_filter = ["is_active", "builtin"]
    search_fields = ["name", "description"]

    @admin.display(description="shocks")
    def shocks_text(self, obj: StressScenario) -> str:
        return json.dumps(obj.shocks, sort_keys=True)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RiskReport)
class RiskReportAdmin(ReadOnlyAdmin):
    list_display = ["account", "as_of", "status", "var_95", "var_99", "es_975", "portfolio_value", "currency"]
    list_filter = ["status", "as_of"]
    search_fields = ["account__code"]
    date_hierarchy = "as_of"
    list_select_related = ["account"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "severity", "state", "message", "occurrences", "created_at"]
    list_filter = ["state", "kind", "severity"]
    search_fields = ["account__code", "message"]
    list_select_related = ["account"]
    actions = ["acknowledge"]

    @admin.action(description="Acknowledge selected alerts")
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        count = 0
        for alert in queryset.filter(state=AlertState.OPEN).select_related("account"):
            if not can(request.user, alert.account, Action.MANAGE):  # the gate, as in the API
                continue
            alert_acknowledge(alert=alert, user=request.user)  # type: ignore[arg-type]
            count += 1
        self.message_user(request, f"Acknowledged {count} alert(s).", messages.SUCCESS)
