"""The PostgreSQL fast path of the check's store: two round trips per check.

Round trip 1: BEGIN, the scope locks (groups by id, then the account, `FOR NO KEY UPDATE` as in the
ORM store), the strategies and earlier decisions the orders name, and the read, in one execute
(client-side binding allows several statements; the results come back with nextset()). Round trip
2: the decisions' INSERT, the reservation totals' upserts and COMMIT. Through Django's atomic the
same work costs four: BEGIN goes on its own, and so does COMMIT.

The read is one statement, so one consistent view: a UNION ALL of one SELECT per kind of row, each
declared below with the decoder of its rows next to it. PostgreSQL spends about as long planning it
as running it, so each connection prepares it once (prepared statements are per session and survive
rollbacks; a new connection prepares again). Not compatible with a transaction-pooling PgBouncer.

Table and column names come from the models. Inside an outer atomic block (a caller's transaction,
tests) the store cannot own BEGIN/COMMIT: it runs in a savepoint and the outer transaction decides.
Held against the ORM store by tests/limits/checks/test_store_parity.py.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any, cast

from django.db import DatabaseError, ProgrammingError, connection, models, transaction

from accounts.models import Account, AccountGroup, Strategy
from limits.checks.reservations import TotalKey, opened_totals
from limits.checks.store.base import AccountGone, LoadRequest
from limits.checks.store.rows import BookRows, CheckRows, HeldLine, MarkRow, ReservedLine, ScopeRow
from limits.engine.types import TradingState
from limits.models.checks import CheckDecision, ReservationTotal
from positions.ledger.valuation import BookLine
from positions.models import CashBalance, FxRate, Instrument, Position, Price


class _Names:
    """A model's table and column names for SQL templates: `{pos.table}`, `{pos.quantity}`."""

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        for f in model._meta.concrete_fields:
            setattr(self, f.name, f.column)


@cache
def _names() -> dict[str, _Names]:
    return {
        "acct": _Names(Account),
        "grp": _Names(AccountGroup),
        "mem": _Names(AccountGroup.accounts.through),
        "strat": _Names(Strategy),
        "dec": _Names(CheckDecision),
        "pos": _Names(Position),
        "tot": _Names(ReservationTotal),
        "cash": _Names(CashBalance),
        "ins": _Names(Instrument),
        "price": _Names(Price),
        "fx": _Names(FxRate),
    }


def _sql(template: str) -> str:
    return template.format(**_names())


# --- Round trip 1: locks and lookups -------------------------------------------------------------

_LOCK_GROUPS = """SELECT g.{grp.id}, g.{grp.code}, g.{grp.trading_state}, g.{grp.base_currency}
FROM {grp.table} g WHERE g.{grp.id} IN (
  SELECT {mem.accountgroup} FROM {mem.table} WHERE {mem.account} = %(a)s
) ORDER BY g.{grp.id}{{lock}}"""
_LOCK_ACCOUNT = """SELECT {acct.code}, {acct.trading_state}, {acct.base_currency} FROM {acct.table}
WHERE {acct.id} = %(a)s{{lock}}"""
_STRATEGIES = """SELECT {strat.id}, {strat.code}, {strat.trading_state} FROM {strat.table}
WHERE {strat.account} = %(a)s AND {strat.code} = ANY(%(codes)s)"""
_REPLAYS = """SELECT {dec.client_order_id}, {dec.id} FROM {dec.table}
WHERE {dec.account} = %(a)s AND {dec.client_order_id} = ANY(%(ids)s)"""


# --- The read: one SELECT per kind of row ---------------------------------------------------------
# Every part fills the same typed slots so the UNION ALL lines up: a kind tag, INTS bigints, TEXTS
# texts, NUMS numerics and one double (a timestamp as epoch seconds: parsing 50 ISO timestamps per
# check costs more than the query). $1 account id, $2 now, $3 day start, $4 the orders' symbols.
INTS, TEXTS, NUMS = 2, 2, 6

