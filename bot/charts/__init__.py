"""Result cards as pictures, drawn from the same figures as the text.

matplotlib is imported only when a picture is drawn, so plain replies and start-up stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.charts.cache import PictureCache
from bot.charts.data import ResultChart, ThermometerChart, result_chart, thermometer_chart
from bot.charts.render import Picture, render_result, render_thermometer
from bot.domain import Ballot, Question
from bot.verdicts import Verdict

__all__ = [
    "Picture",
    "PictureCache",
    "ResultChart",
    "ThermometerChart",
    "picture_for",
    "pictured_question",
]


def _render(chart: ResultChart | ThermometerChart) -> Picture:
    if isinstance(chart, ResultChart):
        return render_result(chart)
    return render_thermometer(chart)


def pictured_question(ballot: Ballot) -> Question:
    """The question a picture shows: the ballot's first statutory one, else its first."""
    return next((q for q in ballot.questions if q.kind.statutory), ballot.questions[0])


def picture_for(
    ballot: Ballot,
    today: date,
    verdict: Verdict | None = None,
    cache: PictureCache | None = None,
    confirmed_voters: int | None = None,
    render: Callable[[ResultChart | ThermometerChart], Picture] | None = None,
) -> Picture:
    """The result card of :func:`pictured_question`, or the turnout thermometer when no result
    figure is known yet (with the members who said they posted their paper, when that count
    is known). ``verdict`` is that question's: its rule set gives every line drawn, and
    without one no line is drawn. ``render`` draws a chart not in the cache (here, by
    default; :data:`bot.charts.drawer.DRAWER` draws in a process of its own)."""
    question = pictured_question(ballot)
    chart: ResultChart | ThermometerChart
    if ballot.has_result:
        chart = result_chart(ballot, question, verdict)
    else:
        chart = thermometer_chart(ballot, question, today, confirmed_voters, verdict)
    draw = render or _render
    return cache.get_or_render(chart, draw) if cache else draw(chart)
