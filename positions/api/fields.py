"""Input fields of the ledger endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

ID_PATTERN = r"^[!-~]{1,128}$"  # printable ASCII, no spaces: OMS ids come in every shape


class StrictCharField(serializers.CharField):
    """A string and only a string: DRF would turn 12 or True into "12"/"True" and accept it."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class IdField(serializers.RegexField):
    """A client-chosen id (fill_id, movement_id): 1-128 printable characters without spaces."""

    default_error_messages = {
        **serializers.RegexField.default_error_messages,
        "invalid": "Use 1-128 printable characters, no spaces.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ID_PATTERN, max_length=128, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))
