"""Model instances from raw SQL rows, for the few reads on every request's path.

The ORM spends more CPU compiling a one-row `get` than PostgreSQL spends answering it; on the
per-request paths (token authentication, the account scope) the statement is built once per process
from the model's own metadata, so a new column or a swapped user model needs no change here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def columns(model: type[models.Model], alias: str) -> str:
    """The model's concrete columns as `alias.column, ...`, in `concrete_fields` order."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def instance(model: type[M], values: Sequence[Any], *, using: str = "default") -> M:
    """A model instance from values in `columns()` order, as if the ORM had loaded it."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(using, names, list(values))
