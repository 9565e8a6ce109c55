"""Writing change-log rows. Called by services inside their transaction, so a change and its audit
row land together or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from accounts.models import Account, AccountGroup, ChangeLogEntry, Membership, Strategy


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value (model instances by their string, collections sorted)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return sorted(str(item) for item in value)
    return str(value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose rendered value differs."""
    changes: dict[str, list[Any]] = {}
    for field in after:
        old, new = _plain(before.get(field)), _plain(after[field])
        if old != new:
            changes[field] = [old, new]
    return changes


def change_record(
    *,
    obj: Account | Strategy | Membership | AccountGroup,
    action: str,
    changes: Mapping[str, list[Any]],
    actor: Any,
    reason: str = "",
    source: str = "api",
) -> ChangeLogEntry | None:
    """One audit row; an update that changed nothing writes none."""
    if action == ChangeLogEntry.Action.UPDATE and not changes:
        return None
    account: Account | None = None
    group: AccountGroup | None = None
    if isinstance(obj, Account):
        account = obj
    elif isinstance(obj, Strategy | Membership):
        account = obj.account
    else:
        group = obj
    return ChangeLogEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_repr=str(obj)[:200],
        account=account,
        group=group,
        changes=dict(changes),
        reason=reason[:500],
        source=source,
    )
