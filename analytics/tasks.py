"""Celery tasks: thin wrappers that take ids and dates and call the report service.

Both are safe to run twice (reports are upserted per account and day; alerts are deduplicated), so
late acknowledgement and retries are harmless.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from django.db import OperationalError

from analytics.services.reports import risk_reports_run


def _day(as_of: str | None) -> date | None:
    return None if as_of is None else date.fromisoformat(as_of)


@shared_task(
    name="analytics.tasks.run_nightly_risk_reports",
    acks_late=True,
    autoretry_for=(ConnectionError, OperationalError),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=25 * 60,
    time_limit=30 * 60,
)
def run_nightly_risk_reports(as_of: str | None = None) -> dict[str, Any]:
    """Reports of every account for `as_of` (YYYY-MM-DD, default: the current trading date)."""
    return risk_reports_run(as_of=_day(as_of)).as_dict()


@shared_task(
    name="analytics.tasks.compute_account_report",
    acks_late=True,
    autoretry_for=(ConnectionError, OperationalError),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def compute_account_report(account_id: int, as_of: str | None = None) -> dict[str, Any]:
    """The report of one account for `as_of` (YYYY-MM-DD, default: the current trading date)."""
    return risk_reports_run(as_of=_day(as_of), account_ids=[account_id]).as_dict()
