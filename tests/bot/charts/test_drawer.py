"""Pictures are drawn in a process of their own, one at a time, and never twice at once."""

from __future__ import annotations

import asyncio

import pytest

from bot.charts.data import result_chart
from bot.charts.drawer import DRAWER, render
from bot.demo import KIRKLEES
from bot.verdicts import rule_table, verdict_for
from tests.bot.conftest import Chat

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_drawing_process_draws_exactly_what_is_drawn_here() -> None:
    verdict = verdict_for(KIRKLEES, KIRKLEES.questions[0], rule_table([]))
    chart = result_chart(KIRKLEES, KIRKLEES.questions[0], verdict)

    there, here = DRAWER.render(chart), render(chart)

    assert there.png.startswith(PNG)
    assert there.drawn == here.drawn and there.alt_text == here.alt_text


async def test_many_members_asking_for_one_picture_at_once_get_it_drawn_once(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = []
    draw = DRAWER.render

    def counted(chart):  # type: ignore[no-untyped-def]
        drawn.append(chart)
        return draw(chart)

    monkeypatch.setattr(DRAWER, "render", counted)

    cards = await asyncio.gather(*(chat.say("/ballot kirklees chart") for _ in range(8)))

    assert all(card.image is not None and card.image.png.startswith(PNG) for card in cards)
    assert len(drawn) == 1  # the others found it in the picture cache
