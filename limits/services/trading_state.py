"""The kill switch: set the trading state of an account, strategy or account group, with its log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, AccountGroup, TradingState
from limits.cache import invalidate_scope_on_commit
from limits.models import TradingStateChange, TradingStateSource
from limits.services.scopes import Target, actor, scope_filter, target_kind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


@transaction.atomic
def trading_state_set(
    *,
    target: Target,
    state: str,
    reason: str,
    changed_by: User | AnonymousUser | None,
    source: str = TradingStateSource.API,
) -> TradingStateChange:
    """Set `target`'s trading state and log who, when, why; returns the log row.

    The target row is locked for the change, so two concurrent switches are serialised and each
    log row's `old_state` is the state it really replaced. `target.trading_state` is updated in place.
    Raises django ValidationError naming `state`, `reason` or `source` on bad input (nothing written).
    """
    errors: dict[str, str] = {}
    if state not in TradingState.values:
        errors["state"] = f"Must be one of: {', '.join(TradingState.values)}."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "A reason is required."
    if source not in TradingStateSource.values:
        errors["source"] = f"Must be one of: {', '.join(TradingStateSource.values)}."
    if errors:
        raise ValidationError(errors)

    model = type(target)
    old_state = model.objects.select_for_update().values_list("trading_state", flat=True).get(pk=target.pk)
    updates: dict[str, object] = {"trading_state": state}
    if isinstance(target, (Account, AccountGroup)):
        # update() skips auto_now; keep updated_at truthful.
        updates["updated_at"] = timezone.now()
    model.objects.filter(pk=target.pk).update(**updates)
    target.trading_state = state
    change = TradingStateChange.objects.create(
        **scope_filter(target),
        old_state=old_state,
        new_state=state,
        reason=reason,
        changed_by=actor(changed_by),
        source=source,
    )
    invalidate_scope_on_commit(target_kind(target), int(target.pk))
    return change
