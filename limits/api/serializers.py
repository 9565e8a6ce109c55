"""Input and output shapes of the limits, overrides, history, trading-state and group APIs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.api.base import StrictSerializer
from accounts.api.fields import AwareDateTimeField, CurrencyField, DecimalString
from accounts.models import TradingState
from limits.api import schema as _schema  # noqa: F401  (registers the OpenAPI extension)
from limits.models import DECIMAL_LIMIT_FIELDS, LIMIT_FIELDS, OVERRIDABLE_FIELDS
from limits.services import InvalidLimit, clean_limit_value

DEFAULT_API_REASON = "via API"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"

LIMIT_HELP = {
    "max_order_quantity": "Largest quantity of one order.",
    "max_order_notional": "Largest notional of one order, in the scope's base currency.",
    "max_position_quantity": "Largest absolute position per instrument.",
    "max_position_notional": "Largest absolute position notional per instrument, in base currency.",
    "max_gross_exposure": "Largest sum of |notional|, in base currency.",
    "max_net_exposure": "Largest |net notional|, in base currency.",
    "max_daily_loss": "Daily loss (a positive number) at which risk-increasing orders are blocked.",
    "max_leverage": "Largest gross exposure / equity.",
    "max_var": "Largest VaR of the latest risk report, in base currency.",
    "price_collar_pct": "Largest distance of a limit price from the latest mark, in percent (5 = 5%).",
    "max_orders_per_minute": "Largest number of checked orders per rolling minute.",
    "warn_utilization_pct": "Warn at or above this utilization, percent in (0, 100]; null resets to 80.",
    "restricted_symbols": "Symbols that may not be traded: exact, case-sensitive; unknown symbols are "
    "accepted so that a list may name instruments not listed yet.",
}


class LimitValueField(serializers.Field):  # type: ignore[type-arg]
    """One limit field, validated by the same rules the services apply (limits.services.values)."""

    def __init__(self, limit_field: str, **kwargs: Any) -> None:
        self.limit_field = limit_field
        kwargs.setdefault("help_text", LIMIT_HELP.get(limit_field, ""))
        super().__init__(required=False, allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        try:
            return clean_limit_value(self.limit_field, data)
        except InvalidLimit as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # null is a value here ("no limit"), to be cleaned like any other.
        if data is None:
            return True, clean_limit_value(self.limit_field, None)
        return super().validate_empty_values(data)

    def to_representation(self, value: Any) -> Any:
        return value


def _reason(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        max_length=2000, required=False, default=DEFAULT_API_REASON, write_only=True, help_text=help_text
    )


class LimitsIn(StrictSerializer):
    """PUT: every field (missing = no limit); PATCH: only the fields given. Null means no limit."""

    reason = _reason('Why the limits change; kept in the limit history. Defaults to "via API".')

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        fields = super().get_fields()
        for name in LIMIT_FIELDS:
            fields[name] = LimitValueField(name)
        return fields


class LimitsOut(serializers.Serializer[Any]):
    """The stored limits of one scope, plus what is in force now (`effective`, overrides folded in)."""

    scope = serializers.CharField()
    code = serializers.CharField()
    base_currency = serializers.CharField()
    max_order_quantity = DecimalString(allow_null=True)
    max_order_notional = DecimalString(allow_null=True)
    max_position_quantity = DecimalString(allow_null=True)
    max_position_notional = DecimalString(allow_null=True)
    max_gross_exposure = DecimalString(allow_null=True)
    max_net_exposure = DecimalString(allow_null=True)
    max_daily_loss = DecimalString(allow_null=True)
    max_leverage = DecimalString(allow_null=True)
    max_var = DecimalString(allow_null=True)
    price_collar_pct = DecimalString(allow_null=True)
    max_orders_per_minute = serializers.IntegerField(allow_null=True)
    warn_utilization_pct = DecimalString()
    restricted_symbols = serializers.ListField(child=serializers.CharField())
    effective = serializers.DictField(help_text="The limits in force now: temporary overrides applied.")
    active_overrides = serializers.ListField(child=serializers.DictField())
    updated_at = serializers.DateTimeField(allow_null=True)


def limits_payload(
    *,
    scope: str,
    code: str,
    base_currency: str,
    stored: dict[str, Any],
    effective: dict[str, Any],
    overrides: list[dict[str, Any]],
    updated_at: Any,
) -> dict[str, Any]:
    """The LimitsOut body: decimals as plain strings."""
    decimal = DecimalString()
    rendered_effective = {
        name: decimal.to_representation(value)
        if name in DECIMAL_LIMIT_FIELDS or name == "warn_utilization_pct"
        else value
        for name, value in effective.items()
    }
    return LimitsOut(
        {
            "scope": scope,
            "code": code,
            "base_currency": base_currency,
            **stored,
            "effective": rendered_effective,
            "active_overrides": overrides,
            "updated_at": updated_at,
        }
    ).data


class LimitChangeOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    scope = serializers.CharField(source="scope_kind")
    scope_label = serializers.CharField()
    field = serializers.CharField()
    old_value = serializers.JSONField(help_text="Decimal string, list of symbols, or null (no limit).")
    new_value = serializers.JSONField()
    reason = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True, default=None)
    changed_at = serializers.DateTimeField()
    override_id = serializers.IntegerField(allow_null=True)


class OverrideIn(StrictSerializer):
    field = serializers.ChoiceField(choices=list(OVERRIDABLE_FIELDS))
    value = serializers.JSONField(help_text="The temporary limit: a decimal string or number.")
    expires_at = AwareDateTimeField(allow_future=True, help_text="When the override lapses (must be future).")
    reason = serializers.CharField(max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["value"] is None:
            raise serializers.ValidationError({"value": ["An override needs a value."]})
        try:
            attrs["value"] = clean_limit_value(attrs["field"], attrs["value"])
        except InvalidLimit as exc:
            raise serializers.ValidationError({"value": [str(exc)]}) from None
        return attrs


class OverrideEndIn(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class OverrideOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    field = serializers.CharField()
    value = DecimalString()
    expires_at = serializers.DateTimeField()
    reason = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    reverted_at = serializers.DateTimeField(allow_null=True)
    active = serializers.SerializerMethodField()

    def get_active(self, obj: Any) -> bool:
        return bool(obj.is_active())


class TradingStateIn(StrictSerializer):
    state = serializers.ChoiceField(choices=TradingState.choices)
    reason = serializers.CharField(max_length=2000)


class TradingStateChangeOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    old_state = serializers.CharField()
    new_state = serializers.CharField()
    reason = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True, default=None)
    changed_at = serializers.DateTimeField()


class TradingStateOut(serializers.Serializer[Any]):
    scope = serializers.CharField()
    code = serializers.CharField()
    trading_state = serializers.CharField()
    changes = TradingStateChangeOut(many=True)


class GroupOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    base_currency = serializers.CharField()
    accounts = serializers.SerializerMethodField()
    trading_state = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_accounts(self, obj: Any) -> list[str]:
        return sorted(account.code for account in obj.accounts.all())


class GroupCreateIn(StrictSerializer):
    code = serializers.RegexField(CODE_PATTERN, max_length=64)
    name = serializers.CharField(max_length=200)
    base_currency = CurrencyField(required=False, default="USD")
    accounts = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)
    trading_state = serializers.ChoiceField(choices=TradingState.choices, required=False, default="active")
    reason = _reason("Why the trading state is set; recorded in the trading-state log.")

    def validate_code(self, value: str) -> str:
        from accounts.models import AccountGroup

        if AccountGroup.objects.filter(code=value).exists():
            raise serializers.ValidationError("A group with this code already exists.")
        return value


class GroupUpdateIn(StrictSerializer):
    code = serializers.CharField(required=False)
    name = serializers.CharField(max_length=200, required=False)
    base_currency = CurrencyField(required=False)
    accounts = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    trading_state = serializers.ChoiceField(choices=TradingState.choices, required=False)
    reason = serializers.CharField(max_length=2000, required=False, write_only=True)

    def validate_code(self, value: str) -> str:
        if value != self.context["group"].code:
            raise serializers.ValidationError("The code identifies the group; it cannot change.")
        return value