_CTES = """WITH grp AS (
  SELECT {mem.accountgroup} AS gid FROM {mem.table} WHERE {mem.account} = $1
), mem AS (
  SELECT {mem.accountgroup} AS gid, {mem.account} AS aid FROM {mem.table}
  WHERE {mem.accountgroup} IN (SELECT gid FROM grp)
), acc AS (
  SELECT $1::bigint AS aid UNION SELECT aid FROM mem
), pos AS (
  -- positions/ledger/book.effective_day_state: a day-start snapshot stamped with another day start
  -- is stale, and the current state is the day-start state (the parity test holds the two equal).
  SELECT p.{pos.account} AS aid, p.{pos.strategy} AS sid, p.{pos.instrument} AS iid,
    p.{pos.quantity} AS q, p.{pos.avg_price} AS ap, p.{pos.realized_pnl} AS r, p.{pos.fees} AS f,
    CASE WHEN p.{pos.day_start_at} = $3 THEN p.{pos.day_start_quantity} ELSE p.{pos.quantity} END AS dq,
    CASE WHEN p.{pos.day_start_at} = $3 THEN p.{pos.day_start_avg_price} ELSE p.{pos.avg_price} END AS da,
    CASE WHEN p.{pos.day_start_at} = $3 THEN p.{pos.day_start_realized_pnl} ELSE p.{pos.realized_pnl} END
      AS dr,
    CASE WHEN p.{pos.day_start_at} = $3 THEN p.{pos.day_start_fees} ELSE p.{pos.fees} END AS df
  FROM {pos.table} p WHERE p.{pos.account} IN (SELECT aid FROM acc)
), res AS (
  -- Open totals per account through its index (OFFSET 0 keeps the planner from flattening this into
  -- a join that scans every account's totals).
  SELECT t.{tot.account} AS aid, t.{tot.strategy} AS sid, t.{tot.symbol} AS symbol, t.{tot.side} AS side,
    t.{tot.quantity} AS oq
  FROM acc CROSS JOIN LATERAL (
    SELECT * FROM {tot.table} r WHERE r.{tot.account} = acc.aid AND r.{tot.quantity} > 0
      AND r.{tot.expires_at} > $2 OFFSET 0
  ) t
), ins AS (
  SELECT iid FROM pos WHERE q <> 0 OR dq <> 0
  UNION SELECT i.{ins.id} FROM {ins.table} i
  WHERE i.{ins.symbol} IN (SELECT symbol FROM res) OR i.{ins.symbol} = ANY($4)
), ins2 AS (
  SELECT iid FROM ins
  UNION SELECT i.{ins.underlying} FROM {ins.table} i
  WHERE i.{ins.id} IN (SELECT iid FROM ins) AND i.{ins.underlying} IS NOT NULL
)
"""


@dataclass(frozen=True)
class _Part:
    kind: str
    ints: tuple[str, ...]
    texts: tuple[str, ...]
    nums: tuple[str, ...]
    epoch: str | None
    source: str  # FROM ... [WHERE ...] [GROUP BY ...]

    def select(self) -> str:
        def pad(values: tuple[str, ...], width: int, cast_to: str) -> list[str]:
            return [*values, *[f"CAST(NULL AS {cast_to})"] * (width - len(values))]

        columns = [
            f"'{self.kind}'",
            *pad(self.ints, INTS, "BIGINT"),
            *pad(self.texts, TEXTS, "TEXT"),
            *pad(self.nums, NUMS, "NUMERIC"),
            self.epoch or "CAST(NULL AS DOUBLE PRECISION)",
        ]
        return f"SELECT {', '.join(columns)} {self.source}"


_LINE_NUMS = ("q", "q * ap", "r - dr", "f - df", "dq", "dq * da")
_SUMMED_NUMS = tuple(f"SUM({n})" for n in _LINE_NUMS)
_PARTS = (
    _Part("P", ("sid", "iid"), (), _LINE_NUMS, None, "FROM pos WHERE aid = $1"),
    _Part("GP", ("m.gid", "pos.iid"), (), _SUMMED_NUMS, None,
          "FROM pos JOIN mem m ON m.aid = pos.aid GROUP BY m.gid, pos.iid"),
    _Part("R", ("sid",), ("symbol", "side"), ("SUM(oq)",), None,
          "FROM res WHERE aid = $1 GROUP BY sid, symbol, side"),
    _Part("GR", ("m.gid",), ("res.symbol", "res.side"), ("SUM(oq)",), None,
          "FROM res JOIN mem m ON m.aid = res.aid GROUP BY m.gid, res.symbol, res.side"),
    _Part("C", (), ("c.{cash.currency}",), ("c.{cash.amount}",), None,
          "FROM {cash.table} c WHERE c.{cash.account} = $1"),
    _Part("GC", ("m.gid",), ("c.{cash.currency}",), ("SUM(c.{cash.amount})",), None,
          "FROM {cash.table} c JOIN mem m ON m.aid = c.{cash.account} GROUP BY m.gid, c.{cash.currency}"),
    _Part("M", ("pr.{price.instrument}",), (), ("pr.{price.price}",),
          "CAST(EXTRACT(EPOCH FROM pr.{price.as_of}) AS DOUBLE PRECISION)",
          "FROM {price.table} pr WHERE pr.{price.instrument} IN (SELECT iid FROM ins2)"),
    _Part("X", (), ("x.{fx.base}", "x.{fx.quote}"), ("x.{fx.rate}",), None, "FROM {fx.table} x"),
)  # fmt: skip


