"""Draw the charts as PNG with matplotlib, imported only when a picture is asked for.

``drawn`` records exactly what was handed to matplotlib (bar lengths, labels, lines), so tests
check the figures in the picture without comparing pixels. Unknown values are drawn hatched
and labelled "not known": never a bar of made-up length.

Ballot text is drawn as the characters it is: matplotlib reads ``$...$`` as mathtext (and a
stray ``$`` or ``^`` in an employer's name could make it raise), so every text artist gets
``parse_math=False`` and ``usetex=False`` (:data:`LITERAL`), control characters are written
as their code (:func:`bot.printable.printable`), and a character the font lacks is drawn
as the font's box rather than stopping the picture. Zero-width and other invisible characters
are shown as their code too, so a name cannot hide a word in a picture either.

Every text from data is fitted to the picture (:func:`fitted`): line breaks and tabs in it
become spaces, and it is wrapped onto at most the lines its place has, measured with the font
it is drawn in, ending in an ellipsis when it is longer: a long title or a question of many
lines never runs off the picture or over the bars.
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
LEFT = 0.02
"""Where text starts, as a fraction of the width; it may run to the same margin on the right."""
ELLIPSIS = "…"


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


def fitted(
    figure: Any, text: str, *, fontsize: float, weight: str = "normal", lines: int = 1
) -> str:
    """``text`` (made :func:`printable`, its whitespace runs made single spaces) wrapped at
    spaces onto at most ``lines`` lines no wider than the figure less its margins, measured
    with the font it will be drawn in; what does not fit is cut, ending in an ellipsis."""
    from matplotlib.font_manager import FontProperties

    renderer = figure.canvas.get_renderer()
    font = FontProperties(size=fontsize, weight=weight)
    room = figure.bbox.width * (1 - 2 * LEFT)

    def fits(line: str) -> bool:
        with _any_glyphs():
            width, _, _ = renderer.get_text_width_height_descent(line, font, ismath=False)
        return bool(width <= room)

    words = printable(text).split()
    out: list[str] = []
    line = ""
    while words:
        word = words[0]
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            words.pop(0)
            continue
        if not line:  # one word wider than the picture: cut it where it stops fitting
            cut = _longest(word, fits)
            line, words[0] = word[:cut], word[cut:]
        out.append(line)
        line = ""
        if len(out) == lines:
            break
    if line:
        out.append(line)
    if words:  # more than fits: the last line ends in an ellipsis
        last = f"{out[-1]} {' '.join(words)}"
        out[-1] = last[: _longest(last, lambda s: fits(s.rstrip() + ELLIPSIS))].rstrip()
        out[-1] += ELLIPSIS
    return "\n".join(out)


def _longest(text: str, fits: Any) -> int:
    """How many leading characters of ``text`` fit (at least one, so the text advances)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


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
    """Every text the picture holds, as drawn: its string, whether mathtext read it, and
    the box it covers in pixels ``(x0, y0, x1, y1)``, origin bottom left."""
    from matplotlib.text import Text

    renderer = figure.canvas.get_renderer()
    texts = []
    with _any_glyphs():
        for t in figure.findobj(Text):
            if not t.get_text() or not t.get_visible():
                continue
            box = t.get_window_extent(renderer)
            texts.append(
                {
                    "text": t.get_text(),
                    "math": t.get_parse_math() or t.get_usetex(),
                    "box": [round(float(v), 2) for v in (box.x0, box.y0, box.x1, box.y1)],
                }
            )
    return texts


def _unknown_bar(axes: Any, label: str) -> None:
    axes.barh([0], [100], color="white", edgecolor=UNKNOWN, hatch="///", height=0.6)
    axes.text(50, 0, label, ha="center", va="center", fontsize=11, color="#444444", **LITERAL)


