"""The shared state in the database, for deployments without Redis (PostgreSQL alone, SQLite).

The order-rate window counts the stored decisions of the last minute per scope: every checked order
is stored as a decision (accepted or rejected; replays are not new decisions), in the same
transaction that counted, under the scope locks. The tokens are rows of GenerationToken replaced in
the writer's own transaction, so a reader sees the new token exactly when it sees the new data. A
token never replaced reads as NEVER_REPLACED.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connection

from accounts.models import AccountGroup
from limits.models.checks import CheckDecision
from limits.models.shared_state import GenerationToken
from limits.shared_state.base import WINDOW, Scope

NEVER_REPLACED = "initial"


def _count_statement(kind: str) -> str:
    # Table and column names from the models; only ids and times are bound.
    decisions = CheckDecision._meta.db_table
    if kind == "group":
        members = AccountGroup.accounts.through._meta.db_table
        where = f"account_id IN (SELECT account_id FROM {members} WHERE accountgroup_id = %s)"  # noqa: S608
    else:
        where = f"{kind}_id = %s"
    return f"SELECT %s, COUNT(*) FROM {decisions} WHERE {where} AND evaluated_at > %s"  # noqa: S608


_STATEMENTS = {kind: _count_statement(kind) for kind in ("account", "strategy", "group")}


def recent_decision_times(scopes: Sequence[Scope], *, since: datetime) -> dict[Scope, list[datetime]]:
    """When each scope's decisions after `since` were made (rebuilding a Redis window after a
    restart; once per scope, so through the ORM)."""
    members = AccountGroup.accounts.through.objects
    out: dict[Scope, list[datetime]] = {}
    for kind, pk in scopes:
        decisions = CheckDecision.objects.filter(evaluated_at__gt=since)
        if kind == "group":
            decisions = decisions.filter(
                account_id__in=members.filter(accountgroup_id=pk).values("account_id")
            )
        else:
            decisions = decisions.filter(**{f"{kind}_id": pk})
        out[(kind, pk)] = list(decisions.order_by().values_list("evaluated_at", flat=True))
    return out


class DatabaseSharedState:
    """SharedState in the application database, inside whatever transaction is open."""

    def window_and_tokens(
        self, added: Mapping[Scope, int], *, now: datetime, tokens: Sequence[str]
    ) -> tuple[dict[Scope, int], list[str]]:
        scopes = list(added)
        counts: dict[Scope, int] = {}
        if scopes:
            since = connection.ops.adapt_datetimefield_value(now - WINDOW)
            parts: list[str] = []
            params: list[Any] = []
            for index, (kind, pk) in enumerate(scopes):
                parts.append(_STATEMENTS[kind])
                params.extend([index, pk, since])
            # Plain cursor SQL: it runs in the check's transaction whichever store opened it.
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), params)
                counts = {scopes[int(index)]: int(count) for index, count in cursor.fetchall()}
        return counts, self.tokens(tokens) if tokens else []

    def tokens(self, names: Sequence[str]) -> list[str]:
        if not names:
            return []
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"SELECT name, token FROM {GenerationToken._meta.db_table} WHERE name IN ({placeholders})",  # noqa: S608
                list(names),
            )
            found = dict(cursor.fetchall())
        return [found.get(name, NEVER_REPLACED) for name in names]

    def replace_token(self, name: str) -> None:
        GenerationToken.objects.bulk_create(
            [GenerationToken(name=name, token=uuid.uuid4().hex)],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["token"],
        )
