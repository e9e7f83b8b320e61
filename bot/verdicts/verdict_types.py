"""What a verdict is: the legal outcome of one question with its working, and the threshold
lines it lets a card or picture draw.

Only the shapes: :mod:`.verdict` reaches them, :mod:`.report` adds the union's declaration to
them; both import this module and neither imports the other for its types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain import ReportedMandate
from bot.verdicts.explain import Basis, Mandate, Outcome


@dataclass(frozen=True)
class Thresholds:
    """The lines a card, a picture or a reminder may draw for a question, from its rule set.

    Percentages; ``None`` where no rule set that could apply has such a test (Northern
    Ireland, ballots before 2017, votes that are not industrial-action ballots): then no line
    is drawn and the words say "no turnout threshold".
    """

    turnout_pct: float | None = None
    """Of those entitled to vote, spoilt papers included."""
    majority_pct: float | None = None
    """Of valid votes: the yes share must be above it."""
    support_pct_of_eligible: float | None = None
    """Of all entitled, in important public services."""


NO_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Verdict:
    """The legal outcome of one question, with every step a member may want to check.

    ``inferred``: a test was met only by inference from reported percentages (its line shows
    the margin). ``basis``: ``reported`` when the figures could not decide and the mandate is
    the one the union declared (``reported_mandate``); ``disagrees_with_report`` when the
    figures decide the other way from the union's declaration.
    """

    rules: str
    rules_inferred: bool
    uncertain: bool
    turnout_test: Outcome
    majority_test: Outcome
    support_test: Outcome
    mandate: Mandate
    mandate_expires: date | None
    explanation: tuple[str, ...]
    inferred: bool = False
    basis: Basis = Basis.FIGURES
    reported_mandate: ReportedMandate | None = None
    disagrees_with_report: bool = False
    thresholds: Thresholds = NO_THRESHOLDS

    def to_dict(self) -> dict[str, Any]:
        """The shape export and JSON replies carry under ``"verdict"``."""
        return {
            "rules": self.rules,
            "rules_inferred": self.rules_inferred,
            "uncertain": self.uncertain,
            "turnout_test": self.turnout_test.value,
            "majority_test": self.majority_test.value,
            "support_test": self.support_test.value,
            "mandate": self.mandate.value,
            "mandate_expires": self.mandate_expires.isoformat() if self.mandate_expires else None,
            "explanation": list(self.explanation),
            "inferred": self.inferred,
            "basis": self.basis.value,
            "reported_mandate": self.reported_mandate.value if self.reported_mandate else None,
            "disagrees_with_report": self.disagrees_with_report,
        }
