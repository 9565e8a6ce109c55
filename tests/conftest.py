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
    """The shared cache (Redis: FLUSHDB of REDIS_URL's database, the shared state included) and this
    process's copies: test databases are rolled back between tests, the copies must not outlive them."""
    from django.core.cache import cache

    from limits.cache import scope_limits_cache
    from limits.checks.refdata import instruments, previous_closes

    def clear() -> None:
        cache.clear()
        scope_limits_cache.clear()
        instruments.clear()
        previous_closes.clear()

    clear()
    yield
    clear()


@pytest.fixture(params=["database", "redis"])
def shared_state_kind(request: pytest.FixtureRequest, settings: object, db: None) -> str:
    """Runs a test with the shared state (order-rate window, generation tokens) in the database and
    in Redis (where available; with RISK_REQUIRE_SERVICES a missing Redis fails)."""
    if request.param == "redis":
        settings.REDIS_URL = request.getfixturevalue("redis_url")  # type: ignore[attr-defined]
    settings.RISK_SHARED_STATE = request.param  # type: ignore[attr-defined]
    return str(request.param)


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
