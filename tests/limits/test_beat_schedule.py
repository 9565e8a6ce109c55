from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from riskplatform.celery import app

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "task"),
    [
        ("expire-limit-overrides", "limits.tasks.expire_limit_overrides"),
        ("expire-reservations", "limits.checks.expire_reservations"),
    ],
)
def test_the_housekeeping_tasks_are_scheduled_and_registered(name: str, task: str) -> None:
    scheduled = PeriodicTask.objects.get(name=name)
    app.loader.import_default_modules()

    assert scheduled.task == task
    assert scheduled.enabled
    assert task in app.tasks
