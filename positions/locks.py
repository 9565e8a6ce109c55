"""Serializing the ledger writes of one account across processes and servers.

Fills and cash movements of an account all move the same few rows (its positions and its cash
balance per currency), and positions are order-dependent (average price, realized P&L), so writes
for one account are serialized with a transaction-scoped lock per account. On PostgreSQL it is an
advisory lock taken in ascending account id order (a list of fills may span accounts), so two
transactions can never wait on each other in a cycle; the Position rows are then also selected FOR
UPDATE. SQLite serializes writers on the whole database, and its transactions begin IMMEDIATE
(settings.py): a list reads its stored fills and positions before it writes, under the write lock.

Because writes of an account are serialized, fills get ascending ids in the order they are applied,
and rebuilding in id order reproduces the live state.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

# The first key of the two-key advisory lock: "positions ledger" (other apps use other namespaces).
LEDGER_LOCK_NAMESPACE = 0x52504C47  # "RPLG"


def lock_accounts_for_ledger(account_ids: Iterable[int]) -> None:
    """Block until this transaction holds the ledger lock of every account in `account_ids`.

    One statement for any number of accounts: the locks are taken row by row in ascending order
    (ORDER BY evaluates a volatile select-list function after sorting), so a list over 100 accounts
    costs one round trip, not 100.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({account_id & 0x7FFFFFFF for account_id in account_ids})
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::integer[]) AS k ORDER BY k",
            [LEDGER_LOCK_NAMESPACE, keys],
        )
