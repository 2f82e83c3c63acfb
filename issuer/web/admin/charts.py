"""Geometry of the dashboard's issuance bar chart, drawn as inline SVG by
templates/admin/_issuance_chart.html (no JavaScript, no chart library, nothing fetched).

Pure: counts in, bars and axis ticks out, in the SVG's own coordinate system (the browser
scales the ``viewBox`` to the width available).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 40  # room for the count axis and the period labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the period, e.g. "2026-11"
    short: str  # what is written under the bar ("Nov", "30")
    count: int


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    baseline: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    total: int
    maximum: int


def _nice_step(maximum: int) -> int:
    """A 1/2/5 × 10^n step giving at most 5 gridlines above zero."""
    step = 1
    while maximum / step > 5:
        step = _next_step(step)
    return step


def _next_step(step: int) -> int:
    """1 → 2 → 5 → 10 → 20 → 50 …"""
    digits = str(step)
    lead, zeros = int(digits[0]), len(digits) - 1
    if lead == 1:
        return 2 * 10 ** zeros
    if lead == 2:
        return 5 * 10 ** zeros
    return 10 ** (zeros + 1)


def bar_chart(points: Sequence[tuple[str, str, int]]) -> Chart:
    """``points``: (label, short label, count) per period, oldest first."""
    maximum = max((count for _, _, count in points), default=0)
    step = _nice_step(max(maximum, 1))
    top_value = max(step, -(-maximum // step) * step)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = plot_width / max(len(points), 1)
    bar_width = slot * 0.7
    bars = []
    for index, (label, short, count) in enumerate(points):
        height = plot_height * count / top_value
        bars.append(Bar(
            x=round(LEFT + slot * index + (slot - bar_width) / 2, 2),
            y=round(baseline - height, 2), width=round(bar_width, 2),
            height=round(height, 2), label=label, short=short, count=count,
        ))
    ticks = tuple(Tick(round(baseline - plot_height * value / top_value, 2), value)
                  for value in range(0, top_value + 1, step))
    return Chart(WIDTH, HEIGHT, LEFT, baseline, tuple(bars), ticks,
                 sum(count for _, _, count in points), maximum)
