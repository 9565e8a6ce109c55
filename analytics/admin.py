"""Admin: stress scenarios are edited here (with shock validation); reports and alerts are read-only
with no delete (alerts may be acknowledged), their figures in their currency, JSON as tables."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin_format import json_table, money
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
    """Written by the nightly run and the services only: no add, change or delete (single or bulk)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


REPORT_FIGURES = (
    "var_95",
    "var_99",
    "es_975",
    "parametric_var_99",
    "historical_var_99",
    "monte_carlo_var_99",
    "margin_required",
    "scenario_margin",
    "portfolio_value",
    "realized_pnl",
)


def _report_money(name: str) -> Any:
    @admin.display(description=name.replace("_", " "), ordering=name)
    def show(self: Any, obj: RiskReport) -> str:
        return money(getattr(obj, name), obj.currency)

    show.__name__ = f"{name}_money"
    return show


REPORT_FIELDS: tuple[str, ...] = (
    "account_code",
    "as_of",
    "status",
    "error_code",
    "error_table",
    "method",
    "lookback_days",
    "currency",
    *(f"{name}_money" for name in REPORT_FIGURES),
    "components_table",
    "greeks_table",
    "stress_table",
    "positions_table",
    "created_at",
    "updated_at",
)


@admin.register(RiskReport)
class RiskReportAdmin(ReadOnlyAdmin):
    list_display = [
        "account_code",
        "as_of",
        "status",
        "var_95_money",
        "var_99_money",
        "es_975_money",
        "margin_required_money",
    ]
    list_filter = ["status", "as_of", "currency"]
    search_fields = ["account__code"]
    date_hierarchy = "as_of"
    list_select_related = ["account"]
    fields = REPORT_FIELDS
    readonly_fields = REPORT_FIELDS

    @admin.display(description="account", ordering="account__code")
    def account_code(self, obj: RiskReport) -> str:
        return obj.account.code

    @admin.display(description="error")
    def error_table(self, obj: RiskReport) -> str:
        return json_table(obj.error)

    @admin.display(description="component VaR (99%)")
    def components_table(self, obj: RiskReport) -> str:
        return json_table(obj.components)

    @admin.display(description="Greeks")
    def greeks_table(self, obj: RiskReport) -> str:
        return json_table(obj.greeks)

    @admin.display(description="stress P&L")
    def stress_table(self, obj: RiskReport) -> str:
        return json_table(obj.stress)

    @admin.display(description="positions")
    def positions_table(self, obj: RiskReport) -> str:
        return json_table(obj.positions)


# One "<figure>_money" column per figure, each in the report's currency.
for _name in REPORT_FIGURES:
    setattr(RiskReportAdmin, f"{_name}_money", _report_money(_name))


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["account_code", "kind", "severity", "state", "message", "occurrences", "created_at"]
    list_filter = ["state", "kind", "severity"]
    search_fields = ["account__code", "message"]
    list_select_related = ["account"]
    actions = ["acknowledge"]
    readonly_fields = [f.name for f in Alert._meta.concrete_fields]

    @admin.display(description="account", ordering="account__code")
    def account_code(self, obj: Alert) -> str:
        return obj.account.code

    @admin.action(description="Acknowledge selected alerts")
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        count = 0
        for alert in queryset.filter(state=AlertState.OPEN).select_related("account"):
            if not can(request.user, alert.account, Action.MANAGE):  # the gate, as in the API
                continue
            alert_acknowledge(alert=alert, user=request.user)  # type: ignore[arg-type]
            count += 1
        self.message_user(request, f"Acknowledged {count} alert(s).", messages.SUCCESS)
