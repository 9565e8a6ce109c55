from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, AccountGroup, Strategy
from limits.models import LimitChange, LimitOverride, LimitSet, TradingStateChange
from limits.services import limit_override_create, limit_set_update, trading_state_set
from tests.factories import AccountFactory, AccountGroupFactory, StrategyFactory

pytestmark = pytest.mark.django_db

INLINE_MANAGEMENT = {
    f"{prefix}-{key}": value
    for prefix in ("overrides", "changes")
    for key, value in {
        "TOTAL_FORMS": "0",
        "INITIAL_FORMS": "0",
        "MIN_NUM_FORMS": "0",
        "MAX_NUM_FORMS": "0",
    }.items()
}


def _limit_form(**values):
    data = {
        "max_order_quantity": "",
        "max_order_notional": "",
        "max_position_quantity": "",
        "max_position_notional": "",
        "max_gross_exposure": "",
        "max_net_exposure": "",
        "max_daily_loss": "",
        "max_leverage": "",
        "max_var": "",
        "price_collar_pct": "",
        "max_orders_per_minute": "",
        "warn_utilization_pct": "80",
        "restricted_symbols": "[]",
        **INLINE_MANAGEMENT,
    }
    data.update(values)
    return data


@pytest.fixture
def populated():
    account = AccountFactory(code="ACC-1")
    limit_set_update(target=account, values={"max_var": "5"}, reason="seed", changed_by=None)
    limit_override_create(
        target=account,
        field="max_var",
        value="7",
        expires_at=timezone.now() + timedelta(hours=1),
        reason="seed",
        created_by=None,
    )
    trading_state_set(target=account, state="halted", reason="seed", changed_by=None)
    return account


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:limits_limitset_changelist",
        "admin:limits_limitset_add",
        "admin:limits_limitchange_changelist",
        "admin:limits_limitoverride_changelist",
        "admin:limits_limitoverride_add",
        "admin:limits_tradingstatechange_changelist",
    ],
)
def test_admin_pages_render(admin_client, populated, url_name):
    response = admin_client.get(reverse(url_name))
    assert response.status_code == 200


def test_change_pages_render_with_history(admin_client, populated):
    limit_set = LimitSet.objects.get()
    response = admin_client.get(reverse("admin:limits_limitset_change", args=[limit_set.pk]))
    assert response.status_code == 200
    assert b"Reason for change" in response.content
    assert b"seed" in response.content  # the history inline
    override = LimitOverride.objects.get()
    assert (
        admin_client.get(reverse("admin:limits_limitoverride_change", args=[override.pk])).status_code == 200
    )
    change = LimitChange.objects.first()
    assert admin_client.get(reverse("admin:limits_limitchange_change", args=[change.pk])).status_code == 200


def test_history_filters_work(admin_client, populated):
    url = reverse("admin:limits_limitchange_changelist")
    assert (
        admin_client.get(url, {"source__exact": "override", "scope_kind__exact": "account"}).status_code
        == 200
    )
    assert admin_client.get(url, {"field": "max_var"}).status_code == 200


