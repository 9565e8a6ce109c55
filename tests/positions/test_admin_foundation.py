"""Admin smoke tests: every foundation model's changelist and change page render for a superuser."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from positions.models import CashBalance, CashMovement, Fill, Position
from tests.factories import (
    AccountFactory,
    AccountGroupFactory,
    FxRateFactory,
    InstrumentFactory,
    MembershipFactory,
    PriceFactory,
    PriceHistoryFactory,
    RiskFreeRateFactory,
    StrategyFactory,
    UserFactory,
)
from tests.positions.factories_reference import option_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def objects() -> dict[str, Model]:
    account = AccountFactory(code="ACC-1")
    strategy = StrategyFactory(account=account, code="momo")
    group = AccountGroupFactory(code="DESK-1")
    group.accounts.add(account)
    aapl = InstrumentFactory(symbol="AAPL")
    fill = Fill.objects.create(
        account=account,
        strategy=strategy,
        instrument=aapl,
        fill_id="f-1",
        side="buy",
        quantity=Decimal("10"),
        price=Decimal("100"),
        executed_at=datetime(2026, 1, 5, 15, tzinfo=UTC),
    )
    return {
        "account": account,
        "strategy": strategy,
        "membership": MembershipFactory(account=account, user=UserFactory(username="m1"), role="viewer"),
        "accountgroup": group,
        "instrument": option_on(aapl),
        "price": PriceFactory(instrument=aapl),
        "fxrate": FxRateFactory(),
        "pricehistory": PriceHistoryFactory(instrument=aapl, date=date(2026, 1, 5)),
        "riskfreerate": RiskFreeRateFactory(),
        "fill": fill,
        "position": Position.objects.create(
            account=account,
            strategy=strategy,
            instrument=aapl,
            quantity=Decimal("10"),
            avg_price=Decimal("100"),
        ),
        "cashmovement": CashMovement.objects.create(
            account=account, movement_id="dep-1", currency="USD", amount=Decimal("1000000"), reason="seed"
        ),
        "cashbalance": CashBalance.objects.create(account=account, currency="USD", amount=Decimal("1000000")),
    }


MODELS = [
    ("accounts", "account"),
    ("accounts", "strategy"),
    ("accounts", "membership"),
    ("accounts", "accountgroup"),
    ("positions", "instrument"),
    ("positions", "price"),
    ("positions", "fxrate"),
    ("positions", "pricehistory"),
    ("positions", "riskfreerate"),
    ("positions", "fill"),
    ("positions", "position"),
    ("positions", "cashmovement"),
    ("positions", "cashbalance"),
]


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_the_changelist_renders(admin_client, objects, app, model) -> None:
    response = admin_client.get(reverse(f"admin:{app}_{model}_changelist"))

    assert response.status_code == 200
    assert reverse(f"admin:{app}_{model}_change", args=[objects[model].pk]) in response.content.decode()


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_the_change_page_renders(admin_client, objects, app, model) -> None:
    response = admin_client.get(reverse(f"admin:{app}_{model}_change", args=[objects[model].pk]))

    assert response.status_code == 200


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_the_search_works(admin_client, objects, app, model) -> None:
    response = admin_client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "ACC"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", ["fill", "position", "cashmovement", "cashbalance"])
def test_ledger_rows_cannot_be_added_changed_or_deleted(admin_client, objects, model) -> None:
    pk = objects[model].pk

    add = admin_client.get(reverse(f"admin:positions_{model}_add"))
    change = admin_client.post(reverse(f"admin:positions_{model}_change", args=[pk]), {"quantity": "99"})
    delete = admin_client.post(reverse(f"admin:positions_{model}_delete", args=[pk]), {"post": "yes"})

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert type(objects[model]).objects.filter(pk=pk).exists()


def test_a_fill_page_offers_no_save_button(admin_client, objects) -> None:
    page = admin_client.get(
        reverse("admin:positions_fill_change", args=[objects["fill"].pk])
    ).content.decode()

    assert 'name="_save"' not in page
    assert Fill.objects.get().quantity == Decimal("10")


def test_the_account_page_shows_strategies_and_members_inline(admin_client, objects) -> None:
    page = admin_client.get(
        reverse("admin:accounts_account_change", args=[objects["account"].pk])
    ).content.decode()

    assert "momo" in page
    assert "strategies-TOTAL_FORMS" in page
    assert "memberships-TOTAL_FORMS" in page


def test_the_trading_state_is_not_editable_in_the_account_form(admin_client, objects) -> None:
    account = objects["account"]
    url = reverse("admin:accounts_account_change", args=[account.pk])

    admin_client.post(
        url,
        {
            "code": "ACC-1",
            "name": "Renamed",
            "base_currency": "USD",
            "trading_state": "halted",
            "alert_recipients": "",
            "strategies-TOTAL_FORMS": "0",
            "strategies-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    account.refresh_from_db()
    assert account.name == "Renamed"
    assert account.trading_state == "active"
    assert Membership.objects.filter(account=account).exists()


@pytest.mark.parametrize("model", ["account", "strategy", "accountgroup"])
def test_the_kill_switch_actions_are_offered(admin_client, objects, model) -> None:
    page = admin_client.get(reverse(f"admin:accounts_{model}_changelist")).content.decode()

    for action in ("trading_state_halted", "trading_state_reduce_only", "trading_state_active"):
        assert f'value="{action}"' in page


def test_halting_from_the_account_changelist_is_logged(admin_client, objects) -> None:
    from limits.models import TradingStateChange

    account = objects["account"]
    admin_client.post(
        reverse("admin:accounts_account_changelist"),
        {
            "action": "trading_state_halted",
            "_selected_action": [account.pk],
            "confirm": "yes",
            "reason": "test",
        },
    )

    account.refresh_from_db()
    assert account.trading_state == "halted"
    assert TradingStateChange.objects.get(account=account).reason == "test"
