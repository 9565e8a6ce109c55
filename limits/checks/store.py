"""Insert decision rows: one multi-row INSERT in raw SQL on PostgreSQL (the hot path), the ORM elsewhere.

The ORM's bulk_create compiles the statement and converts every field on each call, which costs more
than the database round trip itself on the check's hot path; the values are the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from limits.models.checks import CheckDecision

_COLUMNS = (
    "check_id", "account_id", "strategy_id", "symbol", "side", "quantity", "price", "order_type",
    "client_order_id", "fingerprint", "decision", "violations", "warnings", "request", "evaluated_at",
    "caller_id", "batch_id", "reserved_price", "open_quantity", "filled_quantity", "released_quantity",
    "expires_at", "released_at",
)  # fmt: skip
_JSON = frozenset({"violations", "warnings", "request"})


def store_decisions(rows: Sequence[CheckDecision], *, suffix: str = "") -> None:
    """Insert `rows`; `suffix` (";\nCOMMIT" from CheckTransaction.commit) rides on the same execute."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        CheckDecision.objects.bulk_create(rows)
        return
    placeholders = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    params: list[Any] = []
    for row in rows:
        for column in _COLUMNS:
            value = getattr(row, column)
            params.append(json.dumps(value) if column in _JSON else value)
    # Only constant column names and placeholders are interpolated; every value is a parameter.
    values = ", ".join([placeholders] * len(rows))
    sql = f"INSERT INTO limits_checkdecision ({', '.join(_COLUMNS)}) VALUES {values}{suffix}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
