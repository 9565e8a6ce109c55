"""Shared test plumbing: the three-user habit, service availability and API clients."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import AccountFactory, MembershipFactory, UserFactory

# Every factory user hashes a password; PBKDF2 at production cost dominates API test time.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def services_required() -> bool:
    """CI sets RISK_REQUIRE_SERVICES=1: a missing PostgreSQL or Redis then fails instead of skipping."""
    return bool(settings.RISK_REQUIRE_SERVICES)


def _unavailable(what: str) -> None:
    message = f"{what} is required for this test but not available"
    if services_required():
        pytest.fail(message + " (RISK_REQUIRE_SERVICES is set)")
    pytest.skip(message)


@pytest.fixture
def postgres(db: None) -> None:
    """Marks a test that needs PostgreSQL (row locks, real concurrency)."""
    if connection.vendor != "postgresql":
        _unavailable("PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _unavailable("Redis (set REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:  # pragma: no cover - depends on the machine
        _unavailable(f"Redis at {url} ({exc})")
    return url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[object]:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def account(db: None):
    return AccountFactory(code="ACC-1", base_currency="USD")


@pytest.fixture
def owner(account):
    """A risk manager of `account`."""
    user = UserFactory(username="owner")
    MembershipFactory(user=user, account=account, role="risk_manager")
    return user


@pytest.fixture
def trader(account):
    user = UserFactory(username="trader")
    MembershipFactory(user=user, account=account, role="trader")
    return user


@pytest.fixture
def viewer(account):
    user = UserFactory(username="viewer")
    MembershipFactory(user=user, account=account, role="viewer")
    return user


@pytest.fixture
def outsider(db: None):
    """A risk manager of another account: must get 404 for `account`."""
    other = AccountFactory(code="OTHER-1")
    user = UserFactory(username="outsider")
    MembershipFactory(user=user, account=other, role="risk_manager")
    return user


@pytest.fixture
def staff(db: None):
    return UserFactory(username="staff", is_staff=True)
