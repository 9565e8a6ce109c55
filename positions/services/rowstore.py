"""Set-based access to many model rows: find stored ones by a key, insert new ones, set some fields.

A list of 10,000 fills looks up 10,000 fill_ids, inserts 10,000 fills and rewrites thousands of
positions. Django's compiler costs about 100 us a row for that (more than the database), and
`bulk_update` (a CASE per field with a WHEN per row) costs milliseconds a row, so the ledger goes
through this small interface, chosen once per process by `row_store()`:

- `OrmRowStore`, the reference, on every database: lookups by two fields as OR-ed `IN` lists,
  `bulk_create` for inserts, and for updates one `UPDATE ... WHERE pk = ...` per row (plain, and on
  SQLite, in-process, about as fast as any bulk statement the ORM offers).
- `PostgresRowStore`, the fast path on PostgreSQL: lookups by two fields as a join with two typed
  arrays (`unnest`), inserts as ids drawn from the table's sequence in one statement then COPY (a
  few microseconds a row), updates in one `UPDATE ... FROM unnest(arrays)`, one array per column.
  Values go to psycopg as they are, so only the field types listed in `_PLAIN` are accepted
  (numbers, text, timestamps, UUIDs, keys); anything else raises TypeError.

Both give the same rows: `tests/positions/test_rowstore.py` holds the fast path against the
reference, and the ledger's property tests run through both. Inserted rows get their primary key
in the order given (ascending), and auto_now/auto_now_add fields are set as `save()` would.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, reduce
from typing import Any, Protocol

from django.db import connection, models
from django.db.models import Q

from positions.services.chunks import chunk_size, in_chunks

# Rows per INSERT of the reference (SQLite splits further, to its parameter limit).
ORM_BATCH = 2000


Key = tuple[Any, Any]


class RowStore(Protocol):
    def find(
        self, model: type[models.Model], fields: tuple[str, str], keys: Sequence[tuple[Any, Any]]
    ) -> list[Any]:
        """The primary keys of the stored rows of `model` whose two `fields` (attribute names)
        equal one of `keys`."""

    def insert(self, rows: Sequence[models.Model]) -> None:
        """Insert `rows` (all of one model, without primary keys) and set their primary keys."""

    def update(self, model: type[models.Model], rows: Sequence[Any], fields: Sequence[str]) -> None:
        """Write `fields` of `rows`, stored rows of `model` locked by the caller: model instances, or
        any objects with `pk` and those attributes (cheaper to build for thousands of rows).
        auto_now fields among `fields` are stamped as `save()` would."""


class OrmRowStore:
    """The reference: the ORM's bulk statements, on any database."""

    def find(
        self, model: type[models.Model], fields: tuple[str, str], keys: Sequence[tuple[Any, Any]]
    ) -> list[Any]:
        # `first = a AND second IN (...)` per value of the first field, OR-ed into one query per
        # chunk of the parameter limit: exact probes of an index on the two fields.
        first, second = fields
        seconds: dict[Any, set[Any]] = defaultdict(set)
        for a, b in keys:
            seconds[a].add(b)
        pieces = [(a, piece) for a in sorted(seconds) for piece in in_chunks(sorted(seconds[a]), others=1)]
        found: list[Any] = []
        budget, start = chunk_size(), 0
        while start < len(pieces):
            end, used = start, 0
            while end < len(pieces) and (end == start or used + len(pieces[end][1]) + 1 <= budget):
                used += len(pieces[end][1]) + 1
                end += 1
            probes = [Q(**{first: a, f"{second}__in": piece}) for a, piece in pieces[start:end]]
            found.extend(
                model._default_manager.filter(reduce(operator.or_, probes)).values_list("pk", flat=True)
            )
            start = end
        return found

    def insert(self, rows: Sequence[models.Model]) -> None:
        if rows:
            type(rows[0])._default_manager.bulk_create(rows, batch_size=ORM_BATCH)

    def update(self, model: type[models.Model], rows: Sequence[Any], fields: Sequence[str]) -> None:
        targets = [model._meta.get_field(name) for name in fields]
        manager = model._default_manager
        for row in rows:
            manager.filter(pk=row.pk).update(**{f.attname: f.pre_save(row, False) for f in targets})  # type: ignore[union-attr]


# Field types whose Python values psycopg adapts as Django would (get_db_prep_save is the identity
# for them on PostgreSQL, given values already in range).
_PLAIN = frozenset(
    {
        "AutoField", "BigAutoField", "ForeignKey", "OneToOneField", "IntegerField", "BigIntegerField",
        "PositiveIntegerField", "SmallIntegerField", "BooleanField", "CharField", "TextField",
        "DecimalField", "DateTimeField", "DateField", "UUIDField",
    }
)  # fmt: skip


