from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from analytics.models import Alert, AlertKind, AlertState, RiskReport
from analytics.services.reports import REPORT_LOOKBACK_DAYS, risk_reports_run
from analytics.tasks import compute_account_report, run_nightly_risk_reports
from limits.services.limits import limit_set_update
from positions.clock import current_trading_date
from positions.models import Price
from tests.analytics.helpers import hold, listed
from tests.factories import AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def books(account, scenarios):
    """ACC-1 (equities), ACC-2 (with too little history), ACC-3 (empty)."""
    aapl = listed("AAPL", price="187.20", seed=1)
    msft = listed("MSFT", price="410", seed=2)
    young = listed("YOUNG", price="20", days=40, seed=3)
    hold(account, aapl, "100")
    hold(account, msft, "-20")
    acc2 = AccountFactory(code="ACC-2")
    hold(acc2, aapl, "10")
    hold(acc2, young, "10")
    AccountFactory(code="ACC-3")
    return account


def test_it_stores_one_report_per_account_and_day_even_when_run_twice(
    books, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = risk_reports_run()
        second = risk_reports_run()
    assert first.accounts == second.accounts == 3
    assert (first.ok, first.failed) == (second.ok, second.failed) == (2, 1)
    assert RiskReport.objects.count() == 3
    report = RiskReport.objects.get(account__code="ACC-1")
    assert report.as_of == current_trading_date()
    assert report.lookback_days == REPORT_LOOKBACK_DAYS
    assert report.var_99 > report.var_95 > 0
    assert report.es_975 > 0
    assert report.parametric_var_99 > 0
    assert report.monte_carlo_var_99 > 0
    assert sum(c["component_var"] for c in report.components) == pytest.approx(report.var_99)
    assert {g["underlying"] for g in report.greeks["by_underlying"]} == {"AAPL", "MSFT"}
    assert report.stress["worst"]["pnl"] == min(report.stress["results"].values())
    assert report.margin_required == pytest.approx(0.10 * (100 * 187.20 + 20 * 410))
    assert report.positions == {"AAPL": [100.0, 187.2], "MSFT": [-20.0, 410.0]}


def test_an_account_with_too_little_history_gets_a_failed_report_naming_it(books):
    risk_reports_run()
    failed = RiskReport.objects.get(account__code="ACC-2")
    assert failed.status == "failed"
    assert failed.error_code == "insufficient_history"
    assert failed.error["missing"] == {"YOUNG": REPORT_LOOKBACK_DAYS - 39}
    assert failed.var_99 is None
    empty = RiskReport.objects.get(account__code="ACC-3")
    assert empty.status == "ok"
    assert empty.var_99 == 0


def test_a_failed_report_raises_one_alert_however_often_it_fails(books, django_capture_on_commit_callbacks):
    rm = UserFactory(username="rm2", email="rm2@example.com")
    MembershipFactory(user=rm, account=books.__class__.objects.get(code="ACC-2"), role="risk_manager")
    with django_capture_on_commit_callbacks(execute=True):
        risk_reports_run()
        risk_reports_run()
    alert = Alert.objects.get(kind=AlertKind.REPORT_FAILED)
    assert alert.account.code == "ACC-2"
    assert alert.key == "insufficient_history"
    assert alert.occurrences == 2
    assert "YOUNG" in alert.message
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rm2@example.com"]


def test_var_over_max_var_alerts_risk_managers_and_extra_recipients_once(
    books, django_capture_on_commit_callbacks
):
    books.alert_recipients = "desk@example.com\n\nrm@example.com\n"
    books.save()
    rm = UserFactory(username="rm", email="rm@example.com")
    MembershipFactory(user=rm, account=books, role="risk_manager")
    viewer = UserFactory(username="v", email="v@example.com")
    MembershipFactory(user=viewer, account=books, role="viewer")
    limit_set_update(target=books, values={"max_var": Decimal("1")}, reason="test", changed_by=None)
    with django_capture_on_commit_callbacks(execute=True):
        risk_reports_run(account_ids=[books.pk])
        risk_reports_run(account_ids=[books.pk])
    alert = Alert.objects.get(kind=AlertKind.VAR_LIMIT)
    assert alert.severity == "critical"
    assert alert.threshold == 1.0
    assert alert.value == RiskReport.objects.get(account=books).var_99
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rm@example.com", "desk@example.com"]
    assert "ACC-1" in mail.outbox[0].subject


def test_an_acknowledged_alert_reopens_on_the_next_breach(books, django_capture_on_commit_callbacks):
    limit_set_update(target=books, values={"max_var": Decimal("1")}, reason="test", changed_by=None)
    risk_reports_run(account_ids=[books.pk])
    Alert.objects.update(state=AlertState.ACKNOWLEDGED)
    risk_reports_run(account_ids=[books.pk])
    assert Alert.objects.filter(kind=AlertKind.VAR_LIMIT).count() == 2
    assert Alert.objects.filter(kind=AlertKind.VAR_LIMIT, state="open").count() == 1


def test_var_near_max_var_raises_a_utilization_warning(books, django_capture_on_commit_callbacks):
    risk_reports_run(account_ids=[books.pk])
    var = RiskReport.objects.get(account=books).var_99
    with django_capture_on_commit_callbacks(execute=True):  # the limits cache is cleared on commit
        limit_set_update(
            target=books, values={"max_var": Decimal(f"{var / 0.9:.2f}")}, reason="t", changed_by=None
        )
    risk_reports_run(account_ids=[books.pk])
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.LIMIT_UTILIZATION
    assert alert.severity == "warning"


def test_the_next_day_fills_the_previous_report_realized_pnl(books):
    today = current_trading_date()
    yesterday = today - timedelta(days=1)
    risk_reports_run(as_of=yesterday, account_ids=[books.pk])
    prev = RiskReport.objects.get(account=books, as_of=yesterday)
    assert prev.realized_pnl is None
    risk_reports_run(as_of=today, account_ids=[books.pk])
    prev.refresh_from_db()
    # Yesterday's book (valued at yesterday's closes) revalued at today's marks.
    expected = sum(
        q * (now - then) for (q, then), now in zip(prev.positions.values(), (187.20, 410.0), strict=True)
    )
    assert prev.realized_pnl == pytest.approx(expected)


def test_a_backfilled_report_uses_closes_of_that_day(books):
    day = current_trading_date() - timedelta(days=1)
    risk_reports_run(as_of=day, account_ids=[books.pk])
    report = RiskReport.objects.get(account=books, as_of=day)
    from positions.models import PriceHistory

    close = float(PriceHistory.objects.filter(instrument__symbol="AAPL", date__lte=day).latest("date").close)
    assert report.positions["AAPL"][1] == pytest.approx(close)


def test_a_red_backtest_raises_an_alert(books):
    start = current_trading_date() - timedelta(days=100)
    RiskReport.objects.bulk_create(
        RiskReport(
            account=books,
            as_of=start + timedelta(days=i),
            lookback_days=250,
            currency="USD",
            var_95=1.0,
            var_99=1.0,
            realized_pnl=-5.0 if i % 5 == 0 else 0.5,
        )
        for i in range(60)
    )
    risk_reports_run(account_ids=[books.pk])
    alert = Alert.objects.get(kind=AlertKind.BACKTEST_RED)
    assert alert.value == 12.0
    assert "red zone" in alert.message


def test_tasks_and_command_call_the_same_service(books):
    day = current_trading_date() - timedelta(days=3)
    assert run_nightly_risk_reports.delay(day.isoformat()).get()["accounts"] == 3
    assert compute_account_report.delay(books.pk).get()["ok"] == 1
    call_command("run_risk_reports", "--date", (day - timedelta(days=1)).isoformat(), "--account", "ACC-1")
    assert RiskReport.objects.filter(account=books).count() == 3
    assert RiskReport.objects.filter(as_of=day).count() == 3


def test_a_missing_mark_fails_only_the_accounts_holding_it(books):
    Price.objects.filter(instrument__symbol="MSFT").delete()
    summary = risk_reports_run()
    assert summary.failures == {"ACC-1": "missing_price", "ACC-2": "insufficient_history"}
    assert RiskReport.objects.get(account=books).error["symbols"] == ["MSFT"]


def test_the_demo_backfills_reports_with_realized_pnl(books):
    from analytics.models import StressScenario
    from riskplatform.demo.analytics import load_demo_analytics

    load_demo_analytics(days=5)
    load_demo_analytics(days=5)
    reports = RiskReport.objects.filter(account=books).order_by("as_of")
    assert reports.count() == 5
    assert [r.realized_pnl is None for r in reports] == [False, False, False, False, True]
    assert StressScenario.objects.filter(name="rates_up_100bp").exists()
    assert "equity_down_10_vol_up_5" in reports.last().stress["results"]


def test_install_schedule_creates_one_beat_entry_at_the_report_hour(db, settings):
    from django_celery_beat.models import PeriodicTask

    settings.RISK_REPORT_HOUR = 21
    call_command("run_risk_reports", "--install-schedule")
    call_command("run_risk_reports", "--install-schedule")
    (task,) = PeriodicTask.objects.filter(task="analytics.tasks.run_nightly_risk_reports")
    assert task.crontab.hour == "21"
    assert task.enabled


def test_a_malformed_stored_scenario_is_skipped_by_the_nightly_run(books):
    from analytics.models import StressScenario

    StressScenario.objects.create(name="broken", shocks={"equity": "lots"})
    risk_reports_run(account_ids=[books.pk])
    report = RiskReport.objects.get(account=books)
    assert report.status == "ok"
    assert "broken" not in report.stress["results"]


def test_the_alert_email_names_the_account_value_and_limit(books, django_capture_on_commit_callbacks):
    rm = UserFactory(username="rm", email="rm@example.com")
    MembershipFactory(user=rm, account=books, role="risk_manager")
    limit_set_update(target=books, values={"max_var": Decimal("1")}, reason="test", changed_by=None)
    with django_capture_on_commit_callbacks(execute=True):
        risk_reports_run(account_ids=[books.pk])
    body = mail.outbox[0].body
    assert "ACC-1" in body
    assert "Limit: 1.00 USD" in body
    assert "exceeds max_var" in body


def test_standing_limits_near_or_over_raise_utilization_alerts(books, django_capture_on_commit_callbacks):
    # Gross exposure 100 x 187.20 + 20 x 410 = 26,920 USD.
    with django_capture_on_commit_callbacks(execute=True):
        limit_set_update(
            target=books,
            values={"max_gross_exposure": Decimal("20000"), "max_net_exposure": Decimal("12000")},
            reason="test",
            changed_by=None,
        )
    risk_reports_run(account_ids=[books.pk])
    risk_reports_run(account_ids=[books.pk])
    alerts = {a.key: a for a in Alert.objects.filter(kind=AlertKind.LIMIT_UTILIZATION)}
    assert set(alerts) == {"max_gross_exposure", "max_net_exposure"}
    gross, net = alerts["max_gross_exposure"], alerts["max_net_exposure"]
    assert gross.severity == "critical"
    assert gross.value == pytest.approx(134.6)
    assert gross.threshold == 20000.0
    assert "limit 20000)" in gross.message
    assert net.severity == "warning"  # net 10,520 = 87.67% of 12,000, above the default 80%
    assert gross.occurrences == 2


def test_leverage_is_checked_through_the_account_valuation(books, django_capture_on_commit_callbacks):
    # Equity = unrealized P&L = (187.20 - 100) x 100 + (410 - 100) x -20 = 2,520; gross 26,920: 10.68x.
    with django_capture_on_commit_callbacks(execute=True):
        limit_set_update(target=books, values={"max_leverage": Decimal("5")}, reason="test", changed_by=None)
    risk_reports_run(account_ids=[books.pk])
    alert = Alert.objects.get(kind=AlertKind.LIMIT_UTILIZATION, key="max_leverage")
    assert alert.severity == "critical"
    assert alert.value == pytest.approx(213.65, abs=0.01)


def test_a_racing_open_alert_is_bumped_not_duplicated(books):
    from analytics.services.alerts import AlertSpec, _raise_one

    spec = AlertSpec(
        account_id=books.pk, kind=AlertKind.VAR_LIMIT, key="max_var", severity="critical", message="m"
    )
    first = _raise_one(spec)
    assert first is not None
    assert _raise_one(spec) is None
    first.refresh_from_db()
    assert first.occurrences == 2
    assert Alert.objects.count() == 1


def test_many_alerts_are_emailed_over_one_connection(books, django_capture_on_commit_callbacks):
    from analytics.services.alerts import AlertSpec, alerts_raise

    books.alert_recipients = "desk@example.com"
    books.save()
    specs = [
        AlertSpec(
            account_id=books.pk,
            kind=AlertKind.LIMIT_UTILIZATION,
            key=f"k{i}",
            severity="warning",
            message="m",
        )
        for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        opened = alerts_raise(specs=[*specs, specs[0]])
        again = alerts_raise(specs=specs)
    assert len(opened) == 3
    assert again == []
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {"desk@example.com"}


def test_a_repeated_alert_keeps_its_identity_and_takes_the_latest_figures(books):
    from analytics.services.alerts import AlertSpec, alerts_raise

    first = AlertSpec(
        account_id=books.pk,
        kind=AlertKind.LIMIT_UTILIZATION,
        key="max_gross_exposure",
        severity="warning",
        message="85%",
        value=85.0,
        threshold=100.0,
    )
    (opened,) = alerts_raise(specs=[first])
    alerts_raise(
        specs=[
            AlertSpec(
                account_id=books.pk,
                kind=AlertKind.LIMIT_UTILIZATION,
                key="max_gross_exposure",
                severity="critical",
                message="120%",
                value=120.0,
                threshold=100.0,
            )
        ]
    )
    alert = Alert.objects.get()
    assert alert.pk == opened.pk
    assert (alert.occurrences, alert.severity, alert.message, alert.value) == (2, "critical", "120%", 120.0)
    assert alert.last_seen_at > alert.created_at


def test_a_stored_scenario_shocking_an_option_symbol_is_skipped_at_night(books):
    from analytics.models import StressScenario
    from tests.analytics.helpers import option_on

    option_on(listed("UNDX", days=0), "UNDX-C")
    StressScenario.objects.create(name="bad_option_shock", shocks={"UNDX-C": "-0.5"})
    StressScenario.objects.create(name="not_listed_yet", shocks={"NEWCO": "-0.5", "AAPL": "-0.1"})
    risk_reports_run(account_ids=[books.pk])
    report = RiskReport.objects.get(account=books)
    assert report.status == "ok"
    assert "bad_option_shock" not in report.stress["results"]
    assert report.stress["results"]["not_listed_yet"] == pytest.approx(100 * 187.20 * -0.1)
