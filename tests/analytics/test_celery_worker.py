"""The nightly task through a real Celery worker on the Redis broker (runs in CI: RISK_REQUIRE_SERVICES
makes a missing Redis fail instead of skip)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker

from analytics.models import RiskReport
from analytics.tasks import compute_account_report, run_nightly_risk_reports
from positions.clock import current_trading_date
from riskplatform.celery import app
from tests.analytics.helpers import hold, listed
from tests.factories import AccountFactory


@pytest.fixture
def redis_worker(redis_url: str) -> Iterator[str]:
    """A worker thread consuming a private queue on Redis; yields the queue name."""
    queue = f"analytics-test-{uuid.uuid4().hex[:8]}"
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _reset_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
            yield queue
    finally:
        app.conf.update(saved)
        _reset_connections()


def _reset_connections() -> None:
    """Drop the app's cached connection and producer pools and result backend so the new URLs take effect."""
    # Not force_close_all(): kombu keeps pools in a global registry keyed by URL, and a closed one
    # would be handed out again.
    app.amqp._producer_pool = None
    app._pool = None
    app._local.__dict__.pop("backend", None)


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_runs_on_a_real_worker_and_is_idempotent(redis_worker):
    account = AccountFactory(code="CEL-1")
    hold(account, listed("CELQ", days=300, seed=11), "50")
    AccountFactory(code="CEL-2")
    day = current_trading_date().isoformat()
    first = run_nightly_risk_reports.apply_async(args=[day], queue=redis_worker).get(timeout=120)
    second = run_nightly_risk_reports.apply_async(args=[day], queue=redis_worker).get(timeout=120)
    assert first["accounts"] == second["accounts"] == 2
    assert first["ok"] == 2
    assert RiskReport.objects.filter(as_of=day).count() == 2
    report = RiskReport.objects.get(account=account)
    assert report.var_99 > 0
    one = compute_account_report.apply_async(args=[account.pk, day], queue=redis_worker).get(timeout=120)
    assert one["accounts"] == 1
    assert RiskReport.objects.filter(as_of=day).count() == 2