@dataclass(frozen=True)
class _Column:
    """How the fast path reads one field of a row."""

    field: models.Field[Any, Any]
    name: str  # the quoted column name
    attname: str
    stamps: bool  # auto_now or auto_now_add: pre_save stamps it
    decimal: bool

    def value(self, row: Any, add: bool) -> Any:
        value = self.field.pre_save(row, add) if self.stamps else getattr(row, self.attname)
        if self.decimal and value is not None and not isinstance(value, Decimal):
            value = Decimal(value)  # a default of 0 is an int: one array, one element type
        return value


@cache
def _columns(model: type[models.Model], names: tuple[str, ...] | None = None) -> tuple[_Column, ...]:
    opts = model._meta
    fields = [opts.get_field(n) for n in names] if names is not None else list(opts.concrete_fields)
    out = []
    for field in fields:
        if not isinstance(field, models.Field) or field.get_internal_type() not in _PLAIN:
            raise TypeError(f"{model.__name__}.{field.name}: not a field type the fast path writes")
        assert field.column is not None  # concrete fields have a column
        stamps = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        out.append(
            _Column(
                field, connection.ops.quote_name(field.column), field.attname, stamps,
                isinstance(field, models.DecimalField),
            )
        )  # fmt: skip
    return tuple(out)


class PostgresRowStore:
    """The fast path: COPY for inserts and one UPDATE FROM unnest for updates (PostgreSQL only)."""

    def find(
        self, model: type[models.Model], fields: tuple[str, str], keys: Sequence[tuple[Any, Any]]
    ) -> list[Any]:
        if not keys:
            return []
        opts = model._meta
        pk = opts.pk
        assert pk is not None
        assert pk.column is not None
        one, two = _columns(model, fields)
        quote = connection.ops.quote_name
        # Names and types come from the model; the keys are two array parameters. The pairs join the
        # unique index as exact probes, however many accounts the keys span.
        sql = (
            f"SELECT t.{quote(pk.column)} FROM {quote(opts.db_table)} AS t "  # noqa: S608
            f"JOIN unnest(%s::{one.field.db_type(connection)}[], %s::{two.field.db_type(connection)}[]) "
            f"AS k(a, b) ON t.{one.name} = k.a AND t.{two.name} = k.b"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [[a for a, _ in keys], [b for _, b in keys]])
            return [row[0] for row in cursor.fetchall()]

    def insert(self, rows: Sequence[models.Model]) -> None:
        if not rows:
            return
        model = type(rows[0])
        opts = model._meta
        columns = _columns(model)
        pk = opts.pk
        assert pk is not None
        assert pk.column is not None
        with connection.cursor() as cursor:
            # nextval in generate_series order: the ids ascend in the order of `rows`.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, pk.column, len(rows)],
            )
            ids = sorted(int(r[0]) for r in cursor.fetchall())
            alias = connection.alias  # a thread-local lookup: once, not per row
            for row, pk_value in zip(rows, ids, strict=True):
                setattr(row, pk.attname, pk_value)
                row._state.adding = False
                row._state.db = alias
            # auto_now(_add) fields: one stamp for the statement, as a database default would be.
            for column in columns:
                if column.stamps:
                    stamp = column.field.pre_save(rows[0], True)
                    for row in rows:
                        setattr(row, column.attname, stamp)
            values = operator.attrgetter(*(c.attname for c in columns))  # a tuple per row, in C
            names = ", ".join(c.name for c in columns)
            with cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(opts.db_table)} ({names}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(values(row))

    def update(self, model: type[models.Model], rows: Sequence[Any], fields: Sequence[str]) -> None:
        if not rows:
            return
        opts = model._meta
        pk = opts.pk
        assert pk is not None
        assert pk.column is not None
        targets = _columns(model, tuple(fields))
        arrays = [[row.pk for row in rows]] + [[c.value(row, False) for row in rows] for c in targets]
        aliases = [f"c{i}" for i in range(len(targets) + 1)]
        types = [pk.db_type(connection), *(c.field.db_type(connection) for c in targets)]
        unnest = ", ".join(f"%s::{t}[]" for t in types)
        assignments = ", ".join(f"{c.name} = v.{a}" for c, a in zip(targets, aliases[1:], strict=True))
        quote = connection.ops.quote_name
        # Table, column and type names come from the model; every value is a parameter.
        sql = (
            f"UPDATE {quote(opts.db_table)} AS t SET {assignments} "  # noqa: S608
            f"FROM unnest({unnest}) AS v({', '.join(aliases)}) WHERE t.{quote(pk.column)} = v.c0"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, arrays)


_chosen: RowStore | None = None


def row_store() -> RowStore:
    """The store of this process: the fast path on PostgreSQL, the reference elsewhere."""
    global _chosen
    if _chosen is None:
        _chosen = PostgresRowStore() if connection.vendor == "postgresql" else OrmRowStore()
    return _chosen


@contextmanager
def using_row_store(store: RowStore) -> Iterator[None]:
    """Run with `store` (tests hold the fast path against the reference with it)."""
    global _chosen
    previous, _chosen = _chosen, store
    try:
        yield
    finally:
        _chosen = previous
