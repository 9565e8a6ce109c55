"""Lock the scopes of a check and read everything the engine needs, in one round trip on PostgreSQL.

Locking: the check serialises on the rows of its scopes, always in the same order: every group of
the account (by id), then the account. `FOR NO KEY UPDATE` conflicts with itself but not with the
key-share locks that inserting a fill or a decision takes on the account row, so fills are not
blocked by checks. The strategy row is read, not locked: a strategy's checks already hold its
account's lock, which covers every strategy of the account. On SQLite (the demo) a no-op UPDATE of
the account row takes the database write lock instead, which serialises checks just the same.

Reading: after the locks, one statement (so one consistent view under READ COMMITTED) returns the
positions, open reservations (ReservationTotal rows with expires_at > now) and cash of the account
and of every group's accounts (summed per group in SQL), the marks of every instrument involved, the
FX table and the 99% VaR of the account's latest risk report (for the advisory max_var warning).
The previous closes for daily P&L and the instruments come from per-process caches (refdata.py),
limits from limits_source.py. On PostgreSQL the lock statements, the idempotency
lookup and the read go in one execute (client-side binding allows several statements) and are read
back with nextset().
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import ProgrammingError, connection, transaction
from django.utils.dateparse import parse_datetime

from limits.checks.refdata import InstrumentTable, dec, instruments, previous_closes
from limits.checks.txn import CheckTransaction
from limits.engine.snapshot import Limits, Mark, ScopeState, Snapshot
from limits.engine.types import ZERO, ScopeKind, TradingState
from positions.ledger.errors import MissingFxRate
from positions.ledger.fx import FxTable
from positions.ledger.tradingday import day_start, parse_roll_time, trading_date


@dataclass(frozen=True, slots=True)
class ScopeRow:
    """A locked (or read) scope row: its database id, code, trading state and base currency."""

    kind: ScopeKind
    id: int
    code: str
    trading_state: TradingState
    base_currency: str


@dataclass
class Locked:
    """What the lock-and-read round trip returned."""

    account: ScopeRow
    groups: list[ScopeRow]
    strategies: dict[str, ScopeRow]
    replays: dict[str, int] = field(default_factory=dict)  # client_order_id -> CheckDecision id
    rows: list[tuple[Any, ...]] = field(default_factory=list)


class AccountGone(LookupError):
    """The account row vanished between authorisation and lock (deleted meanwhile)."""


_LOCK_GROUPS = (
    "SELECT g.id, g.code, g.trading_state, g.base_currency FROM accounts_accountgroup g "
    "WHERE g.id IN (SELECT accountgroup_id FROM accounts_accountgroup_accounts WHERE account_id = %(a)s) "
    "ORDER BY g.id{lock}"
)
_LOCK_ACCOUNT = "SELECT id, code, trading_state, base_currency FROM accounts_account WHERE id = %(a)s{lock}"
_STRATEGIES = (
    "SELECT id, code, trading_state FROM accounts_strategy WHERE account_id = %(a)s AND code IN ({codes})"
)
_REPLAYS = (
    "SELECT client_order_id, id FROM limits_checkdecision WHERE account_id = %(a)s "
    "AND client_order_id IN ({ids})"
)

# Columns: kind, scope id, strategy id, instrument id, text1, text2, n1..n6, timestamp.
_READ = """
WITH grp AS (
  SELECT accountgroup_id AS gid FROM accounts_accountgroup_accounts WHERE account_id = {a}
), mem AS (
  SELECT accountgroup_id AS gid, account_id AS aid FROM accounts_accountgroup_accounts
  WHERE accountgroup_id IN (SELECT gid FROM grp)
), acc AS (
  SELECT id AS aid FROM accounts_account WHERE id = {a} UNION SELECT aid FROM mem
), pos AS (
  SELECT p.account_id, p.strategy_id, p.instrument_id, p.quantity AS q, p.avg_price AS ap,
    p.realized_pnl AS r, p.fees AS f,
    CASE WHEN p.day_start_at >= {ds} THEN p.day_start_quantity ELSE p.quantity END AS dq,
    CASE WHEN p.day_start_at >= {ds} THEN p.day_start_avg_price ELSE p.avg_price END AS da,
    CASE WHEN p.day_start_at >= {ds} THEN p.day_start_realized_pnl ELSE p.realized_pnl END AS dr,
    CASE WHEN p.day_start_at >= {ds} THEN p.day_start_fees ELSE p.fees END AS df
  FROM positions_position p WHERE p.account_id IN (SELECT aid FROM acc)
), res AS (
  SELECT t.account_id, t.strategy_id, t.symbol, t.side, t.quantity AS oq
  FROM {totals} t
), ins AS (
  SELECT instrument_id AS iid FROM pos WHERE q <> 0 OR dq <> 0
  UNION SELECT i.id FROM positions_instrument i
  WHERE i.symbol IN (SELECT symbol FROM res) OR {symbols_cond}
), ins2 AS (
  SELECT iid FROM ins
  UNION SELECT i.underlying_id FROM positions_instrument i
  WHERE i.id IN (SELECT iid FROM ins) AND i.underlying_id IS NOT NULL
)
SELECT 'P', account_id, strategy_id, instrument_id, NULL, NULL, q, ap, r - dr, f - df, dq, da,
  CAST(NULL AS {ts_type})
  FROM pos WHERE account_id = {a}
