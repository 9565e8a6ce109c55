"""Charts drawn on the server as SVG geometry (the template writes the elements): no script, no
inline style, nothing fetched by the browser.

`var_chart` lays out the VaR/ES history of an account: both series against time, axes with ticks,
the max_var limit as a horizontal line and the backtest exceptions (days whose next-day loss
exceeded that day's VaR) marked on the VaR line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ChartPoint:
    day: date
    var: float | None
    es: float | None
    realized_pnl: float | None  # P&L of that day's book over the next day (None: not known yet)

    @property
    def is_exception(self) -> bool:
        """The next day lost more than the VaR forecast for it (the backtest's exception)."""
        return self.var is not None and self.realized_pnl is not None and -self.realized_pnl > self.var


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class VarChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    var_points: str
    es_points: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    limit_y: float | None
    limit_label: str
    exceptions: tuple[Marker, ...]
    observations: int  # days with both a VaR and a known next-day P&L

    @property
    def empty(self) -> bool:
        return not self.var_points and not self.es_points

    # Where the template draws the frame and the labels (SVG attributes, not styles).
    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def x_label_y(self) -> int:
        return self.height - 8

    @property
    def y_label_x(self) -> int:
        return self.left - 6

    @property
    def limit_label_y(self) -> float | None:
        return None if self.limit_y is None else round(self.limit_y - 4, 1)


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)


def compact(value: float) -> str:
    """1,250,000 -> "1.25M"; axis labels stay short."""
    magnitude = abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def var_chart(
    points: Sequence[ChartPoint],
    *,
    limit: float | None,
    currency: str,
    width: int = 720,
    height: int = 240,
) -> VarChart:
    """The chart of `points` (oldest first) with the limit line at `limit` (None: no limit)."""
    left, right, top, bottom = 64, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for p in points for v in (p.var, p.es) if v is not None]
    if limit is not None:
        values.append(limit)
    if not points or not values:
        return VarChart(width, height, left, right, top, bottom, "", "", (), (), None, "", (), 0)
    high = max(values) or 1.0
    step = nice_step(high)
    y_max = math.ceil(high * 1.05 / step) * step
    n = len(points)

    def x(index: int) -> float:
        return left + (plot_w * index / (n - 1) if n > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    def line(attr: str) -> str:
        return " ".join(
            f"{x(i):.1f},{y(v):.1f}" for i, p in enumerate(points) if (v := getattr(p, attr)) is not None
        )

    y_ticks = tuple(Tick(round(y(k * step), 1), compact(k * step)) for k in range(round(y_max / step) + 1))
    every = max(1, math.ceil(n / 6))
    x_ticks = tuple(Tick(round(x(i), 1), points[i].day.strftime("%d %b")) for i in range(0, n, every))
    exceptions = tuple(
        Marker(
            round(x(i), 1),
            round(y(p.var or 0.0), 1),
            f"{p.day:%Y-%m-%d}: next-day loss {-(p.realized_pnl or 0.0):,.0f} {currency} "
            f"over VaR {p.var or 0.0:,.0f} {currency}",
        )
        for i, p in enumerate(points)
        if p.is_exception
    )
    return VarChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        var_points=line("var"),
        es_points=line("es"),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        limit_y=None if limit is None else round(y(limit), 1),
        limit_label="" if limit is None else f"max_var {limit:,.0f} {currency}",
        exceptions=exceptions,
        observations=sum(1 for p in points if p.var is not None and p.realized_pnl is not None),
    )
