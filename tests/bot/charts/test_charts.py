"""Pictures drawn from the same figures as the text: unknown drawn as unknown."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.charts import PictureCache, picture_for
from bot.charts import cache as charts_cache
from bot.charts.data import result_chart
from bot.charts.render import Picture, render_result
from bot.demo import KIRKLEES, SOUTHAMPTON
from bot.domain import (
    Ballot,
    Jurisdiction,
    Kind,
    PartialDate,
    Percentage,
    Question,
    Result,
    Status,
    TurnoutSoFar,
    YesNoUnknown,
)
from bot.verdicts import Verdict, rule_table, verdict_for

PNG = b"\x89PNG\r\n\x1a\n"
TODAY = date(2026, 11, 22)


def verdict(ballot: Ballot) -> Verdict:
    return verdict_for(ballot, ballot.questions[0], rule_table([]))


def test_kirklees_draws_turnout_as_not_known_and_no_threshold_before_2017() -> None:
    picture = picture_for(KIRKLEES, TODAY, verdict(KIRKLEES))
    assert picture.png.startswith(PNG)
    assert picture.drawn["votes"]["yes"] == 43.3
    assert picture.drawn["votes"]["no"] == 56.7
    assert picture.drawn["turnout"] is None  # hatched "not known", no bar
    assert picture.drawn["lines"] == []  # no turnout threshold applied before 2017
    assert "Turnout not known" in picture.alt_text


def test_southampton_draws_the_counts_and_the_reported_turnout() -> None:
    picture = picture_for(SOUTHAMPTON, TODAY, verdict(SOUTHAMPTON))
    assert picture.drawn["votes"]["labels"] == ["Yes 83.5% (1,552)", "No 16.5% (307)"]
    assert picture.drawn["turnout"] == 60.0
    assert picture.drawn["lines"] == []  # consultative: no threshold line
    assert "around 60% as reported" in picture.alt_text


def test_an_important_public_service_draws_both_legal_lines() -> None:
    ballot = Ballot(
        "nhs-1",
        ("RCN",),
        "Leeds Hospitals NHS Trust",
        (Question("Strike?", Kind.STRIKE, Result(520, 100, 10)),),
        eligible=1000,
        opens=PartialDate(2023, 1, 9),
        closes=PartialDate(2023, 2, 6),
        important_public_service=YesNoUnknown.YES,
    )
    picture = picture_for(ballot, TODAY, verdict(ballot))
    assert picture.drawn["turnout"] == 63.0
    assert picture.drawn["lines"] == [
        {"what": "turnout", "at": 50.0},
        {"what": "yes of all entitled", "at": 40.0},
    ]


def test_an_open_ballot_gets_the_thermometer() -> None:
    ballot = Ballot(
        "open-1",
        ("GMB",),
        "York Council",
        (Question("Strike?", Kind.STRIKE, Result()),),
        closes=PartialDate(2026, 12, 4),
        status=Status.OPEN,
    )
    picture = picture_for(ballot, TODAY)
    assert picture.drawn["kind"] == "thermometer"
    assert picture.drawn["days_left"] == 12
    assert picture.drawn["reported"] is None
    assert "turnout not reported yet" in picture.alt_text


def test_the_cache_draws_once_per_version_of_the_figures(tmp_path: Path) -> None:
    cache = PictureCache(tmp_path)
    drawn: list[str] = []

    def render(chart: object) -> Picture:
        drawn.append("once")
        return render_result(chart)  # type: ignore[arg-type]

    chart = result_chart(SOUTHAMPTON, SOUTHAMPTON.questions[0])
    first = cache.get_or_render(chart, render)
    again = cache.get_or_render(chart, render)
    assert again.png == first.png and again.drawn == first.drawn
    assert drawn == ["once"]
    changed = result_chart(KIRKLEES, KIRKLEES.questions[0])
    cache.get_or_render(changed, render)
    assert drawn == ["once", "once"]


def test_a_new_version_of_the_drawing_draws_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A picture drawn by an older version (the 40% line on another bar, say) is never
    served after an upgrade, although the figures are the same."""
    cache = PictureCache(tmp_path)
    drawn: list[str] = []

    def render(chart: object) -> Picture:
        drawn.append("drawn")
        return render_result(chart)  # type: ignore[arg-type]

    chart = result_chart(SOUTHAMPTON, SOUTHAMPTON.questions[0])
    cache.get_or_render(chart, render)
    monkeypatch.setattr(charts_cache, "_DRAWN_BY", "the next version of the drawing code")
    cache.get_or_render(chart, render)
    cache.get_or_render(chart, render)

    assert drawn == ["drawn", "drawn"]