UNION ALL
SELECT 'GP', m.gid, NULL, pos.instrument_id, NULL, NULL, SUM(q), SUM(q * ap), SUM(r - dr), SUM(f - df),
  SUM(dq), SUM(dq * da), NULL
  FROM pos JOIN mem m ON m.aid = pos.account_id GROUP BY m.gid, pos.instrument_id
UNION ALL
SELECT 'R', account_id, strategy_id, NULL, symbol, side, SUM(oq), NULL, NULL, NULL, NULL, NULL, NULL
  FROM res WHERE account_id = {a} GROUP BY account_id, strategy_id, symbol, side
UNION ALL
SELECT 'GR', m.gid, NULL, NULL, res.symbol, res.side, SUM(oq), NULL, NULL, NULL, NULL, NULL, NULL
  FROM res JOIN mem m ON m.aid = res.account_id GROUP BY m.gid, res.symbol, res.side
UNION ALL
SELECT 'C', account_id, NULL, NULL, currency, NULL, amount, NULL, NULL, NULL, NULL, NULL, NULL
  FROM positions_cashbalance WHERE account_id = {a}
UNION ALL
SELECT 'GC', m.gid, NULL, NULL, c.currency, NULL, SUM(c.amount), NULL, NULL, NULL, NULL, NULL, NULL
  FROM positions_cashbalance c JOIN mem m ON m.aid = c.account_id GROUP BY m.gid, c.currency
UNION ALL
SELECT 'M', NULL, NULL, pr.instrument_id, NULL, NULL, pr.price, NULL, NULL, NULL, NULL, NULL, {mark_ts}
  FROM positions_price pr WHERE pr.instrument_id IN (SELECT iid FROM ins2)
UNION ALL
SELECT 'X', NULL, NULL, NULL, base, quote, rate, NULL, NULL, NULL, NULL, NULL, NULL FROM positions_fxrate
UNION ALL
SELECT 'V', account_id, NULL, NULL, currency, NULL, CAST(var_99 AS NUMERIC), NULL, NULL, NULL, NULL, NULL,
  NULL FROM {reports} WHERE id = (
    SELECT id FROM {reports} WHERE account_id = {a} AND status = 'ok' AND var_99 IS NOT NULL
    ORDER BY as_of DESC LIMIT 1
  )
"""


def risk_day_start(now: datetime) -> datetime:
    """Start of the firm's risk day containing `now` (settings.TIME_ZONE + RISK_DAY_ROLL_TIME)."""
    return day_start(now, ZoneInfo(settings.TIME_ZONE), parse_roll_time(settings.RISK_DAY_ROLL_TIME))


def _in_list(prefix: str, values: Sequence[str], params: dict[str, Any]) -> str:
    names = []
    for index, value in enumerate(values):
        name = f"{prefix}{index}"
        params[name] = value
        names.append(f"%({name})s")
    return ", ".join(names) if names else "NULL"


# The read is the largest statement of the check and PostgreSQL spends about as long planning it as
# running it, so each connection prepares it once (prepared statements are per session and survive
# rollbacks; a new connection prepares again). Not compatible with a transaction-pooling PgBouncer.
_READ_STATEMENT = "rp_check_read_v3"
_PREPARED: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


# The open reservation totals of the accounts in `acc`. On PostgreSQL per account through its index
# (OFFSET 0 keeps the planner from flattening the subquery into a join that scans the whole table):
# a desk's ten accounts must not cost a scan of every account's rows.
_TOTALS_POSTGRES = """acc CROSS JOIN LATERAL (
    SELECT * FROM limits_reservationtotal r
    WHERE r.account_id = acc.aid AND r.quantity > 0 AND r.expires_at > {now} OFFSET 0
  )"""
