"""A national dispute balloted employer by employer: how many of its ballots gave a mandate.

Under s.228 each workplace ballot stands alone, so a disaggregated campaign can win in some
employers and lose in others; members want the count and the lists, not one blended figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.domain import Ballot
from bot.verdicts.explain import Mandate
from bot.verdicts.rules import RuleTable
from bot.verdicts.verdict import verdict_for
from bot.verdicts.verdict_types import Verdict


@dataclass(frozen=True)
class BallotOutcome:
    """One ballot's overall outcome and the verdict of each of its questions."""

    ballot: Ballot
    mandate: Mandate
    verdicts: tuple[Verdict, ...]


def ballot_outcome(ballot: Ballot, table: RuleTable, today: date | None = None) -> BallotOutcome:
    """A ballot gives a mandate if any statutory question does (strike or action short); one
    the union reported as a mandate at some of its employers (``partial``) comes next."""
    verdicts = tuple(verdict_for(ballot, q, table, today) for q in ballot.questions)
    statutory = [
        v.mandate for q, v in zip(ballot.questions, verdicts, strict=True) if q.kind.statutory
    ]
    if not statutory:
        mandate = Mandate.NOT_APPLICABLE
    elif Mandate.YES in statutory:
        mandate = Mandate.YES
    elif Mandate.PARTIAL in statutory:
        mandate = Mandate.PARTIAL
    elif Mandate.NOT_KNOWN in statutory:
        mandate = Mandate.NOT_KNOWN
    else:
        mandate = Mandate.NO
    return BallotOutcome(ballot, mandate, verdicts)


@dataclass(frozen=True)
class CampaignSummary:
    """The ballots of a campaign sorted by outcome, in the order they were given."""

    mandate: tuple[BallotOutcome, ...]
    no_mandate: tuple[BallotOutcome, ...]
    unknown: tuple[BallotOutcome, ...]
    not_applicable: tuple[BallotOutcome, ...]
    partial: tuple[BallotOutcome, ...] = ()
    """Reported by the union as one line covering several employers, some with a mandate."""

    @property
    def statutory_count(self) -> int:
        return len(self.mandate) + len(self.no_mandate) + len(self.unknown) + len(self.partial)

    def headline(self) -> str:
        """``3 of 5 ballots gave a mandate; 1 did not; 1 not known``."""
        total = self.statutory_count
        if total == 0:
            return "No industrial-action ballots in this campaign: no legal threshold applies"
        noun = "ballot" if total == 1 else "ballots"
        parts = [f"{len(self.mandate)} of {total} {noun} gave a mandate"]
        if self.partial:
            parts.append(f"{len(self.partial)} at some of its employers (as reported)")
        if self.no_mandate:
            parts.append(f"{len(self.no_mandate)} did not")
        if self.unknown:
            parts.append(f"{len(self.unknown)} not known")
        return "; ".join(parts)


def campaign_summary(
    ballots: Iterable[Ballot], table: RuleTable, today: date | None = None
) -> CampaignSummary:
    """Sort a campaign's ballots into gave a mandate / did not / not known / not statutory."""
    groups: dict[Mandate, list[BallotOutcome]] = {m: [] for m in Mandate}
    for ballot in ballots:
        outcome = ballot_outcome(ballot, table, today)
        groups[outcome.mandate].append(outcome)
    return CampaignSummary(
        mandate=tuple(groups[Mandate.YES]),
        no_mandate=tuple(groups[Mandate.NO]),
        unknown=tuple(groups[Mandate.NOT_KNOWN]),
        not_applicable=tuple(groups[Mandate.NOT_APPLICABLE]),
        partial=tuple(groups[Mandate.PARTIAL]),
    )
