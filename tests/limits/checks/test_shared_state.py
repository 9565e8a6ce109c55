"""The order-rate window and the generation tokens, shared by every process: in Redis and in the
database (limits/shared_state)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from limits.models import CheckDecision, GenerationToken
from limits.shared_state.database_state import NEVER_REPLACED, DatabaseSharedState
from limits.shared_state.redis_state import RedisSharedState
from tests.limits.checks.conftest import codes, order, set_limits

pytestmark = pytest.mark.django_db


@pytest.fixture
def prefix() -> str:
    return f"rp-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def in_redis(redis_url, prefix) -> RedisSharedState:
    return RedisSharedState(redis_url, prefix=prefix)


@pytest.fixture
def raw_redis(redis_url) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def test_two_processes_share_one_redis_window(in_redis, redis_url, prefix):
    other_process = RedisSharedState(redis_url, prefix=prefix)
    scope = ("account", 424242)
    now = timezone.now()
    assert in_redis.window_and_tokens({scope: 2}, now=now, tokens=[])[0] == {scope: 0}
    assert other_process.window_and_tokens({scope: 1}, now=now, tokens=[])[0] == {scope: 2}
    assert in_redis.window_and_tokens({scope: 0}, now=now, tokens=[])[0] == {scope: 3}


def test_deployments_with_another_prefix_do_not_share_windows_or_tokens(in_redis, redis_url):
    elsewhere = RedisSharedState(redis_url, prefix="another-deployment")
    scope = ("account", 7)
    in_redis.window_and_tokens({scope: 5}, now=timezone.now(), tokens=[])
    assert elsewhere.window_and_tokens({scope: 0}, now=timezone.now(), tokens=[])[0] == {scope: 0}
    assert in_redis.tokens(["limits:account:7"]) != elsewhere.tokens(["limits:account:7"])


def test_the_redis_window_forgets_orders_older_than_a_minute(in_redis, raw_redis):
    scope = ("account", 515151)
    in_redis.window_and_tokens({scope: 3}, now=timezone.now(), tokens=[])
    raw_redis.zadd(in_redis.window_key(scope), {"old": 0})  # scored at the epoch
    assert in_redis.window_and_tokens({scope: 0}, now=timezone.now(), tokens=[])[0] == {scope: 3}


def test_a_redis_token_is_the_same_for_every_reader_until_replaced_after_commit(
    in_redis, redis_url, prefix, django_capture_on_commit_callbacks
):
    other_process = RedisSharedState(redis_url, prefix=prefix)
    first = in_redis.tokens(["limits:account:1"])
    assert other_process.tokens(["limits:account:1"]) == first
    with django_capture_on_commit_callbacks(execute=False) as pending:
        in_redis.replace_token("limits:account:1")
    assert in_redis.tokens(["limits:account:1"]) == first  # not before the commit
    pending[0]()
    assert other_process.tokens(["limits:account:1"]) != first


def test_database_tokens_move_with_the_writers_transaction():
    state = DatabaseSharedState()
    assert state.tokens(["limits:account:1"]) == [NEVER_REPLACED]
    try:
        with transaction.atomic():
            state.replace_token("limits:account:1")
            assert state.tokens(["limits:account:1"]) != [NEVER_REPLACED]
            raise RuntimeError("the writer fails")
    except RuntimeError:
        pass
    assert state.tokens(["limits:account:1"]) == [NEVER_REPLACED]
    state.replace_token("limits:account:1")
    replaced = state.tokens(["limits:account:1"])
    assert replaced != [NEVER_REPLACED]
    assert GenerationToken.objects.get(name="limits:account:1").token == replaced[0]


def test_the_database_window_counts_the_decisions_of_the_last_minute(configuration, funded, check):
    if not configuration.endswith("database"):
        pytest.skip("the database's window")
    set_limits(funded, max_orders_per_minute=2)
    check()
    check(quantity="1")
    CheckDecision.objects.update(evaluated_at=timezone.now() - timedelta(seconds=61))
    assert check(quantity="1")["decision"] == "accepted"  # the first two fell out of the window
    check(quantity="1")
    assert ("order_rate", "account") in codes(check(quantity="1"))


def test_replays_do_not_count_toward_the_rate(configuration, funded, check):
    set_limits(funded, max_orders_per_minute=1)
    first = check(client_order_id="r-1")
    assert check(client_order_id="r-1")["check_id"] == first["check_id"]
    assert ("order_rate", "account") in codes(check(quantity="1"))


def test_a_redis_restart_rebuilds_the_window_from_the_stored_decisions(
    funded, trader_client, redis_url, settings, raw_redis
):
    settings.REDIS_URL, settings.RISK_SHARED_STATE = redis_url, "redis"
    set_limits(funded, max_orders_per_minute=3)
    for quantity in ("1", "2", "3"):
        response = trader_client.post("/api/v1/checks/", order(quantity=quantity), format="json")
        assert response.json()["decision"] == "accepted"
    raw_redis.flushdb()  # what a restart of a Redis that keeps nothing on disk leaves
    after = trader_client.post("/api/v1/checks/", order(quantity="4"), format="json").json()
    assert codes(after) == {("order_rate", "account")}
    assert CheckDecision.objects.count() == 4


def test_a_minute_after_the_restart_an_idle_window_is_empty_not_rebuilt(in_redis, raw_redis):
    scope = ("account", 99)
    in_redis.window_and_tokens({scope: 1}, now=timezone.now(), tokens=[])
    raw_redis.set(in_redis.since_key(), 0)  # this Redis has served windows for a long time
    raw_redis.delete(in_redis.window_key(scope))  # the window expired: no order for a minute
    assert in_redis.window_and_tokens({scope: 0}, now=timezone.now(), tokens=[])[0] == {scope: 0}
