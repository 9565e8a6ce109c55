"""Input and output shapes of the accounts API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from accounts.api.base import StrictSerializer
from accounts.api.fields import CurrencyField
from accounts.models import Account, Membership, Strategy, TradingState
from accounts.scoping import Role

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
CODE_ERRORS: dict[str, Any] = {
    "invalid": "Use 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit."
}

REASON_HELP = "Why the trading state changes; recorded in the trading-state log. Write-only."


def _code_field(**kwargs: Any) -> serializers.RegexField:
    return serializers.RegexField(CODE_PATTERN, max_length=64, error_messages=CODE_ERRORS, **kwargs)


def _reason_field() -> serializers.CharField:
    return serializers.CharField(max_length=500, required=False, allow_blank=True, help_text=REASON_HELP)


class _KeyUnchanged:
    """Mixin: on update, the identifying `code` may be repeated but not changed."""

    instance: Any

    def validate_code(self, value: str) -> str:
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError("The code identifies the record; it cannot change.")
        return value


class AccountOut(serializers.Serializer[Account]):
    code = serializers.CharField()
    name = serializers.CharField()
    base_currency = serializers.CharField()
    trading_state = serializers.ChoiceField(choices=TradingState.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AccountCreateIn(StrictSerializer):
    code = _code_field()
    name = serializers.CharField(max_length=200)
    base_currency = CurrencyField()
    trading_state = serializers.ChoiceField(choices=TradingState.choices, required=False)
    reason = _reason_field()

    def validate_code(self, value: str) -> str:
        if Account.objects.filter(code=value).exists():
            raise serializers.ValidationError("An account with this code already exists.")
        return value


class AccountUpdateIn(_KeyUnchanged, StrictSerializer):
    code = _code_field(required=False)
    name = serializers.CharField(max_length=200, required=False)
    base_currency = CurrencyField(required=False)
    trading_state = serializers.ChoiceField(choices=TradingState.choices, required=False)
    reason = _reason_field()


class StrategyOut(serializers.Serializer[Strategy]):
    code = serializers.CharField()
    name = serializers.CharField()
    trading_state = serializers.ChoiceField(choices=TradingState.choices)
    account = serializers.CharField(source="account.code")
    created_at = serializers.DateTimeField()


class StrategyCreateIn(StrictSerializer):
    code = _code_field()
    name = serializers.CharField(max_length=200)
    trading_state = serializers.ChoiceField(choices=TradingState.choices, required=False)
    reason = _reason_field()

    def validate_code(self, value: str) -> str:
        account: Account = self.context["account"]
        if account.strategies.filter(code=value).exists():
            raise serializers.ValidationError("This account already has a strategy with this code.")
        return value


class StrategyUpdateIn(_KeyUnchanged, StrictSerializer):
    code = _code_field(required=False)
    name = serializers.CharField(max_length=200, required=False)
    trading_state = serializers.ChoiceField(choices=TradingState.choices, required=False)
    reason = _reason_field()


class MemberOut(serializers.Serializer[Membership]):
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField()


class MemberIn(StrictSerializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)

    def validate_username(self, value: str) -> Any:
        user = get_user_model().objects.filter(username=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError("Unknown user.")
        return user


class TokenOut(serializers.Serializer[Any]):
    token = serializers.CharField()


class ChangeLogEntryOut(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_repr = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.ListField(allow_null=True), help_text="{field: [old, new]}"
    )
    reason = serializers.CharField()
    via = serializers.CharField(source="source", help_text="api, admin or system")