def test_plain_replies_never_load_matplotlib() -> None:
    code = "import sys, bot.charts, bot.core; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dollar_signs_in_ballot_text_are_drawn_as_themselves() -> None:
    """matplotlib reads $...$ as mathtext: ballot text must be drawn literally."""
    ballot = Ballot(
        "maths-1",
        ("Unite $x^2$",),
        "Pay $5 more $x^2$ Ltd",
        (Question("Strike for $x^2$?", Kind.STRIKE, Result(60, 40)),),
        announced=PartialDate(2025, 1, 1),
    )

    picture = picture_for(ballot, TODAY, verdict(ballot))

    assert picture.png.startswith(PNG)
    texts = [t["text"] for t in picture.drawn["texts"]]
    assert "Pay $5 more $x^2$ Ltd — Unite $x^2$" in texts
    assert "Strike for $x^2$?" in texts
    assert not [t for t in picture.drawn["texts"] if t["math"]]


def test_text_that_would_break_mathtext_still_draws() -> None:
    for broken in ("$\\frac{$", "$x^$", "$\\undefinedcommand$", "a $ b $ c $", "$$"):
        ballot = Ballot(
            "broken-1",
            ("Unison",),
            broken,
            (Question(broken, Kind.STRIKE, Result(60, 40)),),
            source_url=f"https://x.org/{broken}",
        )
        picture = picture_for(ballot, TODAY, verdict(ballot))
        assert picture.png.startswith(PNG)
        assert any(broken in t["text"] for t in picture.drawn["texts"])


def test_names_in_scripts_the_font_lacks_still_draw() -> None:
    ballot = Ballot(
        "scripts-1",
        ("ユニオン",),
        "Cyngor Sir 𝔄𝔅 ☭ 工会 \u202e\x1b[2J",
        (Question("Streik? 🗳️", Kind.STRIKE, Result(60, 40)),),
    )

    picture = picture_for(ballot, TODAY, verdict(ballot))

    assert picture.png.startswith(PNG)
    assert not any("\x1b" in t["text"] or "\u202e" in t["text"] for t in picture.drawn["texts"])


def test_a_northern_ireland_strike_ballot_is_drawn_with_no_turnout_line() -> None:
    declared = Ballot(
        "belfast-1",
        ("Unison",),
        "Belfast Health Trust",
        (Question("Strike?", Kind.STRIKE, Result(turnout_pct=23.0, for_pct=92.0)),),
        jurisdiction=Jurisdiction.NI,
        closes=PartialDate(2019, 11, 11),
        important_public_service=YesNoUnknown.YES,
    )
    picture = picture_for(declared, TODAY, verdict(declared))
    assert picture.drawn["turnout"] == 23.0
    assert picture.drawn["lines"] == []  # neither a turnout nor a 40% line
    assert "No turnout threshold." in picture.alt_text
    assert "Mandate for strike action ✔" in picture.alt_text

    still_open = replace(
        declared,
        questions=(Question("Strike?", Kind.STRIKE, Result()),),
        closes=PartialDate(2026, 12, 4),
        status=Status.OPEN,
    )
    thermometer = picture_for(still_open, TODAY, verdict(still_open))
    assert thermometer.drawn["kind"] == "thermometer"
    assert thermometer.drawn["lines"] == []
    assert thermometer.alt_text.endswith("; no turnout threshold.")


