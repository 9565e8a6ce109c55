from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from positions.models import PriceHistory
from tests.factories import InstrumentFactory, PriceHistoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instruments(db):
    return InstrumentFactory(symbol="AAPL"), InstrumentFactory(symbol="SAP.DE", currency="EUR")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "closes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_prices", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_and_upserts_closes(tmp_path, instruments) -> None:
    aapl, sap = instruments
    PriceHistoryFactory(instrument=aapl, date=date(2026, 1, 5), close=Decimal("100"))
    path = write(
        tmp_path,
        "symbol,date,close\nAAPL,2026-01-05,101.25\nAAPL,2026-01-06,102\nSAP.DE,2026-01-05,120.5\n",
    )

    out, _ = run(path)

    assert "3 closes for 2 instruments: 2 inserted, 1 updated" in out
    assert dict(PriceHistory.objects.filter(instrument=aapl).values_list("date", "close")) == {
        date(2026, 1, 5): Decimal("101.25"),
        date(2026, 1, 6): Decimal("102"),
    }
    assert PriceHistory.objects.get(instrument=sap).close == Decimal("120.5")


def test_the_header_may_come_in_any_order_with_a_bom_and_blank_lines(tmp_path, instruments) -> None:
    path = write(tmp_path, "\ufeffClose,Symbol,Date\n101,AAPL,2026-01-05\n\n102,AAPL,2026-01-06\n")

    run(path)

    assert PriceHistory.objects.count() == 2


def test_importing_the_same_file_twice_only_updates(tmp_path, instruments) -> None:
    path = write(tmp_path, "symbol,date,close\nAAPL,2026-01-05,101\n")

    run(path)
    out, _ = run(path)

    assert "0 inserted, 1 updated" in out
    assert PriceHistory.objects.count() == 1


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path, instruments) -> None:
    future = (timezone.now().date() + timedelta(days=10)).isoformat()
    path = write(
        tmp_path,
        "symbol,date,close\n"
        "AAPL,2026-01-05,101\n"  # line 2: fine
        "NOPE,2026-01-05,101\n"  # 3: unknown symbol
        "AAPL,05/01/2026,101\n"  # 4: bad date
        "AAPL,2026-02-30,101\n"  # 5: no such date
        "AAPL,2026-01-07,0\n"  # 6: zero
        "AAPL,2026-01-08,-3\n"  # 7: negative
        "AAPL,2026-01-09,abc\n"  # 8: not a number
        "AAPL,2026-01-05,102\n"  # 9: duplicate of line 2
        f"AAPL,{future},101\n"  # 10: future
        "AAPL,2026-01-12,1.00000000001\n"  # 11: too many places
        "AAPL,2026-01-13,1e30\n"  # 12: too large
        "AAPL,2026-01-14\n",  # 13: missing field
    )

    with pytest.raises(CommandError, match="11 bad row"):
        run(path)

    assert not PriceHistory.objects.exists()


def test_the_report_names_each_problem(tmp_path, instruments, capsys) -> None:
    path = write(tmp_path, "symbol,date,close\nAAPL,2026-01-05,101\nNOPE,2026-01-05,1\nAAPL,2026-01-05,-1\n")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_prices", str(path), stdout=StringIO(), stderr=err)

    report = err.getvalue()
    assert "line 3: symbol: unknown instrument 'NOPE'" in report
    assert "line 4: close: must be greater than 0" in report
    assert "line 4: duplicate of line 2" in report


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("AAPL,2026-01-05,101\n", "header"),
        ("symbol,date\nAAPL,2026-01-05\n", "header"),
        ("symbol,date,close,volume\nAAPL,2026-01-05,1,2\n", "header"),
        ("symbol,date,close\n", "no rows"),
    ],
)
def test_a_file_without_the_right_header_or_rows_is_refused(tmp_path, instruments, text, message) -> None:
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, text))
    assert not PriceHistory.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(CommandError, match="Cannot open"):
        run(tmp_path / "missing.csv")


def test_a_dry_run_checks_without_writing(tmp_path, instruments) -> None:
    out, _ = run(write(tmp_path, "symbol,date,close\nAAPL,2026-01-05,101\n"), "--dry-run")

    assert "1 rows are valid" in out
    assert not PriceHistory.objects.exists()


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1" * 18, True),
        ("1" * 19, False),
        ("0.0000000001", True),
        ("0.00000000001", False),
        ("1e-5", True),
        ("1e18", False),
        ("Infinity", False),
        ("NaN", False),
    ],
)
def test_closes_must_fit_the_database(text, ok) -> None:
    from positions.management.commands.import_prices import parse_close

    if ok:
        assert parse_close(text) == Decimal(text)
    else:
        with pytest.raises(ValueError, match=r"too large|decimal places|not a number"):
            parse_close(text)
