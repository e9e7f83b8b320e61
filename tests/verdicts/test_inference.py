"""Verdicts from what unions publish: "90% yes on a 53% turnout", spoilt papers not said.

Every reported figure is taken at the low end of its rounding; the 40% test is met, marked
inferred, only when failing it would take more spoilt papers than the plausibility bound.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Percentage, YesNoUnknown
from bot.verdicts import Mandate, Outcome, rule_table, verdict_for
from tests.verdicts.helpers import ballot

TABLE = rule_table()
MET, NOT_MET, NOT_KNOWN = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_KNOWN
RANK = {NOT_MET: 0, NOT_KNOWN: 1, MET: 2}


def judge(b, table=TABLE):
    return verdict_for(b, b.questions[0], table)


def teachers(turnout: float | None, yes: float | None, **more: object):
    """An England teachers' strike ballot (education: an important public service)."""
    return ballot(
        opens="2022-10-18",
        turnout_pct=turnout,
        for_pct=yes,
        ips=YesNoUnknown.YES,
        sector="education",
        **more,  # type: ignore[arg-type]
    )


def test_ninety_percent_yes_on_fifty_three_percent_is_a_mandate_with_its_margin() -> None:
    verdict = judge(teachers(53, 90))

    assert (verdict.support_test, verdict.mandate) == (MET, Mandate.YES)
    assert verdict.inferred
    assert verdict.to_dict()["inferred"] is True
    assert (
        "Yes votes about 47.0% of all entitled if none were spoilt (89.5% of 52.5%, the "
        "reports' lowest rounding) — 40% needed in education ✔ unless over 14.8% of the papers "
        "returned were spoilt"
    ) in verdict.explanation
    assert "inferred" in verdict.explanation[0]


def test_each_figure_is_taken_at_the_low_end_of_the_rounding_it_was_written_to() -> None:
    one_decimal = judge(teachers(52.9, 90.44))
    assert "(90.435% of 52.85%, the reports' lowest rounding)" in " ".join(one_decimal.explanation)
    written_53_0 = judge(teachers(Percentage(53.0, 1), 90))
    assert "(89.5% of 52.95%, the reports' lowest rounding)" in " ".join(written_53_0.explanation)


@pytest.mark.parametrize(
    ("bound", "support", "mandate"),
    [
        (5.0, MET, Mandate.YES),  # the default: 14.87% spoilt would be needed
        (14.8, MET, Mandate.YES),  # just under what would be needed
        (14.9, NOT_KNOWN, Mandate.NOT_KNOWN),  # just over: that many spoilt is possible
        (30.0, NOT_KNOWN, Mandate.NOT_KNOWN),
    ],
)
def test_the_plausibility_bound_decides_between_met_and_not_known(
    bound: float, support: Outcome, mandate: Mandate
) -> None:
    verdict = judge(teachers(53, 90), rule_table(plausible_spoilt_pct=bound))
    assert (verdict.support_test, verdict.mandate) == (support, mandate)
    assert verdict.inferred is (support is MET)
    # Either way the working shows the margin.
    assert any("14.8% of the papers returned were spoilt" in line for line in verdict.explanation)


def test_exactly_at_the_bound_is_not_enough() -> None:
    # 84.205% of 49.5% = 41.68% of all entitled: 40% fails if over 4.03% were spoilt.
    at_bound = teachers(Percentage(50.0, 0), Percentage(84.21, 2))
    needed = 100 * (1 - 40 / (49.5 * 84.205 / 100))
    verdict = judge(at_bound, rule_table(plausible_spoilt_pct=needed))
    assert verdict.support_test is NOT_KNOWN
    assert judge(at_bound, rule_table(plausible_spoilt_pct=needed - 0.01)).support_test is MET


def test_below_the_bound_the_test_stays_not_known_with_the_same_working() -> None:
    verdict = judge(teachers(52, 81))  # 80.5% of 51.5% = 41.5%: 3.5% spoilt would do it
    assert (verdict.support_test, verdict.mandate) == (NOT_KNOWN, Mandate.NOT_KNOWN)
    assert not verdict.inferred
    line = next(line for line in verdict.explanation if line.startswith("Yes votes about"))
    assert "(80.5% of 51.5%, the reports' lowest rounding)" in line
    assert "missed if over 3.5% of the papers returned were spoilt" in line
    assert line.endswith("?")


