"""The check's store, chosen by settings.RISK_CHECK_STORE.

- "orm" (orm.py): the plain reference, on any database Django supports (the SQLite demo).
- "postgres" (postgres.py): the fast path, PostgreSQL only: the locks, the reads and the BEGIN in one
  round trip, the inserts and the COMMIT in another. Held against "orm" by a property test
  (tests/limits/checks/test_store_parity.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from limits.checks.store.base import AccountGone, CheckSession, CheckStore, LoadRequest
from limits.checks.store.orm import OrmCheckStore
from limits.checks.store.postgres import PostgresCheckStore
from limits.checks.store.rows import BookRows, CheckRows, HeldLine, MarkRow, ReservedLine, ScopeRow

__all__ = [
    "AccountGone",
    "BookRows",
    "CheckRows",
    "CheckSession",
    "CheckStore",
    "HeldLine",
    "LoadRequest",
    "MarkRow",
    "ReservedLine",
    "ScopeRow",
    "check_store",
]

_STORES: dict[str, CheckStore] = {"orm": OrmCheckStore(), "postgres": PostgresCheckStore()}


def check_store() -> CheckStore:
    """The configured store."""
    try:
        return _STORES[settings.RISK_CHECK_STORE]
    except KeyError:
        raise ImproperlyConfigured(
            f"RISK_CHECK_STORE must be 'orm' or 'postgres', not {settings.RISK_CHECK_STORE!r}."
        ) from None
