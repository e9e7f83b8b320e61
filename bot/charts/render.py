"""Draw the charts as PNG with matplotlib, imported only when a picture is asked for.

``drawn`` records exactly what was handed to matplotlib (bar lengths, labels, lines), so tests
check the figures in the picture without comparing pixels. Unknown values are drawn hatched
and labelled "not known": never a bar of made-up length.

Ballot text is drawn as the characters it is: matplotlib reads ``$...$`` as mathtext (and a
stray ``$`` or ``^`` in an employer's name could make it raise), so every text artist gets
``parse_math=False`` and ``usetex=False`` (:data:`LITERAL`), control characters are written
as their code (:func:`bot.printable.printable`), and a character the font lacks is drawn
as the font's box rather than stopping the picture.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.charts.data import ResultChart, ThermometerChart
from bot.percentages import rounded
from bot.printable import printable

# Okabe-Ito: distinguishable with every common kind of colour blindness.
YES = "#0072B2"
NO = "#E69F00"
SPOILT = "#999999"
TURNOUT = "#009E73"
LINE = "#000000"
UNKNOWN = "#BBBBBB"
LITERAL: dict[str, Any] = {"parse_math": False, "usetex": False}
"""Keyword arguments of every text artist: the string is drawn, never interpreted."""
SIZE = (8.0, 4.5)  # inches at 100 dpi: 800 x 450, readable at chat-preview size
DPI = 100


@dataclass(frozen=True)
class Picture:
    """A rendered chart: PNG bytes, what was drawn, and the same in words."""

    png: bytes
    alt_text: str
    drawn: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    """The cached file, when the picture came through a :class:`PictureCache`."""


@contextmanager
def _any_glyphs() -> Iterator[None]:
    """A name in a script the font lacks is drawn as boxes, not a reason to fail."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support")
        yield


def _figure() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    return figure, figure.add_gridspec(3, 1, height_ratios=(0.35, 1, 1), hspace=1.0)


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    with _any_glyphs():
        figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _texts(figure: Any) -> list[dict[str, Any]]:
    """Every text the picture holds, as drawn: its string and whether mathtext read it."""
    from matplotlib.text import Text

    return [
        {"text": t.get_text(), "math": t.get_parse_math() or t.get_usetex()}
        for t in figure.findobj(Text)
        if t.get_text()
    ]


def _unknown_bar(axes: Any, label: str) -> None:
    axes.barh([0], [100], color="white", edgecolor=UNKNOWN, hatch="///", height=0.6)
    axes.text(50, 0, label, ha="center", va="center", fontsize=11, color="#444444", **LITERAL)


def _axes(figure: Any, slot: Any, title: str) -> Any:
    axes = figure.add_subplot(slot)
    axes.set_xlim(0, 100)
    axes.set_yticks([])
    axes.set_xticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"], **LITERAL)
    axes.set_title(printable(title), loc="left", fontsize=11, **LITERAL)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    return axes


