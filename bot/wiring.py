"""Which judge, serialiser and campaign card the core uses, chosen from the settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bot.campaign_card import campaign_card
from bot.config import ConfigError, Settings
from bot.domain import Ballot, Question
from bot.records import QuestionExtra, ballot_to_dict
from bot.replies import Image, Reply
from bot.verdicts import RulesError, RuleTable, rule_table, verdict_for
from bot.verdicts.judge import legal_judge


def rules_from(settings: Settings) -> RuleTable:
    """The built-in legal rule sets, with the config's ``[[rules]]`` applied."""
    try:
        return rule_table(settings.rules)
    except RulesError as exc:
        raise ConfigError(f"[[rules]]: {exc}") from None


def verdict_fields(table: RuleTable) -> QuestionExtra:
    """Adds ``"verdict"`` to every question of an export or a JSON reply."""

    def extra(ballot: Ballot, question: Question) -> dict[str, Any]:
        return {"verdict": verdict_for(ballot, question, table).to_dict()}

    return extra


def drawing(settings: Settings, table: RuleTable) -> Callable[[Ballot, int | None], Image]:
    """Pictures of cards, cached in ``[charts] cache_dir``, with the legal verdict's lines,
    drawn in the drawing process (:mod:`bot.charts.drawer`)."""
    from bot.charts import PictureCache, picture_for
    from bot.charts.drawer import DRAWER

    cache = PictureCache(Path(settings.charts.cache_dir), settings.charts.max_files)

    def draw(ballot: Ballot, confirmed_voters: int | None = None) -> Image:
        question = next((q for q in ballot.questions if q.kind.statutory), ballot.questions[0])
        verdict = verdict_for(ballot, question, table).to_dict()
        picture = picture_for(
            ballot, date.today(), verdict, cache, confirmed_voters, render=DRAWER.render
        )
        return Image(picture.png, picture.alt_text, f"{ballot.id}.png", picture.path)

    return draw


def core_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for :class:`bot.core.Core` built from the settings."""
    table = rules_from(settings)
    extra = verdict_fields(table)

    def campaign(name: str, ballots: Sequence[Ballot]) -> Reply:
        return campaign_card(name, ballots, table)

    return {
        "judge": legal_judge(table),
        "campaign_card": campaign,
        "serialise": lambda ballot: ballot_to_dict(ballot, extra),
        "draw": drawing(settings, table),
        "score_cutoff": settings.search.score_cutoff,
        "margin": settings.search.ambiguity_margin,
        "refresh_seconds": settings.search.refresh_seconds,
    }