@dataclass
class _Decoded:
    account_book: BookRows
    group_books: dict[int, BookRows]
    marks: dict[int, MarkRow]
    fx: list[tuple[str, str, Decimal]]


def _decode(rows: Sequence[tuple[Any, ...]], group_ids: Sequence[int]) -> _Decoded:
    """The read's rows as typed rows, by the kinds and slots declared in _PARTS above."""
    out = _Decoded(BookRows(), {gid: BookRows() for gid in group_ids}, {}, [])
    book, groups = out.account_book, out.group_books
    for kind, i1, i2, t1, t2, n1, n2, n3, n4, n5, n6, epoch in rows:
        if kind == "P":  # strategy id, instrument id; the position's line
            book.held.append(HeldLine(i2, i1, BookLine(n1, n2, n3, n4, n5, n6)))
        elif kind == "GP":  # group id, instrument id; the group's summed line
            groups[i1].held.append(HeldLine(i2, None, BookLine(n1, n2, n3, n4, n5, n6)))
        elif kind == "R":  # strategy id; symbol, side; open quantity
            book.reserved.append(ReservedLine(i1, t1, t2, n1))
        elif kind == "GR":  # group id; symbol, side; open quantity
            groups[i1].reserved.append(ReservedLine(None, t1, t2, n1))
        elif kind == "C":  # currency; amount
            book.cash[t1] = n1
        elif kind == "GC":  # group id; currency; summed amount
            groups[i1].cash[t1] = n1
        elif kind == "M":  # instrument id; price; as_of
            out.marks[i1] = MarkRow(n1, datetime.fromtimestamp(epoch, UTC))
        elif kind == "X":  # base, quote; rate
            out.fx.append((t1, t2, n1))
    return out


_READ_STATEMENT = "rp_check_read_v4"
_PREPARED: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _prepare_read() -> None:
    """Prepare the read on this connection once (call before the check's BEGIN)."""
    connection.ensure_connection()
    raw = connection.connection
    if _PREPARED.get(raw):
        return
    read = _sql(_CTES + "\nUNION ALL\n".join(part.select() for part in _PARTS))
    try:
        # In a savepoint, so that a failure cannot abort a surrounding transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"PREPARE {_READ_STATEMENT} (bigint, timestamptz, timestamptz, text[]) AS {read}")
    except ProgrammingError as exc:  # already prepared on this session (e.g. by an earlier process state)
        if "already exists" not in str(exc):
            raise
    _PREPARED[raw] = True


# --- Round trip 2: store -------------------------------------------------------------------------


@cache
def _decision_fields() -> tuple[models.Field[Any, Any], ...]:
    return tuple(f for f in CheckDecision._meta.concrete_fields if not f.primary_key)


_UPSERT_TARGETS = {
    # Two partial unique constraints (NULL strategies would never conflict in one).
    False: "({tot.account}, {tot.symbol}, {tot.side}, {tot.expires_at}) WHERE {tot.strategy} IS NULL",
    True: "({tot.account}, {tot.strategy}, {tot.symbol}, {tot.side}, {tot.expires_at}) "
    "WHERE {tot.strategy} IS NOT NULL",
}
_UPSERT = (
    "INSERT INTO {tot.table} ({tot.account}, {tot.strategy}, {tot.symbol}, {tot.side}, {tot.expires_at}, "
    "{tot.quantity}) VALUES {{values}} ON CONFLICT {{target}} DO UPDATE "
    "SET {tot.quantity} = {tot.table}.{tot.quantity} + EXCLUDED.{tot.quantity}"
)