def _axes(figure: Any, slot: Any, title: str, lines: int = 1) -> Any:
    """A bar's axes, titled in at most ``lines`` lines (fitted to the picture)."""
    axes = figure.add_subplot(slot)
    axes.set_xlim(0, 100)
    axes.set_yticks([])
    axes.set_xticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"], **LITERAL)
    title = fitted(figure, title, fontsize=11, lines=lines)
    axes.set_title(title, loc="left", fontsize=11, **LITERAL)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    return axes


def _heading(figure: Any, title: str, question: str) -> None:
    """The title on one line and the question under it on two, within the space above the
    first chart."""
    title = fitted(figure, title, fontsize=14, weight="bold")
    figure.suptitle(title, x=LEFT, ha="left", fontsize=14, fontweight="bold", **LITERAL)
    question = fitted(figure, question, fontsize=10, lines=2)
    figure.text(LEFT, 0.915, question, va="top", fontsize=10, **LITERAL)


def render_result(chart: ResultChart) -> Picture:
    """Yes against no, and turnout against the thresholds that apply."""
    figure, grid = _figure()
    drawn: dict[str, Any] = {"kind": "result"}
    _heading(figure, chart.title, chart.question)

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
        # The 40% test counts yes votes against everyone entitled to vote, as the turnout
        # bar does: its line and the yes votes it is about go there, never on the bar of
        # shares of those voting (85.6% yes of a 41.6% turnout is 35.6% of all entitled).
        turnout.axvline(chart.support_threshold, color=LINE, linestyle=":", linewidth=1.5)
        lines.append({"what": "yes of all entitled", "at": chart.support_threshold})
        drawn["support"] = _support(turnout, chart)
    drawn["lines"] = lines
    drawn["axes_lines"] = {
        name: [round(float(line.get_xdata()[0]), 6) for line in axes.get_lines()]
        for name, axes in (("votes", votes), ("turnout", turnout))
    }
    footer = chart.verdict + (f"   Source: {chart.source}" if chart.source else "")
    figure.text(LEFT, 0.02, fitted(figure, footer, fontsize=9), fontsize=9, **LITERAL)
    drawn["verdict"] = chart.verdict
    png = _png(figure)  # drawn first: positions are settled when the picture is drawn
    drawn["texts"] = _texts(figure)
    return Picture(png, chart.alt_text, drawn)


def _support(turnout: Any, chart: ResultChart) -> float | None:
    """Yes votes as a share of all entitled, drawn inside the turnout bar (the part of those
    who voted who said yes) and written beside the 40% line; "not known" when it is."""
    support = chart.support_pct_of_eligible
    if support is None:
        text = "Yes votes of all entitled: not known"
    else:
        if chart.turnout_pct is not None:  # else the hatched "not known" is left whole
            turnout.barh([0], [support], color=YES, height=0.3)
        text = f"Yes votes: {chart.support_text} of all entitled"
    turnout.text(99, 0, text, va="center", ha="right", color="black", fontsize=10, **LITERAL)
    return support


def render_thermometer(chart: ThermometerChart) -> Picture:
    """An open ballot: turnout so far against its rule set's threshold (if any), and the days
    left."""
    figure, grid = _figure()
    drawn: dict[str, Any] = {"kind": "thermometer"}
    days = "Closing date not known" if chart.days_left is None else f"{chart.days_left} days left"
    _heading(figure, chart.title, f"{days} — {chart.question}")
    drawn["days_left"] = chart.days_left

    no_line = "" if chart.threshold is not None else " — no turnout threshold"
    said = f"Turnout so far, reported by organisers{no_line}"
    if chart.reported_turnout_pct is not None:  # the figure and when, as the card says it
        said = f"Turnout so far{no_line}: {chart.reported}"
    reported = _axes(figure, grid[1], said, lines=2)
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
    png = _png(figure)  # drawn first: positions are settled when the picture is drawn
    drawn["texts"] = _texts(figure)
    return Picture(png, chart.alt_text, drawn)
