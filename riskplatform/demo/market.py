"""Simulated market data for the demo: correlated geometric returns and option prices. No Django.

Returns are drawn from a seeded numpy Generator and correlated through the Cholesky factor of a block
correlation matrix (a market factor plus one factor per block), so a given seed always produces the
same prices, and related instruments (US tech, European banks, G10 FX...) move together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from riskplatform.demo.universe import Underlier

TRADING_DAYS = 252
SEED = 20_261_124

# Loadings on the market factor and on the block's own factor; what is left is idiosyncratic.
MARKET_LOADING: dict[str, float] = {
    "us_index": 0.80,
    "us_tech": 0.60,
    "us_fin": 0.60,
    "us_defensive": 0.40,
    "energy": 0.45,
    "meme": 0.30,
    "eu_equity": 0.55,
    "commodity": 0.10,
    "rates": -0.30,
    "fx": 0.10,
    "fx_jpy": -0.15,
    "crypto": 0.30,
}
BLOCK_LOADING: dict[str, float] = {
    "us_index": 0.40,
    "us_tech": 0.55,
    "us_fin": 0.60,
    "us_defensive": 0.45,
    "energy": 0.60,
    "meme": 0.70,
    "eu_equity": 0.50,
    "commodity": 0.50,
    "rates": 0.70,
    "fx": 0.70,
    "fx_jpy": 0.70,
    "crypto": 0.80,
}
EQUITY_DRIFT = 0.07  # annual drift of equity-like blocks; others drift at zero


def business_days_before(end: date, count: int) -> list[date]:
    """The `count` weekdays up to and including `end`, oldest first."""
    days: list[date] = []
    day = end
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def previous_business_day(today: date) -> date:
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def block_correlation(blocks: Sequence[str]) -> npt.NDArray[np.float64]:
    """Correlation = market loadings' product, plus block loadings' product within a block.

    Built as a sum of outer products plus a non-negative diagonal, so it is positive definite.
    """
    market = np.array([MARKET_LOADING[b] for b in blocks])
    block = np.array([BLOCK_LOADING[b] for b in blocks])
    same = np.array([[a == b for b in blocks] for a in blocks], dtype=np.float64)
    corr = np.outer(market, market) + np.outer(block, block) * same
    np.fill_diagonal(corr, 1.0)
    return corr


@dataclass(frozen=True)
class SimulatedPrices:
    """closes[t, i]: close of instrument i on day t; the last row is today's mark, not a close."""

    symbols: tuple[str, ...]
    closes: npt.NDArray[np.float64]

    def column(self, symbol: str) -> npt.NDArray[np.float64]:
        return self.closes[:, self.symbols.index(symbol)]


def simulate(underliers: Sequence[Underlier], steps: int, seed: int = SEED) -> SimulatedPrices:
    """`steps` + 1 rows of prices per instrument, starting at each instrument's `start`."""
    rng = np.random.default_rng(seed)
    blocks = [u.block for u in underliers]
    chol = np.linalg.cholesky(block_correlation(blocks))
    shocks = rng.standard_normal((steps, len(underliers))) @ chol.T
    vol = np.array([u.vol for u in underliers]) / np.sqrt(TRADING_DAYS)
    drift = np.array(
        [EQUITY_DRIFT if u.asset_class in {"equity"} or u.block == "us_index" else 0.0 for u in underliers]
    )
    log_returns = (drift / TRADING_DAYS - 0.5 * vol**2) + vol * shocks
    start = np.array([u.start for u in underliers])
    paths = start * np.exp(np.vstack([np.zeros(len(underliers)), np.cumsum(log_returns, axis=0)]))
    return SimulatedPrices(symbols=tuple(u.symbol for u in underliers), closes=paths)


def smile_vol(atm_vol: float, spot: float, strike: float) -> float:
    """A simple skewed smile: puts below the money are dearer, as in equity markets."""
    log_moneyness = float(np.log(strike / spot))
    return atm_vol * (1.0 - 0.4 * log_moneyness + 1.5 * log_moneyness**2)
