from __future__ import annotations

from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "limits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from limits.checks import receivers  # noqa: F401  (fills consume reservations; instrument cache)
