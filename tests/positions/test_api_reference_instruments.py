from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from positions.models import Fill, Instrument
from tests.conftest import client_for
from tests.factories import AccountFactory, InstrumentFactory
from tests.positions.factories_reference import feed_user, option_on

pytestmark = pytest.mark.django_db
LIST = "/api/v1/instruments/"

EQUITY = {"symbol": "MSFT", "asset_class": "equity", "currency": "USD", "margin_rate": "0.25"}
OPTION = {
    "symbol": "AAPL-P180",
    "asset_class": "option",
    "currency": "USD",
    "multiplier": "100",
    "underlying": "AAPL",
    "option_type": "put",
    "strike": "180",
    "expiry": "2027-03-19",
}


@pytest.fixture
def aapl(db):
    return InstrumentFactory(symbol="AAPL", currency="USD")


def test_any_authenticated_user_lists_instruments(aapl, outsider) -> None:
    body = client_for(outsider).get(LIST).json()

    assert [i["symbol"] for i in body["results"]] == ["AAPL"]
    assert body["results"][0]["multiplier"] == "1"
    assert body["results"][0]["margin_rate"] == "0.1"


def test_the_instrument_list_is_401_for_anonymous_callers(api_client, aapl) -> None:
    assert api_client.get(LIST).status_code == 401


def test_the_list_filters_by_asset_class_and_underlying(aapl, outsider) -> None:
    option_on(aapl)
    InstrumentFactory(symbol="BTC", asset_class="crypto")

    options = client_for(outsider).get(LIST, {"asset_class": "option"}).json()["results"]
    on_aapl = client_for(outsider).get(LIST, {"underlying": "AAPL"}).json()["results"]

    assert [i["symbol"] for i in options] == ["AAPL-C200"]
    assert [i["symbol"] for i in on_aapl] == ["AAPL-C200"]