def test_admin_add_writes_history_with_the_admin_user(admin_client, admin_user):
    account = AccountFactory(code="ACC-9")
    response = admin_client.post(
        reverse("admin:limits_limitset_add"),
        _limit_form(account=str(account.pk), max_gross_exposure="1000000", reason="new account"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert LimitSet.objects.get(account=account).max_gross_exposure == Decimal("1000000")
    change = LimitChange.objects.get(field="max_gross_exposure")
    assert (change.changed_by, change.reason, change.source) == (admin_user, "new account", "admin")
    assert change.new_value == "1000000"


def test_admin_change_writes_old_and_new_values(admin_client, admin_user, populated):
    limit_set = LimitSet.objects.get()
    response = admin_client.post(
        reverse("admin:limits_limitset_change", args=[limit_set.pk]),
        _limit_form(max_var="9", restricted_symbols='["XYZ"]', reason="tighter"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    changes = {c.field: c for c in LimitChange.objects.filter(source="admin")}
    assert (changes["max_var"].old_value, changes["max_var"].new_value) == ("5", "9")
    assert changes["restricted_symbols"].new_value == ["XYZ"]
    assert changes["max_var"].changed_by == admin_user


def test_admin_change_without_reason_or_with_bad_values_writes_nothing(admin_client, populated):
    limit_set = LimitSet.objects.get()
    url = reverse("admin:limits_limitset_change", args=[limit_set.pk])
    before = LimitChange.objects.count()
    response = admin_client.post(url, _limit_form(max_var="9", reason=""))
    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    response = admin_client.post(url, _limit_form(warn_utilization_pct="0", price_collar_pct="0", reason="x"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "warn_utilization_pct" in errors
    assert "price_collar_pct" in errors
    assert LimitChange.objects.count() == before
    limit_set.refresh_from_db()
    assert limit_set.max_var == Decimal("5")


def test_admin_add_needs_exactly_one_scope(admin_client):
    account = AccountFactory()
    group = AccountGroupFactory()
    response = admin_client.post(
        reverse("admin:limits_limitset_add"),
        _limit_form(account=str(account.pk), group=str(group.pk), reason="x"),
    )
    assert response.status_code == 200
    assert b"Choose exactly one of account, strategy or group." in response.content
    assert not LimitSet.objects.exists()


def test_admin_creates_an_override_with_history(admin_client, admin_user, populated):
    limit_set = LimitSet.objects.get()
    expires = (timezone.now() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    response = admin_client.post(
        reverse("admin:limits_limitoverride_add"),
        {
            "limit_set": str(limit_set.pk),
            "field": "max_leverage",
            "value": "6",
            "expires_at_0": expires[:10],
            "expires_at_1": expires[11:],
            "reason": "quarter end",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    override = LimitOverride.objects.get(field="max_leverage")
    assert override.created_by == admin_user
    assert LimitChange.objects.get(override=override).changed_by == admin_user


def test_admin_ends_overrides_now(admin_client, populated):
    override = LimitOverride.objects.get()
    response = admin_client.post(
        reverse("admin:limits_limitoverride_changelist"),
        {"action": "end_now", "_selected_action": [str(override.pk)]},
    )
    assert response.status_code == 302
    override.refresh_from_db()
    assert override.reverted_at is not None


# --- kill-switch actions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "factory"),
    [(Account, AccountFactory), (Strategy, StrategyFactory), (AccountGroup, AccountGroupFactory)],
)
def test_halt_action_asks_for_a_reason_then_halts_and_logs(admin_client, admin_user, model, factory):
    first, second = factory(), factory()
    url = reverse(f"admin:accounts_{model._meta.model_name}_changelist")
    selection = {"action": "trading_state_halted", "_selected_action": [str(first.pk), str(second.pk)]}
    confirm = admin_client.post(url, selection)
    assert confirm.status_code == 200
    assert b"Reason" in confirm.content
    assert not TradingStateChange.objects.exists()

    no_reason = admin_client.post(url, {**selection, "confirm": "yes", "reason": "  "})
    assert no_reason.status_code == 200
    assert not TradingStateChange.objects.exists()

    done = admin_client.post(url, {**selection, "confirm": "yes", "reason": "market halt"})
    assert done.status_code == 302
    for target in (first, second):
        target.refresh_from_db()
        assert target.trading_state == "halted"
    logged = TradingStateChange.objects.all()
    assert len(logged) == 2
    assert {(c.changed_by, c.reason, c.source, c.new_state) for c in logged} == {
        (admin_user, "market halt", "admin", "halted")
    }


@pytest.mark.parametrize(
    ("action", "state"), [("trading_state_reduce_only", "reduce_only"), ("trading_state_active", "active")]
)
def test_reduce_only_and_resume_actions(admin_client, action, state):
    account = AccountFactory()
    trading_state_set(target=account, state="halted", reason="seed", changed_by=None)
    url = reverse("admin:accounts_account_changelist")
    response = admin_client.post(
        url, {"action": action, "_selected_action": [str(account.pk)], "confirm": "yes", "reason": "ok"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.trading_state == state
