"""The check's per-process copy of effective limits, kept current by the shared generation tokens.

When the order-rate window shares the cache's Redis, the rate script returns the scopes' generation
tokens and each process keeps the limits it built under them: a limit change must be seen by the
very next check, and an override must lapse at its expiry, without a trip to the shared cache.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from limits.checks import limits_source
from limits.services import limit_override_create
from tests.limits.checks.conftest import codes, set_limits

pytestmark = pytest.mark.django_db


@pytest.fixture
def window_in_the_cache_redis(settings: Any) -> None:
    location = settings.CACHES["default"].get("LOCATION")
    if not location:
        pytest.skip("needs REDIS_URL: the cache and the window in one Redis")
    settings.REDIS_URL = settings.RISK_RATE_REDIS_URL = location
    limits_source.forget()


@pytest.fixture
def loads(window_in_the_cache_redis: None) -> Any:
    """Spy on reads of the shared cache (effective_limits_of_scopes)."""
    with mock.patch.object(
        limits_source, "effective_limits_of_scopes", wraps=limits_source.effective_limits_of_scopes
    ) as spy:
        yield spy


def test_tokens_ride_with_the_window_only_when_both_live_in_one_redis(window_in_the_cache_redis, settings):
    assert limits_source.generation_keys([("account", 1)]) != []
    settings.RISK_RATE_REDIS_URL = settings.CACHES["default"]["LOCATION"].rsplit("/", 1)[0] + "/15"
    assert limits_source.generation_keys([("account", 1)]) == []


def test_a_second_check_uses_the_process_copy(funded, check, loads, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(funded, max_order_quantity=Decimal("500"))
    check(quantity="100")
    assert loads.call_count == 1
    check(quantity="100")
    assert loads.call_count == 1


def test_a_limit_change_is_seen_by_the_next_check(funded, check, loads, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(funded, max_order_quantity=Decimal("500"))
    assert check(quantity="300")["decision"] == "accepted"
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(funded, max_order_quantity=Decimal("200"))
    result = check(quantity="300")
    assert codes(result) == {("order_quantity", "account")}
    assert loads.call_count == 2


def test_a_copy_holding_an_override_lapses_at_its_expiry(
    funded, check, loads, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(funded, max_order_quantity=Decimal("200"))
        limit_override_create(
            target=funded,
            field="max_order_quantity",
            value=Decimal("1000"),
            expires_at=timezone.now() + timedelta(minutes=5),
            reason="test",
            created_by=None,
        )
    assert check(quantity="300")["decision"] == "accepted"
    later = timezone.now() + timedelta(minutes=6)
    with mock.patch("limits.checks.service.timezone.now", return_value=later):
        result = check(quantity="300")
    assert codes(result) == {("order_quantity", "account")}
    assert loads.call_count == 2