def test_the_ceiling_still_fails_a_ballot_that_cannot_reach_forty_percent() -> None:
    verdict = judge(teachers(55, 60))  # at most 55.5% x 60.5% = 33.6%
    assert (verdict.support_test, verdict.mandate) == (NOT_MET, Mandate.NO)
    assert not verdict.inferred


def test_too_close_either_way_is_not_known() -> None:
    verdict = judge(teachers(50, 80))  # 79.5 x 49.5 = 39.4% to 80.5 x 50.5 = 40.7%
    assert verdict.support_test is NOT_KNOWN


def test_unknown_sector_flag_is_met_only_if_it_would_hold_either_way() -> None:
    b = replace(teachers(77.49, 98), important_public_service=YesNoUnknown.UNKNOWN)
    verdict = judge(b)
    assert (verdict.support_test, verdict.mandate) == (MET, Mandate.YES)
    assert any(
        "even if this is an important public service ✔ unless over" in line
        for line in (verdict.explanation)
    )


def test_a_counted_yes_share_and_a_reported_turnout_infer_too() -> None:
    verdict = judge(teachers(60, None, votes_for=900, votes_against=100))
    assert verdict.support_test is MET and verdict.inferred
    assert any(
        "(90.0% of 59.5%, the yes share counted, the report's lowest rounding)" in line
        for line in verdict.explanation
    )


def test_around_a_turnout_is_taken_five_points_low() -> None:
    verdict = judge(teachers(75, 95, approximate=True))  # 94.5% of 70% = 66.2%
    assert verdict.support_test is MET and verdict.inferred
    assert any("taken 5 points low" in line for line in verdict.explanation)


@pytest.mark.parametrize(
    ("turnout", "yes"),
    [(53, None), (None, 90), (None, None)],
)
def test_no_inference_without_both_percentages(turnout, yes) -> None:
    verdict = judge(teachers(turnout, yes))
    assert verdict.support_test is NOT_KNOWN
    assert not verdict.inferred


# -- turnout and majority from percentages: never decided by rounding -------------------------


@pytest.mark.parametrize(
    ("turnout", "outcome"),
    [
        (53, MET),
        (50.4, MET),  # at least 50.35%
        (Percentage(51, 0), MET),  # at least 50.5%
        (50, NOT_KNOWN),  # 49.5% to 50.5%
        (Percentage(50.0, 1), NOT_KNOWN),  # 49.95% to 50.05%
        (49.6, NOT_MET),  # at most 49.65%
        (49, NOT_MET),
    ],
)
def test_a_reported_turnout_decides_only_when_its_rounding_cannot_cross_the_threshold(
    turnout: float, outcome: Outcome
) -> None:
    verdict = judge(ballot(opens="2022-10-18", turnout_pct=turnout, for_pct=80))
    assert verdict.turnout_test is outcome


def test_a_turnout_of_exactly_fifty_says_why_it_cannot_tell() -> None:
    verdict = judge(ballot(opens="2022-10-18", turnout_pct=50, for_pct=80))
    assert (
        "Turnout 50% (as reported, so between 49.5% and 50.5% at its rounding) — too close to "
        "tell whether the 50% threshold was met ?"
    ) in verdict.explanation
    near = judge(ballot(opens="2022-10-18", turnout_pct=50.4, for_pct=80))
    assert "Turnout 50.4% (as reported, so at least 50.35%) — threshold 50% ✔" in (near.explanation)


def test_around_fifty_percent_turnout_is_not_known() -> None:
    verdict = judge(ballot(opens="2022-10-18", turnout_pct=50, approximate=True, for_pct=80))
    assert verdict.turnout_test is NOT_KNOWN
    assert verdict.mandate is Mandate.NOT_KNOWN


