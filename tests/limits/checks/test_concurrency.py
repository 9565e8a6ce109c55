"""Concurrent checks on one limit, from several processes on real PostgreSQL and Redis: together they
never admit more than the limit allows, and they admit all that fit."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.db import connections

from accounts.models import Account
from limits.models import CheckDecision
from tests.factories import AccountFactory
from tests.limits.checks.conftest import deposit, set_limits

WORKERS = 12
QUANTITY = Decimal("100")


def _check_in_child(code: str, barrier: object, results: object) -> None:
    # A forked child must not share the parent's socket: fresh connections only.
    for conn in connections.all(initialized_only=True):
        conn.inc_thread_sharing()
        conn.connection = None
    from limits.checks.refdata import instruments
    from limits.checks.service import check_order
    from limits.engine.orders import DraftOrder

    instruments.clear()
    account = Account.objects.get(code=code)
    barrier.wait(timeout=60)  # type: ignore[attr-defined]
    result = check_order(
        account=account,
        order=DraftOrder(account=code, symbol="AAPL", side="buy", quantity=QUANTITY, price=Decimal("100")),
    )
    results.put(result.decision)  # type: ignore[attr-defined]
    connections.close_all()


def _run(codes: list[str]) -> list[str]:
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(codes))
    results = ctx.Queue()
    procs = [ctx.Process(target=_check_in_child, args=(code, barrier, results)) for code in codes]
    for proc in procs:
        proc.start()
    decisions = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return decisions


@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_on_an_account_limit_admit_exactly_what_fits(postgres, configuration, funded):
    set_limits(funded, max_position_quantity="500")
    decisions = _run(["ACC-1"] * WORKERS)
    assert decisions.count("accepted") == 5
    held = sum(r.open_quantity for r in CheckDecision.objects.filter(account=funded))
    assert held == Decimal("500")


@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_on_a_group_limit_across_accounts_admit_exactly_what_fits(
    postgres, configuration, funded, group
):
    other = AccountFactory(code="ACC-2")
    deposit(other, "1000000")
    group.accounts.add(other)
    set_limits(group, max_position_quantity="700")
    decisions = _run(["ACC-1", "ACC-2"] * (WORKERS // 2))
    assert decisions.count("accepted") == 7
    held = sum(r.open_quantity for r in CheckDecision.objects.all())
    assert held == Decimal("700")
