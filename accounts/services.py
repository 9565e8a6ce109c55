"""Writes on accounts, strategies and memberships.

Trading-state changes are never written here directly: they go through the registered
`accounts.trading_state.TradingStateSwitch` (the limits app's `trading_state_set`), which records who
halted what, when and why in the same transaction.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import change_record, diff
from accounts.models import Account, ChangeLogEntry, Membership, Strategy, TradingState
from accounts.scoping import Role
from accounts.trading_state import trading_state_switch

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Actor = User | AnonymousUser | None

logger = logging.getLogger(__name__)

DEFAULT_STATE_REASON = "via account PATCH"


class MembershipNotFound(LookupError):
    """The user is not a member of the account."""


def _trading_state_set(*, target: Account | Strategy, state: str, reason: str, changed_by: Actor) -> None:
    trading_state_switch()(target=target, state=state, reason=reason, changed_by=changed_by)


@transaction.atomic
def account_create(
    *,
    code: str,
    name: str,
    base_currency: str,
    trading_state: str = TradingState.ACTIVE,
    reason: str = "",
    created_by: Actor = None,
) -> Account:
    account = Account(code=code, name=name, base_currency=base_currency)
    account.full_clean()
    account.save()
    change_record(
        obj=account,
        action=ChangeLogEntry.Action.CREATE,
        changes=diff({}, {"code": code, "name": name, "base_currency": base_currency}),
        actor=created_by,
        reason=reason,
    )
    logger.info("account %s created by %s", code, created_by)
    if trading_state != TradingState.ACTIVE:
        _trading_state_set(
            target=account, state=trading_state, reason=reason or "set at creation", changed_by=created_by
        )
        account.refresh_from_db()
    return account


@transaction.atomic
def account_update(
    *,
    account: Account,
    changed_by: Actor,
    name: str | None = None,
    base_currency: str | None = None,
    alert_recipients: str | None = None,
    trading_state: str | None = None,
    reason: str = "",
) -> Account:
    """Change the given fields; None leaves a field as it is.

    The base currency is fixed once the account has fills or cash: every stored figure and money limit
    is in it, and converting them silently would change what the limits mean.
    """
    fields = {"name": name, "base_currency": base_currency, "alert_recipients": alert_recipients}
    changed = {k: v for k, v in fields.items() if v is not None and getattr(account, k) != v}
    if "base_currency" in changed and (account.fills.exists() or account.cash_movements.exists()):
        raise ValidationError(
            {
                "base_currency": [
                    "The base currency cannot change once the account has fills or cash movements; "
                    "open a new account instead."
                ]
            }
        )
    if changed:
        before = {k: getattr(account, k) for k in changed}
        for key, value in changed.items():
            setattr(account, key, value)
        account.full_clean()
        account.save(update_fields=[*changed, "updated_at"])
        change_record(
            obj=account,
            action=ChangeLogEntry.Action.UPDATE,
            changes=diff(before, changed),
            actor=changed_by,
            reason=reason,
        )
        logger.info("account %s changed by %s: %s", account.code, changed_by, sorted(changed))
    if trading_state is not None and trading_state != account.trading_state:
        _trading_state_set(
            target=account,
            state=trading_state,
            reason=reason or DEFAULT_STATE_REASON,
            changed_by=changed_by,
        )
        account.refresh_from_db()
    return account


@transaction.atomic
def strategy_create(
    *,
    account: Account,
    code: str,
    name: str,
    trading_state: str = TradingState.ACTIVE,
    reason: str = "",
    created_by: Actor = None,
) -> Strategy:
    strategy = Strategy(account=account, code=code, name=name)
    strategy.full_clean()
    strategy.save()
    change_record(
        obj=strategy,
        action=ChangeLogEntry.Action.CREATE,
        changes=diff({}, {"code": code, "name": name}),
        actor=created_by,
        reason=reason,
    )
    if trading_state != TradingState.ACTIVE:
        _trading_state_set(
            target=strategy, state=trading_state, reason=reason or "set at creation", changed_by=created_by
        )
        strategy.refresh_from_db()
    return strategy


@transaction.atomic
def strategy_update(
    *,
    strategy: Strategy,
    changed_by: Actor,
    name: str | None = None,
    trading_state: str | None = None,
    reason: str = "",
) -> Strategy:
    if name is not None and name != strategy.name:
        before = strategy.name
        strategy.name = name
        strategy.full_clean()
        strategy.save(update_fields=["name"])
        change_record(
            obj=strategy,
            action=ChangeLogEntry.Action.UPDATE,
            changes=diff({"name": before}, {"name": name}),
            actor=changed_by,
            reason=reason,
        )
    if trading_state is not None and trading_state != strategy.trading_state:
        _trading_state_set(
            target=strategy,
            state=trading_state,
            reason=reason or "via strategy PATCH",
            changed_by=changed_by,
        )
        strategy.refresh_from_db()
    return strategy


@transaction.atomic
def membership_set(
    *, account: Account, user: User, role: str, changed_by: Actor = None
) -> tuple[Membership, bool]:
    """Give `user` the `role` on `account`, creating or changing the membership; (membership, created)."""
    Role(role)  # an unknown role is a programming error here: the API validated it
    membership, created = Membership.objects.select_for_update().get_or_create(
        account=account, user=user, defaults={"role": role}
    )
    if created:
        change_record(
            obj=membership,
            action=ChangeLogEntry.Action.CREATE,
            changes=diff({}, {"user": user.get_username(), "role": role}),
            actor=changed_by,
        )
    elif membership.role != role:
        change_record(
            obj=membership,
            action=ChangeLogEntry.Action.UPDATE,
            changes=diff({"role": membership.role}, {"role": role}),
            actor=changed_by,
        )
        membership.role = role
        membership.save(update_fields=["role"])
    logger.info("%s is %s on %s (set by %s)", user, role, account.code, changed_by)
    return membership, created


@transaction.atomic
def membership_delete(*, account: Account, user: User, changed_by: Actor = None) -> None:
    membership = Membership.objects.select_for_update().filter(account=account, user=user).first()
    if membership is None:
        raise MembershipNotFound(f"{user} is not a member of {account.code}.")
    change_record(
        obj=membership,
        action=ChangeLogEntry.Action.DELETE,
        changes=diff({"user": user.get_username(), "role": membership.role}, {"user": None, "role": None}),
        actor=changed_by,
    )
    membership.delete()
    logger.info("%s removed from %s by %s", user, account.code, changed_by)