@pytest.mark.parametrize(
    ("yes", "outcome"),
    [
        (50.2, MET),  # at least 50.15%: a majority
        (51, MET),  # at least 50.5%
        (50, NOT_KNOWN),  # could be a tie, or 50.4% yes
        (Percentage(50.0, 1), NOT_KNOWN),
        (49.9, NOT_MET),
        (43.3, NOT_MET),
    ],
)
def test_a_reported_yes_share_is_a_majority_only_beyond_its_rounding(
    yes: float, outcome: Outcome
) -> None:
    verdict = judge(ballot(opens="2022-10-18", turnout_pct=60, for_pct=yes))
    assert verdict.majority_test is outcome


# -- properties --------------------------------------------------------------------------------

whole_or_one_decimal = st.integers(min_value=0, max_value=1000).map(
    lambda tenths: Percentage(tenths / 10, 1)
) | st.integers(min_value=0, max_value=100).map(lambda whole: Percentage(whole, 0))


@settings(max_examples=300, deadline=None)
@given(
    whole_or_one_decimal,
    whole_or_one_decimal,
    st.integers(min_value=1, max_value=300),
    st.sampled_from([YesNoUnknown.YES, YesNoUnknown.UNKNOWN]),
)
def test_raising_the_spoilt_share_needed_never_turns_met_into_not_met(
    turnout: Percentage, yes: Percentage, tenths: int, flag: YesNoUnknown
) -> None:
    """More turnout or more yes (at the same precision) needs more spoilt papers to fail."""
    before = judge(replace(teachers(turnout, yes), important_public_service=flag))
    for more in (
        teachers(Percentage(min(100.0, turnout + tenths / 10), 1), yes),
        teachers(turnout, Percentage(min(100.0, yes + tenths / 10), 1)),
    ):
        after = judge(replace(more, important_public_service=flag))
        assert RANK[after.support_test] >= RANK[before.support_test]
        if before.support_test is MET:
            assert after.support_test is MET


@settings(max_examples=200, deadline=None)
@given(
    whole_or_one_decimal,
    whole_or_one_decimal,
    st.floats(min_value=0, max_value=60),
    st.floats(min_value=0, max_value=60),
)
def test_a_stricter_bound_never_meets_what_a_looser_one_does_not(
    turnout: Percentage, yes: Percentage, first: float, second: float
) -> None:
    loose, strict = sorted((first, second))
    b = teachers(turnout, yes)
    with_loose = judge(b, rule_table(plausible_spoilt_pct=loose)).support_test
    with_strict = judge(b, rule_table(plausible_spoilt_pct=strict)).support_test
    assert RANK[with_strict] <= RANK[with_loose]
    assert (with_strict is NOT_MET) == (with_loose is NOT_MET)  # the ceiling needs no bound


@settings(max_examples=200, deadline=None)
@given(
    st.none() | whole_or_one_decimal,
    st.none() | whole_or_one_decimal,
    st.sampled_from([YesNoUnknown.YES, YesNoUnknown.UNKNOWN]),
)
def test_only_both_percentages_ever_infer(
    turnout: Percentage | None, yes: Percentage | None, flag: YesNoUnknown
) -> None:
    verdict = judge(replace(teachers(turnout, yes), important_public_service=flag))
    if turnout is None or yes is None:
        assert verdict.support_test is not MET
        assert not verdict.inferred
    if verdict.inferred:
        assert verdict.support_test is MET
        assert any("unless over" in line for line in verdict.explanation)


def test_the_bound_is_a_setting_and_a_bad_one_is_refused(tmp_path) -> None:
    from bot.config import ConfigError, load_settings
    from bot.verdicts import rules_from

    config = tmp_path / "config.toml"
    config.write_text("[verdicts]\nplausible_spoilt_pct = 20\n")
    table = rules_from(load_settings(config))
    assert table.plausible_spoilt_pct == 20
    assert judge(teachers(53, 90), table).support_test is NOT_KNOWN  # 14.8% is possible now
    assert rules_from(load_settings()).plausible_spoilt_pct == 5.0

    config.write_text("[verdicts]\nplausible_spoilt_pct = 120\n")
    with pytest.raises(ConfigError, match="plausible_spoilt_pct"):
        load_settings(config)
