"""What the pages show about books and limits, from the pre-trade check's own snapshot.

Every figure of a scope (account, strategy, desk) comes from `limits.checks.book` (the rows, valuation
and limits the next check would use) and the engine's `utilization_figures`, so a page never shows a
number the check would not: positions count their open orders at the worse side, as the check does.
The overview values every visible account on one snapshot each, read in bulk (`book_snapshots`), so
its cost does not grow with the number of accounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q

from accounts.models import Account, AccountGroup
from accounts.scoping import Action
from analytics.models import AlertState
from limits.engine.exposure import cash_in_base, holdings
from limits.engine.snapshot import ScopeState, Snapshot
from limits.engine.types import Missing
from limits.engine.utilization import InstrumentFigure, LimitFigure, instrument_figures, utilization_figures
from limits.models import DECIMAL_LIMIT_FIELDS, INTEGER_LIMIT_FIELDS, MONEY_LIMIT_FIELDS
from positions.ledger.errors import MissingFxRate
from positions.selectors import load_fx_table

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

# How each limit's figure is written: money in the scope's currency, a quantity, a ratio, a count.
ORDER_LEVEL = frozenset({"max_order_quantity", "max_order_notional", "price_collar_pct"})
LABELS = {
    "max_order_quantity": "Order quantity",
    "max_order_notional": "Order notional",
    "max_position_quantity": "Position quantity (per instrument)",
    "max_position_notional": "Position notional (per instrument)",
    "max_gross_exposure": "Gross exposure",
    "max_net_exposure": "Net exposure",
    "max_daily_loss": "Daily loss",
    "max_leverage": "Leverage",
    "max_var": "VaR 99% 1-day (latest report)",
    "price_collar_pct": "Price collar",
    "max_orders_per_minute": "Orders per minute",
}


def unit_of(name: str) -> str:
    """ "money", "quantity", "ratio", "percent" or "count": how a limit's figures are written."""
    if name in MONEY_LIMIT_FIELDS:
        return "money"
    if name == "max_leverage":
        return "ratio"
    if name == "price_collar_pct":
        return "percent"
    if name in INTEGER_LIMIT_FIELDS:
        return "count"
    return "quantity"


@dataclass(frozen=True)
class LimitRow:
    """One limit of a scope as a page lists it: the engine's figure for a standing limit, or the
    limit alone for an order-level one (it applies to each order, nothing stands in use)."""

    name: str
    label: str
    unit: str
    currency: str
    limit: Decimal
    warn_pct: Decimal
    figure: LimitFigure | None

    @property
    def spec(self) -> str:
        """The `figure` template filter's argument: the unit, and the currency of money."""
        return f"{self.unit}:{self.currency}"

    @property
    def pct(self) -> Decimal | None:
        return None if self.figure is None else self.figure.pct

    @property
    def level(self) -> str:
        """ "over" above 100%, "warn" at or above the warn mark, "ok", or "unknown"."""
        return level_of(self.pct, self.warn_pct)


def level_of(pct: Decimal | None, warn_pct: Decimal) -> str:
    if pct is None:
        return "unknown"
    if pct > 100:
        return "over"
    if pct >= warn_pct:
        return "warn"
    return "ok"


@dataclass(frozen=True)
class ScopeView:
    """A strategy, account or desk: its state, its limits with their use, and its equity."""

    kind: str
    code: str
    base_currency: str
    trading_state: str
    limits: tuple[LimitRow, ...]
    restricted_symbols: tuple[str, ...]
    equity: Decimal | None
    equity_missing: str | None
    daily_pnl: Decimal
    gross_exposure: Decimal | None
    net_exposure: Decimal | None
    margin: Decimal | None

    @property
    def worst(self) -> LimitRow | None:
        """The most used standing limit (an unknown one first: it cannot be shown safe)."""
        standing = [row for row in self.limits if row.figure is not None]
        unknown = [row for row in standing if row.pct is None]
        if unknown:
            return unknown[0]
        return max(standing, key=lambda row: row.pct or Decimal(0), default=None)

    def row(self, name: str) -> LimitRow | None:
        return next((row for row in self.limits if row.name == name), None)

    @property
    def daily_loss(self) -> LimitRow | None:
        return self.row("max_daily_loss")

    @property
    def var(self) -> LimitRow | None:
        return self.row("max_var")

    @property
    def standing_limits(self) -> tuple[LimitRow, ...]:
        return tuple(row for row in self.limits if row.figure is not None)

    @property
    def order_limits(self) -> tuple[LimitRow, ...]:
        return tuple(row for row in self.limits if row.figure is None)


def scope_view(snapshot: Snapshot, scope: ScopeState) -> ScopeView:
    """The page's view of one scope of `snapshot`."""
    figures = utilization_figures(snapshot, scope)
    limits = scope.limits
    rows = []
    for name in (*DECIMAL_LIMIT_FIELDS, *INTEGER_LIMIT_FIELDS):
        value = getattr(limits, name)
        if value is None:
            continue
        rows.append(
            LimitRow(
                name=name,
                label=LABELS[name],
                unit=unit_of(name),
                currency=scope.base_currency,
                limit=Decimal(value),
                warn_pct=limits.warn_utilization_pct,
                figure=None if name in ORDER_LEVEL else figures.get(name),
            )
        )
    held = holdings(snapshot, scope)
    cash = cash_in_base(snapshot, scope.cash, scope.base_currency)
    missing = next((m.message for m in (held, cash) if isinstance(m, Missing)), None)
    book = None if isinstance(held, Missing) else held
    return ScopeView(
        kind=scope.kind,
        code=scope.code,
        base_currency=scope.base_currency,
        trading_state=scope.trading_state,
        limits=tuple(rows),
        restricted_symbols=tuple(sorted(limits.restricted_symbols)),
        # A book that cannot be valued has no equity to show, even if cash alone converts.
        equity=None if missing or isinstance(cash, Missing) else cash + scope.unrealized_pnl,
        equity_missing=missing,
        daily_pnl=scope.daily_pnl,
        gross_exposure=book.gross if book else None,
        net_exposure=book.net if book else None,
        margin=book.margin if book else None,
    )


