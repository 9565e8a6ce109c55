"""Small books shared by the risk-math tests (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.riskmath import InstrumentSpec, Universe, build_universe


def equity(symbol: str, spot: float, **kw: object) -> InstrumentSpec:
    return InstrumentSpec(symbol=symbol, asset_class="equity", currency="USD", spot=spot, **kw)  # type: ignore[arg-type]


def option(symbol: str, underlying: str, spot: float, strike: float, **kw: object) -> InstrumentSpec:
    fields: dict[str, object] = {
        "option_type": "call",
        "expiry_years": 0.5,
        "implied_vol": 0.25,
        "rate": 0.03,
        "multiplier": 100.0,
    }
    fields.update(kw)
    return InstrumentSpec(
        symbol=symbol,
        asset_class="option",
        currency="USD",
        spot=spot,
        underlying=underlying,
        strike=strike,
        **fields,  # type: ignore[arg-type]
    )


def correlated_returns(rng: np.random.Generator, days: int, vols: list[float], rho: float) -> np.ndarray:
    k = len(vols)
    corr = np.full((k, k), rho) + (1 - rho) * np.eye(k)
    cov = corr * np.outer(vols, vols)
    return rng.multivariate_normal(np.zeros(k), cov, size=days)


@pytest.fixture
def linear_universe() -> Universe:
    return build_universe([equity("AAA", 100.0), equity("BBB", 50.0), equity("CCC", 20.0)])


@pytest.fixture
def option_universe() -> Universe:
    """AAA and BBB stock plus a call and a put on AAA (puts short in the tests' books)."""
    return build_universe(
        [
            equity("AAA", 100.0),
            equity("BBB", 50.0),
            option("AAA_C", "AAA", 100.0, 100.0),
            option("AAA_P", "AAA", 100.0, 95.0, option_type="put"),
        ]
    )


@pytest.fixture
def returns3() -> np.ndarray:
    return correlated_returns(np.random.default_rng(7), 500, [0.02, 0.015, 0.03], 0.4)