def test_the_same_ballot_in_great_britain_is_drawn_against_fifty_percent() -> None:
    still_open = Ballot(
        "york-1",
        ("GMB",),
        "York Council",
        (Question("Strike?", Kind.STRIKE, Result()),),
        opens=PartialDate(2026, 11, 2),
        closes=PartialDate(2026, 12, 4),
        status=Status.OPEN,
    )
    thermometer = picture_for(still_open, TODAY, verdict(still_open))
    assert thermometer.drawn["lines"] == [{"what": "turnout", "at": 50.0}]
    assert thermometer.alt_text.endswith("; threshold 50%.")
    # Without a verdict nothing says which rules apply: no line is made up.
    assert picture_for(still_open, TODAY).drawn["lines"] == []


def test_the_thermometer_writes_turnout_so_far_with_when_it_was_reported() -> None:
    """The picture says what the card says: the figure organisers reported and when, as
    "turnout so far" (never a result's turnout); without one it says none was reported."""
    reported = TurnoutSoFar(Percentage(31.50, 2), datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    still_open = Ballot(
        "leeds-1",
        ("Unison",),
        "Leeds City Council",
        (Question("Strike?", Kind.STRIKE, Result()),),
        closes=PartialDate(2026, 12, 4),
        status=Status.OPEN,
        turnout_so_far=reported,
    )
    so_far = "31.50% (reported by organisers on 30 November 2026 at 10:00 UTC)"

    thermometer = picture_for(still_open, TODAY, verdict(still_open))
    texts = [" ".join(t["text"].split()) for t in thermometer.drawn["texts"]]
    assert f"Turnout so far: {so_far}" in texts
    assert thermometer.drawn["reported"] == 31.5
    assert f"turnout so far {so_far}; threshold 50%." in thermometer.alt_text

    in_ni = replace(still_open, jurisdiction=Jurisdiction.NI)
    drawn = picture_for(in_ni, TODAY, verdict(in_ni)).drawn["texts"]
    texts = [" ".join(t["text"].split()) for t in drawn]
    assert f"Turnout so far — no turnout threshold: {so_far}" in texts

    unreported = replace(still_open, turnout_so_far=None)
    nothing = picture_for(unreported, TODAY, verdict(unreported))
    assert "Turnout so far, reported by organisers" in [t["text"] for t in nothing.drawn["texts"]]
    assert "not reported yet" in [t["text"] for t in nothing.drawn["texts"]]
    assert "%" not in nothing.alt_text.replace("threshold 50%", "")


def test_the_40_percent_line_is_drawn_against_all_entitled_never_against_those_voting() -> None:
    # PCS 2018 (tests/verdicts): 85.6% yes of a 41.6% turnout is 35.6% of all entitled. On
    # the bar of shares of those voting, a 40% line would show the yes bar far past it.
    ballot = Ballot(
        "pcs-2018",
        ("PCS",),
        "Civil service",
        (Question("Strike action over pay?", Kind.STRIKE, Result(50726, 8528, 31)),),
        eligible=142673,
        closes=PartialDate(2018, 7, 23),
        important_public_service=YesNoUnknown.YES,
    )
    picture = picture_for(ballot, TODAY, verdict(ballot))
    assert picture.drawn["axes_lines"] == {"votes": [], "turnout": [50.0, 40.0]}
    assert round(picture.drawn["support"], 1) == 35.6  # the yes votes, inside the turnout bar
    assert "Yes votes: 35.6% of all entitled" in [t["text"] for t in picture.drawn["texts"]]
    assert "Yes votes 35.6% of all entitled; 40% needed." in picture.alt_text


def test_yes_votes_of_all_entitled_not_known_are_drawn_as_not_known() -> None:
    ballot = Ballot(
        "rcn-reported",
        ("RCN",),
        "Leeds Hospitals NHS Trust",
        (Question("Strike?", Kind.STRIKE, Result(for_pct=80, turnout_pct=55)),),
        closes=PartialDate(2024, 1, 9),
        important_public_service=YesNoUnknown.YES,
    )
    picture = picture_for(ballot, TODAY, verdict(ballot))
    assert picture.drawn["axes_lines"] == {"votes": [], "turnout": [50.0, 40.0]}
    assert picture.drawn["support"] is None
    assert "Yes votes of all entitled: not known" in [t["text"] for t in picture.drawn["texts"]]
    assert "Yes votes of all entitled not known; 40% needed." in picture.alt_text
