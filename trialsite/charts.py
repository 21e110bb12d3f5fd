"""Charts for results: the geometry of icon arrays and bar charts, drawn as inline SVG by
templates/results.html (issue 20).

Health-numeracy research: whole numbers out of the same total ("12 out of 100 people"),
icon arrays for proportions, bars that start at zero. Here only positions and sizes are
computed, so the template keeps all words (translated) and markup; no script, no library.
Nothing depends on colour alone: filled figures against outlined ones, and a pattern and a
written label for every bar.
"""
from __future__ import annotations

from dataclasses import dataclass

ICON_W, ICON_H, PER_ROW = 12, 22, 10
# A person: head and body, drawn in a 12 x 22 box.
ICON_PATH = ("M6 1a3.2 3.2 0 1 1 0 6.4a3.2 3.2 0 1 1 0-6.4zM3 8.5h6a2 2 0 0 1 2 2V20H1v-9.5a2 2 0 0 1 2-2z")
PATTERNS = ("solid", "stripes", "dots", "cross")  # one per group, in turn
BAR_WIDTH, LABEL_H, BAR_H, ROW_GAP, HEADING_H = 320, 18, 16, 10, 24
VALUE_ROOM = 64  # room right of the longest bar for its number


@dataclass(frozen=True)
class Icon:
    x: int
    y: int
    filled: bool


@dataclass(frozen=True)
class IconArray:
    filled: int
    total: int
    icons: tuple[Icon, ...]
    width: int
    height: int
    path: str = ICON_PATH


def icon_array(part: float, whole: float) -> IconArray | None:
    """part out of whole as figures: whole figures when there are at most 100 people (every
    person shown), else 100 figures with the proportion rounded. None when it cannot be drawn."""
    if not whole or whole < 0 or part < 0 or part > whole:
        return None
    if whole <= 100 and float(whole).is_integer() and float(part).is_integer():
        total, filled = int(whole), int(part)
    else:
        total, filled = 100, int(round(100 * part / whole))
    icons = tuple(Icon((i % PER_ROW) * ICON_W, (i // PER_ROW) * ICON_H, i < filled) for i in range(total))
    rows = -(-total // PER_ROW)
    return IconArray(filled, total, icons, min(total, PER_ROW) * ICON_W, rows * ICON_H)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float  # where the bar starts: zero, or its end for a value below zero
    y: float
    width: float
    height: float
    label_y: float
    pattern: str


@dataclass(frozen=True)
class Heading:
    text: str
    y: float


@dataclass(frozen=True)
class Bars:
    bars: tuple[Bar, ...]
    headings: tuple[Heading, ...]
    zero_x: float
    width: int
    height: float
    top: float  # the largest value the scale shows (for the axis label)


def bars(blocks: list[tuple[str | None, list[tuple[str, float]]]], top: float | None = None) -> Bars | None:
    """Horizontal bars: blocks of (heading or None, [(label, value), ...]); the n-th bar of each
    block gets the n-th pattern (the groups). The scale always includes zero."""
    values = [v for _, rows in blocks for _, v in rows]
    if not values:
        return None
    high = max(top if top is not None else 0, max(values), 0)
    low = min(min(values), 0)
    span = (high - low) or 1
    plot = BAR_WIDTH - VALUE_ROOM
    zero_x = plot * (-low) / span
    y, drawn, headings = 0.0, [], []
    for heading, rows in blocks:
        if heading:
            headings.append(Heading(heading, y + HEADING_H - 8))
            y += HEADING_H
        for n, (label, value) in enumerate(rows):
            length = plot * abs(value) / span
            start = zero_x if value >= 0 else zero_x - length
            drawn.append(Bar(label, value, round(start, 1), y + LABEL_H, round(length, 1), BAR_H, y + LABEL_H - 5,
                             PATTERNS[n % len(PATTERNS)]))
            y += LABEL_H + BAR_H + ROW_GAP
    return Bars(tuple(drawn), tuple(headings), round(zero_x, 1), BAR_WIDTH, y, high)
