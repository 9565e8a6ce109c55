"""Instrument reference data for the hot path: a per-process table, revalidated across processes.

Instruments change rarely (created and edited through services that call `.save()`), so each process
keeps the whole table in memory. A generation token in the shared state (limits/shared_state) is
replaced on every change (post_save/post_delete, see receivers.py); a process re-reads the token at
most once per `REVALIDATE_SECONDS` and reloads the table when it moved. A symbol missing from the
table is looked up in the database before it is called unknown, so a new instrument is usable at once.

Marks and FX rates are not cached here: they move all day and are written in bulk without signals, so
the snapshot reads them fresh in the same statement as positions (see snapshot.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db import connection, transaction

from limits.engine.snapshot import InstrumentRef
from limits.engine.types import AssetClass, OptionType
from limits.shared_state import shared_state

INSTRUMENTS_GENERATION = "instruments"
REVALIDATE_SECONDS = 1.0

_SELECT = (
    "SELECT i.id, i.symbol, i.asset_class, i.currency, i.multiplier, i.margin_rate, u.symbol, "
    "i.option_type, i.strike, i.expiry FROM positions_instrument i "
    "LEFT JOIN positions_instrument u ON u.id = i.underlying_id"
)


def dec(value: Any) -> Decimal:
    """A database number as Decimal (PostgreSQL gives Decimal; SQLite gives int/float/str)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)) if value is not None else Decimal(0)


def _date(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    from datetime import date

    return date.fromisoformat(value[:10])


@dataclass
class InstrumentTable:
    by_symbol: dict[str, InstrumentRef] = field(default_factory=dict)
    symbol_by_id: dict[int, str] = field(default_factory=dict)
    version: str | None = None
    checked_at: float = 0.0


def _ref(row: tuple[Any, ...]) -> InstrumentRef:
    _id, symbol, asset_class, currency, multiplier, margin_rate, underlying, option_type, strike, expiry = row
    return InstrumentRef(
        symbol=symbol,
        asset_class=cast(AssetClass, asset_class),
        currency=currency,
        multiplier=dec(multiplier),
        margin_rate=dec(margin_rate),
        underlying=underlying,
        option_type=cast(OptionType, option_type) if option_type else None,
        strike=dec(strike) if strike is not None else None,
        expiry=_date(expiry),
    )


class InstrumentCache:
    """The per-process instrument table. Thread-safe enough: a reload swaps one reference."""

    def __init__(self) -> None:
        self._table = InstrumentTable()
        self._lock = threading.Lock()

    def _load(self, version: str | None) -> InstrumentTable:
        table = InstrumentTable(version=version, checked_at=time.monotonic())
        with connection.cursor() as cursor:
            cursor.execute(_SELECT)
            for row in cursor.fetchall():
                table.by_symbol[row[1]] = _ref(row)
                table.symbol_by_id[int(row[0])] = row[1]
        return table

    def table(self) -> InstrumentTable:
        """The current table, revalidated against the shared version when it is older than a second."""
        table = self._table
        now = time.monotonic()
        if table.version is not None and now - table.checked_at < REVALIDATE_SECONDS:
            return table
        with self._lock:
            table = self._table
            if table.version is not None and time.monotonic() - table.checked_at < REVALIDATE_SECONDS:
                return table
            version = current_version()
            if table.version == version:
                table.checked_at = time.monotonic()
                return table
            self._table = self._load(version)
            return self._table

    def resolve(self, symbols: Iterable[str]) -> InstrumentTable:
        """The table, reloaded once if any of `symbols` is unknown to it (a just-created instrument)."""
        table = self.table()
        if all(s in table.by_symbol for s in symbols):
            return table
        return self.reload()

    def reload(self) -> InstrumentTable:
        with self._lock:
            self._table = self._load(current_version())
            return self._table

    def clear(self) -> None:
        self._table = InstrumentTable()


def current_version() -> str:
    """The instrument table's current generation token, shared by every process."""
    return shared_state().tokens([INSTRUMENTS_GENERATION])[0]


def bump_version() -> None:
    """Called when an instrument changes: every process reloads within REVALIDATE_SECONDS of the
    commit (this one at once)."""
    shared_state().replace_token(INSTRUMENTS_GENERATION)
    transaction.on_commit(instruments.clear)


instruments = InstrumentCache()


class PreviousCloses:
    """The latest daily close before a trading date, per instrument id, for daily P&L.

    Closes of past days do not move during the day, so each process loads them once per trading date
    (one indexed probe per instrument) and reloads after `MAX_AGE_SECONDS` to pick up corrections of
    history (written in bulk, without signals). The hot path then needs no price-history query.
    """

    MAX_AGE_SECONDS = 300.0
    _SQL = (
        "SELECT i.id, (SELECT h.close FROM positions_pricehistory h WHERE h.instrument_id = i.id "
        "AND h.date < %s ORDER BY h.date DESC LIMIT 1) FROM positions_instrument i"
    )

    def __init__(self) -> None:
        self._date: Any = None
        self._loaded_at = 0.0
        self._closes: dict[int, Decimal] = {}
        self._lock = threading.Lock()

    def for_date(self, trading_date: Any) -> dict[int, Decimal]:
        if self._date == trading_date and time.monotonic() - self._loaded_at < self.MAX_AGE_SECONDS:
            return self._closes
        with self._lock:
            with connection.cursor() as cursor:
                cursor.execute(self._SQL, [connection.ops.adapt_datefield_value(trading_date)])
                closes = {int(iid): dec(close) for iid, close in cursor.fetchall() if close is not None}
            self._closes, self._date, self._loaded_at = closes, trading_date, time.monotonic()
            return closes

    def clear(self) -> None:
        self._date = None


previous_closes = PreviousCloses()
