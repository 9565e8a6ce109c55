"""The stored shock format of stress scenarios, parsed into the core's `StressScenario`.

Shocks (`StressScenario.shocks`, or the API's `{"shocks": {...}}`) map:
- an asset class (`equity`, `future`, `fx`, `crypto`) or an instrument symbol to a relative price
  move ("-0.20" = -20%); a symbol shock wins over its class's; options move with their underlying,
  so shocking `option` or an option's symbol is an error;
- `"vol"` to an absolute add to every implied vol ("0.10" = +10 vol points);
- `"rates"` (or `"rate"`) to an absolute add to every risk-free rate ("0.01" = +100bp);
- `"fx"` to either a number (the `fx` asset class, as above) or a map currency -> relative move of
  that currency against the base currency ({"EUR": "-0.15"}; "*" = every non-base currency);
  `"fx:EUR"` is accepted as a flat spelling of the same.
Values are decimal strings or JSON numbers; a relative move must be greater than -1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from analytics.riskmath.stress import BUILTIN_SCENARIOS, SHOCKABLE_CLASSES
from analytics.riskmath.stress import StressScenario as CoreScenario


class ShockError(ValueError):
    """Bad shocks: `errors` maps each bad key to its messages (a 400 body / form errors)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_shocks(
    shocks: Any,
    *,
    name: str = "custom",
    symbol_kind: Callable[[str], str | None] | None = None,
) -> CoreScenario:
    """Validate `shocks` and build the core scenario. `symbol_kind(symbol)` gives a symbol's asset
    class or None when unknown; without it symbols are not checked (stored scenarios may name
    instruments listed later). Raises ShockError naming every bad key."""
    if not isinstance(shocks, Mapping) or not shocks:
        raise ShockError({"shocks": ["Expected a non-empty object of shocks."]})
    errors: dict[str, list[str]] = {}
    classes: dict[str, float] = {}
    symbols: dict[str, float] = {}
    fx: dict[str, float] = {}
    vol = rate = 0.0

    def relative(key: str, raw: Any) -> float | None:
        value = _number(raw)
        if value is None:
            errors[key] = ["Must be a decimal string or a number."]
        elif value <= -1.0:
            errors[key] = ["A relative move must be greater than -1 (-100%)."]
        else:
            return value
        return None

    for key, raw in shocks.items():
        if key in ("vol", "rates", "rate"):
            value = _number(raw)
            if value is None:
                errors[key] = ["Must be a decimal string or a number."]
            elif key == "vol":
                vol = value
            else:
                rate = value
        elif key == "fx" and isinstance(raw, Mapping):
            for ccy, move in raw.items():
                v = relative(f"fx.{ccy}", move)
                if v is not None:
                    fx[str(ccy)] = v
        elif key.startswith("fx:"):
            v = relative(key, raw)
            if v is not None:
                fx[key[3:]] = v
        elif key == "option":
            errors[key] = ["Options move with their underlying: shock its asset class or symbol."]
        elif key in SHOCKABLE_CLASSES:
            v = relative(key, raw)
            if v is not None:
                classes[key] = v
        else:
            kind = symbol_kind(key) if symbol_kind else "equity"
            if kind is None:
                errors[key] = ["Not an asset class, a known symbol, 'vol', 'rates' or 'fx'."]
            elif kind == "option":
                errors[key] = ["Options move with their underlying: shock the underlying's symbol."]
            else:
                v = relative(key, raw)
                if v is not None:
                    symbols[key] = v
    if errors:
        raise ShockError(errors)
    return CoreScenario(name, classes, symbols, vol, rate, fx)


def builtin_shocks() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, description, shocks in the stored format) of the core's built-in historical scenarios."""
    out = []
    for sc in BUILTIN_SCENARIOS:
        shocks: dict[str, Any] = {k: str(v) for k, v in sc.asset_class_shocks.items()}
        shocks.update({k: str(v) for k, v in sc.symbol_shocks.items()})
        if sc.vol_shift:
            shocks["vol"] = str(sc.vol_shift)
        if sc.rate_shift:
            shocks["rates"] = str(sc.rate_shift)
        if sc.fx_shocks and "fx" in shocks:
            # "fx" already holds the fx asset class's move: use the flat spelling for currencies.
            shocks.update({f"fx:{k}": str(v) for k, v in sc.fx_shocks.items()})
        elif sc.fx_shocks:
            shocks["fx"] = {k: str(v) for k, v in sc.fx_shocks.items()}
        out.append((sc.name, sc.description, shocks))
    return out