_TOTALS_PLAIN = """(
    SELECT * FROM limits_reservationtotal r
    WHERE r.account_id IN (SELECT aid FROM acc) AND r.quantity > 0 AND r.expires_at > {now}
  )"""


def _reports_table() -> str:
    # Named through the app registry: analytics builds on limits, so limits does not import it.
    return str(apps.get_model("analytics", "RiskReport")._meta.db_table)


def _prepare_read() -> None:
    connection.ensure_connection()
    raw = connection.connection
    if _PREPARED.get(raw):
        return
    # Marks' timestamps as epoch seconds: parsing 50 ISO timestamps per check costs more than the query.
    sql = _READ.format(
        reports=_reports_table(),
        totals=_TOTALS_POSTGRES.format(now="$2"),
        a="$1",
        now="$2",
        ds="$3",
        symbols_cond="i.symbol = ANY($4)",
        ts_type="DOUBLE PRECISION",
        mark_ts="CAST(EXTRACT(EPOCH FROM pr.as_of) AS DOUBLE PRECISION)",
    )
    try:
        # In a savepoint, so that a failure cannot abort a surrounding transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"PREPARE {_READ_STATEMENT} (bigint, timestamptz, timestamptz, text[]) AS {sql}")
    except ProgrammingError as exc:  # already prepared on this session (e.g. by an earlier process state)
        if "already exists" not in str(exc):
            raise
    _PREPARED[raw] = True


def lock_and_read(
    txn: CheckTransaction,
    *,
    account_id: int,
    strategy_codes: Iterable[str],
    symbols: Iterable[str],
    client_order_ids: Iterable[str],
    now: datetime,
) -> Locked:
    """Take the scope locks of `account_id` and read its snapshot rows. Call inside a transaction."""
    ops = connection.ops
    start = risk_day_start(now)
    params: dict[str, Any] = {
        "a": account_id,
        "now": ops.adapt_datetimefield_value(now),
        "ds": ops.adapt_datetimefield_value(start),
    }
    codes = sorted(set(strategy_codes))
    ids = sorted(set(client_order_ids))
    postgres = connection.vendor == "postgresql"
    wanted = sorted(set(symbols))
    if postgres:
        _prepare_read()
        params["syms"] = wanted
        read = f"EXECUTE {_READ_STATEMENT}(%(a)s, %(now)s, %(ds)s, %(syms)s)"
    else:
        in_list = _in_list("s", wanted, params)
        read = _READ.format(
            reports=_reports_table(),
            totals=_TOTALS_PLAIN.format(now="%(now)s"),
            a="%(a)s",
            now="%(now)s",
            ds="%(ds)s",
            symbols_cond=f"i.symbol IN ({in_list})",
            ts_type="TEXT",
            mark_ts="pr.as_of",
        )
    lock = " FOR NO KEY UPDATE" if postgres else ""
    statements = [_LOCK_GROUPS.format(lock=lock), _LOCK_ACCOUNT.format(lock=lock)]
    # Orders without a strategy or a client_order_id skip these lookups: PostgreSQL parses and plans
    # each statement of the batch afresh.
    if codes:
        statements.append(_STRATEGIES.format(codes=_in_list("c", codes, params)))
    if ids:
        statements.append(_REPLAYS.format(ids=_in_list("k", ids, params)))
    statements.append(read)
    results: list[list[tuple[Any, ...]]] = []
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(txn.begin() + ";\n".join(statements), params)
            while True:
                if cursor.description is not None:  # BEGIN returns no rows
                    results.append(cursor.fetchall())
                if not cursor.nextset():
                    break
        else:
            # The write lock first: a reader that upgrades later could fail with "database is locked".
            cursor.execute(
                "UPDATE accounts_account SET trading_state = trading_state WHERE id = %(a)s", params
            )
            for statement in statements:
                cursor.execute(statement, params)
                results.append(cursor.fetchall())
    group_rows, account_rows = results[0], results[1]
    strategy_rows = results[2] if codes else []
    replay_rows = results[-2] if ids else []
    rows = results[-1]
    if not account_rows:
        raise AccountGone(account_id)
    _, code, state, base = account_rows[0]
    account = ScopeRow("account", account_id, code, cast(TradingState, state), base)
    return Locked(
        account=account,
        groups=[ScopeRow("group", int(r[0]), r[1], cast(TradingState, r[2]), r[3]) for r in group_rows],
        strategies={
            r[1]: ScopeRow("strategy", int(r[0]), r[1], cast(TradingState, r[2]), base) for r in strategy_rows
        },
        replays={r[0]: int(r[1]) for r in replay_rows},
        rows=rows,
    )


