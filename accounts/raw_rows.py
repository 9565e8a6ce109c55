"""Model instances from raw SQL rows, for the few reads on every request's path.

The ORM spends more CPU compiling a one-row `get` than PostgreSQL spends answering it; on the
per-request paths (token authentication, the account scope) the statement is built once per process
from the model's own metadata, so a new column or a swapped user model needs no change here.

A raw cursor returns what the database driver decodes, which is not what the ORM hands out: SQLite
gives naive datetimes (the ORM makes them aware in the connection's time zone), integers for
booleans and floats for decimals, and a field with `from_db_value` (JSONField, custom fields) is
left undecoded. `RowLoader` applies the same converters as the ORM's compiler
(`SQLCompiler.get_converters` and `apply_converters`: the backend's `ops.get_db_converters` followed
by the field's own), so a raw-loaded instance equals an ORM-loaded one field by field on every
backend. It lives in accounts, the lowest app that reads raw rows (apps import downwards only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col

M = TypeVar("M", bound=models.Model)

Converter = Callable[[Any, Col, BaseDatabaseWrapper], Any]


class RowLoader(Generic[M]):
    """The concrete columns of `model` under a table alias, and their values decoded into an instance.

    `sql` lists the columns (`alias."column", ...` in `concrete_fields` order) for a SELECT; `load`
    takes those values, converted exactly as the ORM converts them, and returns the instance the ORM
    would have built (`Model.from_db`: not "adding", bound to the database it came from).
    """

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.sql = ", ".join(f'{alias}."{field.column}"' for field in fields)
        self.width = len(fields)
        self._names = [field.attname for field in fields]
        # The same expressions the ORM selects (a foreign key's column carries its target's type).
        self._cols: list[Col] = [field.get_col(alias) for field in fields]
        # Converters are bound to one connection's operations (SQLite's read its time zone), and each
        # thread has its own connection wrapper: built once per wrapper, dropped with it.
        self._converters: WeakKeyDictionary[BaseDatabaseWrapper, list[tuple[int, list[Converter], Col]]]
        self._converters = WeakKeyDictionary()

    def _converters_for(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Converter], Col]]:
        found = self._converters.get(connection)
        if found is None:
            found = []
            for position, col in enumerate(self._cols):
                # As SQLCompiler.get_converters: the backend's converters, then the field's own.
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if converters:
                    found.append((position, converters, col))
            self._converters[connection] = found
        return found

    def load(self, values: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS) -> M:
        """The instance from values in `sql` order, as if the ORM had loaded it from `using`."""
        connection = connections[using]
        row = list(values)
        for position, converters, col in self._converters_for(connection):
            value = row[position]
            for converter in converters:
                value = converter(value, col, connection)
            row[position] = value
        return self.model.from_db(using, self._names, row)
