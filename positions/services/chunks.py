"""Splitting long `__in` lists so one filter fits the database's parameter limit.

SQLite binds at most 999 parameters per statement (Django's `max_query_params`); PostgreSQL has no
practical limit with client-side binding, where a chunk of 5,000 keeps each statement small.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db import connection

T = TypeVar("T")
DEFAULT_CHUNK = 5000


def chunk_size(*, others: int = 0) -> int:
    """How many values one `__in` list may hold next to `others` other parameters of the statement."""
    limit = connection.features.max_query_params
    if limit is None:
        return DEFAULT_CHUNK
    return max(min(DEFAULT_CHUNK, limit - others - 10), 1)


def in_chunks(values: Sequence[T], *, size: int | None = None, others: int = 0) -> Iterator[Sequence[T]]:
    """Consecutive slices of `values` of at most `size` (default: chunk_size(others=others))."""
    step = size or chunk_size(others=others)
    for start in range(0, len(values), step):
        yield values[start : start + step]
