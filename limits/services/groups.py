"""Account groups (desks): create and update; trading-state changes go through trading_state_set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import change_record, diff
from accounts.models import Account, AccountGroup, ChangeLogEntry, TradingState
from limits.cache import invalidate_scope_on_commit
from limits.models import MONEY_LIMIT_FIELDS, LimitSet
from limits.services.trading_state import trading_state_set

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

DEFAULT_GROUP_STATE_REASON = "via group API"


def _accounts(codes: Sequence[str]) -> list[Account]:
    found = {a.code: a for a in Account.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError({"accounts": f"Unknown accounts: {', '.join(sorted(set(unknown)))}."})
    return [found[code] for code in dict.fromkeys(codes)]


def _has_money_limits(group: AccountGroup) -> bool:
    limit_set = LimitSet.objects.filter(group=group).first()
    return limit_set is not None and any(getattr(limit_set, name) is not None for name in MONEY_LIMIT_FIELDS)


@transaction.atomic
def account_group_create(
    *,
    code: str,
    name: str,
    base_currency: str = "USD",
    accounts: Sequence[str] = (),
    trading_state: str = TradingState.ACTIVE,
    reason: str = "",
    created_by: User | AnonymousUser | None,
) -> AccountGroup:
    """A new group with the given member accounts (by code); unknown codes are a ValidationError."""
    members = _accounts(accounts)
    group = AccountGroup(code=code, name=name, base_currency=base_currency)
    group.full_clean()
    group.save()
    group.accounts.set(members)
    change_record(
        obj=group,
        action=ChangeLogEntry.Action.CREATE,
        changes=diff({}, {"code": code, "name": name, "base_currency": base_currency, "accounts": members}),
        actor=created_by,
        reason=reason,
    )
    if trading_state != TradingState.ACTIVE:
        trading_state_set(
            target=group, state=trading_state, reason=reason or "set at creation", changed_by=created_by
        )
    return group


@transaction.atomic
def account_group_update(
    *,
    group: AccountGroup,
    name: str | None = None,
    base_currency: str | None = None,
    accounts: Sequence[str] | None = None,
    trading_state: str | None = None,
    reason: str = "",
    changed_by: User | AnonymousUser | None,
) -> AccountGroup:
    """Change the given attributes; `accounts` replaces the membership list."""
    members = _accounts(accounts) if accounts is not None else None
    before = {
        "name": group.name,
        "base_currency": group.base_currency,
        "accounts": list(group.accounts.all()),
    }
    if base_currency is not None and base_currency != group.base_currency and _has_money_limits(group):
        raise ValidationError(
            {"base_currency": ["Clear the group's money limits before changing the currency they are in."]}
        )
    fields: list[str] = []
    if name is not None and name != group.name:
        group.name = name
        fields.append("name")
    if base_currency is not None and base_currency != group.base_currency:
        group.base_currency = base_currency
        fields.append("base_currency")
    if fields:
        group.full_clean()
        group.updated_at = timezone.now()
        group.save(update_fields=[*fields, "updated_at"])
    if members is not None:
        group.accounts.set(members)
        # Group limits apply to a different population now.
        invalidate_scope_on_commit("group", int(group.pk))
    after = {
        "name": group.name,
        "base_currency": group.base_currency,
        "accounts": members or before["accounts"],
    }
    change_record(
        obj=group,
        action=ChangeLogEntry.Action.UPDATE,
        changes=diff(before, after),
        actor=changed_by,
        reason=reason,
    )
    if trading_state is not None and trading_state != group.trading_state:
        trading_state_set(
            target=group,
            state=trading_state,
            reason=reason or DEFAULT_GROUP_STATE_REASON,
            changed_by=changed_by,
        )
    return group