@dataclass
class _Book:
    """Raw per-scope aggregates, in instrument currencies until `finish`."""

    positions: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    reserved_buy: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    reserved_sell: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    cash: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    # (instrument id, sum q, sum q*avg, realized today, fees today, sum day-start q, sum dq*day avg)
    lines: list[tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]] = field(
        default_factory=list
    )


@dataclass(frozen=True, slots=True)
class ScopeLimits:
    """Effective limits per scope, as the engine wants them."""

    account: Limits
    strategies: Mapping[str, Limits]
    groups: Mapping[int, Limits]


def build_snapshot(
    *,
    locked: Locked,
    limits: ScopeLimits,
    order_symbols: Iterable[str],
    orders_last_minute: Mapping[str, int],
    now: datetime,
) -> Snapshot:
    """The engine snapshot from the locked rows. `orders_last_minute` is keyed by rate.scope_key."""
    from limits.checks.rate import scope_key

    symbols = list(order_symbols)
    table = instruments.resolve(symbols)
    account_book = _Book()
    strategy_books: dict[int, _Book] = defaultdict(_Book)
    group_books: dict[int, _Book] = defaultdict(_Book)
    marks: dict[int, tuple[Decimal, Any]] = {}
    fx_rows: list[tuple[str, str, Decimal]] = []
    latest_var: Decimal | None = None
    for row in locked.rows:
        kind = row[0]
        if kind == "P":
            _, _, strategy_id, iid, _, _, q, ap, r_today, f_today, dq, da, _ = row
            line = (
                int(iid),
                dec(q),
                dec(q) * dec(ap),
                dec(r_today),
                dec(f_today),
                dec(dq),
                dec(dq) * dec(da),
            )
            account_book.lines.append(line)
            if strategy_id is not None:
                strategy_books[int(strategy_id)].lines.append(line)
        elif kind == "GP":
            _, gid, _, iid, _, _, q, qap, r_today, f_today, dq, dqda, _ = row
            group_books[int(gid)].lines.append(
                (int(iid), dec(q), dec(qap), dec(r_today), dec(f_today), dec(dq), dec(dqda))
            )
        elif kind == "R":
            _, _, strategy_id, _, symbol, side, oq, *_ = row
            books = [account_book]
            if strategy_id is not None:
                books.append(strategy_books[int(strategy_id)])
            for book in books:
                (book.reserved_buy if side == "buy" else book.reserved_sell)[symbol] += dec(oq)
        elif kind == "GR":
            _, gid, _, _, symbol, side, oq, *_ = row
            book = group_books[int(gid)]
            (book.reserved_buy if side == "buy" else book.reserved_sell)[symbol] += dec(oq)
        elif kind == "C":
            account_book.cash[row[4]] += dec(row[6])
        elif kind == "GC":
            group_books[int(row[1])].cash[row[4]] += dec(row[6])
        elif kind == "M":
            marks[int(row[3])] = (dec(row[6]), row[12])
        elif kind == "X":
            fx_rows.append((row[4], row[5], dec(row[6])))
        elif kind == "V" and row[4] == locked.account.base_currency:
            latest_var = dec(row[6])

    fx = FxTable(fx_rows)
    if any(
        line[0] not in table.symbol_by_id
        for book in (account_book, *group_books.values())
        for line in book.lines
    ):
        table = instruments.reload()  # a position in an instrument created since the last load
    symbol_by_id = table.symbol_by_id
    engine_marks = {
        symbol_by_id[iid]: Mark(price, _aware(as_of))
        for iid, (price, as_of) in marks.items()
        if iid in symbol_by_id
    }

    account = locked.account
    closes = previous_closes.for_date(trading_date(risk_day_start(now)))
    valuer = _Valuer(table, fx, marks, closes)
    account_state = valuer.scope(
        account,
        account_book,
        limits.account,
        orders_last_minute.get(scope_key("account", account.id), 0),
        latest_var=latest_var,
    )
    strategies: dict[str, ScopeState] = {}
    for code, strategy_row in locked.strategies.items():
        own = valuer.scope(
            strategy_row,
            strategy_books.get(strategy_row.id, _Book()),
            limits.strategies.get(code, Limits()),
            orders_last_minute.get(scope_key("strategy", strategy_row.id), 0),
        )
        # A strategy has no capital of its own: it is measured against its account's.
        strategies[code] = _with_capital(own, account_state)
    groups = tuple(
        valuer.scope(
            g,
            group_books.get(g.id, _Book()),
            limits.groups.get(g.id, Limits()),
            orders_last_minute.get(scope_key("group", g.id), 0),
        )
        for g in locked.groups
    )
    valuer.order_pairs(symbols, {account.base_currency, *(g.base_currency for g in locked.groups)})
    return Snapshot(
        now=now,
        account=account_state,
        instruments=table.by_symbol,
        marks=engine_marks,
        fx_rates=valuer.fx_pairs(),
        strategies=strategies,
        groups=groups,
        max_mark_age=timedelta(seconds=settings.RISK_MAX_MARK_AGE_SECONDS),
    )


