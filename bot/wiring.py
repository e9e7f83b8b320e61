"""Which judge, serialiser and campaign card the core uses, chosen from the settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.campaign_card import campaign_card
from bot.config import ConfigError, Settings
from bot.domain import Ballot
from bot.replies import Reply
from bot.verdicts import RulesError, RuleTable, rule_table
from bot.verdicts.judge import legal_judge


def rules_from(settings: Settings) -> RuleTable:
    """The built-in legal rule sets, with the config's ``[[rules]]`` applied."""
    try:
        return rule_table(settings.rules)
    except RulesError as exc:
        raise ConfigError(f"[[rules]]: {exc}") from None


def core_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for :class:`bot.core.Core` built from the settings."""
    table = rules_from(settings)

    def campaign(name: str, ballots: Sequence[Ballot]) -> Reply:
        return campaign_card(name, ballots, table)

    return {
        "judge": legal_judge(table),
        "campaign_card": campaign,
        "score_cutoff": settings.search.score_cutoff,
        "margin": settings.search.ambiguity_margin,
    }
