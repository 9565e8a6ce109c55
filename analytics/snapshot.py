"""Risk snapshots: what the database says about accounts, as the float64 arrays the core works on.

`load_books(account_ids, as_of=..., lookback_days=...)` reads every table once for all the accounts
(positions, instruments, marks, risk-free rates, FX, the distinct history dates and the price
history itself, each a single `values_list` query) and returns one `Book` per base currency: a
`Universe` of the instruments the accounts hold, the quantity matrix [accounts x instruments] and
the daily simple returns [days x factors] of the factors that drive them (linear instruments
themselves, options' underlyings).

Conventions:
- Quantities are summed over an account's strategies (risk is per account).
- Spot: the latest mark when `as_of` is the current trading date or later; for an earlier `as_of`
  (a backfilled report) the latest close at or before `as_of`. Implied vols, rates, FX and the
  positions themselves are always the current ones: a backfill revalues today's book at past prices.
- Option terms: time to expiry = (expiry - as_of) days / 365; BSM on the underlying's spot, or
  Black-76 when the underlying is a future; the rate is the instrument currency's risk-free rate
  (0 when none is stored, which only affects option prices, never sums).
- History: the date grid is the union of the dates any needed factor has a close on, ending at
  `as_of`, the last `lookback_days + 1` of them. A factor with no close on a grid date after its
  first close is carried forward (a holiday: a zero return); dates before its first close are
  missing. `lookback_days` returns are needed; a factor with fewer is reported with the number of
  days it lacks.
- Problems are per account: an account holding an instrument without a mark, an option without an
  implied vol, a currency without an FX path to its base currency or a factor with too little
  history gets a `RiskDataError` in `Book.errors` and a zero row; the other accounts are unaffected.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import numpy as np
from django.core.cache import cache
from django.db.models import Count, FloatField, Max, Sum
from django.db.models.functions import Cast

from analytics.errors import RiskDataError, missing_fx, missing_prices
from analytics.riskmath._types import FloatArray
from analytics.riskmath.errors import InsufficientHistoryError, MissingImpliedVolError
from analytics.riskmath.history import simple_returns
from analytics.riskmath.universe import InstrumentSpec, Universe, build_universe
from positions.clock import current_trading_date
from positions.ledger.errors import MissingFxRate
from positions.ledger.fx import FxTable
from positions.models import Instrument, Position, Price, PriceHistory, RiskFreeRate
from positions.selectors import load_fx_table

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class Book:
    """Accounts of one base currency on one universe. Row i of `quantities` is `account_ids[i]`.

    `returns` [days x k] are the last `lookback_days` daily returns of the universe's factors, with
    missing values already replaced by 0 (only accounts without errors are meant to be computed);
    `return_dates` are the days those returns end on. `margin_rates` [m] per instrument.
    """

    as_of: date
    base_currency: str
    lookback_days: int | None
    account_ids: tuple[int, ...]
    universe: Universe
    quantities: FloatArray
    returns: FloatArray
    return_dates: tuple[date, ...]
    margin_rates: FloatArray
    errors: dict[int, RiskDataError] = field(default_factory=dict)

    @property
    def ok_rows(self) -> list[int]:
        """Rows of the accounts that can be computed."""
        return [i for i, a in enumerate(self.account_ids) if a not in self.errors]

    def row(self, account_id: int) -> int:
        return self.account_ids.index(account_id)


@dataclass
class _Instr:
    id: int
    symbol: str
    asset_class: str
    currency: str
    multiplier: float
    margin_rate: float
    underlying_id: int | None
    option_type: str
    strike: float | None
    expiry: date | None
    dividend_yield: float


def _load_instruments(ids: Iterable[int]) -> dict[int, _Instr]:
    rows = Instrument.objects.filter(id__in=list(ids)).values_list(
        "id",
        "symbol",
        "asset_class",
        "currency",
        "multiplier",
        "margin_rate",
        "underlying_id",
        "option_type",
        "strike",
        "expiry",
        "dividend_yield",
    )
    return {
        r[0]: _Instr(
            r[0],
            r[1],
            r[2],
            r[3],
            float(r[4]),
            float(r[5]),
            r[6],
            r[7],
            None if r[8] is None else float(r[8]),
            r[9],
            float(r[10]),
        )
        for r in rows
    }


def _history_start(factor_ids: list[int], as_of: date, lookback_days: int) -> date | None:
    """The first date of the grid: the (lookback+1)-th most recent date any factor has a close on."""
    dates = (
        PriceHistory.objects.filter(instrument_id__in=factor_ids, date__lte=as_of)
        .values_list("date", flat=True)
        .distinct()
        .order_by("-date")[lookback_days : lookback_days + 1]
    )
    found = list(dates)
    return found[0] if found else None


@dataclass(frozen=True)
class _History:
    dates: tuple[date, ...]  # the grid, oldest first
    closes: FloatArray  # [dates x factors], carried forward, NaN before the first close


HISTORY_CACHE_SECONDS = 6 * 3600


def _history_signature(factor_ids: list[int], as_of: date) -> tuple[int, str, str]:
    """(rows, latest date, sum of closes) of the factors' history up to `as_of`: any insert, delete or
    changed close changes it, so a cached matrix with the same signature is still the stored data."""
    agg = PriceHistory.objects.filter(instrument_id__in=factor_ids, date__lte=as_of).aggregate(
        n=Count("id"), last=Max("date"), total=Sum("close")
    )
    return int(agg["n"]), str(agg["last"]), str(agg["total"])


def _load_history(factor_ids: list[int], as_of: date, lookback_days: int) -> _History:
    """The factors' closes over the lookback, from the cache when the stored history is unchanged.

    Reading and shaping ~25k closes costs ~70 ms; the signature query ~5 ms. The cache is Django's
    (Redis in production, shared by every process), keyed by the factor set, date and lookback.
    """
    if not factor_ids:
        return _History((), np.zeros((0, 0)))
    signature = _history_signature(factor_ids, as_of)
    digest = hashlib.sha1(f"{factor_ids}|{as_of}|{lookback_days}".encode(), usedforsecurity=False).hexdigest()
    key = f"analytics:history:{digest}"
    cached = cache.get(key)
    if cached is not None and cached[0] == signature:
        return cast(_History, cached[1])
    history = _read_history(factor_ids, as_of, lookback_days)
    cache.set(key, (signature, history), HISTORY_CACHE_SECONDS)
    return history


def _read_history(factor_ids: list[int], as_of: date, lookback_days: int) -> _History:
    start = _history_start(factor_ids, as_of, lookback_days)
    qs = PriceHistory.objects.filter(instrument_id__in=factor_ids, date__lte=as_of)
    if start is not None:
        qs = qs.filter(date__gte=start)
    # The cast happens in SQL: a float from the driver is much cheaper than a Decimal per row.
    rows = list(qs.annotate(c=Cast("close", FloatField())).values_list("instrument_id", "date", "c"))
    if not rows:
        return _History((), np.zeros((0, len(factor_ids))))
    grid = sorted({r[1] for r in rows})
    date_pos = {d: i for i, d in enumerate(grid)}
    col_pos = {fid: j for j, fid in enumerate(factor_ids)}
    closes = np.full((len(grid), len(factor_ids)), np.nan)
    ii = np.fromiter((date_pos[r[1]] for r in rows), dtype=np.intp, count=len(rows))
    jj = np.fromiter((col_pos[r[0]] for r in rows), dtype=np.intp, count=len(rows))
    vv = np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows))
    closes[ii, jj] = vv
    closes[~(closes > 0.0)] = np.nan
    return _History(tuple(grid), _carry_forward(closes))


def _carry_forward(closes: FloatArray) -> FloatArray:
    """Fill each column's gaps after its first close with the previous close."""
    if closes.size == 0:
        return closes
    valid = np.isfinite(closes)
    idx = np.where(valid, np.arange(closes.shape[0])[:, None], 0)
    np.maximum.accumulate(idx, axis=0, out=idx)
    filled = np.take_along_axis(closes, idx, axis=0)
    # Rows before a column's first close point at row 0, which is NaN unless it is that first close.
    return np.asarray(filled, dtype=np.float64)


