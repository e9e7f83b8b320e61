"""What the union declared, beside ballotbot's own working: agreeing, deciding, disagreeing."""

from __future__ import annotations

from dataclasses import replace

from bot.cards import ballot_card
from bot.domain import Ballot, Kind, ReportedMandate, YesNoUnknown
from bot.replies import Tone
from bot.verdicts import Basis, Mandate, campaign_summary, rule_table, verdict_for
from bot.verdicts.judge import legal_judge
from tests.verdicts.helpers import ballot

TABLE = rule_table()


def declared(b: Ballot, said: ReportedMandate, by: str | None = "UNISON press release") -> Ballot:
    question = replace(b.questions[0], reported_mandate=said, reported_by=by)
    return replace(b, unions=("UNISON",), questions=(question,))


def judge(b: Ballot):
    return verdict_for(b, b.questions[0], TABLE)


def test_the_union_and_the_figures_agree() -> None:
    passed = ballot(opens="2023-01-09", eligible=1000, votes_for=600, votes_against=50, spoilt=2)
    verdict = judge(declared(passed, ReportedMandate.YES))

    assert (verdict.mandate, verdict.basis) == (Mandate.YES, Basis.FIGURES)
    assert not verdict.disagrees_with_report
    assert verdict.explanation[0] == "Mandate for strike action ✔"
    assert verdict.explanation[1] == "UNISON reported: mandate ✔ (UNISON press release)"
    shown = verdict.to_dict()
    assert (shown["mandate"], shown["basis"], shown["reported_mandate"]) == (
        "yes",
        "figures",
        "yes",
    )
    assert shown["disagrees_with_report"] is False


def test_where_the_figures_cannot_decide_the_verdict_is_what_the_union_reported() -> None:
    no_turnout = ballot(opens="2023-01-09", for_pct=91.7)
    assert judge(no_turnout).mandate is Mandate.NOT_KNOWN

    verdict = judge(declared(no_turnout, ReportedMandate.YES, by=None))

    assert (verdict.mandate, verdict.basis) == (Mandate.YES, Basis.REPORTED)
    assert verdict.to_dict()["basis"] == "reported"
    assert verdict.explanation[:3] == (
        "Mandate for strike action ✔ — as UNISON reported; the figures alone cannot settle it",
        "UNISON reported: mandate ✔",
        "From the figures alone: not known whether this gave a mandate for strike action: the "
        "turnout is not known ?",
    )
    lost = judge(declared(no_turnout, ReportedMandate.NO))
    assert (lost.mandate, lost.basis) == (Mandate.NO, Basis.REPORTED)


def test_a_disagreement_is_said_plainly_and_the_figures_keep_the_verdict() -> None:
    low_turnout = ballot(opens="2023-01-09", turnout_pct=41, for_pct=88)
    verdict = judge(declared(low_turnout, ReportedMandate.YES))

    assert (verdict.mandate, verdict.basis) == (Mandate.NO, Basis.FIGURES)
    assert verdict.disagrees_with_report
    assert verdict.to_dict()["disagrees_with_report"] is True
    assert verdict.explanation[1] == "UNISON reported: mandate ✔ (UNISON press release)"
    assert verdict.explanation[2] == (
        "ballotbot's working disagrees with UNISON's report: the figures below show no "
        "mandate ✘, UNISON reported a mandate. Check the figures against the source"
    )
    card = ballot_card(declared(low_turnout, ReportedMandate.YES), legal_judge(TABLE))
    assert "ballotbot's working disagrees with UNISON's report" in card.plain_text()
    assert card.tone is Tone.FAILED


def test_a_report_of_no_mandate_against_passing_figures_is_flagged_too() -> None:
    passed = ballot(opens="2023-01-09", turnout_pct=60, for_pct=80)
    verdict = judge(declared(passed, ReportedMandate.NO))
    assert verdict.mandate is Mandate.YES and verdict.disagrees_with_report


def test_a_disaggregated_ballot_reported_as_one_line_is_a_partial_mandate() -> None:
    rail = replace(
        ballot(opens="2022-04-06", turnout_pct=71, for_pct=89, ips=YesNoUnknown.YES),
        unions=("RMT",),
    )
    question = replace(
        rail.questions[0],
        reported_mandate=ReportedMandate.PARTIAL,
        reported_by="mandate at Network Rail and 14 of 15 operators",
    )
    verdict = judge(replace(rail, questions=(question,)))

    assert (verdict.mandate, verdict.basis) == (Mandate.PARTIAL, Basis.REPORTED)
    assert not verdict.disagrees_with_report
    assert verdict.mandate_expires is None
    assert verdict.explanation[1] == (
        "RMT reported: a mandate at some of the employers balloted, not at others (mandate at "
        "Network Rail and 14 of 15 operators)"
    )
    assert any(
        "each employer's ballot stands alone" in line.lower() for line in verdict.explanation
    )
    summary = campaign_summary([replace(rail, questions=(question,))], TABLE)
    assert (
        summary.headline()
        == "0 of 1 ballot gave a mandate; 1 at some of its employers (as reported)"
    )


def test_a_vote_with_no_legal_threshold_shows_the_report_without_a_mark() -> None:
    offer = declared(ballot(kind=Kind.PAY_OFFER, for_pct=63.6), ReportedMandate.YES)
    verdict = judge(offer)
    assert verdict.mandate is Mandate.NOT_APPLICABLE
    assert verdict.basis is Basis.FIGURES and not verdict.disagrees_with_report
    assert verdict.explanation[1] == "UNISON reported: a mandate (UNISON press release)"
    assert not any("✔" in line or "✘" in line for line in verdict.explanation)


def test_nothing_reported_changes_nothing() -> None:
    b = ballot(opens="2023-01-09", turnout_pct=60, for_pct=80)
    verdict = judge(b)
    assert verdict.reported_mandate is None
    assert verdict.to_dict()["reported_mandate"] is None
    assert not any("reported:" in line for line in verdict.explanation)
