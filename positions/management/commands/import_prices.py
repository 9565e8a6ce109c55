"""`manage.py import_prices FILE.csv`: daily closes (symbol,date,close) into the price history.

Every row is checked before anything is written; if any row is bad, the command lists each bad row
with its line number and imports nothing. Otherwise all rows are upserted in one transaction.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from positions.models import Instrument
from positions.services.reference import CloseIn, price_history_upsert

COLUMNS = ("symbol", "date", "close")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_DIGITS = 28
MAX_PLACES = 10
CHUNK = 2000
SHOWN_ERRORS = 100


@dataclass(frozen=True)
class Row:
    line: int
    symbol: str
    day: date
    close: Decimal


class BadFile(Exception):
    """The file as a whole cannot be read (missing, wrong header, not CSV)."""


def parse_close(text: str) -> Decimal:
    """A positive decimal that fits the database (28 digits, 10 decimal places); ValueError otherwise."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number ({text!r})") from None
    if not value.is_finite():
        raise ValueError(f"not a number ({text!r})")
    if value <= 0:
        raise ValueError(f"must be greater than 0 ({text!r})")
    exponent = int(value.as_tuple().exponent)
    if -exponent > MAX_PLACES:
        raise ValueError(f"more than {MAX_PLACES} decimal places ({text!r})")
    # adjusted() is the power of ten of the leading digit: 1e30 has 31 digits before the point.
    if value.adjusted() + 1 > MAX_DIGITS - MAX_PLACES:
        raise ValueError(f"too large ({text!r})")
    return value


def parse_date(text: str, latest: date) -> date:
    if not DATE_PATTERN.match(text):
        raise ValueError(f"use YYYY-MM-DD ({text!r})")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"no such date ({text!r})") from None
    if day > latest:
        raise ValueError(f"in the future ({text!r})")
    return day


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str] | None, list[str]]]:
    """(line number, row by column, problems with the row's shape) for every non-blank data line."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise BadFile(f"Cannot open {path}: {exc.strerror or exc}.") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise BadFile(
                f"{path} is empty: the first line must be the header {','.join(COLUMNS)}."
            ) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BadFile(f"{path} is not a readable UTF-8 CSV file ({exc}).") from None
        names = [name.strip().lower() for name in header]
        if sorted(names) != sorted(COLUMNS):
            raise BadFile(
                f"Line 1: the header must name the columns {','.join(COLUMNS)} (found {','.join(header)})."
            )
        try:
            for fields in reader:
                if not any(field.strip() for field in fields):
                    continue
                if len(fields) != len(names):
                    yield reader.line_num, None, [f"expected {len(names)} fields, found {len(fields)}"]
                    continue
                yield reader.line_num, {n: f.strip() for n, f in zip(names, fields, strict=True)}, []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BadFile(f"Line {reader.line_num}: not readable as UTF-8 CSV ({exc}).") from None


def validate(path: Path) -> tuple[list[Row], list[str], dict[str, Instrument]]:
    """All rows parsed, or the list of problems as "line N: ..." (both may be partly filled)."""
    raw = list(read_rows(path))
    symbols = {fields["symbol"] for _, fields, _ in raw if fields}
    instruments = {i.symbol: i for i in Instrument.objects.filter(symbol__in=symbols)}
    latest = timezone.now().date() + timedelta(days=1)
    rows: list[Row] = []
    problems: list[str] = []
    first_line: dict[tuple[str, date], int] = {}
    for line, fields, shape_problems in raw:
        if fields is None:
            problems += [f"line {line}: {p}" for p in shape_problems]
            continue
        row_problems: list[str] = []
        symbol = fields["symbol"]
        if not symbol:
            row_problems.append("symbol: missing")
        elif symbol not in instruments:
            row_problems.append(f"symbol: unknown instrument {symbol!r}")
        day: date | None = None
        try:
            day = parse_date(fields["date"], latest)
        except ValueError as exc:
            row_problems.append(f"date: {exc}")
        close: Decimal | None = None
        try:
            close = parse_close(fields["close"])
        except ValueError as exc:
            row_problems.append(f"close: {exc}")
        if day is not None and symbol:
            key = (symbol, day)
            if key in first_line:
                row_problems.append(f"duplicate of line {first_line[key]} ({symbol} {day})")
            else:
                first_line[key] = line
        if row_problems:
            problems += [f"line {line}: {p}" for p in row_problems]
        elif day is not None and close is not None:
            rows.append(Row(line, symbol, day, close))
    return rows, problems, instruments


class Command(BaseCommand):
    help = "Import daily closes from a CSV file with the header symbol,date,close (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file: symbol,date,close with dates as YYYY-MM-DD.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            rows, problems, instruments = validate(path)
        except BadFile as exc:
            raise CommandError(f"{exc} Nothing imported.") from None
        if problems:
            bad_lines = len({p.split(":", 1)[0] for p in problems})
            for problem in problems[:SHOWN_ERRORS]:
                self.stderr.write(problem)
            if len(problems) > SHOWN_ERRORS:
                self.stderr.write(f"... and {len(problems) - SHOWN_ERRORS} more problems")
            raise CommandError(f"{bad_lines} bad row(s) in {path}; nothing imported.")
        if not rows:
            raise CommandError(f"{path} has a header but no rows; nothing imported.")
        if options["dry_run"]:
            self.stdout.write(f"{len(rows)} rows are valid (dry run: nothing written).")
            return

        inserted = updated = 0
        with transaction.atomic(), tqdm(total=len(rows), unit="row", desc="import", disable=None) as bar:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                result = price_history_upsert(
                    closes=[
                        CloseIn(instrument=instruments[r.symbol], date=r.day, close=r.close) for r in chunk
                    ]
                )
                inserted += result.created
                updated += result.updated
                bar.update(len(chunk))
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(rows)} closes for {len({r.symbol for r in rows})} instruments: "
                f"{inserted} inserted, {updated} updated."
            )
        )
