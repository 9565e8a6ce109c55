"""The instruments a computation runs over, as parallel float64 arrays, and their full revaluation.

A `Universe` lists `m` instruments (the columns of every quantity matrix `Q [portfolios x m]`) and
the `k` risk factors that drive them (the columns of every returns matrix `R [days x k]`). A linear
instrument (equity, future, fx, crypto) is driven by its own price; an option by its underlying's
price. `spot` is the current price of the driving factor; `fx_to_base` converts one unit of the
instrument's currency into the base currency, so every value and P&L returned here is in base.

Value of one unit: linear `spot x multiplier x fx`; option `model price x multiplier x fx`, where
the model is BSM on the underlying's spot or Black-76 when the underlying is a future
(`future_option=True`; `spot` is then the futures price).

Revaluation (`unit_pnl`) is full: options are repriced at the shocked underlying with the same
time to expiry (an instantaneous shock), optionally shifted vols and rates, never via Greeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analytics.riskmath._types import BoolArray, FloatArray, IntArray, as_float
from analytics.riskmath.errors import InvalidInputError, MissingImpliedVolError
from analytics.riskmath.pricing import Greeks, _greeks, _price

ASSET_CLASSES = ("equity", "future", "option", "fx", "crypto")
MIN_VOL = 1e-4  # a vol shift may not push an implied vol to zero or below


@dataclass(frozen=True)
class InstrumentSpec:
    """One instrument as the Django side knows it (floats already converted from Decimal).

    For options: `underlying` names the driving instrument, `spot` is the underlying's mark and the
    option fields are required (`implied_vol=None` makes `build_universe` raise). `expiry_years` is
    (expiry - valuation date) in days / 365 and may be zero or negative (expired: intrinsic value).
    """

    symbol: str
    asset_class: str
    currency: str
    spot: float
    multiplier: float = 1.0
    fx_to_base: float = 1.0
    underlying: str | None = None
    option_type: str | None = None  # "call" | "put"
    strike: float | None = None
    expiry_years: float | None = None
    implied_vol: float | None = None
    rate: float = 0.0
    dividend_yield: float = 0.0
    future_option: bool = False
    underlying_asset_class: str = "equity"  # used when the underlying is not itself in the universe


@dataclass(frozen=True)
class Universe:
    """Instruments (length m) and risk factors (length k) as arrays; build with `build_universe`."""

    symbols: tuple[str, ...]
    asset_classes: tuple[str, ...]
    currencies: tuple[str, ...]
    factor_symbols: tuple[str, ...]
    factor_asset_classes: tuple[str, ...]
    factor_index: IntArray
    spot: FloatArray
    multiplier: FloatArray
    fx_to_base: FloatArray
    is_option: BoolArray
    is_call: BoolArray
    strike: FloatArray
    expiry_years: FloatArray
    implied_vol: FloatArray
    rate: FloatArray
    dividend_yield: FloatArray
    future_option: BoolArray

    @property
    def size(self) -> int:
        return len(self.symbols)

    @property
    def n_factors(self) -> int:
        return len(self.factor_symbols)

    @property
    def option_index(self) -> IntArray:
        return np.flatnonzero(self.is_option)

    @property
    def linear_index(self) -> IntArray:
        return np.flatnonzero(~self.is_option)


def build_universe(specs: Sequence[InstrumentSpec]) -> Universe:
    """Arrays for `specs`; factors are the distinct driving symbols in first-seen order.

    Raises `MissingImpliedVolError` naming every option without an implied vol and
    `InvalidInputError` for an option lacking its terms or an unknown asset class.
    """
    factor_pos: dict[str, int] = {}
    factor_classes: list[str] = []
    spots: dict[str, float] = {}
    missing_vol: list[str] = []
    drivers: list[str] = []
    if len({spec.symbol for spec in specs}) != len(specs):
        raise InvalidInputError("symbol", "each instrument may appear only once in a universe")
    for spec in specs:
        if not (np.isfinite(spec.spot) and spec.spot > 0.0):
            raise InvalidInputError("spot", f"{spec.symbol}: spot must be a positive number")
        if spec.asset_class not in ASSET_CLASSES:
            raise InvalidInputError("asset_class", f"{spec.symbol}: unknown asset class {spec.asset_class!r}")
        is_opt = spec.asset_class == "option"
        driver = spec.underlying if is_opt else spec.symbol
        if driver is None:
            raise InvalidInputError("underlying", f"{spec.symbol}: an option needs an underlying")
        drivers.append(driver)
        if is_opt and (
            spec.option_type not in ("call", "put") or spec.strike is None or spec.expiry_years is None
        ):
            raise InvalidInputError(
                "option_type", f"{spec.symbol}: an option needs option_type, strike and expiry"
            )
        if is_opt and (spec.implied_vol is None or not np.isfinite(spec.implied_vol)):
            missing_vol.append(spec.symbol)
        if driver not in factor_pos:
            factor_pos[driver] = len(factor_pos)
            # An option's factor takes its underlying's asset class (what stress shocks key on).
            factor_classes.append(spec.underlying_asset_class if is_opt else spec.asset_class)
        elif not is_opt:
            factor_classes[factor_pos[driver]] = spec.asset_class
        if driver in spots and not np.isclose(spots[driver], spec.spot):
            raise InvalidInputError(
                "spot", f"{spec.symbol}: spot of {driver} disagrees with another instrument"
            )
        spots[driver] = spec.spot
    if missing_vol:
        raise MissingImpliedVolError(missing_vol)

    def col(values: list[float]) -> FloatArray:
        return np.array(values, dtype=np.float64)

    opt = [s.asset_class == "option" for s in specs]
    return Universe(
        symbols=tuple(s.symbol for s in specs),
        asset_classes=tuple(s.asset_class for s in specs),
        currencies=tuple(s.currency for s in specs),
        factor_symbols=tuple(factor_pos),
        factor_asset_classes=tuple(factor_classes),
        factor_index=np.array([factor_pos[d] for d in drivers], dtype=np.intp),
        spot=col([s.spot for s in specs]),
        multiplier=col([s.multiplier for s in specs]),
        fx_to_base=col([s.fx_to_base for s in specs]),
        is_option=np.array(opt, dtype=np.bool_),
        is_call=np.array([s.option_type == "call" for s in specs], dtype=np.bool_),
        strike=col([s.strike if s.strike is not None else np.nan for s in specs]),
        expiry_years=col([s.expiry_years if s.expiry_years is not None else np.nan for s in specs]),
        implied_vol=col([s.implied_vol if s.implied_vol is not None else np.nan for s in specs]),
        rate=col([s.rate for s in specs]),
        dividend_yield=col([s.dividend_yield for s in specs]),
        future_option=np.array([s.future_option for s in specs], dtype=np.bool_),
    )


def _option_greeks(
    u: Universe,
    idx: IntArray,
    spot: npt.ArrayLike,
    vol_shift: npt.ArrayLike = 0.0,
    rate_shift: npt.ArrayLike = 0.0,
) -> Greeks:
    """Per-unit Greeks (multiplier 1, instrument currency) of options `idx`; spot is [.. x len(idx)]."""
    r = u.rate[idx] + as_float(rate_shift)
    q = np.where(u.future_option[idx], r, u.dividend_yield[idx] + 0.0 * r)
    vol = np.maximum(u.implied_vol[idx] + as_float(vol_shift), MIN_VOL)
    g = _greeks(spot, u.strike[idx], u.expiry_years[idx], r, q, vol, u.is_call[idx])
    if np.any(u.future_option[idx]):
        t = np.maximum(u.expiry_years[idx], 0.0)
        rho = np.where(u.future_option[idx], -t * g.price * 0.01, g.rho)
        g = Greeks(g.price, g.delta, g.gamma, g.vega, g.theta, as_float(rho))
    return g


def _option_price(
    u: Universe,
    idx: IntArray,
    spot: npt.ArrayLike,
    vol_shift: npt.ArrayLike = 0.0,
    rate_shift: npt.ArrayLike = 0.0,
) -> FloatArray:
    """Per-unit price of options `idx` (the price of `_option_greeks`, computed alone)."""
    r = u.rate[idx] + as_float(rate_shift)
    q = np.where(u.future_option[idx], r, u.dividend_yield[idx] + 0.0 * r)
    vol = np.maximum(u.implied_vol[idx] + as_float(vol_shift), MIN_VOL)
    return _price(spot, u.strike[idx], u.expiry_years[idx], r, q, vol, u.is_call[idx])


def unit_values(u: Universe) -> FloatArray:
    """Current value of one unit of each instrument, in base currency."""
    price = u.spot.copy()
    idx = u.option_index
    if idx.size:
        price[idx] = _option_greeks(u, idx, u.spot[idx]).price
    return as_float(price * u.multiplier * u.fx_to_base)


def unit_greeks(u: Universe) -> Greeks:
    """Per-unit Greeks of every instrument (multiplier applied, instrument currency).

    A linear instrument has delta = multiplier and no other Greek; price is the unit price.
    """
    m = u.size
    price = u.spot * u.multiplier
    delta = u.multiplier.copy()
    gamma, vega, theta, rho = (np.zeros(m) for _ in range(4))
    idx = u.option_index
    if idx.size:
        g = _option_greeks(u, idx, u.spot[idx])
        mult = u.multiplier[idx]
        price[idx] = g.price * mult
        delta[idx] = g.delta * mult
        gamma[idx] = g.gamma * mult
        vega[idx] = g.vega * mult
        theta[idx] = g.theta * mult
        rho[idx] = g.rho * mult
    return Greeks(as_float(price), as_float(delta), gamma, vega, theta, rho)


def delta_exposures(u: Universe) -> FloatArray:
    """Base-currency delta exposure of one unit of each instrument to its factor's simple return.

    Linear: its market value. Option: delta x underlying spot x multiplier x fx (delta-equivalent).
    """
    g = unit_greeks(u)
    return as_float(g.delta * u.spot * u.fx_to_base)


def gamma_exposures(u: Universe) -> FloatArray:
    """Base-currency P&L per unit of squared factor return: gamma x spot^2 x multiplier x fx.

    With it, the delta-gamma P&L of one unit is `delta_exposure x r + 0.5 x gamma_exposure x r^2`.
    """
    g = unit_greeks(u)
    return as_float(g.gamma * u.spot * u.spot * u.fx_to_base)


def factor_loadings(u: Universe, per_unit: FloatArray) -> FloatArray:
    """[m x k] matrix placing each instrument's per-unit figure in its factor's column.

    `Q @ factor_loadings(u, delta_exposures(u))` gives the factor exposure matrix W [P x k].
    """
    out = np.zeros((u.size, u.n_factors))
    out[np.arange(u.size), u.factor_index] = per_unit
    return out


def unit_pnl(
    u: Universe,
    factor_returns: FloatArray,
    *,
    instruments: IntArray | None = None,
    vol_shift: npt.ArrayLike = 0.0,
    rate_shift: npt.ArrayLike = 0.0,
    fx_returns: FloatArray | None = None,
) -> FloatArray:
    """Full-revaluation P&L of one unit of each instrument under each scenario, in base currency.

    `factor_returns` [S x k] are simple returns of the factors; `vol_shift` and `rate_shift` are
    scalars or [S] (absolute adds); `fx_returns` [S x m] relative moves of each instrument's
    currency against base. `instruments` restricts the output columns (default all m).
    Returns [S x len(instruments)].
    """
    cols = np.arange(u.size) if instruments is None else instruments
    x = as_float(factor_returns)
    if x.ndim != 2 or x.shape[1] != u.n_factors:
        raise InvalidInputError(
            "returns", f"expected [scenarios x {u.n_factors}] factor returns, got {x.shape}"
        )
    fx = None if fx_returns is None else as_float(fx_returns)[:, cols]
    return instrument_pnl(
        u, cols, x[:, u.factor_index[cols]], vol_shift=vol_shift, rate_shift=rate_shift, fx_returns=fx
    )


def instrument_pnl(
    u: Universe,
    cols: IntArray,
    driver_returns: FloatArray,
    *,
    vol_shift: npt.ArrayLike = 0.0,
    rate_shift: npt.ArrayLike = 0.0,
    fx_returns: FloatArray | None = None,
) -> FloatArray:
    """Like `unit_pnl` but given each column's own driver return [S x len(cols)] directly."""
    base_value = unit_values(u)[cols]
    shocked_spot = u.spot[cols] * (1.0 + as_float(driver_returns))
    new_price = shocked_spot
    is_opt = u.is_option[cols]
    if np.any(is_opt):
        new_price = shocked_spot.copy()
        oi = np.flatnonzero(is_opt)
        vs = as_float(vol_shift)
        rs = as_float(rate_shift)
        vs = vs[:, None] if vs.ndim == 1 else vs
        rs = rs[:, None] if rs.ndim == 1 else rs
        new_price[:, oi] = _option_price(u, cols[oi], shocked_spot[:, oi], vs, rs)
    new_value = new_price * (u.multiplier * u.fx_to_base)[cols]
    if fx_returns is not None:
        new_value = new_value * (1.0 + as_float(fx_returns))
    return as_float(new_value - base_value)


def exposed_factors(u: Universe, quantities: npt.ArrayLike) -> BoolArray:
    """[k] mask of the factors any row of `quantities` ([P x m] or [m]) holds a position on.

    Pass it as `required=` to `history.lookback_returns` so history is demanded only where it
    matters.
    """
    q = np.atleast_2d(as_float(quantities))
    held = np.any(q != 0.0, axis=0)
    mask = np.zeros(u.n_factors, dtype=np.bool_)
    mask[u.factor_index[held]] = True
    return mask