def _with_capital(own: ScopeState, account: ScopeState) -> ScopeState:
    from dataclasses import replace

    return replace(own, cash=account.cash, unrealized_pnl=account.unrealized_pnl)


def _aware(value: Any) -> datetime:
    if isinstance(value, float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, datetime):
        result = value
    else:
        parsed = parse_datetime(str(value))
        if parsed is None:
            raise ValueError(f"bad timestamp {value!r}")
        result = parsed
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result


class _Valuer:
    """Values scope books in their base currency; records every FX pair it needed for the engine.

    Unrealized and daily P&L follow positions/ledger/valuation.py: daily = realized today - fees today
    + unrealized now - unrealized at the day start, the day start valued at the previous close (or
    the day-start entry price when there is none). A position without a mark or FX rate is left out
    of these sums: the engine's exposure and margin figures need the same mark and reject the order
    by name (missing_price, missing_fx_rate), so nothing is accepted on a partial valuation.
    """

    def __init__(
        self,
        table: InstrumentTable,
        fx: FxTable,
        marks: Mapping[int, tuple[Decimal, Any]],
        closes: Mapping[int, Decimal],
    ) -> None:
        self.table = table
        self.fx = fx
        self.marks = marks
        self.closes = closes
        self._pairs: dict[tuple[str, str], Decimal] = {}
        self._missing: set[tuple[str, str]] = set()

    def rate(self, ccy: str, base: str) -> Decimal | None:
        if ccy == base:
            return Decimal(1)
        key = (ccy, base)
        found = self._pairs.get(key)
        if found is not None or key in self._missing:
            return found
        try:
            found = self.fx.rate(ccy, base)
        except MissingFxRate:
            self._missing.add(key)
            return None
        self._pairs[key] = found
        return found

    def fx_pairs(self) -> dict[tuple[str, str], Decimal]:
        return dict(self._pairs)

    def scope(
        self,
        row: ScopeRow,
        book: _Book,
        limits: Limits,
        orders_last_minute: int,
        *,
        latest_var: Decimal | None = None,
    ) -> ScopeState:
        base = row.base_currency
        positions: dict[str, Decimal] = {}
        unrealized = daily = ZERO
        by_symbol = self.table.by_symbol
        symbol_by_id = self.table.symbol_by_id
        for iid, q, qap, r_today, f_today, dq, dqda in book.lines:
            symbol = symbol_by_id.get(iid)
            if symbol is None:
                continue
            if q:
                positions[symbol] = positions.get(symbol, ZERO) + q
            instrument = by_symbol[symbol]
            # Every currency a scope holds must convert (the engine asks for held instruments too).
            rate = self.rate(instrument.currency, base)
            mark = self.marks.get(iid)
            if rate is None or (mark is None and (q or dq)):
                continue
            m = instrument.multiplier
            upnl = (mark[0] * q - qap) * m if mark is not None else ZERO
            close = self.closes.get(iid)
            upnl_start = (close * dq - dqda) * m if close is not None else ZERO
            unrealized += upnl * rate
            daily += (r_today - f_today + upnl - upnl_start) * rate
        for symbol in (*book.reserved_buy, *book.reserved_sell):
            reserved = by_symbol.get(symbol)
            if reserved is not None:
                self.rate(reserved.currency, base)
        for ccy in book.cash:
            self.rate(ccy, base)
        return ScopeState(
            kind=row.kind,
            code=row.code,
            base_currency=base,
            trading_state=row.trading_state,
            limits=limits,
            positions=positions,
            reserved_buy=dict(book.reserved_buy),
            reserved_sell=dict(book.reserved_sell),
            cash=dict(book.cash),
            unrealized_pnl=unrealized,
            daily_pnl=daily,
            orders_last_minute=orders_last_minute,
            latest_var=latest_var,
        )

    def order_pairs(self, symbols: Iterable[str], bases: Iterable[str]) -> None:
        """Make sure the FX pairs of the orders' instruments into every scope base are offered."""
        for symbol in symbols:
            instrument = self.table.by_symbol.get(symbol)
            if instrument is None:
                continue
            for base in bases:
                self.rate(instrument.currency, base)
