"""Every row of RULES.md, as a member would ask: "did our ballot give us a mandate?"."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import Jurisdiction, Kind, YesNoUnknown
from bot.verdicts import Mandate, Outcome, rule_table, verdict_for
from tests.verdicts.helpers import ballot

TABLE = rule_table()
MET, NOT_MET, NOT_KNOWN, NA = (
    Outcome.MET,
    Outcome.NOT_MET,
    Outcome.NOT_KNOWN,
    Outcome.NOT_APPLICABLE,
)


def judge(b, today: date | None = None):
    return verdict_for(b, b.questions[0], TABLE, today)


@pytest.mark.parametrize(
    ("case", "b", "rules", "turnout", "majority", "support", "mandate"),
    [
        (
            "before 2017, a low turnout still gives a mandate",
            ballot(
                opens="2014-06-02",
                closes="2014-06-30",
                eligible=10_000,
                votes_for=1500,
                votes_against=500,
                spoilt=0,
            ),
            "GB before 2017",
            NA,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "Trade Union Act: 49.9% turnout misses the threshold",
            ballot(opens="2019-01-07", eligible=1000, votes_for=400, votes_against=99, spoilt=0),
            "GB Trade Union Act 2016",
            NOT_MET,
            MET,
            NA,
            Mandate.NO,
        ),
        (
            "Trade Union Act: exactly 50% turnout is enough",
            ballot(opens="2019-01-07", eligible=1000, votes_for=400, votes_against=100, spoilt=0),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "important public service: yes votes below 40% of all entitled",
            ballot(
                opens="2022-10-06",
                eligible=1000,
                votes_for=390,
                votes_against=200,
                spoilt=5,
                ips=YesNoUnknown.YES,
                sector="health",
            ),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NOT_MET,
            Mandate.NO,
        ),
        (
            "important public service: 40% of all entitled said yes",
            ballot(
                opens="2022-10-06",
                eligible=1000,
                votes_for=400,
                votes_against=150,
                spoilt=5,
                ips=YesNoUnknown.YES,
            ),
            "GB Trade Union Act 2016",
            MET,
            MET,
            MET,
            Mandate.YES,
        ),
        (
            "public-service flag unknown, but the 40% test passes either way",
            ballot(
                opens="2022-10-06",
                eligible=1000,
                votes_for=477,
                votes_against=100,
                spoilt=2,
                ips=YesNoUnknown.UNKNOWN,
            ),
            "GB Trade Union Act 2016",
            MET,
            MET,
            MET,
            Mandate.YES,
        ),
        (
            "public-service flag unknown and the 40% test would fail: cannot decide",
            ballot(
                opens="2022-10-06",
                eligible=1000,
                votes_for=352,
                votes_against=200,
                spoilt=2,
                ips=YesNoUnknown.UNKNOWN,
            ),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NOT_KNOWN,
            Mandate.NOT_KNOWN,
        ),
        (
            "Employment Rights Act: no 40% test even in public services",
            ballot(
                opens="2026-03-02",
                eligible=1000,
                votes_for=300,
                votes_against=210,
                spoilt=0,
                ips=YesNoUnknown.YES,
            ),
            "GB Employment Rights Act 2025",
            MET,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "Employment Rights Act: the 50% turnout threshold still applies",
            ballot(opens="2026-03-02", eligible=1000, votes_for=450, votes_against=10, spoilt=0),
            "GB Employment Rights Act 2025",
            NOT_MET,
            MET,
            NA,
            Mandate.NO,
        ),
        (
            "Northern Ireland: a majority is enough, whatever the turnout",
            ballot(
                opens="2022-11-01",
                eligible=1000,
                votes_for=150,
                votes_against=50,
                ips=YesNoUnknown.YES,
                jurisdiction=Jurisdiction.NI,
            ),
            "Northern Ireland",
            NA,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "spoilt papers tip the turnout over 50%",
            ballot(opens="2019-01-07", eligible=1000, votes_for=400, votes_against=95, spoilt=10),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "spoilt papers not known and valid votes alone fall short: cannot tell",
            ballot(opens="2019-01-07", eligible=1000, votes_for=400, votes_against=95),
            "GB Trade Union Act 2016",
            NOT_KNOWN,
            MET,
            NA,
            Mandate.NOT_KNOWN,
        ),
        (
            "spoilt papers not known but valid votes alone clear 50%",
            ballot(opens="2019-01-07", eligible=1000, votes_for=400, votes_against=101),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "spoilt papers not known, the union's reported turnout decides",
            ballot(
                opens="2019-01-07", eligible=1000, votes_for=400, votes_against=95, turnout_pct=50.6
            ),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "a rejected question has no mandate, however big the turnout",
            ballot(opens="2019-01-07", eligible=1000, votes_for=100, votes_against=800, spoilt=0),
            "GB Trade Union Act 2016",
            MET,
            NOT_MET,
            NA,
            Mandate.NO,
        ),
        (
            "a rejected question has no mandate even when turnout is not known",
            ballot(opens="2019-01-07", for_pct=43.3),
            "GB Trade Union Act 2016",
            NOT_KNOWN,
            NOT_MET,
            NA,
            Mandate.NO,
        ),
        (
            "a tie is not a majority",
            ballot(opens="2019-01-07", eligible=1000, votes_for=300, votes_against=300, spoilt=0),
            "GB Trade Union Act 2016",
            MET,
            NOT_MET,
            NA,
            Mandate.NO,
        ),
        (
            "turnout not known: no verdict",
            ballot(opens="2019-01-07", for_pct=90.0),
            "GB Trade Union Act 2016",
            NOT_KNOWN,
            MET,
            NA,
            Mandate.NOT_KNOWN,
        ),
        (
            "only percentages reported, well clear of every threshold",
            ballot(opens="2019-01-07", turnout_pct=53.4, for_pct=90.4),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "public service, percentages only: 40% of all entitled unless a third were spoilt",
            ballot(opens="2019-01-07", turnout_pct=77.5, for_pct=98.0, ips=YesNoUnknown.YES),
            "GB Trade Union Act 2016",
            MET,
            MET,
            MET,
            Mandate.YES,
        ),
        (
            "public service, percentages only, too near 40% to rule out enough spoilt papers",
            ballot(opens="2019-01-07", turnout_pct=52.0, for_pct=81.0, ips=YesNoUnknown.YES),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NOT_KNOWN,
            Mandate.NOT_KNOWN,
        ),
        (
            "public service, percentages only, and even the most they allow is under 40%",
            ballot(opens="2019-01-07", turnout_pct=55.0, for_pct=60.0, ips=YesNoUnknown.YES),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NOT_MET,
            Mandate.NO,
        ),
        (
            "a reported 50% yes is too close to call",
            ballot(opens="2019-01-07", turnout_pct=60.0, for_pct=50.0),
            "GB Trade Union Act 2016",
            MET,
            NOT_KNOWN,
            NA,
            Mandate.NOT_KNOWN,
        ),
        (
            "'around 60%' turnout is clear of the threshold",
            ballot(opens="2019-01-07", turnout_pct=60.0, approximate=True, for_pct=80.0),
            "GB Trade Union Act 2016",
            MET,
            MET,
            NA,
            Mandate.YES,
        ),
        (
            "'around 52%' turnout is too close to call",
            ballot(opens="2019-01-07", turnout_pct=52.0, approximate=True, for_pct=80.0),
            "GB Trade Union Act 2016",
            NOT_KNOWN,
            MET,
            NA,
            Mandate.NOT_KNOWN,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_rules_table_rows(case, b, rules, turnout, majority, support, mandate) -> None:
    verdict = judge(b)
    assert (verdict.rules, verdict.turnout_test, verdict.majority_test) == (
        rules,
        turnout,
        majority,
    ), case
    assert (verdict.support_test, verdict.mandate) == (support, mandate), case
    assert not verdict.rules_inferred
    assert not verdict.uncertain


@pytest.mark.parametrize("kind", [Kind.CONSULTATIVE, Kind.PAY_OFFER, Kind.OTHER])
def test_no_threshold_applies_outside_statutory_ballots(kind: Kind) -> None:
    verdict = judge(
        ballot(
            kind=kind, opens="2019-01-07", eligible=1000, votes_for=100, votes_against=800, spoilt=0
        )
    )
    assert verdict.mandate is Mandate.NOT_APPLICABLE
    assert {verdict.turnout_test, verdict.majority_test, verdict.support_test} == {NA}
    assert verdict.explanation[0] == f"No legal threshold applies to a {kind.label}"
    text = " ".join(verdict.explanation).lower()
    assert "fail" not in text and "✘" not in text


def test_consultative_ballot_says_no_legal_threshold_applies() -> None:
    verdict = judge(ballot(kind=Kind.CONSULTATIVE, votes_for=1552, votes_against=307))
    assert verdict.explanation == (
        "No legal threshold applies to a consultative ballot",
        "Yes 83.5% of those voting (1,552 to 307)",
    )


def test_working_is_shown_in_words_a_member_reads() -> None:
    verdict = judge(
        ballot(
            opens="2026-01-12",
            closes="2026-02-09",
            eligible=4210,
            votes_for=2008,
            votes_against=566,
            spoilt=3,
            ips=YesNoUnknown.YES,
            sector="health",
        )
    )
    assert verdict.explanation == (
        "Mandate for strike action ✔",
        "Trade Union Act 2016 rules (ballots opened 1 March 2017 to 17 February 2026): at least "
        "50% turnout and a majority of those voting saying yes; in important public services, "
        "yes votes from 40% of all entitled",
        "Turnout 61.2% of 4,210 entitled, counting 3 spoilt papers — threshold 50% ✔",
        "Yes 78.0% of those voting (2,008 to 566) ✔",
        "Yes votes 47.7% of all entitled — 40% needed in important public services (health) ✔",
        "Mandate until 8 August 2026 (6 months from the close on 9 February 2026; up to 9 "
        "months by agreement with the employer)",
        "Notice to the employer before action: 14 days (7 by agreement)",
    )
    assert verdict.mandate_expires == date(2026, 8, 8)


def test_turnout_not_known_is_said_plainly() -> None:
    verdict = judge(ballot(opens="2019-01-07", for_pct=90.0))
    assert "Turnout not known — cannot tell whether the 50% threshold was met ?" in (
        verdict.explanation
    )
    assert verdict.explanation[0] == (
        "Not known whether this gave a mandate for strike action: the turnout is not known ?"
    )


def test_unknown_public_service_flag_says_which_test_it_could_not_decide() -> None:
    verdict = judge(
        ballot(
            opens="2022-10-06",
            eligible=1000,
            votes_for=352,
            votes_against=200,
            spoilt=2,
            ips=YesNoUnknown.UNKNOWN,
        )
    )
    assert "40% support test cannot be decided" in verdict.explanation[0]


def test_turnout_near_the_threshold_is_not_rounded_into_a_pass() -> None:
    verdict = judge(
        ballot(opens="2019-01-07", eligible=10_000, votes_for=4000, votes_against=999, spoilt=0)
    )
    assert verdict.turnout_test is NOT_MET
    assert "Turnout 49.99% of 10,000 entitled — threshold 50% ✘" in verdict.explanation


def test_pre_2017_rules_say_there_is_no_turnout_threshold() -> None:
    verdict = judge(
        ballot(
            opens="2014-06-02",
            closes="2014-06-30",
            eligible=10_000,
            votes_for=1500,
            votes_against=500,
            spoilt=0,
        )
    )
    assert verdict.explanation[1].startswith("Rules before 1 March 2017: no turnout threshold")
    assert verdict.mandate_expires == date(2014, 7, 27)
    assert (
        "Action must start by 27 July 2014 (within 4 weeks of the close"
        in (verdict.explanation[-2])
    )


@pytest.mark.parametrize(
    ("opens", "closes", "expires"),
    [
        ("2014-06-02", "2014-06-30", date(2014, 7, 27)),  # 4 weeks beginning with the close
        ("2026-02-10", "2026-03-10", date(2026, 9, 9)),  # opened under the 2016 Act: 6 months
        ("2026-02-18", "2026-03-10", date(2027, 3, 9)),  # opened under the 2025 Act: 12 months
        ("2022-08-01", "2022-08-31", date(2023, 2, 28)),  # no 31 February: end of the month
        ("2019-01-07", None, None),  # close not known: no date invented
        ("2019-01-07", "2019-02", None),  # close known only to the month
    ],
)
def test_expiry_runs_from_the_close_by_the_rules_at_opening(opens, closes, expires) -> None:
    verdict = judge(
        ballot(opens=opens, closes=closes, eligible=100, votes_for=60, votes_against=10, spoilt=0)
    )
    assert verdict.mandate is Mandate.YES
    assert verdict.mandate_expires == expires


def test_expired_mandate_is_said_in_the_past_tense() -> None:
    b = ballot(
        opens="2022-08-01",
        closes="2022-08-31",
        eligible=100,
        votes_for=60,
        votes_against=10,
        spoilt=0,
    )
    assert any(
        line.startswith("Mandate ended on 28 February 2023")
        for line in judge(b, today=date(2024, 1, 1)).explanation
    )
    assert any(
        line.startswith("Mandate until 28 February 2023")
        for line in judge(b, today=date(2022, 9, 1)).explanation
    )


def test_northern_ireland_mandate_length_is_not_invented() -> None:
    verdict = judge(
        ballot(
            opens="2022-11-01",
            closes="2022-11-30",
            eligible=100,
            votes_for=20,
            votes_against=5,
            jurisdiction=Jurisdiction.NI,
        )
    )
    assert verdict.mandate is Mandate.YES and verdict.mandate_expires is None
    assert "is not in ballotbot's rule table" in " ".join(verdict.explanation)
    assert "Notice to the employer before action: 7 days" in verdict.explanation


@pytest.mark.parametrize(
    ("announced", "ips", "counts", "rules"),
    [
        # 40% turnout: a mandate before 1 March 2017, none after it.
        ("2017-03-10", YesNoUnknown.NO, (320, 80), "GB before 2017 or GB Trade Union Act 2016"),
        # 36% of all entitled said yes: fails the 40% test until 17 February 2026, not after.
        (
            "2026-02-20",
            YesNoUnknown.YES,
            (360, 240),
            "GB Trade Union Act 2016 or GB Employment Rights Act 2025",
        ),
    ],
)
def test_inferred_date_near_a_change_is_uncertain(announced, ips, counts, rules) -> None:
    verdict = judge(
        ballot(
            announced=announced,
            eligible=1000,
            votes_for=counts[0],
            votes_against=counts[1],
            spoilt=0,
            ips=ips,
        )
    )
    assert verdict.rules_inferred and verdict.uncertain
    assert verdict.rules == rules
    assert verdict.mandate is Mandate.NOT_KNOWN
    assert verdict.majority_test is MET
    assert verdict.mandate_expires is None
    assert "The rules changed around then, and the rule sets disagree:" in verdict.explanation


def test_inferred_date_near_a_change_is_certain_when_the_rules_agree() -> None:
    verdict = judge(
        ballot(announced="2017-03-10", eligible=1000, votes_for=700, votes_against=100, spoilt=0)
    )
    assert verdict.rules_inferred and not verdict.uncertain
    assert verdict.mandate is Mandate.YES
    assert verdict.rules == "GB Trade Union Act 2016"
    assert "Under the rules before 1 March 2017 the answer would be the same" in (
        verdict.explanation
    )


def test_inferred_date_far_from_a_change_is_inferred_but_certain() -> None:
    verdict = judge(
        ballot(announced="2019-06-01", eligible=1000, votes_for=300, votes_against=100, spoilt=0)
    )
    assert verdict.rules_inferred and not verdict.uncertain
    assert (verdict.rules, verdict.mandate) == ("GB Trade Union Act 2016", Mandate.NO)
    assert "Opening date not known: rules picked from the date it was announced (1 June 2019)" in (
        verdict.explanation
    )


def test_close_date_near_a_change_is_uncertain() -> None:
    verdict = judge(
        ballot(closes="2017-03-20", eligible=1000, votes_for=320, votes_against=80, spoilt=0)
    )
    assert verdict.uncertain and verdict.mandate is Mandate.NOT_KNOWN


def test_year_only_date_straddling_a_change_is_uncertain() -> None:
    verdict = judge(ballot(opens="2017", eligible=1000, votes_for=320, votes_against=80, spoilt=0))
    assert verdict.rules_inferred and verdict.uncertain
    assert "Opened in 2017, a period in which the law changed" in verdict.explanation[1]


def test_year_only_date_inside_one_rule_set_is_certain() -> None:
    verdict = judge(ballot(opens="2013", eligible=1000, votes_for=320, votes_against=80))
    assert not verdict.rules_inferred and not verdict.uncertain
    assert verdict.mandate is Mandate.YES


def test_kirklees_2013_strike_ballot_was_lost_under_pre_2017_rules() -> None:
    verdict = judge(ballot(announced="2013", eligible=6500, for_pct=43.3))
    assert verdict.mandate is Mandate.NO
    assert verdict.rules == "GB before 2017" and verdict.rules_inferred and not verdict.uncertain
    assert verdict.explanation[0] == "No mandate for strike action: a majority voted against ✘"
    assert verdict.explanation[1].startswith("Rules before 1 March 2017: no turnout threshold")


def test_no_date_at_all_still_decides_a_rejected_question() -> None:
    verdict = judge(ballot(eligible=1000, votes_for=100, votes_against=500, spoilt=0))
    assert verdict.mandate is Mandate.NO and not verdict.uncertain and verdict.rules_inferred


def test_no_date_at_all_with_rules_disagreeing_is_uncertain() -> None:
    verdict = judge(ballot(eligible=1000, votes_for=300, votes_against=100, spoilt=0))
    assert verdict.mandate is Mandate.NOT_KNOWN and verdict.uncertain
    assert verdict.explanation[1] == (
        "No date known for this ballot: the rules cannot be picked by date"
    )


def test_action_short_of_a_strike_is_judged_on_its_own() -> None:
    b = ballot(
        kind=Kind.ACTION_SHORT_OF_STRIKE,
        opens="2019-01-07",
        eligible=100,
        votes_for=60,
        votes_against=10,
        spoilt=0,
    )
    assert judge(b).explanation[0] == "Mandate for action short of a strike ✔"


def test_to_dict_has_exactly_the_export_shape() -> None:
    verdict = judge(
        ballot(
            opens="2019-01-07",
            closes="2019-02-04",
            eligible=100,
            votes_for=60,
            votes_against=10,
            spoilt=0,
        )
    )
    assert verdict.to_dict() == {
        "rules": "GB Trade Union Act 2016",
        "rules_inferred": False,
        "uncertain": False,
        "turnout_test": "met",
        "majority_test": "met",
        "support_test": "not_applicable",
        "mandate": "yes",
        "mandate_expires": "2019-08-03",
        "explanation": list(verdict.explanation),
        "inferred": False,
        "basis": "figures",
        "reported_mandate": None,
        "disagrees_with_report": False,
    }
