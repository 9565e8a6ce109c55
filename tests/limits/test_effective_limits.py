from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from limits import selectors
from limits.cache import invalidate_scope_on_commit
from limits.models import LimitChange, LimitOverride, LimitSet
from limits.selectors import effective_limits, effective_limits_of_scopes
from limits.services import limit_override_create, limit_override_revert, limit_set_update
from limits.tasks import expire_limit_overrides
from tests.factories import AccountFactory, AccountGroupFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (cache invalidation) as a real commit would."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def test_a_scope_without_limits_has_none_and_the_default_warning_level():
    limits = effective_limits(account=AccountFactory())
    assert limits.max_order_quantity is None
    assert limits.warn_utilization_pct == Decimal("80")
    assert limits.restricted_symbols == frozenset()


def _limit_reads(queries: CaptureQueriesContext) -> int:
    """Queries that read limit rows (not the generation tokens, which the database's shared state
    keeps in a table)."""
    tables = (LimitSet._meta.db_table, LimitOverride._meta.db_table)
    return sum(1 for q in queries.captured_queries if any(t in q["sql"] for t in tables))


def test_the_second_read_comes_from_the_process_copy(shared_state_kind, on_commit):
    account = AccountFactory()
    on_commit(limit_set_update, target=account, values={"max_var": "5"}, reason="r", changed_by=None)
    effective_limits(account=account)
    with CaptureQueriesContext(connection) as queries:
        assert effective_limits(account=account).max_var == Decimal("5")
    assert _limit_reads(queries) == 0
    # Redis: the token is read there, no query at all; the database: one query for the token.
    assert len(queries) == (1 if shared_state_kind == "database" else 0)


def test_a_write_that_bypasses_the_services_is_not_seen_until_invalidated(shared_state_kind, on_commit):
    """Proves reads are cached, and that the token is what makes changes visible."""
    account = AccountFactory()
    on_commit(limit_set_update, target=account, values={"max_var": "5"}, reason="r", changed_by=None)
    effective_limits(account=account)
    LimitSet.objects.filter(account=account).update(max_var=Decimal("7"))
    assert effective_limits(account=account).max_var == Decimal("5")
    on_commit(invalidate_scope_on_commit, kind="account", pk=account.pk)
    assert effective_limits(account=account).max_var == Decimal("7")


def test_an_entry_filled_from_rows_read_before_a_commit_is_never_served_after_it(
    shared_state_kind, on_commit
):
    """The delete-on-commit race: a reader loads old rows, the writer commits, the reader caches."""
    account = AccountFactory()
    limit_set_update(target=account, values={"max_var": "5"}, reason="r", changed_by=None)
    real_load = selectors._load
    stale = real_load([("account", account.pk)], timezone.now())

    def load_then_writer_commits(scopes, at):
        on_commit(limit_set_update, target=account, values={"max_var": "9"}, reason="r", changed_by=None)
        return stale

    selectors._load = load_then_writer_commits
    try:
        assert effective_limits(account=account).max_var == Decimal("5")  # the racing reader
    finally:
        selectors._load = real_load
    assert effective_limits(account=account).max_var == Decimal("9")


def test_a_checks_scopes_load_in_two_queries_then_none(shared_state_kind):
    account = AccountFactory()
    strategy = StrategyFactory(account=account)
    groups = [AccountGroupFactory(), AccountGroupFactory()]
    for target, value in [(account, "1"), (strategy, "2"), (groups[0], "3"), (groups[1], "4")]:
        limit_set_update(target=target, values={"max_var": value}, reason="r", changed_by=None)
    scopes = [("account", account.pk), ("strategy", strategy.pk), *(("group", g.pk) for g in groups)]
    with CaptureQueriesContext(connection) as queries:
        found = effective_limits_of_scopes(scopes)
    assert _limit_reads(queries) == 2
    assert [found[scope].max_var for scope in scopes] == [Decimal(v) for v in "1234"]
    with CaptureQueriesContext(connection) as queries:
        again = effective_limits_of_scopes(scopes)
    assert _limit_reads(queries) == 0
    assert again == found


def test_effective_limits_convert_to_the_engine_limits():
    account = AccountFactory()
    limit_set_update(
        target=account,
        values={"max_orders_per_minute": 10, "restricted_symbols": ["AAPL"], "price_collar_pct": "5"},
        reason="r",
        changed_by=None,
    )
    engine = effective_limits(account=account).as_engine_limits()
    assert engine.max_orders_per_minute == 10
    assert engine.restricted_symbols == frozenset({"AAPL"})
    assert engine.price_collar_pct == Decimal("5")


# --- overrides --------------------------------------------------------------------------------


