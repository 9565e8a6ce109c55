"""Change the limits of an account, strategy or group; every changed field leaves a LimitChange."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from limits.cache import invalidate_scope_on_commit
from limits.models import LIMIT_FIELDS, LimitChange, LimitChangeSource, LimitSet
from limits.services.scopes import Target, actor, scope_filter, target_kind
from limits.services.values import InvalidLimit, audit_value, clean_limit_value

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": "A reason is required."})
    return text


def clean_limit_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated values per field; ValidationError naming every bad or unknown field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in values.items():
        try:
            cleaned[field] = clean_limit_value(field, value)
        except InvalidLimit as exc:
            errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def limit_set_for_update(target: Target) -> LimitSet:
    """The target's LimitSet, created empty if missing, locked until the transaction ends."""
    limit_set, _ = LimitSet.objects.select_for_update().get_or_create(**scope_filter(target))
    return limit_set


@transaction.atomic
def limit_set_update(
    *,
    target: Target,
    values: Mapping[str, Any],
    reason: str,
    changed_by: User | AnonymousUser | None,
    source: str = LimitChangeSource.API,
    replace: bool = False,
) -> LimitSet:
    """Set the given limit fields of `target` (replace=True: every field, missing ones to null/default).

    Writes one LimitChange per field whose value really changes, in this transaction, and makes the
    cached effective limits stale on commit. Raises ValidationError naming each bad field;
    then nothing is written.
    """
    text = clean_reason(reason)
    if source not in LimitChangeSource.values:
        raise ValidationError({"source": "Unknown source."})
    if replace:
        values = {field: values.get(field) for field in LIMIT_FIELDS} | dict(values)
    cleaned = clean_limit_values(values)
    limit_set = limit_set_for_update(target)
    label = f"{target_kind(target)} {target}"
    changes: list[LimitChange] = []
    for field, new in cleaned.items():
        old = getattr(limit_set, field)
        old_audit, new_audit = audit_value(old), audit_value(new)
        if old_audit == new_audit:
            continue
        setattr(limit_set, field, new)
        changes.append(
            LimitChange(
                limit_set=limit_set,
                scope_kind=target_kind(target),
                scope_label=label,
                field=field,
                old_value=old_audit,
                new_value=new_audit,
                reason=text,
                source=source,
                changed_by=actor(changed_by),
            )
        )
    if changes:
        limit_set.save(update_fields=[change.field for change in changes] + ["updated_at"])
        LimitChange.objects.bulk_create(changes)
        invalidate_scope_on_commit(target_kind(target), int(target.pk))
    limit_set.refresh_from_db()
    return limit_set
