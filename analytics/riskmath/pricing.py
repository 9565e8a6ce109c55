"""Black-Scholes-Merton and Black-76 prices, Greeks and implied volatility.

Conventions (these match the REST contract):

* All inputs broadcast against each other; outputs are float64 arrays of the broadcast shape.
* `T` is in years, `r` and `q` are continuously compounded annual rates, `sigma` annual vol.
* delta: per 1 unit of the underlying; gamma: per unit move of the underlying, per unit;
  vega: per 1 vol point (sigma + 0.01); theta: per calendar day (annual theta / 365);
  rho: per 1% move of the rate (r + 0.01).
* Black-76 prices options on a futures price `F`; its delta and gamma are with respect to `F`, its
  rho is the derivative holding `F` fixed (-T x price). Black-76 with F = S e^{(r-q)T} equals BSM.
* At or past expiry (T <= 0) the price is intrinsic value, delta is 1/0 (0.5 exactly at the money,
  signed for puts) and gamma, vega, theta and rho are 0. A zero volatility prices the discounted
  forward intrinsic value. Neither case produces NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.special import ndtr

from analytics.riskmath._types import BoolArray, FloatArray, as_float
from analytics.riskmath.errors import ImpliedVolError, InvalidInputError

DAYS_PER_YEAR = 365.0
VOL_POINT = 0.01
RATE_POINT = 0.01
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
# Below this total volatility the option is priced as deterministic: dividing by it would only
# overflow gamma, and the price differs from the no-diffusion value by less than 1e-12 x spot.
_MIN_VOL_SQRT_T = 1e-12


@dataclass(frozen=True)
class Greeks:
    """Per-unit option value and sensitivities in the units listed in the module docstring."""

    price: FloatArray
    delta: FloatArray
    gamma: FloatArray
    vega: FloatArray
    theta: FloatArray
    rho: FloatArray


def _pdf(x: FloatArray) -> FloatArray:
    with np.errstate(over="ignore"):  # |x| beyond ~1e154: the density is 0, which exp gives
        return as_float(_INV_SQRT_2PI * np.exp(-0.5 * x * x))


def _as_bool(is_call: npt.ArrayLike) -> BoolArray:
    return np.asarray(is_call, dtype=np.bool_)


def _greeks(
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> Greeks:
    """Generalised BSM (cost of carry r - q); every Greek is computed so that limits never NaN."""
    s, k, t_raw, rr, qq, vol, call = np.broadcast_arrays(
        as_float(S), as_float(K), as_float(T), as_float(r), as_float(q), as_float(sigma), _as_bool(is_call)
    )
    s = np.maximum(s, 0.0)
    alive = t_raw > 0.0
    t = np.where(alive, t_raw, 0.0)
    sqrt_t = np.sqrt(t)
    vol_sqrt_t = np.maximum(vol, 0.0) * sqrt_t
    diffusive = (vol_sqrt_t > _MIN_VOL_SQRT_T) & (s > 0.0)
    disc_q = np.exp(-qq * t)
    disc_r = np.exp(-rr * t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_moneyness = np.log(s / k) + (rr - qq) * t
        d1 = np.where(
            diffusive,
            (log_moneyness + 0.5 * vol_sqrt_t * vol_sqrt_t) / np.where(diffusive, vol_sqrt_t, 1.0),
            # No diffusion: the option ends in or out of the money for sure (0 exactly at the money,
            # which gives the conventional 0.5 delta for an expiring at-the-money option).
            np.where(log_moneyness > 0.0, np.inf, np.where(log_moneyness < 0.0, -np.inf, 0.0)),
        )
        d2 = d1 - vol_sqrt_t
        pdf_d1 = _pdf(np.where(np.isfinite(d1), d1, 0.0)) * np.isfinite(d1)
    sign = np.where(call, 1.0, -1.0)
    n1 = ndtr(sign * d1)
    n2 = ndtr(sign * d2)
    price = sign * (s * disc_q * n1 - k * disc_r * n2)
    price = np.maximum(price, 0.0)
    delta = sign * disc_q * n1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Where the density has underflowed to 0 so may S x vol x sqrt(T) (a subnormal spot): 0/0 would
        # be NaN, but the density vanishes far faster than 1/S, so gamma is 0 there.
        curved = diffusive & (pdf_d1 > 0.0)
        gamma = np.where(curved, disc_q * pdf_d1 / np.where(curved, s * vol_sqrt_t, 1.0), 0.0)
        decay = np.where(diffusive, s * disc_q * pdf_d1 * vol / np.where(diffusive, 2.0 * sqrt_t, 1.0), 0.0)
    vega_annual = s * disc_q * pdf_d1 * sqrt_t
    theta_annual = np.where(alive, -decay + sign * (qq * s * disc_q * n1 - rr * k * disc_r * n2), 0.0)
    rho_annual = sign * k * t * disc_r * n2
    return Greeks(
        price=as_float(price),
        delta=as_float(delta),
        gamma=as_float(gamma),
        vega=as_float(vega_annual * VOL_POINT),
        theta=as_float(theta_annual / DAYS_PER_YEAR),
        rho=as_float(rho_annual * RATE_POINT),
    )


def _price(
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> FloatArray:
    """The price of `_greeks` alone, for full revaluation of many scenarios.

    Terms that depend only on the contract (discounts, vol x sqrt(T)) are computed at the
    contract's shape before broadcasting against the scenario spots, which keeps it cheap.
    """
    s = np.maximum(as_float(S), 0.0)
    k = as_float(K)
    t = np.maximum(as_float(T), 0.0)
    rr = as_float(r)
    qq = as_float(q)
    vol_sqrt_t = np.maximum(as_float(sigma), 0.0) * np.sqrt(t)
    sign = np.where(_as_bool(is_call), 1.0, -1.0)
    spot_disc = np.exp(-qq * t)
    strike_disc = k * np.exp(-rr * t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_moneyness = np.log(s / k) + (rr - qq) * t
        diffusive = (vol_sqrt_t > _MIN_VOL_SQRT_T) & (s > 0.0)
        d1 = np.where(
            diffusive,
            (log_moneyness + 0.5 * vol_sqrt_t * vol_sqrt_t) / np.where(diffusive, vol_sqrt_t, 1.0),
            np.where(log_moneyness > 0.0, np.inf, np.where(log_moneyness < 0.0, -np.inf, 0.0)),
        )
    d2 = d1 - vol_sqrt_t
    price = sign * (s * spot_disc * ndtr(sign * d1) - strike_disc * ndtr(sign * d2))
    return as_float(np.maximum(price, 0.0))


def bsm_greeks(
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> Greeks:
    """Black-Scholes-Merton price and Greeks with continuous dividend yield `q`."""
    return _greeks(S, K, T, r, q, sigma, is_call)


def bsm_price(
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> FloatArray:
    """Black-Scholes-Merton price with continuous dividend yield `q`."""
    return _greeks(S, K, T, r, q, sigma, is_call).price


def black76_greeks(
    F: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> Greeks:
    """Black-76 price and Greeks of an option on a futures price `F` (BSM with q = r)."""
    g = _greeks(F, K, T, r, r, sigma, is_call)
    # With F held fixed, r only discounts the payoff: d price / d r = -T x price.
    t = np.maximum(np.broadcast_to(as_float(T), g.price.shape), 0.0)
    return Greeks(
        price=g.price,
        delta=g.delta,
        gamma=g.gamma,
        vega=g.vega,
        theta=g.theta,
        rho=as_float(-t * g.price * RATE_POINT),
    )


def black76_price(
    F: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> FloatArray:
    """Black-76 price of an option on a futures price `F`."""
    return _greeks(F, K, T, r, r, sigma, is_call).price


def implied_vol(
    price: npt.ArrayLike,
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    is_call: npt.ArrayLike,
    *,
    black76: bool = False,
    lower: float = 1e-6,
    upper: float = 5.0,
    xtol: float = 1e-12,
) -> FloatArray:
    """Volatility that reproduces `price`, solved with `scipy.optimize.brentq` on [lower, upper].

    With `black76=True`, `S` is the futures price and `q` is ignored. Raises `ImpliedVolError`
    (naming the element and the attainable price range) when the price is outside the range the
    bracket can produce, e.g. below intrinsic value or above the underlying, or when expired.
    """
    if not 0.0 < lower < upper:
        raise InvalidInputError("bounds", "need 0 < lower < upper")
    p, s, k, t, rr, qq, call = np.broadcast_arrays(
        as_float(price), as_float(S), as_float(K), as_float(T), as_float(r), as_float(q), _as_bool(is_call)
    )
    if black76:
        qq = rr
    flat = [a.ravel() for a in (p, s, k, t, rr, qq)]
    calls = call.ravel()

    def model(vol: float, i: int) -> float:
        return float(_greeks(flat[1][i], flat[2][i], flat[3][i], flat[4][i], flat[5][i], vol, calls[i]).price)

    # The bracket test is vectorised; only the root search itself is per element (brentq is scalar).
    lo_prices = _greeks(flat[1], flat[2], flat[3], flat[4], flat[5], lower, calls).price
    hi_prices = _greeks(flat[1], flat[2], flat[3], flat[4], flat[5], upper, calls).price
    out = np.empty(p.size, dtype=np.float64)
    for i in range(p.size):
        target = flat[0][i]
        # A price computed at a low vol can land a rounding error below the price at `lower` (deep in
        # the money, where the price hardly depends on vol): within that error it is at the bound.
        slack = 1e-12 * max(1.0, abs(float(target)))
        if not (flat[3][i] > 0.0 and lo_prices[i] - slack <= target <= hi_prices[i] + slack):
            raise ImpliedVolError(i, float(target), float(lo_prices[i]), float(hi_prices[i]))
        if target <= lo_prices[i]:
            out[i] = lower
            continue
        if target >= hi_prices[i]:
            out[i] = upper
            continue
        out[i] = brentq(lambda v, i=i, target=target: model(v, i) - target, lower, upper, xtol=xtol)
    return out.reshape(p.shape)
