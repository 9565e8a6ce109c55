"""Seed the built-in historical stress scenarios (a frozen copy of analytics.riskmath.stress.BUILTIN_SCENARIOS
in the stored shock format; later edits in admin are kept: existing names are left alone)."""

from django.db import migrations

BUILTIN = [
    ("equity_crash_1987", "Black Monday: equities -20% with a volatility spike",
     {"equity": "-0.2", "future": "-0.15", "crypto": "-0.25", "vol": "0.15"}),
    ("gfc_2008", "October 2008: equities -9%, vol +10, rates -50bp",
     {"equity": "-0.09", "future": "-0.08", "crypto": "-0.2", "vol": "0.1", "rates": "-0.005"}),
    ("rates_shock_1994", "1994 bond rout: rates +200bp",
     {"equity": "-0.05", "future": "-0.03", "crypto": "-0.08", "vol": "0.03", "rates": "0.02"}),
    ("fx_devaluation", "every non-base currency -15% against the base currency",
     {"fx": "-0.15", "fx:*": "-0.15"}),
    ("covid_2020", "March 2020: equities -12%, vol +25, rates -100bp",
     {"equity": "-0.12", "future": "-0.1", "crypto": "-0.35", "vol": "0.25", "rates": "-0.01",
      "fx": {"*": "-0.05"}}),
    ("crypto_crash_2022", "2022 crypto collapse: crypto -40%", {"crypto": "-0.4", "vol": "0.2"}),
]


def seed(apps, schema_editor):
    StressScenario = apps.get_model("analytics", "StressScenario")
    for name, description, shocks in BUILTIN:
        StressScenario.objects.get_or_create(
            name=name, defaults={"description": description, "shocks": shocks, "builtin": True}
        )


def unseed(apps, schema_editor):
    StressScenario = apps.get_model("analytics", "StressScenario")
    StressScenario.objects.filter(builtin=True, name__in=[b[0] for b in BUILTIN]).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