def _store_sql(decisions: Sequence[CheckDecision]) -> tuple[str, list[Any]]:
    fields = _decision_fields()
    params: list[Any] = []
    for decision in decisions:
        for f in fields:
            value = getattr(decision, f.attname)
            params.append(json.dumps(value) if isinstance(f, models.JSONField) else value)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(str(f.column) for f in fields)
    statements = [
        f"INSERT INTO {CheckDecision._meta.db_table} ({columns}) VALUES {', '.join([row] * len(decisions))}"  # noqa: S608
    ]
    totals = opened_totals(decisions)
    for with_strategy, target in _UPSERT_TARGETS.items():
        items: list[tuple[TotalKey, Decimal]] = [
            (key, qty) for key, qty in totals.items() if (key[1] is not None) == with_strategy
        ]
        if not items:
            continue
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(items))
        statements.append(_sql(_UPSERT).format(values=values, target=_sql(target)))
        for key, qty in items:
            params.extend([*key, qty])
    return ";\n".join(statements), params


# --- The session ---------------------------------------------------------------------------------


class PostgresCheckStore:
    @contextmanager
    def session(self) -> Iterator[PostgresSession]:
        if connection.in_atomic_block or not connection.get_autocommit():
            with transaction.atomic():
                yield PostgresSession(owns_transaction=False)
            return
        session = PostgresSession(owns_transaction=True)
        try:
            yield session
        except BaseException:
            if session.begun and not session.committed:
                _quietly("ROLLBACK")
            raise
        if session.begun and not session.committed:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
            session.committed = True


class PostgresSession:
    def __init__(self, *, owns_transaction: bool) -> None:
        self.owns_transaction = owns_transaction
        self.begun = False
        self.committed = False

    def lock_and_load(self, request: LoadRequest) -> CheckRows:
        _prepare_read()
        ops = connection.ops
        params: dict[str, Any] = {
            "a": request.account_id,
            "now": ops.adapt_datetimefield_value(request.now),
            "ds": ops.adapt_datetimefield_value(request.day_start),
            "syms": sorted(request.symbols),
            "codes": sorted(request.strategy_codes),
            "ids": sorted(request.client_order_ids),
        }
        lock = " FOR NO KEY UPDATE" if request.lock else ""
        statements = [_sql(_LOCK_GROUPS).format(lock=lock), _sql(_LOCK_ACCOUNT).format(lock=lock)]
        # Orders without a strategy or a client_order_id skip these lookups: PostgreSQL parses and
        # plans each statement of the batch afresh.
        if request.strategy_codes:
            statements.append(_sql(_STRATEGIES))
        if request.client_order_ids:
            statements.append(_sql(_REPLAYS))
        statements.append(f"EXECUTE {_READ_STATEMENT}(%(a)s, %(now)s, %(ds)s, %(syms)s)")
        sql = ";\n".join(statements)
        if self.owns_transaction:
            sql = "BEGIN;\n" + sql
            self.begun = True
        results: list[list[tuple[Any, ...]]] = []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while True:
                if cursor.description is not None:  # BEGIN returns no rows
                    results.append(cursor.fetchall())
                if not cursor.nextset():
                    break
        group_rows, account_rows, read_rows = results[0], results[1], results[-1]
        strategy_rows = results[2] if request.strategy_codes else []
        replay_rows = results[-2] if request.client_order_ids else []
        if not account_rows:
            raise AccountGone(request.account_id)
        code, state, base = account_rows[0]
        groups = [ScopeRow("group", int(r[0]), r[1], cast(TradingState, r[2]), r[3]) for r in group_rows]
        decoded = _decode(read_rows, [g.id for g in groups])
        return CheckRows(
            account=ScopeRow("account", request.account_id, code, cast(TradingState, state), base),
            groups=groups,
            strategies={
                r[1]: ScopeRow("strategy", int(r[0]), r[1], cast(TradingState, r[2]), base)
                for r in strategy_rows
            },
            replays={r[0]: int(r[1]) for r in replay_rows},
            account_book=decoded.account_book,
            group_books=decoded.group_books,
            marks=decoded.marks,
            fx=decoded.fx,
        )

    def store_and_commit(self, decisions: Sequence[CheckDecision]) -> None:
        sql, params = _store_sql(decisions) if decisions else ("", [])
        if self.owns_transaction and self.begun:
            sql = f"{sql};\nCOMMIT" if sql else "COMMIT"
        if not sql:
            return
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        # Only now: if the statements before it failed, COMMIT never ran (the session rolls back).
        self.committed = self.owns_transaction


def _quietly(statement: str) -> None:
    # The connection may be what failed; Django then discards it, and the server rolls back itself.
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError:
        pass
