"""Actions on the pages: the kill switch with a reason and a confirmation, limit edits with a reason,
alert acknowledgement; through the services, so they land in the same audit as admin and REST;
403 for viewers and traders, 404 for outsiders, nothing written on a refusal."""

from __future__ import annotations

import pytest

from accounts.models import Account, AccountGroup, Strategy
from analytics.models import Alert
from limits.models import LimitChange, LimitSet, TradingStateChange
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _halt(client, code="ACC-1", **extra):
    return client.post(
        f"/accounts/{code}/trading-state/", {"state": "halted", "reason": "runaway algo", **extra}
    )


def test_halting_asks_for_confirmation_first_and_changes_nothing_until_then(logged_in, manager, firm):
    client = logged_in(manager)

    page = _halt(client)

    assert page.status_code == 200
    assert b"Halt Account ACC-1?" in page.content
    assert b'id="confirm-button"' in page.content
    assert Account.objects.get(code="ACC-1").trading_state == "active"
    assert not TradingStateChange.objects.exists()


def test_a_confirmed_halt_is_audited_with_the_user_and_reason_and_the_check_rejects(
    logged_in, manager, trader, firm
):
    client = logged_in(manager)

    response = _halt(client, confirm="yes")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/ACC-1/"
    change = TradingStateChange.objects.get()
    assert (change.account.code, change.new_state, change.changed_by, change.reason, change.source) == (
        "ACC-1",
        "halted",
        manager,
        "runaway algo",
        "web",
    )
    page = client.get("/accounts/ACC-1/").content.decode()
    assert "runaway algo" in page
    assert "Web page" in page
    order = {"account": "ACC-1", "symbol": "AAPL", "side": "buy", "quantity": "1", "price": "100"}
    answer = client_for(trader).post("/api/v1/checks/", order, format="json").json()
    assert answer["decision"] == "rejected"
    assert "trading_halted" in {v["code"] for v in answer["violations"]}


