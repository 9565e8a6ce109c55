"""What the overview, account and desk pages show, to whom."""

from __future__ import annotations

import csv
import io

import pytest

from limits.checks.book import book_snapshot
from limits.engine.utilization import utilization_figures
from positions.models import FxRate

pytestmark = pytest.mark.django_db


def test_the_overview_lists_desks_with_their_accounts_and_a_firm_total(logged_in, manager, firm):
    html = logged_in(manager).get("/").content.decode()

    assert (
        html.index('data-code="DESK-1"') < html.index('data-code="ACC-1"') < html.index('data-code="ACC-2"')
    )
    assert "Accounts in no desk" in html
    assert 'data-code="ACC-EU"' in html
    # ACC-1: 1,000,000 of cash + 30,000 (AAPL) + 5,000 (MSFT) unrealized, all made today.
    assert "1,035,000.00 USD" in html
    assert "35,000.00 USD" in html
    assert "1,235,000.00 USD" in html  # the desk: ACC-1 and ACC-2
    # Firm total in USD: 1,035,000 + 200,000 (ACC-2) + 100,000 EUR at 1.10.
    assert 'id="firm-total"' in html
    assert "1,345,000.00 USD" in html
    assert "VaR near the limit" in html
    assert "euro report failed" in html


def test_a_missing_fx_rate_leaves_the_firm_total_incomplete_never_at_one(logged_in, manager, firm):
    FxRate.objects.filter(base="EUR").delete()

    html = logged_in(manager).get("/").content.decode()

    assert "no FX rate from EUR to USD (ACC-EU)" in html
    assert "incomplete" in html


def test_the_overview_shows_only_what_the_user_may_see(logged_in, desk_viewer, firm):
    html = logged_in(desk_viewer).get("/").content.decode()

    assert 'data-code="ACC-1"' in html
    assert "ACC-2" not in html
    assert "ACC-EU" not in html
    assert "euro report failed" not in html
    assert "DESK-1" not in html  # a desk takes managing one of its accounts (the gate's desk rule)


def test_the_account_page_shows_every_limit_of_account_strategy_and_desk_with_the_checks_figures(
    logged_in, manager, firm
):
    html = logged_in(manager).get("/accounts/ACC-1/").content.decode()
    snapshot = book_snapshot(account=firm["account"])
    account = utilization_figures(snapshot, snapshot.account)

    assert 'data-scope="account:ACC-1"' in html
    assert 'data-scope="strategy:momo"' in html
    assert 'data-scope="group:DESK-1"' in html
    # Gross exposure with the open sell of 100 MSFT at its worse side: 300,000 + 120,000.
    assert account["max_gross_exposure"].value == 420000
    assert "420,000.00 USD" in html
    assert "450,000.00 USD" in html
    assert "93.33%" in html
    assert 'data-limit="max_order_notional"' in html
    assert "per order" in html
    assert "GME" in html  # restricted symbols
    assert 'data-limit="max_position_quantity"' in html  # the strategy's
    assert 'data-limit="max_net_exposure"' in html  # the desk's, over its limit
    assert "level-over" in html


def test_the_account_page_shows_the_book_orders_decisions_greeks_stress_chart_and_audit(
    logged_in, manager, firm
):
    html = logged_in(manager).get("/accounts/ACC-1/").content.decode()

    assert 'id="reservations-table"' in html
    assert ">sell<" in html
    assert "restricted_instrument" in html  # the rejected GME order's violation
    assert "AAPL" in html
    assert "300,000.00" in html
    assert "deltas of different underlyings do not add up" in html
    assert "200,000.00" in html
    assert "equity_crash_1987" in html
    assert "-60,000.00 USD" in html
    assert '<polyline class="var"' in html
    assert 'class="limit"' in html
    assert "max_var 50,000 USD" in html
    assert html.count('class="exception"') == 1
    assert 'id="audit-table"' in html
    assert "max_gross_exposure" in html
    assert "cdn" not in html.lower()
    assert "<style" not in html
    assert "style=" not in html
    assert "<script>" not in html
    assert "onclick" not in html


def test_the_risk_manager_sees_the_kill_switch_and_edit_links_a_viewer_and_a_trader_do_not(
    logged_in, client, manager, desk_viewer, desk_trader, firm
):
    page = logged_in(manager).get("/accounts/ACC-1/").content.decode()
    assert 'id="kill-switch"' in page
    assert "Edit limits" in page
    assert "Acknowledge" in page

    for user in (desk_viewer, desk_trader):
        client.post("/logout/")
        page = logged_in(user).get("/accounts/ACC-1/").content.decode()
        assert 'id="kill-switch"' not in page
        assert "Edit limits" not in page
        assert "Acknowledge" not in page


def test_an_account_or_desk_the_user_may_not_see_is_a_404(logged_in, desk_viewer, firm):
    client = logged_in(desk_viewer)

    assert client.get("/accounts/ACC-2/").status_code == 404
    assert client.get("/accounts/NOPE/").status_code == 404
    assert client.get("/desks/DESK-1/").status_code == 404
    assert client.get("/accounts/ACC-2/reports.csv").status_code == 404


def test_the_desk_page_rolls_up_its_accounts(logged_in, manager, firm):
    html = logged_in(manager).get("/desks/DESK-1/").content.decode()

    assert 'data-scope="group:DESK-1"' in html
    assert 'data-code="ACC-1"' in html
    assert 'data-code="ACC-2"' in html
    assert "ACC-EU" not in html
    assert 'id="kill-switch"' in html


def test_a_manager_of_part_of_a_desk_sees_it_but_not_its_switch(logged_in, half_desk_manager, firm):
    html = logged_in(half_desk_manager).get("/desks/DESK-1/").content.decode()

    assert 'data-scope="group:DESK-1"' in html
    assert 'id="kill-switch"' not in html
    assert 'data-code="ACC-2"' not in html


def test_the_report_history_exports_as_csv(logged_in, desk_viewer, firm):
    response = logged_in(desk_viewer).get("/accounts/ACC-1/reports.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "ACC-1-risk-reports.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6
    assert rows[0]["as_of"] < rows[-1]["as_of"]
    assert rows[-1]["var_99"] == "40000.00"
    assert rows[-1]["account"] == "ACC-1"


def test_the_api_root_lists_the_resources(client):
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["accounts"] == "http://testserver/api/v1/accounts/"
    assert response.json()["checks"].endswith("/api/v1/checks/")
