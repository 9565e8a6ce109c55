"""The nightly schedule as a django-celery-beat entry (the database scheduler reads it)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

NIGHTLY_TASK_NAME = "analytics: nightly risk reports"
NIGHTLY_TASK = "analytics.tasks.run_nightly_risk_reports"


@transaction.atomic
def schedule_install(*, hour: int | None = None, minute: int = 0) -> PeriodicTask:
    """Create or update the beat entry running the reports daily at `hour` (default RISK_REPORT_HOUR)
    in the firm's time zone. Idempotent."""
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(settings.RISK_REPORT_HOUR if hour is None else hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    task, _ = PeriodicTask.objects.update_or_create(
        name=NIGHTLY_TASK_NAME, defaults={"task": NIGHTLY_TASK, "crontab": crontab, "enabled": True}
    )
    return task
