from __future__ import annotations

from datetime import date

import pytest

from analytics.admin import StressScenarioForm
from analytics.models import RiskReport, StressScenario
from tests.analytics.helpers import listed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_seeding_migration_matches_the_core_builtin_scenarios():
    import importlib

    from analytics.scenarios import builtin_shocks

    migration = importlib.import_module("analytics.migrations.0002_builtin_scenarios")
    assert [tuple(b) for b in migration.BUILTIN] == [tuple(b) for b in builtin_shocks()]


def test_demo_scenarios_include_the_builtin_ones(scenarios):
    names = set(StressScenario.objects.filter(builtin=True).values_list("name", flat=True))
    assert {"equity_crash_1987", "rates_shock_1994", "fx_devaluation"} <= names


def test_the_admin_form_accepts_valid_shocks():
    listed("AAPL", days=0)
    form = StressScenarioForm(
        data={
            "name": "desk",
            "description": "",
            "is_active": True,
            "shocks": '{"equity": "-0.2", "AAPL": -0.3, "vol": "0.1", "fx": {"EUR": "-0.1"}}',
        }
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("shocks", "named"),
    [
        ('{"NOSUCH": "-0.2"}', "NOSUCH"),
        ('{"equity": "abc"}', "equity"),
        ('{"vol": null}', "vol"),
        ("[1]", "shocks"),
        ('{"equity": "-2"}', "equity"),
    ],
)
def test_the_admin_form_rejects_bad_shocks_naming_the_key(shocks, named):
    form = StressScenarioForm(data={"name": "desk", "description": "", "is_active": True, "shocks": shocks})
    assert not form.is_valid()
    assert named in " ".join(form.errors["shocks"])


def test_the_admin_pages_render(client, account):
    RiskReport.objects.create(account=account, as_of=date(2025, 1, 2), lookback_days=250, currency="USD")
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    for path in (
        "/admin/analytics/stressscenario/",
        "/admin/analytics/riskreport/",
        "/admin/analytics/alert/",
        "/admin/analytics/stressscenario/add/",
    ):
        assert client.get(path).status_code == 200, path


def test_the_summary_shows_the_latest_var_99(account, viewer):
    from positions.summary_extensions import summary_extension

    RiskReport.objects.create(
        account=account, as_of=date(2025, 1, 2), lookback_days=250, currency="USD", var_99=5.5
    )
    RiskReport.objects.create(
        account=account, as_of=date(2025, 1, 3), lookback_days=250, currency="USD", var_99=7.25
    )
    RiskReport.objects.create(
        account=account, as_of=date(2025, 1, 4), lookback_days=250, currency="USD", status="failed"
    )
    assert summary_extension("var_99", account=account, valuation=None, default=None) == pytest.approx(7.25)
