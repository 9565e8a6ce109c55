"""Model fields of the analytics app."""

from __future__ import annotations

from typing import Any

from django.db import models


class BulkJSONField(models.JSONField):
    """A JSONField that keeps PostgreSQL bulk inserts on plain VALUES.

    Django 5.2 bulk-inserts through UNNEST(arrays) unless a field defines `get_placeholder`; for large
    JSON documents psycopg's text-array escaping then costs ~5 ms per row, a quarter of the nightly
    run. With a placeholder the insert binds each document as one parameter.
    """

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
