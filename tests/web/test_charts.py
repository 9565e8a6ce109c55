"""The VaR chart's geometry (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from riskplatform.web.charts import ChartPoint, compact, nice_step, var_chart


def _points(n: int, *, loss_on: int | None = None) -> list[ChartPoint]:
    start = date(2026, 1, 1)
    return [
        ChartPoint(start + timedelta(days=i), 100.0 + i, 120.0 + i, -500.0 if i == loss_on else 10.0)
        for i in range(n)
    ]


def test_the_series_span_the_plot_left_to_right_and_higher_values_sit_higher():
    chart = var_chart(_points(3), limit=None, currency="USD", width=200, height=100)

    xs = [float(p.split(",")[0]) for p in chart.var_points.split()]
    ys = [float(p.split(",")[1]) for p in chart.var_points.split()]
    assert xs[0] == chart.left
    assert xs[-1] == chart.width - chart.right
    assert ys[0] > ys[1] > ys[2]  # SVG's y grows downwards


def test_the_limit_line_is_drawn_inside_the_scale_even_above_every_value():
    chart = var_chart(_points(5), limit=1000.0, currency="USD")

    assert chart.limit_y is not None
    assert chart.top <= chart.limit_y < chart.plot_bottom
    assert chart.limit_label == "max_var 1,000 USD"
    assert (
        float(chart.y_ticks[-1].label.rstrip("k")) * (1000 if "k" in chart.y_ticks[-1].label else 1) >= 1000
    )


def test_a_day_whose_next_day_loss_exceeds_its_var_is_marked_as_an_exception():
    chart = var_chart(_points(10, loss_on=4), limit=None, currency="USD")

    assert len(chart.exceptions) == 1
    assert "2026-01-05" in chart.exceptions[0].label
    assert chart.observations == 10


def test_no_points_no_chart():
    assert var_chart([], limit=500.0, currency="USD").empty


def test_axis_labels_are_round_and_short():
    assert nice_step(1000) == 200
    assert nice_step(7) == 2
    assert compact(1_250_000) == "1.25M"
    assert compact(40_000) == "40k"
    assert compact(0) == "0"
