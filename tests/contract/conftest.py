"""Fixtures of the contract tests: every set-up goes through the public HTTP API, except users and
memberships of the three-user habit, which come from factories."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from limits.checks.refdata import instruments, previous_closes
from tests.contract.api import Api, staff_api
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _per_test_process_state(settings: Any) -> None:
    # Tests roll the database back; the check path's per-process tables and the rate window must not
    # carry one test's data into the next.
    instruments.clear()
    previous_closes.clear()
    settings.RISK_RATE_KEY_PREFIX = f"rp:contract:{uuid.uuid4().hex}"
    if settings.REDIS_URL:
        settings.RISK_RATE_REDIS_URL = settings.REDIS_URL.rsplit("/", 1)[0] + "/15"


@pytest.fixture
def admin(db: None) -> Api:
    return staff_api(UserFactory(username="boss", is_staff=True))


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
