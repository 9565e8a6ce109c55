"""Insert decision rows and add their reservations to the totals: on PostgreSQL (the hot path) one
multi-row INSERT plus the totals' upserts in raw SQL, sent in one execute; the ORM elsewhere.

The ORM's bulk_create compiles the statement and converts every field on each call, which costs more
than the database round trip itself on the check's hot path; the values are the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from limits.checks.reservations import add_totals, add_totals_sql, opened_totals
from limits.models.checks import CheckDecision

_COLUMNS = (
    "check_id", "account_id", "strategy_id", "symbol", "side", "quantity", "price", "order_type",
    "client_order_id", "fingerprint", "decision", "violations", "warnings", "request", "evaluated_at",
    "caller_id", "batch_id", "reserved_price", "open_quantity", "filled_quantity", "released_quantity",
    "expires_at", "released_at",
)  # fmt: skip
_JSON = frozenset({"violations", "warnings", "request"})


def store_decisions(rows: Sequence[CheckDecision], *, suffix: str = "") -> None:
    """Insert `rows` and their open reservations' totals; `suffix` (";\nCOMMIT" from
    CheckTransaction.commit) rides on the same execute."""
    if not rows:
        return
    totals = opened_totals(rows)
    if connection.vendor != "postgresql":
        CheckDecision.objects.bulk_create(rows)
        add_totals(totals)
        return
    placeholders = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    params: list[Any] = []
    for row in rows:
        for column in _COLUMNS:
            value = getattr(row, column)
            params.append(json.dumps(value) if column in _JSON else value)
    # Only constant column names and placeholders are interpolated; every value is a parameter.
    values = ", ".join([placeholders] * len(rows))
    sql = f"INSERT INTO limits_checkdecision ({', '.join(_COLUMNS)}) VALUES {values}"  # noqa: S608
    upserts, upsert_params = add_totals_sql(totals)
    sql = ";\n".join([sql, *upserts]) + suffix
    params.extend(upsert_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
