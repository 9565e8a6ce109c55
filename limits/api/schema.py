"""OpenAPI description of LimitValueField: its JSON type depends on which limit it carries."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from limits.models import INTEGER_LIMIT_FIELDS


class LimitValueFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    target_class = "limits.api.serializers.LimitValueField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        name = self.target.limit_field
        help_text = self.target.help_text or ""
        if name == "restricted_symbols":
            return {"type": "array", "items": {"type": "string"}, "nullable": True, "description": help_text}
        if name in INTEGER_LIMIT_FIELDS:
            return {"type": "integer", "minimum": 1, "nullable": True, "description": help_text}
        return {
            "type": "string",
            "format": "decimal",
            "pattern": r"^-?\d{0,18}(?:\.\d{0,10})?$",
            "nullable": True,
            "description": help_text + " Accepts a decimal string or a JSON number.",
        }