def render_result(chart: ResultChart) -> Picture:
    """Yes against no, and turnout against the thresholds that apply."""
    figure, grid = _figure()
    drawn: dict[str, Any] = {"kind": "result"}
    figure.suptitle(
        printable(chart.title), x=0.02, ha="left", fontsize=14, fontweight="bold", **LITERAL
    )
    figure.text(0.02, 0.86, printable(chart.question[:110]), fontsize=10, **LITERAL)

    votes = _axes(figure, grid[1], "Votes (share of those voting)")
    if chart.yes_pct is None or chart.no_pct is None:
        _unknown_bar(votes, "not known")
        drawn["votes"] = None
    else:
        votes.barh([0], [chart.yes_pct], color=YES, height=0.6)
        votes.barh([0], [chart.no_pct], left=[chart.yes_pct], color=NO, height=0.6)
        yes_text = f"Yes {chart.yes_text}"
        no_text = f"No {chart.no_text}"
        if chart.votes_for is not None and chart.votes_against is not None:
            yes_text += f" ({chart.votes_for:,})"
            no_text += f" ({chart.votes_against:,})"
        votes.text(
            1, 0, yes_text, va="center", color="white", fontsize=10, fontweight="bold", **LITERAL
        )
        votes.text(99, 0, no_text, va="center", ha="right", color="black", fontsize=10, **LITERAL)
        drawn["votes"] = {"yes": chart.yes_pct, "no": chart.no_pct, "labels": [yes_text, no_text]}
    if chart.spoilt is not None:
        votes.set_xlabel(f"Spoilt papers: {chart.spoilt:,}", fontsize=9, **LITERAL)
        drawn["spoilt"] = chart.spoilt

    no_line = "" if chart.turnout_threshold is not None else " — no turnout threshold"
    turnout = _axes(figure, grid[2], f"Turnout: {chart.turnout_label}{no_line}")
    if chart.turnout_pct is None:
        _unknown_bar(turnout, "not known")
        drawn["turnout"] = None
    else:
        turnout.barh([0], [chart.turnout_pct], color=TURNOUT, height=0.6)
        drawn["turnout"] = chart.turnout_pct
    lines = []
    if chart.turnout_threshold is not None:
        turnout.axvline(chart.turnout_threshold, color=LINE, linestyle="--", linewidth=1.5)
        lines.append({"what": "turnout", "at": chart.turnout_threshold})
    if chart.support_threshold is not None:
        votes.axvline(chart.support_threshold, color=LINE, linestyle=":", linewidth=1.5)
        lines.append({"what": "yes of all entitled", "at": chart.support_threshold})
    drawn["lines"] = lines
    footer = chart.verdict + (f"   Source: {chart.source}" if chart.source else "")
    figure.text(0.02, 0.02, printable(footer[:140]), fontsize=9, **LITERAL)
    drawn["verdict"] = chart.verdict
    drawn["texts"] = _texts(figure)
    return Picture(_png(figure), chart.alt_text, drawn)


def render_thermometer(chart: ThermometerChart) -> Picture:
    """An open ballot: turnout so far against its rule set's threshold (if any), and the days
    left."""
    figure, grid = _figure()
    drawn: dict[str, Any] = {"kind": "thermometer"}
    figure.suptitle(
        printable(chart.title), x=0.02, ha="left", fontsize=14, fontweight="bold", **LITERAL
    )
    days = "Closing date not known" if chart.days_left is None else f"{chart.days_left} days left"
    figure.text(0.02, 0.86, printable(f"{days} — {chart.question[:90]}"), fontsize=10, **LITERAL)
    drawn["days_left"] = chart.days_left

    no_line = "" if chart.threshold is not None else " — no turnout threshold"
    said = f"Turnout so far, reported by organisers{no_line}"
    if chart.reported_turnout_pct is not None:  # the figure and when, as the card says it
        said = f"Turnout so far{no_line}:\n{chart.reported}"
    reported = _axes(figure, grid[1], said)
    if chart.reported_turnout_pct is None:
        _unknown_bar(reported, "not reported yet")
        drawn["reported"] = None
    else:
        reported.barh([0], [chart.reported_turnout_pct], color=TURNOUT, height=0.6)
        drawn["reported"] = chart.reported_turnout_pct

    title = "Members who told the bot they posted their paper (an estimate)"
    confirmed = _axes(figure, grid[2], title)
    if chart.confirmed_voters is None or not chart.eligible:
        _unknown_bar(confirmed, "not known")
        drawn["confirmed_pct"] = None
    else:
        share = 100.0 * chart.confirmed_voters / chart.eligible
        confirmed.barh([0], [share], color=YES, height=0.6)
        drawn["confirmed_pct"] = float(rounded(share, 2))
    lines = []
    if chart.threshold is not None:
        for axes in (reported, confirmed):
            axes.axvline(chart.threshold, color=LINE, linestyle="--", linewidth=1.5)
        lines.append({"what": "turnout", "at": chart.threshold})
    drawn["lines"] = lines
    drawn["texts"] = _texts(figure)
    return Picture(_png(figure), chart.alt_text, drawn)