@dataclass
class _Holdings:
    """Per base currency: account ids in order and their {instrument_id: quantity}."""

    account_ids: list[int] = field(default_factory=list)
    quantities: list[dict[int, float]] = field(default_factory=list)


def _load_holdings(accounts: Sequence[tuple[int, str]]) -> dict[str, _Holdings]:
    by_ccy: dict[str, _Holdings] = defaultdict(_Holdings)
    index: dict[int, tuple[str, int]] = {}
    for account_id, ccy in accounts:
        h = by_ccy[ccy]
        index[account_id] = (ccy, len(h.account_ids))
        h.account_ids.append(account_id)
        h.quantities.append({})
    rows = (
        Position.objects.filter(account_id__in=list(index))
        .exclude(quantity=0)
        .values_list("account_id", "instrument_id", "quantity")
    )
    for account_id, instrument_id, quantity in rows:
        ccy, i = index[account_id]
        held = by_ccy[ccy].quantities[i]
        held[instrument_id] = held.get(instrument_id, 0.0) + float(quantity)
    return by_ccy


def load_books(
    accounts: Sequence[tuple[int, str]],
    *,
    as_of: date | None = None,
    lookback_days: int | None,
    fx: FxTable | None = None,
) -> list[Book]:
    """Books for `accounts` given as (account id, base currency) pairs; see the module docstring.

    `lookback_days=None` skips the price history (Greeks and stress need only today's marks).
    """
    if lookback_days is not None and lookback_days < 2:
        raise ValueError("lookback_days must be at least 2")
    day = as_of or current_trading_date()
    use_marks = day >= current_trading_date()
    holdings = _load_holdings(accounts)
    held_ids = {iid for h in holdings.values() for q in h.quantities for iid, v in q.items() if v != 0.0}
    instruments = _load_instruments(held_ids)
    missing_underlyings = {
        i.underlying_id
        for i in instruments.values()
        if i.underlying_id and i.underlying_id not in instruments
    }
    instruments.update(_load_instruments(missing_underlyings))
    factor_ids = sorted(
        {
            i.underlying_id if i.asset_class == "option" and i.underlying_id else i.id
            for i in instruments.values()
            if i.id in held_ids
        }
    )
    marks: dict[int, tuple[float, float | None]] = {
        iid: (float(p), None if v is None else float(v))
        for iid, p, v in Price.objects.filter(instrument_id__in=list(instruments)).values_list(
            "instrument_id", "price", "implied_vol"
        )
    }
    rates = {c: float(r) for c, r in RiskFreeRate.objects.values_list("currency", "rate")}
    fx_table = fx if fx is not None else load_fx_table()
    history = (
        _load_history(factor_ids, day, lookback_days) if lookback_days else _History((), np.zeros((0, 0)))
    )
    spot: dict[int, float] = {}
    if use_marks or lookback_days is None:
        spot = {iid: m[0] for iid, m in marks.items()}
    elif history.closes.size:
        last = history.closes[-1]
        spot = {fid: float(last[j]) for j, fid in enumerate(factor_ids) if np.isfinite(last[j])}
    return [
        _build_book(
            day, ccy, h, instruments, marks, spot, rates, fx_table, history, factor_ids, lookback_days
        )
        for ccy, h in holdings.items()
    ]


