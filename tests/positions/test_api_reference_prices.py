from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from positions.models import Price
from tests.conftest import client_for
from tests.factories import InstrumentFactory, PriceFactory
from tests.positions.factories_reference import feed_user, option_on

pytestmark = pytest.mark.django_db
URL = "/api/v1/prices/"


def ts(minutes_ago: int = 1) -> str:
    return (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()


@pytest.fixture
def aapl(db):
    return InstrumentFactory(symbol="AAPL")


@pytest.fixture
def msft(db):
    return InstrumentFactory(symbol="MSFT")


def test_staff_post_marks_and_anyone_reads_them(staff, outsider, aapl, msft) -> None:
    option_on(aapl)
    marks = [
        {"symbol": "AAPL", "price": "187.20", "as_of": ts()},
        {"symbol": "MSFT", "price": 410.5, "as_of": ts()},
        {"symbol": "AAPL-C200", "price": "4.15", "as_of": ts(), "implied_vol": "0.27"},
    ]

    response = client_for(staff).post(URL, marks, format="json")

    assert response.status_code == 200
    assert response.json() == {"created": 3, "updated": 0, "stale": []}
    listed = client_for(outsider).get(URL, {"symbol": "AAPL-C200"}).json()["results"]
    assert [(m["symbol"], m["price"], m["implied_vol"]) for m in listed] == [("AAPL-C200", "4.15", "0.27")]
    assert Price.objects.get(instrument=msft).price == Decimal("410.5")


def test_a_newer_mark_replaces_the_stored_one(staff, aapl) -> None:
    PriceFactory(instrument=aapl, price=Decimal("100"), as_of=timezone.now() - timedelta(hours=1))

    response = client_for(staff).post(URL, [{"symbol": "AAPL", "price": "101", "as_of": ts()}], format="json")

    assert response.json() == {"created": 0, "updated": 1, "stale": []}
    assert Price.objects.get(instrument=aapl).price == Decimal("101")


def test_an_older_mark_does_not_overwrite_a_newer_one(staff, aapl) -> None:
    PriceFactory(instrument=aapl, price=Decimal("100"), as_of=timezone.now())

    response = client_for(staff).post(
        URL, [{"symbol": "AAPL", "price": "90", "as_of": ts(30)}], format="json"
    )

    assert response.status_code == 200
    assert response.json()["stale"] == ["AAPL"]
    assert Price.objects.get(instrument=aapl).price == Decimal("100")


def test_within_one_list_the_newest_mark_wins(staff, aapl) -> None:
    marks = [
        {"symbol": "AAPL", "price": "102", "as_of": ts(1)},
        {"symbol": "AAPL", "price": "99", "as_of": ts(10)},
    ]

    response = client_for(staff).post(URL, marks, format="json")

    assert response.json() == {"created": 1, "updated": 0, "stale": ["AAPL"]}
    assert Price.objects.get(instrument=aapl).price == Decimal("102")


def test_a_feed_user_with_the_permission_may_post_marks(aapl) -> None:
    client = client_for(feed_user("change_price"))

    assert (
        client.post(URL, [{"symbol": "AAPL", "price": "1", "as_of": ts()}], format="json").status_code == 200
    )


@pytest.mark.parametrize("who", ["owner", "trader", "viewer"])
def test_account_members_may_not_post_marks(request, account, aapl, who) -> None:
    client = client_for(request.getfixturevalue(who))

    response = client.post(URL, [{"symbol": "AAPL", "price": "1", "as_of": ts()}], format="json")

    assert response.status_code == 403
    assert not Price.objects.exists()


def test_marks_are_401_for_anonymous_callers(api_client, aapl) -> None:
    assert api_client.get(URL).status_code == 401
    assert (
        api_client.post(URL, [{"symbol": "AAPL", "price": "1", "as_of": ts()}], format="json").status_code
        == 401
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"symbol": "NOPE"}, "symbol"),
        ({"symbol": None}, "symbol"),
        ({"price": "0"}, "price"),
        ({"price": "-1"}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": True}, "price"),
        ({"price": {"amount": 1}}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "1.00000000001"}, "price"),
        ({"price": "1" * 29}, "price"),
        ({"price": 1e300}, "price"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2026-01-05T10:00:00"}, "as_of"),  # no offset
        ({"as_of": (timezone.now() + timedelta(hours=1)).isoformat()}, "as_of"),
        ({"as_of": 1767225600}, "as_of"),
        ({"implied_vol": "-0.1"}, "implied_vol"),
        ({"implied_vol": "0.123456789"}, "implied_vol"),
        ({"source": "bloomberg"}, "source"),
    ],
)
def test_one_bad_mark_rejects_the_whole_list_naming_index_and_field(staff, aapl, msft, change, field) -> None:
    marks = [
        {"symbol": "MSFT", "price": "410", "as_of": ts()},
        {"symbol": "AAPL", "price": "187.20", "as_of": ts(), **change},
    ]

    response = client_for(staff).post(URL, marks, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["1"]
    assert field in response.json()["1"]
    assert not Price.objects.exists()


def test_a_mark_within_the_clock_skew_is_accepted(staff, aapl) -> None:
    soon = (timezone.now() + timedelta(minutes=2)).isoformat()

    assert (
        client_for(staff)
        .post(URL, [{"symbol": "AAPL", "price": "1", "as_of": soon}], format="json")
        .status_code
        == 200
    )


def test_timestamps_in_other_offsets_are_stored_in_utc(staff, aapl) -> None:
    client_for(staff).post(
        URL, [{"symbol": "AAPL", "price": "1", "as_of": "2026-01-05T10:00:00+02:00"}], format="json"
    )

    assert Price.objects.get().as_of == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "body", [{"symbol": "AAPL", "price": "1", "as_of": "2026-01-05T10:00:00Z"}, [], "AAPL"]
)
def test_the_body_must_be_a_non_empty_list(staff, aapl, body) -> None:
    response = client_for(staff).post(URL, body, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Price.objects.exists()


def test_listing_marks_costs_a_fixed_number_of_queries(staff, django_assert_max_num_queries) -> None:
    for n in range(5):
        PriceFactory(instrument=InstrumentFactory(symbol=f"S{n}"))
    client = client_for(staff)

    with django_assert_max_num_queries(3):
        assert client.get(URL).json()["count"] == 5
