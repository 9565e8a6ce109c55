from __future__ import annotations

from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "limits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from limits.checks import receivers  # noqa: F401  (fills consume reservations; instrument cache)

        self._register_summary_utilization()

    @staticmethod
    def _register_summary_utilization() -> None:
        """Put each limit's utilization into GET /accounts/{code}/summary/ (positions owns the summary)."""
        try:
            from positions.summary_extensions import register_summary_extension
        except ImportError:  # pragma: no cover - an older positions app without the registry
            return
        from limits.utilization import limit_utilization

        register_summary_extension("utilization", limit_utilization)
