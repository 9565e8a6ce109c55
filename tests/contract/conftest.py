"""Fixtures of the contract tests: every set-up goes through the public HTTP API, except users and
memberships of the three-user habit, which come from factories."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.contract.api import Api, staff_api
from tests.factories import UserFactory


@pytest.fixture
def admin(db: None) -> Api:
    return staff_api(UserFactory(username="boss", is_staff=True))


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
