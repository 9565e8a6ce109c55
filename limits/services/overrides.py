"""Temporary limit overrides: create, end early, and stamp the expired ones (with their history)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from limits.cache import invalidate_scope_on_commit
from limits.models import OVERRIDABLE_FIELDS, LimitChange, LimitChangeSource, LimitOverride, LimitSet
from limits.services.limits import clean_reason, limit_set_for_update
from limits.services.scopes import Target, actor, target_kind
from limits.services.values import InvalidLimit, audit_value, clean_limit_value

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def effective_field_value(limit_set: LimitSet, field: str, at: datetime) -> Any:
    """The value of one field at `at`: the newest override active then, else the set's own value."""
    override = (
        LimitOverride.objects.filter(
            limit_set=limit_set, field=field, reverted_at__isnull=True, expires_at__gt=at, created_at__lte=at
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if override is None:
        return getattr(limit_set, field)
    return int(override.value) if field == "max_orders_per_minute" else override.value


def _scope_label(limit_set: LimitSet) -> str:
    return limit_set.scope_label


@transaction.atomic
def limit_override_create(
    *,
    target: Target,
    field: str,
    value: Any,
    expires_at: datetime,
    reason: str,
    created_by: User | AnonymousUser | None,
) -> LimitOverride:
    """Replace `field`'s limit with `value` until `expires_at`; logs a LimitChange (source=override)."""
    text = clean_reason(reason)
    errors: dict[str, str] = {}
    cleaned: Any = None
    if field not in OVERRIDABLE_FIELDS:
        errors["field"] = f"Must be one of: {', '.join(OVERRIDABLE_FIELDS)}."
    elif value is None:
        errors["value"] = "An override needs a value; to remove a limit, edit the limits."
    else:
        try:
            cleaned = clean_limit_value(field, value)
        except InvalidLimit as exc:
            errors["value"] = str(exc)
    now = timezone.now()
    if timezone.is_naive(expires_at):
        errors["expires_at"] = "Include a UTC offset."
    elif expires_at <= now:
        errors["expires_at"] = "Must be in the future."
    if errors:
        raise ValidationError(errors)
    limit_set = limit_set_for_update(target)
    old = effective_field_value(limit_set, field, now)
    override = LimitOverride.objects.create(
        limit_set=limit_set,
        field=field,
        value=Decimal(cleaned),
        expires_at=expires_at,
        reason=text,
        created_by=actor(created_by),
        created_at=now,
    )
    LimitChange.objects.create(
        limit_set=limit_set,
        scope_kind=target_kind(target),
        scope_label=_scope_label(limit_set),
        field=field,
        old_value=audit_value(old),
        new_value=audit_value(cleaned),
        reason=f"Temporary override until {expires_at.isoformat()}: {text}",
        source=LimitChangeSource.OVERRIDE,
        override=override,
        changed_by=actor(created_by),
        changed_at=now,
    )
    invalidate_scope_on_commit(target_kind(target), int(target.pk))
    return override


def _revert(
    *,
    override: LimitOverride,
    at: datetime,
    changed_by: User | AnonymousUser | None,
    reason: str,
    source: str,
) -> bool:
    """Stamp the override reverted at `at` and log it, unless someone else did first."""
    claimed = LimitOverride.objects.filter(pk=override.pk, reverted_at__isnull=True).update(reverted_at=at)
    if not claimed:
        return False
    override.reverted_at = at
    limit_set = LimitSet.objects.get(pk=override.limit_set_id)
    after = effective_field_value(limit_set, override.field, at)
    LimitChange.objects.create(
        limit_set=limit_set,
        scope_kind=limit_set.scope_kind,
        scope_label=limit_set.scope_label,
        field=override.field,
        old_value=audit_value(
            int(override.value) if override.field == "max_orders_per_minute" else override.value
        ),
        new_value=audit_value(after),
        reason=reason,
        source=source,
        override=override,
        changed_by=actor(changed_by),
        changed_at=at,
    )
    invalidate_scope_on_commit(limit_set.scope_kind, limit_set.scope_id)
    return True


@transaction.atomic
def limit_override_revert(
    *,
    override: LimitOverride,
    reverted_by: User | AnonymousUser | None,
    reason: str,
    source: str = LimitChangeSource.API,
) -> bool:
    """End an override now. False when it had already ended (expired or reverted): nothing written."""
    text = clean_reason(reason)
    now = timezone.now()
    if override.expires_at <= now:
        return False
    return _revert(
        override=override,
        at=now,
        changed_by=actor(reverted_by),
        reason=f"Override ended early: {text}",
        source=source,
    )


def limit_overrides_expire(*, now: datetime | None = None) -> int:
    """Stamp every lapsed override reverted and log it (source=expiry); returns how many this call did.

    Safe to run twice or concurrently: each override is claimed with a conditional UPDATE, so only
    one run writes its history row. The limit itself already stopped applying at `expires_at`.
    """
    now = now or timezone.now()
    lapsed = list(
        LimitOverride.objects.filter(reverted_at__isnull=True, expires_at__lte=now).order_by(
            "expires_at", "id"
        )
    )
    done = 0
    for override in lapsed:
        with transaction.atomic():
            if _revert(
                override=override,
                at=override.expires_at,
                changed_by=None,
                reason=f"Override expired: {override.reason}",
                source=LimitChangeSource.EXPIRY,
            ):
                done += 1
    return done
