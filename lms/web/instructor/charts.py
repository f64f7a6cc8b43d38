"""SVG layout for the instructor pages' histograms."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


def histogram_bars(counts: list[int], width: float = 560, height: float = 160) -> list[Bar]:
    """Lay out a 10-bucket histogram as SVG bars (attributes, not inline styles: CSP forbids those)."""
    tallest = max(counts) or 1
    slot = width / len(counts)
    bars = []
    for index, count in enumerate(counts):
        bar_height = height * count / tallest
        label = f"{index * 10}–{index * 10 + 9}" if index < len(counts) - 1 else f"{index * 10}–100"
        bars.append(Bar(label, count, index * slot + 4, height - bar_height, slot - 8, bar_height))
    return bars
