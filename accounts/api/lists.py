"""Posted lists: validated item by item, errors keyed by item index (`{"1": {"price": [...]}}`)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rest_framework import serializers

MAX_LIST_ITEMS = 10_000


class ItemListSerializer(serializers.ListSerializer[Any]):
    """A bounded, non-empty list; items unique by the child's `item_key(attrs) -> (key, field name)`
    when the child defines one.

    A repeated key is an error on the later item, naming the field and the first item's index, so the
    client sees exactly which line to drop (an upsert could not tell which of the two it meant).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_LIST_ITEMS)
        kwargs.setdefault("allow_empty", False)
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        items: list[Any] = super().to_internal_value(data)
        key_of = getattr(self.child, "item_key", None)
        if key_of is None:
            return items
        first_seen: dict[Hashable, int] = {}
        errors: dict[int, dict[str, list[str]]] = {}
        for index, attrs in enumerate(items):
            key, field_name = key_of(attrs)
            if key in first_seen:
                errors[index] = {field_name: [f"Duplicate of item {first_seen[key]}."]}
            else:
                first_seen[key] = index
        if errors:
            raise serializers.ValidationError(errors)  # type: ignore[arg-type]
        return items


def symbols_in(data: Any) -> list[str]:
    """The `symbol` values of a posted list (or single object), for one bulk instrument lookup."""
    items = data if isinstance(data, list) else [data]
    return [
        item["symbol"] for item in items if isinstance(item, dict) and isinstance(item.get("symbol"), str)
    ]
