"""VaR backtest of one account (the /risk/backtest/ endpoint).

Source, in order of preference:

1. `reports`: the stored nightly reports. Each report's 1-day VaR (var_99 at 0.99, var_95 at 0.95)
   is compared with the realized P&L of that day's book over the next day (`RiskReport.realized_pnl`,
   the hypothetical "clean" P&L: the positions of the report revalued at the next report's unit
   values, so trading during the day does not count). Used when at least `days` such pairs exist.
2. `rolling_historical`: otherwise, the account's current book is replayed over history: for each of
   the last `days` days, a 1-day historical-simulation VaR from the preceding `ROLLING_WINDOW` days of
   the book's full-revaluation P&L (numpy's linear quantile, as the core's convention) against that
   day's P&L. It needs `days + ROLLING_WINDOW` days of history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from accounts.models import Account
from analytics.errors import RiskDataError
from analytics.models import ReportStatus, RiskReport
from analytics.riskmath.backtest import backtest_batch
from analytics.riskmath.errors import RiskMathError
from analytics.riskmath.universe import unit_pnl
from analytics.selectors.risk import _book

ROLLING_WINDOW = 250
STORED_VAR_FIELD = {0.99: "var_99", 0.95: "var_95"}


@dataclass(frozen=True)
class BacktestAnswer:
    source: str
    confidence: float
    observations: int
    exceptions: int
    kupiec_p_value: float
    christoffersen_p_value: float
    traffic_light: str
    window_days: int | None


def stored_pairs(*, account_id: int, confidence: float, days: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(realized P&L, VaR) of the latest `days` stored reports, oldest first; None if fewer exist."""
    field = STORED_VAR_FIELD.get(confidence)
    if field is None:
        return None
    rows = list(
        RiskReport.objects.filter(
            account_id=account_id,
            status=ReportStatus.OK,
            realized_pnl__isnull=False,
            **{f"{field}__isnull": False},
        )
        .order_by("-as_of")
        .values_list("realized_pnl", field)[:days]
    )
    if len(rows) < days:
        return None
    rows.reverse()
    return np.array([r[0] for r in rows], dtype=np.float64), np.array([r[1] for r in rows], dtype=np.float64)


def _answer(
    source: str, confidence: float, pnl: np.ndarray, var: np.ndarray, window: int | None
) -> BacktestAnswer:
    try:
        b = backtest_batch(pnl, var, confidence=confidence)
    except RiskMathError as exc:
        raise RiskDataError.from_exception(exc) from exc
    return BacktestAnswer(
        source=source,
        confidence=confidence,
        observations=b.observations,
        exceptions=int(b.exceptions[0]),
        kupiec_p_value=float(b.kupiec_p_value[0]),
        christoffersen_p_value=float(b.christoffersen_p_value[0]),
        traffic_light=b.traffic_light[0],
        window_days=window,
    )


def account_backtest(*, account: Account, confidence: float, days: int) -> BacktestAnswer:
    pairs = stored_pairs(account_id=account.pk, confidence=confidence, days=days)
    if pairs is not None:
        return _answer("reports", confidence, pairs[0], pairs[1], None)
    book = _book(account, days + ROLLING_WINDOW)
    q = book.quantities[0]
    if book.universe.size == 0 or not np.any(q != 0.0):
        # Nothing held: no P&L, VaR 0, never an exception.
        zeros = np.zeros(days)
        return _answer("rolling_historical", confidence, zeros, zeros, ROLLING_WINDOW)
    pnl = unit_pnl(book.universe, book.returns) @ q  # [days + window]
    windows = sliding_window_view(pnl, ROLLING_WINDOW)[:-1]  # forecasts for days window .. n-1
    var = np.quantile(-windows, confidence, axis=1)
    return _answer("rolling_historical", confidence, pnl[ROLLING_WINDOW:], var, ROLLING_WINDOW)