def _fx_to(fx: FxTable, currency: str, base: str) -> float | None:
    try:
        return float(fx.rate(currency, base))
    except MissingFxRate:
        return None


def _build_book(
    day: date,
    base: str,
    holdings: _Holdings,
    instruments: dict[int, _Instr],
    marks: dict[int, tuple[float, float | None]],
    spot: dict[int, float],
    rates: dict[str, float],
    fx: FxTable,
    history: _History,
    factor_ids: list[int],
    lookback_days: int | None,
) -> Book:
    held = sorted(
        {iid for q in holdings.quantities for iid, v in q.items() if v != 0.0},
        key=lambda iid: instruments[iid].symbol,
    )
    # Per instrument: the problem that keeps it out of the universe, if any.
    problems: dict[int, tuple[str, str]] = {}
    specs: list[InstrumentSpec] = []
    kept: list[int] = []
    fx_cache: dict[str, float | None] = {}
    for iid in held:
        ins = instruments[iid]
        is_option = ins.asset_class == "option"
        driver = ins.underlying_id if is_option else iid
        driver_symbol = instruments[driver].symbol if driver in instruments else ins.symbol
        if ins.currency not in fx_cache:
            fx_cache[ins.currency] = _fx_to(fx, ins.currency, base)
        rate_to_base = fx_cache[ins.currency]
        vol = marks.get(iid, (0.0, None))[1]
        if driver not in spot:
            problems[iid] = ("missing_price", driver_symbol)
            continue
        if rate_to_base is None:
            problems[iid] = ("missing_fx_rate", ins.currency)
            continue
        if is_option and vol is None:
            problems[iid] = ("missing_implied_vol", ins.symbol)
            continue
        underlying = instruments.get(ins.underlying_id) if ins.underlying_id else None
        specs.append(
            InstrumentSpec(
                symbol=ins.symbol,
                asset_class=ins.asset_class,
                currency=ins.currency,
                spot=spot[driver],
                multiplier=ins.multiplier,
                fx_to_base=rate_to_base,
                underlying=underlying.symbol if (is_option and underlying) else None,
                option_type=ins.option_type or None,
                strike=ins.strike,
                expiry_years=((ins.expiry - day).days / DAYS_PER_YEAR)
                if (is_option and ins.expiry)
                else None,
                implied_vol=vol,
                rate=rates.get(ins.currency, 0.0),
                dividend_yield=ins.dividend_yield,
                future_option=bool(is_option and underlying and underlying.asset_class == "future"),
            )
        )
        kept.append(iid)
    universe = build_universe(specs)
    col = {iid: j for j, iid in enumerate(kept)}
    q = np.zeros((len(holdings.account_ids), len(kept)))
    errors: dict[int, RiskDataError] = {}
    for i, (account_id, held_q) in enumerate(zip(holdings.account_ids, holdings.quantities, strict=True)):
        bad = [problems[iid] for iid, v in held_q.items() if v != 0.0 and iid in problems]
        if bad:
            errors[account_id] = _problem_error(bad, base)
            continue
        for iid, v in held_q.items():
            if v != 0.0:
                q[i, col[iid]] = v
    returns, dates, missing = _factor_returns(universe, history, factor_ids, instruments, lookback_days or 0)
    if universe.n_factors and lookback_days:
        exposed = (q != 0.0) @ _factor_incidence(universe) > 0  # [P x k]
        for i, account_id in enumerate(holdings.account_ids):
            if account_id in errors:
                continue
            short = {
                universe.factor_symbols[j]: int(missing[j])
                for j in np.flatnonzero(exposed[i] & (missing > 0))
            }
            if short:
                errors[account_id] = RiskDataError.from_exception(
                    InsufficientHistoryError(short, lookback_days)
                )
    for account_id in errors:
        q[holdings.account_ids.index(account_id)] = 0.0
    return Book(
        as_of=day,
        base_currency=base,
        lookback_days=lookback_days,
        account_ids=tuple(holdings.account_ids),
        universe=universe,
        quantities=q,
        returns=returns,
        return_dates=dates,
        margin_rates=np.array([instruments[iid].margin_rate for iid in kept], dtype=np.float64),
        errors=errors,
    )


