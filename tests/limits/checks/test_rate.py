"""The order-rate window is shared across processes: Redis with REDIS_URL, the database without."""

from __future__ import annotations

import threading

import pytest
import redis
from django.utils import timezone

from limits.checks import rate
from tests.limits.checks.conftest import codes, rate_redis_url, set_limits

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_redis(redis_url, settings):
    # Not the flushing redis_client fixture: parallel workers share this Redis.
    settings.REDIS_URL = redis_url
    settings.RISK_RATE_REDIS_URL = rate_redis_url(redis_url)
    rate._local.__dict__.clear()
    return redis.Redis.from_url(settings.RISK_RATE_REDIS_URL)


def test_two_redis_clients_share_one_window(shared_redis):
    key = rate.scope_key("account", 424242)
    seen: list[int] = []

    def other_process() -> None:
        # A thread gets its own client (rate keeps one per thread), as another worker would.
        seen.append(rate.count_add_and_read({key: 1}, now=timezone.now())[0][key])

    assert rate.count_add_and_read({key: 2}, now=timezone.now())[0][key] == 0
    worker = threading.Thread(target=other_process)
    worker.start()
    worker.join()
    assert seen == [2]
    assert rate.count_add_and_read({key: 1}, now=timezone.now())[0][key] == 3
    assert shared_redis.zcard(key) == 4


def test_the_window_forgets_orders_older_than_a_minute(shared_redis):
    key = rate.scope_key("account", 515151)
    rate.count_add_and_read({key: 3}, now=timezone.now())[0]
    shared_redis.zadd(key, {"old": 0})  # scored at the epoch
    assert rate.count_add_and_read({key: 1}, now=timezone.now())[0][key] == 3


def test_the_api_rejects_over_the_rate_with_redis(funded, check, shared_redis):
    set_limits(funded, max_orders_per_minute=2)
    check()
    check(quantity="1")
    assert ("order_rate", "account") in codes(check(quantity="1"))


def test_without_redis_the_database_keeps_the_window(funded, check, settings):
    settings.REDIS_URL = settings.RISK_RATE_REDIS_URL = ""
    set_limits(funded, max_orders_per_minute=1)
    check()
    assert ("order_rate", "account") in codes(check(quantity="1"))


def test_replays_do_not_count_toward_the_rate(funded, check, settings):
    settings.REDIS_URL = settings.RISK_RATE_REDIS_URL = ""
    set_limits(funded, max_orders_per_minute=1)
    first = check(client_order_id="r-1")
    assert check(client_order_id="r-1")["check_id"] == first["check_id"]
    assert ("order_rate", "account") in codes(check(quantity="1"))