@dataclass(frozen=True)
class InstrumentRow:
    """An instrument of the account's book with its share of the per-instrument limits."""

    figure: InstrumentFigure
    quantity_pct: Decimal | None
    notional_pct: Decimal | None
    warn_pct: Decimal

    @property
    def level(self) -> str:
        pcts = [p for p in (self.quantity_pct, self.notional_pct) if p is not None]
        return level_of(max(pcts), self.warn_pct) if pcts else "none"


def instrument_rows(snapshot: Snapshot, scope: ScopeState) -> list[InstrumentRow]:
    """The scope's instruments (worse side of open orders), largest notional first."""
    limits = scope.limits
    rows = []
    for figure in instrument_figures(snapshot, scope):
        quantity_pct = notional_pct = None
        if limits.max_position_quantity:
            quantity_pct = abs(figure.quantity) * 100 / limits.max_position_quantity
        if limits.max_position_notional and figure.notional is not None:
            notional_pct = abs(figure.notional) * 100 / limits.max_position_notional
        rows.append(InstrumentRow(figure, quantity_pct, notional_pct, limits.warn_utilization_pct))
    return sorted(rows, key=lambda r: -abs(r.figure.notional or Decimal(0)))


# --- the overview --------------------------------------------------------------------------------


@dataclass
class AccountLine:
    """One account on the overview."""

    account: Account
    scope: ScopeView
    open_alerts: int


@dataclass
class DeskLine:
    """A desk on the overview: its own limits (over every one of its accounts) and the visible ones."""

    group: AccountGroup
    scope: ScopeView | None  # None: no visible account holds the desk's book
    accounts: list[AccountLine] = field(default_factory=list)


@dataclass(frozen=True)
class FirmTotal:
    """Equity and daily P&L of every visible account in the reporting currency; None with `missing`
    naming what is missing when any account's figure or FX rate is."""

    currency: str
    equity: Decimal | None
    daily_pnl: Decimal | None
    accounts: int
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    accounts: list[AccountLine]
    desks: list[DeskLine]
    loose: list[AccountLine]  # accounts in no visible desk
    total: FirmTotal


def firm_total(lines: Sequence[AccountLine], currency: str) -> FirmTotal:
    """Sum the accounts' equity and daily P&L in `currency` at the latest FX rates (one query)."""
    fx = load_fx_table()
    equity, daily = Decimal(0), Decimal(0)
    missing: list[str] = []
    for line in lines:
        base = line.account.base_currency
        try:
            rate = fx.rate(base, currency) if base != currency else Decimal(1)
        except MissingFxRate:
            missing.append(f"no FX rate from {base} to {currency} ({line.account.code})")
            continue
        if line.scope.equity is None:
            missing.append(f"equity of {line.account.code} unknown: {line.scope.equity_missing}")
        else:
            equity += line.scope.equity * rate
        daily += line.scope.daily_pnl * rate
    rate_missing = any(m.startswith("no FX rate") for m in missing)
    return FirmTotal(
        currency=currency,
        equity=None if missing else equity,
        daily_pnl=None if rate_missing else daily,
        accounts=len(lines),
        missing=tuple(missing),
    )


def overview(*, user: AnyUser) -> Overview:
    """Every account and desk `user` may see, valued on the check's snapshots, and the firm total."""
    from limits.checks.book import book_snapshots

    accounts = list(
        Account.objects.for_user(user, Action.VIEW)
        .annotate(open_alert_count=Count("alerts", filter=Q(alerts__state=AlertState.OPEN)))
        .order_by("code")
    )
    snapshots = book_snapshots(accounts=accounts)
    lines = [
        AccountLine(a, scope_view(snapshots[a.pk], snapshots[a.pk].account), a.open_alert_count)
        for a in accounts
        if a.pk in snapshots
    ]
    by_code = {line.account.code: line for line in lines}
    desks = list(AccountGroup.objects.for_user(user).prefetch_related("accounts").order_by("code"))
    desk_lines = []
    in_desk: set[str] = set()
    for desk in desks:
        members = [
            by_code[a.code] for a in sorted(desk.accounts.all(), key=lambda a: a.code) if a.code in by_code
        ]
        in_desk.update(line.account.code for line in members)
        desk_lines.append(DeskLine(desk, _desk_scope(desk, members, snapshots), members))
    return Overview(
        accounts=lines,
        desks=desk_lines,
        loose=[line for line in lines if line.account.code not in in_desk],
        total=firm_total(lines, settings.RISK_REPORTING_CURRENCY),
    )


def _desk_scope(
    desk: AccountGroup, members: Iterable[AccountLine], snapshots: Mapping[int, Snapshot]
) -> ScopeView | None:
    """The desk as any of its accounts' snapshots holds it: the group scope sums every account."""
    for line in members:
        snapshot = snapshots[line.account.pk]
        for scope in snapshot.groups:
            if scope.code == desk.code:
                return scope_view(snapshot, scope)
    return None
