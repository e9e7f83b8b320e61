"""Legal verdicts: did a ballot question give a mandate for industrial action, and why.

Pure: no I/O, no storage, no adapters. The rules are a dated table (:mod:`.rules`) that the
config can extend; :func:`verdict_for` judges one question and shows its working.
"""

from bot.verdicts.campaign import BallotOutcome, CampaignSummary, ballot_outcome, campaign_summary
from bot.verdicts.explain import Mandate, Outcome
from bot.verdicts.rules import BUILT_IN_RULES, RulesError, RuleSet, RuleTable, rule_table
from bot.verdicts.verdict import Verdict, verdict_for

__all__ = [
    "BUILT_IN_RULES",
    "BallotOutcome",
    "CampaignSummary",
    "Mandate",
    "Outcome",
    "RuleSet",
    "RuleTable",
    "RulesError",
    "Verdict",
    "ballot_outcome",
    "campaign_summary",
    "rule_table",
    "verdict_for",
]