def test_a_strategy_is_switched_from_its_accounts_page(logged_in, manager, firm):
    client = logged_in(manager)

    client.post(
        "/accounts/ACC-1/trading-state/",
        {"state": "reduce_only", "reason": "drawdown", "scope": "strategy:momo", "confirm": "yes"},
    )

    assert Strategy.objects.get(code="momo").trading_state == "reduce_only"
    assert Account.objects.get(code="ACC-1").trading_state == "active"
    assert (
        client.post(
            "/accounts/ACC-1/trading-state/", {"state": "halted", "reason": "x", "scope": "strategy:nope"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_switch_without_a_reason_is_refused_naming_the_field(logged_in, manager, firm, reason):
    response = logged_in(manager).post(
        "/accounts/ACC-1/trading-state/", {"state": "halted", "reason": reason, "confirm": "yes"}
    )

    assert response.status_code == 400
    assert b"reason" in response.content
    assert not TradingStateChange.objects.exists()


def test_an_unknown_state_is_refused(logged_in, manager, firm):
    response = logged_in(manager).post(
        "/accounts/ACC-1/trading-state/", {"state": "paused", "reason": "x", "confirm": "yes"}
    )

    assert response.status_code == 400
    assert not TradingStateChange.objects.exists()


@pytest.mark.parametrize("fixture", ["desk_viewer", "desk_trader"])
def test_viewers_and_traders_get_403_on_a_forged_action_and_nothing_changes(
    logged_in, request, firm, fixture
):
    client = logged_in(request.getfixturevalue(fixture))
    alert = Alert.objects.get(account__code="ACC-1")

    assert _halt(client, confirm="yes").status_code == 403
    assert client.get("/accounts/ACC-1/limits/").status_code == 403
    assert client.post("/accounts/ACC-1/limits/", {"max_var": "1", "reason": "x"}).status_code == 403
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert Account.objects.get(code="ACC-1").trading_state == "active"
    assert not TradingStateChange.objects.exists()
    assert LimitChange.objects.filter(source="web").count() == 0
    alert.refresh_from_db()
    assert alert.state == "open"


def test_outsiders_get_404_on_every_action(logged_in, outsider, firm):
    client = logged_in(outsider)
    alert = Alert.objects.get(account__code="ACC-1")

    assert _halt(client, confirm="yes").status_code == 404
    assert client.get("/accounts/ACC-1/limits/").status_code == 404
    assert client.post("/desks/DESK-1/trading-state/", {"state": "halted", "reason": "x"}).status_code == 404
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 404


def test_a_limit_edit_writes_only_the_changed_fields_with_the_reason(logged_in, manager, firm):
    client = logged_in(manager)
    form = client.get("/accounts/ACC-1/limits/?scope=account")
    assert form.status_code == 200
    assert b'value="450000"' in form.content

    response = client.post(
        "/accounts/ACC-1/limits/",
        {
            "scope": "account",
            "max_gross_exposure": "500000",
            "max_daily_loss": "100000",  # unchanged
            "max_var": "",  # removed: no limit
            "max_order_notional": "250000",
            "max_position_notional": "350000",
            "restricted_symbols": "GME, AMC",
            "warn_utilization_pct": "80",
            "reason": "more room for the quarter end",
        },
    )

    assert response.status_code == 302
    changes = {c.field: (c.old_value, c.new_value) for c in LimitChange.objects.filter(source="web")}
    assert changes == {
        "max_gross_exposure": ("450000", "500000"),
        "max_var": ("50000", None),
        "restricted_symbols": (["GME"], ["AMC", "GME"]),
    }
    assert {c.changed_by for c in LimitChange.objects.filter(source="web")} == {manager}
    assert LimitSet.objects.get(account__code="ACC-1").max_var is None


def test_a_bad_limit_is_refused_naming_the_field_and_nothing_is_written(logged_in, manager, firm):
    response = logged_in(manager).post(
        "/accounts/ACC-1/limits/",
        {"scope": "account", "max_gross_exposure": "-5", "max_var": "lots", "reason": "typo"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Must be greater than or equal to 0." in html
    assert "A valid number is required." in html
    assert not LimitChange.objects.filter(source="web").exists()


def test_a_limit_edit_needs_a_reason(logged_in, manager, firm):
    response = logged_in(manager).post("/accounts/ACC-1/limits/", {"max_var": "1", "reason": ""})

    assert response.status_code == 400
    assert not LimitChange.objects.filter(source="web").exists()


def test_strategy_limits_are_edited_from_the_accounts_page(logged_in, manager, firm):
    client = logged_in(manager)

    client.post(
        "/accounts/ACC-1/limits/?scope=strategy:momo",
        {"scope": "strategy:momo", "max_position_quantity": "4000", "reason": "smaller"},
    )

    assert LimitSet.objects.get(strategy__code="momo").max_position_quantity == 4000


def test_desk_actions_take_managing_every_account_of_the_desk(
    logged_in, client, manager, half_desk_manager, firm
):
    half = logged_in(half_desk_manager)
    assert (
        half.post(
            "/desks/DESK-1/trading-state/", {"state": "halted", "reason": "x", "confirm": "yes"}
        ).status_code
        == 403
    )
    assert half.get("/desks/DESK-1/limits/").status_code == 403
    client.post("/logout/")

    full = logged_in(manager)
    assert (
        full.post(
            "/desks/DESK-1/trading-state/", {"state": "halted", "reason": "desk stop", "confirm": "yes"}
        ).status_code
        == 302
    )
    assert AccountGroup.objects.get(code="DESK-1").trading_state == "halted"
    full.post("/desks/DESK-1/limits/", {"max_net_exposure": "300000", "reason": "raised"})
    assert LimitSet.objects.get(group__code="DESK-1").max_net_exposure == 300000


def test_a_risk_manager_acknowledges_an_alert_and_an_offsite_next_is_ignored(logged_in, manager, firm):
    client = logged_in(manager)
    alert = Alert.objects.get(account__code="ACC-1")

    response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"next": "https://evil.example/"})

    assert response["Location"] == "/"
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by) == ("acknowledged", manager)
    other = Alert.objects.get(account__code="ACC-EU")
    assert client.post(f"/alerts/{other.pk}/acknowledge/", {"next": "/accounts/ACC-EU/"})["Location"] == (
        "/accounts/ACC-EU/"
    )


def test_actions_need_post_and_csrf(manager, firm):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)  # the CSRF check is the point here, not the login

    assert client.get("/accounts/ACC-1/trading-state/").status_code == 405
    assert _halt(client, confirm="yes").status_code == 403
    assert Account.objects.get(code="ACC-1").trading_state == "active"
