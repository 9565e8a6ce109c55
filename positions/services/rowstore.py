"""Set-based writes of many model rows: insert new rows, or set some fields of stored rows.

A list of 10,000 fills inserts 10,000 fills and rewrites thousands of positions. Django's compiler
costs about 100 us a row for that (more than the database), and `bulk_update` (a CASE per field
with a WHEN per row) costs milliseconds a row, so the ledger writes through this small interface,
chosen once per process by `row_store()`:

- `OrmRowStore`, the reference, on every database: `bulk_create` for inserts, and for updates one
  `UPDATE ... WHERE pk = ...` per row (plain, and on SQLite, in-process, about as fast as any
  bulk statement the ORM offers).
- `PostgresRowStore`, the fast path on PostgreSQL: ids drawn from the table's sequence in one
  statement, then COPY (a few microseconds a row); updates in one `UPDATE ... FROM unnest(arrays)`
  with one typed array per column. Values go to psycopg as they are, so only the field types listed
  in `_PLAIN` are accepted (numbers, text, timestamps, UUIDs, keys); anything else raises TypeError.

Both give the same rows: `tests/positions/test_rowstore.py` holds the fast path against the
reference, and the ledger's property tests run through both. Inserted rows get their primary key
in the order given (ascending), and auto_now/auto_now_add fields are set as `save()` would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection, models

# Rows per INSERT of the reference (SQLite splits further, to its parameter limit).
ORM_BATCH = 2000


class RowStore(Protocol):
    def insert(self, rows: Sequence[models.Model]) -> None:
        """Insert `rows` (all of one model, without primary keys) and set their primary keys."""

    def update(self, rows: Sequence[models.Model], fields: Sequence[str]) -> None:
        """Write `fields` of `rows` (all of one model, stored, locked by the caller); auto_now
        fields among them are stamped as `save()` would."""


class OrmRowStore:
    """The reference: the ORM's bulk statements, on any database."""

    def insert(self, rows: Sequence[models.Model]) -> None:
        if rows:
            type(rows[0])._default_manager.bulk_create(rows, batch_size=ORM_BATCH)

    def update(self, rows: Sequence[models.Model], fields: Sequence[str]) -> None:
        if not rows:
            return
        model = type(rows[0])
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


def _plain_fields(
    model: type[models.Model], names: Sequence[str] | None = None
) -> list[models.Field[Any, Any]]:
    opts = model._meta
    fields = [opts.get_field(n) for n in names] if names is not None else list(opts.concrete_fields)
    for field in fields:
        if not isinstance(field, models.Field) or field.get_internal_type() not in _PLAIN:
            raise TypeError(f"{model.__name__}.{field.name}: not a field type the fast path writes")
    return fields  # type: ignore[return-value]


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None  # concrete fields have a column
    return field.column


def _value(field: models.Field[Any, Any], row: models.Model, add: bool) -> Any:
    # auto_now(_add) fields are stamped as save() would; the others are the attribute.
    value = field.pre_save(row, add) if _stamps(field) else getattr(row, field.attname)
    if isinstance(field, models.DecimalField) and value is not None and not isinstance(value, Decimal):
        value = Decimal(value)  # a default of 0 is an int: one array, one element type
    return value


def _stamps(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


class PostgresRowStore:
    """The fast path: COPY for inserts and one UPDATE FROM unnest for updates (PostgreSQL only)."""

    def insert(self, rows: Sequence[models.Model]) -> None:
        if not rows:
            return
        model = type(rows[0])
        opts = model._meta
        fields = _plain_fields(model)
        pk = opts.pk
        assert pk is not None
        with connection.cursor() as cursor:
            # nextval in generate_series order: the ids ascend in the order of `rows`.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, pk.column, len(rows)],
            )
            ids = sorted(int(r[0]) for r in cursor.fetchall())
            for row, pk_value in zip(rows, ids, strict=True):
                setattr(row, pk.attname, pk_value)
            quoted = ", ".join(connection.ops.quote_name(_column(f)) for f in fields)
            table = connection.ops.quote_name(opts.db_table)
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_value(f, row, True) for f in fields])
        for row in rows:
            row._state.adding = False
            row._state.db = connection.alias

    def update(self, rows: Sequence[models.Model], fields: Sequence[str]) -> None:
        if not rows:
            return
        model = type(rows[0])
        opts = model._meta
        pk = opts.pk
        assert pk is not None
        targets = _plain_fields(model, fields)
        columns = [pk, *targets]
        arrays = [[row.pk for row in rows]] + [[_value(f, row, False) for row in rows] for f in targets]
        quote = connection.ops.quote_name
        names = [f"c{i}" for i in range(len(columns))]
        unnest = ", ".join(f"%s::{f.db_type(connection)}[]" for f in columns)
        pairs = zip(targets, names[1:], strict=True)
        assignments = ", ".join(f"{quote(_column(f))} = v.{n}" for f, n in pairs)
        # Table, column and type names come from the model; every value is a parameter.
        sql = (
            f"UPDATE {quote(opts.db_table)} AS t SET {assignments} "  # noqa: S608
            f"FROM unnest({unnest}) AS v({', '.join(names)}) WHERE t.{quote(_column(pk))} = v.c0"
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
