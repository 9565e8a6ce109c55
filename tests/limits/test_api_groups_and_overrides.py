from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccountGroup
from limits.models import LimitChange, LimitOverride, TradingStateChange
from limits.services import limit_set_update
from tests.conftest import client_for
from tests.factories import AccountFactory, AccountGroupFactory, StrategyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(account):
    group = AccountGroupFactory(code="DESK-A")
    group.accounts.add(account)
    return group


def test_staff_creates_a_group_with_accounts(staff, account):
    AccountFactory(code="ACC-2")
    response = client_for(staff).post(
        "/api/v1/groups/",
        {"code": "DESK-B", "name": "Desk B", "accounts": ["ACC-2", "ACC-1"], "base_currency": "EUR"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["accounts"] == ["ACC-1", "ACC-2"]
    assert body["trading_state"] == "active"
    assert body["base_currency"] == "EUR"


def test_creating_a_halted_group_logs_the_state(staff, account):
    response = client_for(staff).post(
        "/api/v1/groups/",
        {"code": "DESK-H", "name": "H", "trading_state": "halted", "reason": "not ready"},
        format="json",
    )
    assert response.status_code == 201
    assert TradingStateChange.objects.get().reason == "not ready"


def test_unknown_accounts_are_400_naming_them(staff, account):
    response = client_for(staff).post(
        "/api/v1/groups/", {"code": "DESK-B", "name": "B", "accounts": ["ACC-1", "NOPE-9"]}, format="json"
    )
    assert response.status_code == 400
    assert "NOPE-9" in str(response.json()["accounts"])
    assert not AccountGroup.objects.filter(code="DESK-B").exists()


def test_only_staff_create_groups(owner, api_client):
    assert (
        client_for(owner).post("/api/v1/groups/", {"code": "X", "name": "X"}, format="json").status_code
        == 403
    )
    assert api_client.post("/api/v1/groups/", {"code": "X", "name": "X"}, format="json").status_code == 401
    assert not AccountGroup.objects.exists()


def test_risk_managers_list_groups_holding_their_accounts(owner, viewer, outsider, desk):
    AccountGroupFactory(code="DESK-OTHER")
    assert [g["code"] for g in client_for(owner).get("/api/v1/groups/").json()["results"]] == ["DESK-A"]
    assert client_for(viewer).get("/api/v1/groups/").json()["results"] == []
    assert client_for(outsider).get("/api/v1/groups/").json()["results"] == []


def test_group_detail_visibility(owner, viewer, outsider, staff, api_client, desk):
    assert client_for(owner).get("/api/v1/groups/DESK-A/").json()["accounts"] == ["ACC-1"]
    assert client_for(staff).get("/api/v1/groups/DESK-A/").status_code == 200
    assert client_for(viewer).get("/api/v1/groups/DESK-A/").status_code == 404
    assert client_for(outsider).get("/api/v1/groups/DESK-A/").status_code == 404
    assert api_client.get("/api/v1/groups/DESK-A/").status_code == 401


def test_staff_patches_a_group(staff, desk):
    AccountFactory(code="ACC-2")
    response = client_for(staff).patch(
        "/api/v1/groups/DESK-A/",
        {"name": "Renamed", "accounts": ["ACC-2"], "trading_state": "reduce_only", "reason": "merge"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["accounts"], body["trading_state"]) == ("Renamed", ["ACC-2"], "reduce_only")
    assert TradingStateChange.objects.get(group=desk).reason == "merge"


def test_non_staff_may_not_patch_a_group_they_see(owner, desk):
    response = client_for(owner).patch("/api/v1/groups/DESK-A/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    desk.refresh_from_db()
    assert desk.name != "Mine"


def test_patch_rejects_unknown_accounts_and_code_changes(staff, desk):
    response = client_for(staff).patch(
        "/api/v1/groups/DESK-A/", {"code": "NEW", "accounts": ["NOPE"]}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()
    response = client_for(staff).patch("/api/v1/groups/DESK-A/", {"accounts": ["NOPE"]}, format="json")
    assert response.status_code == 400
    assert "accounts" in response.json()
    assert list(desk.accounts.values_list("code", flat=True)) == ["ACC-1"]


# --- overrides ---------------------------------------------------------------------------------

OVERRIDES_URL = "/api/v1/accounts/ACC-1/limits/overrides/"


def _in_an_hour() -> str:
    return (timezone.now() + timedelta(hours=1)).isoformat()


def test_owner_raises_a_limit_temporarily(owner, viewer, account):
    limit_set_update(target=account, values={"max_gross_exposure": "1000"}, reason="r", changed_by=None)
    response = client_for(owner).post(
        OVERRIDES_URL,
        {"field": "max_gross_exposure", "value": "2500", "expires_at": _in_an_hour(), "reason": "rebalance"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["value"] == "2500"
    assert response.json()["active"] is True
    limits = client_for(viewer).get("/api/v1/accounts/ACC-1/limits/").json()
    assert limits["max_gross_exposure"] == "1000"
    assert limits["effective"]["max_gross_exposure"] == "2500"
    assert limits["active_overrides"][0]["reason"] == "rebalance"
    listed = client_for(viewer).get(OVERRIDES_URL + "?active=1").json()["results"]
    assert [o["field"] for o in listed] == ["max_gross_exposure"]
    assert LimitChange.objects.get(source="override").changed_by == owner


@pytest.mark.parametrize(
    ("payload", "bad_field"),
    [
        ({"field": "restricted_symbols", "value": "1"}, "field"),
        ({"field": "max_var", "value": "-5"}, "value"),
        ({"field": "max_var", "value": None}, "value"),
        ({"field": "max_var", "value": "5", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"field": "max_var", "value": "5", "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
        ({"field": "max_var", "value": "5", "reason": ""}, "reason"),
        ({"field": "max_var", "value": "5", "colour": "red"}, "colour"),
    ],
)
def test_bad_overrides_are_400_and_write_nothing(owner, account, payload, bad_field):
    body = {"expires_at": _in_an_hour(), "reason": "r", **payload}
    response = client_for(owner).post(OVERRIDES_URL, body, format="json")
    assert response.status_code == 400
    assert bad_field in response.json()
    assert not LimitOverride.objects.exists()


def test_override_permissions(viewer, outsider, api_client, account):
    body = {"field": "max_var", "value": "5", "expires_at": _in_an_hour(), "reason": "r"}
    assert client_for(viewer).post(OVERRIDES_URL, body, format="json").status_code == 403
    assert client_for(viewer).get(OVERRIDES_URL).status_code == 200
    assert client_for(outsider).get(OVERRIDES_URL).status_code == 404
    assert client_for(outsider).post(OVERRIDES_URL, body, format="json").status_code == 404
    assert api_client.get(OVERRIDES_URL).status_code == 401
    assert not LimitOverride.objects.exists()


def test_strategy_and_group_overrides(owner, account, desk):
    StrategyFactory(account=account, code="momo")
    body = {"field": "max_orders_per_minute", "value": 50, "expires_at": _in_an_hour(), "reason": "r"}
    client = client_for(owner)
    assert (
        client.post(
            "/api/v1/accounts/ACC-1/strategies/momo/limits/overrides/", body, format="json"
        ).status_code
        == 201
    )
    assert client.post("/api/v1/groups/DESK-A/limits/overrides/", body, format="json").status_code == 201
    limits = client.get("/api/v1/groups/DESK-A/limits/").json()
    assert limits["effective"]["max_orders_per_minute"] == 50


def test_owner_ends_an_override_early_and_a_second_end_is_409(owner, viewer, outsider, account):
    client = client_for(owner)
    created = client.post(
        OVERRIDES_URL,
        {"field": "max_var", "value": "9", "expires_at": _in_an_hour(), "reason": "r"},
        format="json",
    ).json()
    end_url = f"{OVERRIDES_URL}{created['id']}/end/"
    assert client_for(viewer).post(end_url, {"reason": "x"}, format="json").status_code == 403
    assert client_for(outsider).post(end_url, {"reason": "x"}, format="json").status_code == 404
    assert client.post(end_url, {}, format="json").status_code == 400
    response = client.post(end_url, {"reason": "not needed"}, format="json")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert client.get("/api/v1/accounts/ACC-1/limits/").json()["effective"]["max_var"] is None
    assert client.post(end_url, {"reason": "again"}, format="json").status_code == 409
    assert LimitChange.objects.filter(override_id=created["id"]).count() == 2


def test_an_override_of_another_scope_is_404(owner, account):
    other = AccountFactory(code="ACC-2")
    override = LimitOverride.objects.create(
        limit_set=limit_set_update(target=other, values={"max_var": "1"}, reason="r", changed_by=None),
        field="max_var",
        value=5,
        expires_at=timezone.now() + timedelta(hours=1),
        reason="r",
    )
    response = client_for(owner).post(f"{OVERRIDES_URL}{override.pk}/end/", {"reason": "x"}, format="json")
    assert response.status_code == 404