def test_an_override_applies_while_active_and_logs_the_raise(on_commit):
    account = AccountFactory()
    user = UserFactory(username="rm")
    limit_set_update(target=account, values={"max_gross_exposure": "1000"}, reason="r", changed_by=None)
    effective_limits(account=account)  # warm the cache: the override must invalidate it
    expires = timezone.now() + timedelta(hours=1)
    override = on_commit(
        limit_override_create,
        target=account,
        field="max_gross_exposure",
        value="5000",
        expires_at=expires,
        reason="index rebalance",
        created_by=user,
    )
    limits = effective_limits(account=account)
    assert limits.max_gross_exposure == Decimal("5000")
    assert limits.overridden == {"max_gross_exposure": expires}
    assert limits.valid_until == expires
    change = LimitChange.objects.get(source="override")
    assert (change.old_value, change.new_value, change.changed_by) == ("1000", "5000", user)
    assert change.override == override
    assert "index rebalance" in change.reason


def test_an_override_lapses_at_expiry_even_if_no_task_runs():
    account = AccountFactory()
    limit_set_update(target=account, values={"max_var": "10"}, reason="r", changed_by=None)
    expires = timezone.now() + timedelta(minutes=5)
    limit_override_create(
        target=account, field="max_var", value="20", expires_at=expires, reason="r", created_by=None
    )
    assert effective_limits(account=account, at=expires - timedelta(seconds=1)).max_var == Decimal("20")
    assert effective_limits(account=account, at=expires).max_var == Decimal("10")


def test_a_cached_entry_is_not_served_past_the_override_expiry(on_commit):
    account = AccountFactory()
    on_commit(
        limit_override_create,
        target=account,
        field="max_var",
        value="20",
        expires_at=timezone.now() + timedelta(minutes=5),
        reason="r",
        created_by=None,
    )
    cached = effective_limits(account=account)
    assert cached.max_var == Decimal("20")
    assert not cached.is_fresh(cached.valid_until)
    # The clock moves past the expiry: the copy must be reloaded, not served.
    later = cached.valid_until + timedelta(seconds=1)
    with mock.patch("limits.selectors.timezone.now", return_value=later):
        assert effective_limits(account=account).max_var is None


def test_the_task_records_expired_overrides_once():
    account = AccountFactory()
    limit_set_update(target=account, values={"max_var": "10"}, reason="r", changed_by=None)
    override = limit_override_create(
        target=account,
        field="max_var",
        value="20",
        expires_at=timezone.now() + timedelta(minutes=5),
        reason="temporary",
        created_by=None,
    )
    assert expire_limit_overrides() == 0  # not lapsed yet
    LimitOverride.objects.filter(pk=override.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert expire_limit_overrides() == 1
    assert expire_limit_overrides() == 0
    override.refresh_from_db()
    assert override.reverted_at == override.expires_at
    expiry = LimitChange.objects.get(source="expiry")
    assert (expiry.old_value, expiry.new_value, expiry.changed_by) == ("20", "10", None)
    assert "temporary" in expiry.reason


def test_ending_an_override_early_restores_the_base_limit(on_commit):
    account = AccountFactory()
    override = on_commit(
        limit_override_create,
        target=account,
        field="max_orders_per_minute",
        value="100",
        expires_at=timezone.now() + timedelta(hours=1),
        reason="r",
        created_by=None,
    )
    assert effective_limits(account=account).max_orders_per_minute == 100
    assert on_commit(limit_override_revert, override=override, reverted_by=None, reason="done") is True
    assert effective_limits(account=account).max_orders_per_minute is None
    assert limit_override_revert(override=override, reverted_by=None, reason="again") is False
    change = LimitChange.objects.first()
    assert (change.old_value, change.new_value) == ("100", None)
    override.refresh_from_db()
    before_the_end = override.reverted_at - timedelta(microseconds=1)
    assert effective_limits(account=account, at=before_the_end).max_orders_per_minute == 100


@pytest.mark.parametrize(
    ("kwargs", "bad_field"),
    [
        ({"field": "restricted_symbols", "value": "1"}, "field"),
        ({"field": "max_var", "value": "-1"}, "value"),
        ({"field": "max_var", "value": None}, "value"),
        ({"field": "max_var", "value": "1", "expires_at": "past"}, "expires_at"),
        ({"field": "max_var", "value": "1", "reason": ""}, "reason"),
    ],
)
def test_it_rejects_bad_overrides_and_writes_nothing(kwargs, bad_field):
    args = {"reason": "r", "expires_at": timezone.now() + timedelta(hours=1), **kwargs}
    if args["expires_at"] == "past":
        args["expires_at"] = timezone.now() - timedelta(minutes=1)
    with pytest.raises(ValidationError) as exc:
        limit_override_create(target=AccountFactory(), created_by=None, **args)
    assert bad_field in exc.value.message_dict
    assert not LimitOverride.objects.exists()
    assert not LimitChange.objects.exists()
