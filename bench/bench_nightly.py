"""End to end: the nightly risk run over 1,000 accounts (database reads and writes included).

Target: within 60 s on this machine. Uses a scratch PostgreSQL database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/rp_bench_analytics, created and migrated if missing; the firm is built once
and reused). Runs the same service as the Celery task and `run_risk_reports`: every account's
historical 95/99/97.5 VaR/ES with components, parametric and Monte Carlo (10,000 scenarios) 99% VaR,
Greeks, every stored stress scenario, margin, the upsert of 1,000 reports and the alert checks (every
account has a max_var and a max_gross_exposure, some breached: limits read, accounts valued, alerts
opened and emailed to the locmem backend).
Two runs: the first inserts the day's reports, the second replaces them (the idempotent rerun).

    .venv/bin/python bench/bench_nightly.py
"""

from __future__ import annotations

import time

from analytics_setup import build_firm, django_setup, ensure_limits


def main() -> None:
    django_setup()
    build_firm()
    ensure_limits()
    from django.core import mail

    from analytics.models import RiskReport
    from analytics.services.reports import risk_reports_run
    from positions.clock import current_trading_date
    from riskplatform.demo.analytics import demo_scenarios_create

    demo_scenarios_create()
    day = current_trading_date()
    from analytics.models import Alert

    RiskReport.objects.filter(as_of=day).delete()
    Alert.objects.all().delete()
    for label in ("first run (insert)", "rerun (replace)"):
        started = time.perf_counter()
        summary = risk_reports_run(as_of=day)
        elapsed = time.perf_counter() - started
        print(
            f"{label}: {summary.accounts} accounts ({summary.ok} ok, {summary.failed} failed, "
            f"{summary.alerts_opened} new alerts) in {elapsed:.2f} s "
            f"= {summary.accounts / elapsed:.0f} accounts/s  [target 60 s]"
        )
    print(
        f"reports stored for {day}: {RiskReport.objects.filter(as_of=day).count()}, open alerts: "
        f"{Alert.objects.filter(state='open').count()}, emails sent: {len(getattr(mail, 'outbox', []))}"
    )


if __name__ == "__main__":
    main()