def test_staff_create_an_equity(staff) -> None:
    response = client_for(staff).post(LIST, EQUITY, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["underlying"] is None
    assert body["option_type"] is None
    assert Instrument.objects.get(symbol="MSFT").margin_rate == Decimal("0.25")


def test_staff_create_an_option_on_an_existing_underlying(staff, aapl) -> None:
    response = client_for(staff).post(LIST, OPTION, format="json")

    assert response.status_code == 201
    assert response.json()["underlying"] == "AAPL"
    option = Instrument.objects.get(symbol="AAPL-P180")
    assert (option.underlying, option.strike, option.option_type) == (aapl, Decimal("180"), "put")


def test_a_feed_user_with_the_change_permission_may_create(db) -> None:
    response = client_for(feed_user("change_instrument")).post(LIST, EQUITY, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize("who", ["owner", "trader", "viewer"])
def test_account_members_may_not_create_instruments(request, account, who) -> None:
    response = client_for(request.getfixturevalue(who)).post(LIST, EQUITY, format="json")

    assert response.status_code == 403
    assert not Instrument.objects.exists()


def test_creating_is_401_for_anonymous_callers(api_client, db) -> None:
    assert api_client.post(LIST, EQUITY, format="json").status_code == 401


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (
            {"underlying": None, "option_type": None, "strike": None, "expiry": None},
            {"underlying", "option_type", "strike", "expiry"},
        ),
        ({"underlying": "NOPE"}, {"underlying"}),
        ({"underlying": "AAPL-C200"}, {"underlying"}),  # an option cannot underlie an option
        ({"option_type": "straddle"}, {"option_type"}),
        ({"strike": "0"}, {"strike"}),
        ({"strike": "-5"}, {"strike"}),
        ({"strike": "1.00000000001"}, {"strike"}),
        ({"strike": "1" * 30}, {"strike"}),
        ({"expiry": "19/03/2027"}, {"expiry"}),
        ({"expiry": "2027-03-19T00:00:00Z"}, {"expiry"}),
        ({"multiplier": "0"}, {"multiplier"}),
        ({"multiplier": True}, {"multiplier"}),
    ],
)
def test_it_rejects_bad_option_terms_naming_each_field(staff, aapl, change, fields) -> None:
    option_on(aapl)
    before = Instrument.objects.count()

    response = client_for(staff).post(LIST, {**OPTION, **change}, format="json")

    assert response.status_code == 400
    assert fields <= set(response.json())
    assert Instrument.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"strike": "100"}, "strike"),
        ({"option_type": "call"}, "option_type"),
        ({"expiry": "2027-01-01"}, "expiry"),
        ({"underlying": "AAPL"}, "underlying"),
        ({"currency": "usd"}, "currency"),
        ({"currency": "DOLLARS-USD"}, "currency"),
        ({"asset_class": "bond"}, "asset_class"),
        ({"symbol": "MS FT"}, "symbol"),
        ({"symbol": "A/B"}, "symbol"),
        ({"symbol": "AAPL"}, "symbol"),  # taken
        ({"margin_rate": "1.5"}, "margin_rate"),
        ({"margin_rate": "-0.1"}, "margin_rate"),
        ({"margin_rate": "0.1234567"}, "margin_rate"),
        ({"margin_rate": [0.1]}, "margin_rate"),
        ({"multiplier": "1e30"}, "multiplier"),
        ({"sector": "tech"}, "sector"),
    ],
)
def test_it_rejects_bad_instruments_naming_the_field(staff, aapl, change, field) -> None:
    response = client_for(staff).post(LIST, {**EQUITY, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Instrument.objects.count() == 1


def test_a_non_list_instrument_body_is_rejected(staff) -> None:
    response = client_for(staff).post(LIST, [EQUITY], format="json")

    assert response.status_code == 400
    assert not Instrument.objects.exists()


# --- detail -------------------------------------------------------------------------------------


def test_anyone_authenticated_reads_one_instrument(aapl, outsider) -> None:
    option_on(aapl)

    body = client_for(outsider).get(f"{LIST}AAPL-C200/").json()

    assert body == {
        "symbol": "AAPL-C200",
        "name": "",
        "asset_class": "option",
        "currency": "USD",
        "multiplier": "100",
        "margin_rate": "0.1",
        "underlying": "AAPL",
        "option_type": "call",
        "strike": "200",
        "expiry": "2027-01-15",
        "dividend_yield": "0",
        "updated_at": body["updated_at"],
    }


def test_an_unknown_instrument_is_404(outsider) -> None:
    assert client_for(outsider).get(f"{LIST}NOPE/").status_code == 404


def test_one_instrument_is_401_for_anonymous_callers(api_client, aapl) -> None:
    assert api_client.get(f"{LIST}AAPL/").status_code == 401


def test_staff_patch_an_instrument(staff, aapl) -> None:
    response = client_for(staff).patch(f"{LIST}AAPL/", {"margin_rate": "0.3", "name": "Apple"}, format="json")

    assert response.status_code == 200
    aapl.refresh_from_db()
    assert (aapl.margin_rate, aapl.name) == (Decimal("0.3"), "Apple")


def test_a_patch_checks_option_terms_on_the_result(staff, aapl) -> None:
    option = option_on(aapl)

    to_equity = client_for(staff).patch(f"{LIST}AAPL-C200/", {"asset_class": "equity"}, format="json")
    cleared = client_for(staff).patch(
        f"{LIST}AAPL-C200/",
        {"asset_class": "future", "underlying": None, "option_type": None, "strike": None, "expiry": None},
        format="json",
    )

    assert to_equity.status_code == 400
    assert {"underlying", "strike"} <= set(to_equity.json())
    assert cleared.status_code == 200
    option.refresh_from_db()
    assert (option.asset_class, option.underlying, option.option_type) == ("future", None, "")


def test_a_traded_instruments_currency_and_multiplier_are_frozen(staff, aapl) -> None:
    Fill.objects.create(
        account=AccountFactory(),
        instrument=aapl,
        fill_id="f1",
        side="buy",
        quantity=Decimal("1"),
        price=Decimal("100"),
        executed_at=datetime(2026, 1, 5, tzinfo=UTC),
    )

    response = client_for(staff).patch(f"{LIST}AAPL/", {"currency": "EUR", "multiplier": "10"}, format="json")

    assert response.status_code == 400
    assert {"currency", "multiplier"} <= set(response.json())
    aapl.refresh_from_db()
    assert aapl.currency == "USD"


def test_the_symbol_cannot_change(staff, aapl) -> None:
    response = client_for(staff).patch(f"{LIST}AAPL/", {"symbol": "APPL"}, format="json")

    assert response.status_code == 400
    assert "symbol" in response.json()
    assert Instrument.objects.filter(symbol="AAPL").exists()


def test_members_may_not_patch_instruments(account, owner, aapl) -> None:
    assert client_for(owner).patch(f"{LIST}AAPL/", {"name": "x"}, format="json").status_code == 403


def test_patching_is_401_for_anonymous_callers(api_client, aapl) -> None:
    assert api_client.patch(f"{LIST}AAPL/", {"name": "x"}, format="json").status_code == 401
