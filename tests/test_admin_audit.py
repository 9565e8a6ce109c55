"""Admin: reports, alerts and every audit table are read-only with no delete (single or bulk), figures
carry their currency, JSON is shown as tables, accounts by code; attribution survives users."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import ChangeLogEntry
from analytics.models import Alert, AlertKind, RiskReport
from limits.models import CheckDecision, LimitChange, TradingStateChange
from limits.services import limit_set_update, trading_state_set
from positions.models import CashBalance, CashMovement, Fill, Position
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AUDIT_MODELS = [
    RiskReport,
    Alert,
    LimitChange,
    TradingStateChange,
    ChangeLogEntry,
    CheckDecision,
    Fill,
    CashMovement,
    Position,
    CashBalance,
]


@pytest.mark.parametrize("model", AUDIT_MODELS, ids=lambda m: m.__name__)
def test_no_one_adds_changes_or_deletes_an_audit_row_in_admin(model, admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = admin.site.get_model_admin(model)

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


@pytest.fixture
def report(account):
    return RiskReport.objects.create(
        account=account,
        as_of=date(2026, 3, 2),
        lookback_days=250,
        currency="USD",
        var_99=1234567.891,
        greeks={"by_underlying": [{"underlying": "AAPL", "delta": 10.0}], "total": {"delta": 10.0}},
        stress={"worst": {"scenario": "crash", "pnl": -5.0}, "results": {"crash": -5.0}},
    )


def test_a_report_cannot_be_deleted_one_by_one_or_in_bulk(admin_client, report):
    assert admin_client.get(reverse("admin:analytics_riskreport_delete", args=[report.pk])).status_code == 403
    admin_client.post(
        reverse("admin:analytics_riskreport_changelist"),
        {"action": "delete_selected", "_selected_action": [str(report.pk)], "post": "yes"},
    )
    assert RiskReport.objects.filter(pk=report.pk).exists()


def test_an_alert_cannot_be_deleted_but_can_be_acknowledged(admin_client, account):
    alert = Alert.objects.create(account=account, kind=AlertKind.VAR_LIMIT, message="over")
    assert admin_client.get(reverse("admin:analytics_alert_delete", args=[alert.pk])).status_code == 403
    admin_client.post(
        reverse("admin:analytics_alert_changelist"),
        {"action": "acknowledge", "_selected_action": [str(alert.pk)]},
    )
    alert.refresh_from_db()
    assert alert.state == "acknowledged"


def test_a_report_shows_its_account_by_code_money_with_currency_and_json_as_tables(admin_client, report):
    listing = admin_client.get(reverse("admin:analytics_riskreport_changelist")).content.decode()
    assert "ACC-1" in listing
    assert "1,234,567.89 USD" in listing

    page = admin_client.get(reverse("admin:analytics_riskreport_change", args=[report.pk])).content.decode()
    assert '<table class="json">' in page
    assert "<th>underlying</th>" in page
    assert "AAPL" in page
    assert '{"by_underlying"' not in page
    assert str(report) == "ACC-1 2026-03-02 ok"


def test_limits_show_their_currency_not_ten_decimals(admin_client, account):
    limit_set_update(target=account, values={"max_gross_exposure": "500000"}, reason="r", changed_by=None)

    listing = admin_client.get(reverse("admin:limits_limitset_changelist")).content.decode()
    assert "500,000.00 USD" in listing
    assert "500000.0000000000" not in listing
    form = admin_client.get(
        reverse("admin:limits_limitset_change", args=[account.limit_set.pk])
    ).content.decode()
    assert 'value="500000"' in form


def test_a_user_with_audit_rows_cannot_be_deleted_so_attribution_survives(admin_client, account):
    author = UserFactory(username="author")
    trading_state_set(target=account, state="halted", reason="stop", changed_by=author)
    limit_set_update(target=account, values={"max_var": "1"}, reason="r", changed_by=author)

    with pytest.raises(ProtectedError):
        author.delete()
    page = admin_client.post(reverse("admin:auth_user_delete", args=[author.pk]), {"post": "yes"})

    assert "<title>Cannot delete user" in page.content.decode()
    assert author.__class__.objects.filter(username="author").exists()
    assert TradingStateChange.objects.get().changed_by.username == "author"
    assert LimitChange.objects.get().changed_by.username == "author"
