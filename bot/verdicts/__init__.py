"""Legal verdicts: did a ballot question give a mandate for industrial action, and why.

Pure: no I/O, no storage, no adapters. The rules are a dated table (:mod:`.rules`) that the
config can extend; :func:`verdict_for` judges one question and shows its working.
"""

from bot.verdicts.campaign import BallotOutcome, CampaignSummary, ballot_outcome, campaign_summary
from bot.verdicts.explain import Basis, Mandate, Outcome
from bot.verdicts.rules import (
    BUILT_IN_RULES,
    RulesError,
    RuleSet,
    RuleTable,
    rule_table,
    rules_from,
)
from bot.verdicts.verdict import verdict_for
from bot.verdicts.verdict_types import Thresholds, Verdict

__all__ = [
    "BUILT_IN_RULES",
    "BallotOutcome",
    "Basis",
    "CampaignSummary",
    "Mandate",
    "Outcome",
    "RuleSet",
    "RuleTable",
    "RulesError",
    "Thresholds",
    "Verdict",
    "ballot_outcome",
    "campaign_summary",
    "rule_table",
    "rules_from",
    "verdict_for",
]
