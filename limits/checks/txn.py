"""The check's transaction, with BEGIN and COMMIT riding on its statements (PostgreSQL, hot path).

Through Django's `transaction.atomic` a check costs four database round trips: BEGIN (psycopg sends
it on its own), the lock-and-read, the INSERT of the decisions, COMMIT. When the connection is in
autocommit mode (a normal request), the check instead prefixes its first statement with BEGIN and
suffixes its last with COMMIT, both sent in the same execute (client-side binding allows several
statements): two round trips. Any exception rolls back before it propagates, so a failed check
leaves neither a decision nor a reservation (fail closed).

Inside an outer atomic block (tests, a caller's transaction) or on SQLite, Django's atomic is used
and `begin`/`commit` add nothing: the outer transaction decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction


@dataclass
class CheckTransaction:
    explicit: bool
    begun: bool = False
    committed: bool = False

    def begin(self) -> str:
        """The prefix of the first statement."""
        if not self.explicit:
            return ""
        self.begun = True
        return "BEGIN;\n"

    def commit(self) -> str:
        """The suffix of the last statement."""
        if not self.explicit:
            return ""
        self.committed = True
        return ";\nCOMMIT"


@contextmanager
def check_transaction() -> Iterator[CheckTransaction]:
    explicit = (
        connection.vendor == "postgresql" and connection.get_autocommit() and not connection.in_atomic_block
    )
    if not explicit:
        with transaction.atomic():
            yield CheckTransaction(explicit=False)
        return
    txn = CheckTransaction(explicit=True)
    try:
        yield txn
    except BaseException:
        # Also when COMMIT was sent: it never ran if the statement before it failed (a ROLLBACK
        # without a transaction is only a warning).
        if txn.begun:
            _quietly("ROLLBACK")
        raise
    if txn.begun and not txn.committed:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def _quietly(statement: str) -> None:
    # The connection may be what failed; Django then discards it, and the server rolls back itself.
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError:
        pass
