"""The order's VaR in every check answer, on the model the nightly run stored (contract v1.1)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from analytics.services.risk_models import risk_model_store
from positions.clock import current_trading_date
from positions.models import PriceHistory
from tests.analytics.book import check, endpoint_var, fill, the_account
from tests.analytics.helpers import listed
from tests.factories import AccountFactory, AccountGroupFactory, StrategyFactory
from tests.limits.checks.conftest import set_limits

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("symbol", "side", "quantity", "price"), [
    ("AAPL", "buy", "300", "187.20"), ("SAP", "buy", "200", "120"), ("AAPL-C190", "sell", "5", "6.10"),
    ("MSFT", "buy", "50", "410"),
])  # fmt: skip
def test_var_after_is_what_the_var_endpoint_answers_once_the_order_is_filled(
    book, symbol, side, quantity, price
):
    risk_model_store(as_of=current_trading_date())
    before = endpoint_var(book)
    answer = check(book, symbol=symbol, side=side, quantity=quantity, price=price)
    assert answer["decision"] == "accepted", answer
    risk = answer["risk"]
    assert risk["method"] == "parametric"
    assert (risk["confidence"], risk["horizon_days"], risk["lookback_days"], risk["currency"]) == (
        0.99,
        1,
        250,
        "USD",
    )
    assert risk["var_before"] == pytest.approx(before, rel=1e-9)
    fill(book, symbol, side, quantity, price, check_id=answer["check_id"])
    assert risk["var_after"] == pytest.approx(endpoint_var(book), rel=1e-9)
    assert risk["incremental_var"] == pytest.approx(risk["var_after"] - risk["var_before"])
    assert "var_unavailable" not in {w["code"] for w in answer["warnings"]}


def test_open_orders_count_in_the_book_and_a_replay_answers_the_same_risk(book):
    risk_model_store(as_of=current_trading_date())
    first = check(book, quantity="300", client_order_id="c-1")
    second = check(book, quantity="100")
    assert second["risk"]["var_before"] == pytest.approx(first["risk"]["var_after"], rel=1e-12)
    assert check(book, quantity="300", client_order_id="c-1")["risk"] == first["risk"]


def test_max_var_is_a_limit_on_var_after(book, django_capture_on_commit_callbacks):
    risk_model_store(as_of=current_trading_date())
    probe = check(book, quantity="300")
    assert book.post(f"/api/v1/checks/{probe['check_id']}/release/").status_code == 200
    after = probe["risk"]["var_after"]
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(the_account(), max_var=f"{after - 0.01:.2f}")
    rejected = check(book, quantity="300")
    assert [(v["code"], v["scope"]) for v in rejected["violations"]] == [("var", "account")]
    assert float(rejected["violations"][0]["value"]) == pytest.approx(after, abs=0.006)
    assert rejected["risk"]["var_after"] == pytest.approx(after, rel=1e-9)
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(the_account(), max_var=f"{after + 0.01:.2f}")
    accepted = check(book, quantity="300")
    assert accepted["decision"] == "accepted"
    assert "var" in {w["code"] for w in accepted["warnings"]}  # at ~100% of the limit


def test_a_group_and_a_strategy_are_measured_on_their_own_books(book, django_capture_on_commit_callbacks):
    StrategyFactory(account=the_account(), code="momo")
    other = AccountFactory(code="ACC-2")
    desk = AccountGroupFactory(code="DESK")
    desk.accounts.add(the_account(), other)
    risk_model_store(as_of=current_trading_date())
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(desk, max_var="1")
    answer = check(book, quantity="1", strategy="momo")
    assert ("var", "group") in {(v["code"], v["scope"]) for v in answer["violations"]}


def test_an_instrument_without_history_has_no_var_and_max_var_fails_closed(
    book, django_capture_on_commit_callbacks
):
    listed("NEWCO", price="10", days=20, seed=9)
    risk_model_store(as_of=current_trading_date())
    answer = check(book, symbol="NEWCO", quantity="10", price="10")
    assert answer["risk"] is None
    (warning,) = [w for w in answer["warnings"] if w["code"] == "var_unavailable"]
    assert "NEWCO" in warning["message"]
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(the_account(), max_var="100000000")
    rejected = check(book, symbol="NEWCO", quantity="10", price="10")
    assert ("var_unavailable", "account") in {(v["code"], v["scope"]) for v in rejected["violations"]}


def test_without_a_stored_model_every_answer_says_so(book):
    answer = check(book)
    assert answer["risk"] is None
    assert [w["code"] for w in answer["warnings"]] == ["var_unavailable"]


def test_a_stale_model_is_not_used(book, settings):
    settings.RISK_MODEL_MAX_AGE_DAYS = 3
    old = current_trading_date() - timedelta(days=10)
    risk_model_store(as_of=old)  # the latest model, ten days old
    answer = check(book)
    assert answer["risk"] is None
    (warning,) = [w for w in answer["warnings"] if w["code"] == "var_unavailable"]
    assert str(old) in warning["message"]


def test_a_new_nightly_model_is_used_by_the_next_check(book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        risk_model_store(as_of=current_trading_date())
    first = check(book)["risk"]["var_before"]
    # Yesterday's AAPL close moves 20%: a new model with a wider AAPL variance.
    last = PriceHistory.objects.filter(instrument__symbol="AAPL").order_by("-date").first()
    last.close = last.close * Decimal("1.2")
    last.save()
    with django_capture_on_commit_callbacks(execute=True):
        risk_model_store(as_of=current_trading_date())
    # The same process answered both: its copy of the model followed the generation token.
    assert check(book)["risk"]["var_before"] > first * 1.05