def _factor_incidence(u: Universe) -> FloatArray:
    """[m x k] 1 where instrument i is driven by factor j."""
    out = np.zeros((u.size, u.n_factors))
    out[np.arange(u.size), u.factor_index] = 1.0
    return out


def _factor_returns(
    u: Universe,
    history: _History,
    factor_ids: list[int],
    instruments: dict[int, _Instr],
    lookback_days: int,
) -> tuple[FloatArray, tuple[date, ...], Any]:
    """(returns [lookback x k] with gaps as 0, their dates, days missing per factor [k])."""
    symbol_col = {instruments[fid].symbol: j for j, fid in enumerate(factor_ids)}
    cols = [symbol_col[s] for s in u.factor_symbols]
    closes = history.closes[:, cols] if history.closes.shape[0] else np.zeros((0, len(cols)))
    returns, missing = _returns_and_gaps(closes, lookback_days)
    dates = history.dates[1:][-lookback_days:] if returns.shape[0] else ()
    return returns, tuple(dates), missing


def _returns_and_gaps(closes: FloatArray, lookback_days: int) -> tuple[FloatArray, Any]:
    """(the last `lookback_days` daily simple returns of each column, gaps as 0; the days each
    column lacks): the one way books and the day's risk model turn closes into returns."""
    k = closes.shape[1] if closes.ndim == 2 else 0
    r = simple_returns(closes)[-lookback_days:] if closes.shape[0] >= 2 and k else np.zeros((0, k))
    missing = (lookback_days - r.shape[0]) + np.count_nonzero(~np.isfinite(r), axis=0)
    return np.where(np.isfinite(r), r, 0.0), missing


def factor_returns(factor_ids: list[int], as_of: date, lookback_days: int) -> tuple[FloatArray, Any]:
    """Daily simple returns [lookback x k] of `factor_ids` (columns in that order) over their date
    grid ending `as_of`, and per factor the days it lacks (0 = a complete window), as books
    compute them."""
    return _returns_and_gaps(_load_history(factor_ids, as_of, lookback_days).closes, lookback_days)


_PROBLEM_ORDER = ("missing_price", "missing_fx_rate", "missing_implied_vol")


def _problem_error(bad: list[tuple[str, str]], base: str) -> RiskDataError:
    """One error for an account: the first kind of problem in a fixed order, naming every item."""
    for kind in _PROBLEM_ORDER:
        names = sorted({name for k, name in bad if k == kind})
        if not names:
            continue
        if kind == "missing_price":
            return missing_prices(names)
        if kind == "missing_fx_rate":
            return missing_fx(names, base)
        return RiskDataError.from_exception(MissingImpliedVolError(names))
    raise AssertionError("no problem to report")


def account_book(
    *,
    account_id: int,
    base_currency: str,
    as_of: date | None = None,
    lookback_days: int | None,
    fx: FxTable | None = None,
) -> Book:
    """The book of one account; raises its RiskDataError if it has one."""
    (book,) = load_books([(account_id, base_currency)], as_of=as_of, lookback_days=lookback_days, fx=fx)
    error = book.errors.get(account_id)
    if error is not None:
        raise error
    return book
