"""Which judge, serialiser and campaign card the core uses, chosen from the settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bot.campaign_card import campaign_card
from bot.cards import Judge, Judged, judge_ballot
from bot.config import ConfigError, Settings
from bot.core import Draw, Serialise
from bot.domain import Ballot, Question
from bot.records import QuestionExtra, ballot_to_dict
from bot.replies import Image, Reply
from bot.search.unions import union_table
from bot.verdicts import RulesError, RuleTable, rule_table, verdict_for
from bot.verdicts.judge import legal_judge


def rules_from(settings: Settings) -> RuleTable:
    """The built-in legal rule sets, with the config's ``[[rules]]`` applied, read with the
    config's ``[verdicts]`` settings."""
    try:
        return rule_table(settings.rules, settings.verdicts.plausible_spoilt_pct)
    except RulesError as exc:
        raise ConfigError(f"[[rules]]: {exc}") from None


def verdict_fields(table: RuleTable) -> QuestionExtra:
    """Adds ``"verdict"`` to every question of an export or a JSON reply."""

    def extra(ballot: Ballot, question: Question) -> dict[str, Any]:
        return {"verdict": verdict_for(ballot, question, table).to_dict()}

    return extra


def _by_question(ballot: Ballot, judged: Judged) -> dict[int, Any]:
    """Each question's judgement, found by the question object itself."""
    return {id(q): j for q, j in zip(ballot.questions, judged, strict=True)}


def serialising(judge: Judge) -> Serialise:
    """Ballots as JSON with each question's verdict, from judgements made once per reply."""

    def serialise(ballot: Ballot, judged: Judged | None = None) -> dict[str, Any]:
        found = _by_question(ballot, judged if judged is not None else judge_ballot(ballot, judge))

        def extra(_: Ballot, question: Question) -> dict[str, Any]:
            verdict = found[id(question)].verdict
            return {"verdict": verdict.to_dict()} if verdict is not None else {}

        return ballot_to_dict(ballot, extra)

    return serialise


def drawing(settings: Settings, judge: Judge) -> Draw:
    """Pictures of cards, cached in ``[charts] cache_dir``, drawn from the typed verdict of the
    question pictured (its lines from that verdict's rule set), in the drawing process
    (:mod:`bot.charts.drawer`)."""
    from bot.charts import PictureCache, picture_for, pictured_question
    from bot.charts.drawer import DRAWER

    cache = PictureCache(Path(settings.charts.cache_dir), settings.charts.max_files)

    def draw(
        ballot: Ballot, confirmed_voters: int | None = None, judged: Judged | None = None
    ) -> Image:
        found = _by_question(ballot, judged if judged is not None else judge_ballot(ballot, judge))
        verdict = found[id(pictured_question(ballot))].verdict
        picture = picture_for(
            ballot, date.today(), verdict, cache, confirmed_voters, render=DRAWER.render
        )
        return Image(picture.png, picture.alt_text, f"{ballot.id}.png", picture.path)

    return draw


def core_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for :class:`bot.core.Core` built from the settings."""
    table = rules_from(settings)
    judge = legal_judge(table)

    def campaign(name: str, ballots: Sequence[Ballot]) -> Reply:
        return campaign_card(name, ballots, table)

    return {
        "judge": judge,
        "campaign_card": campaign,
        "serialise": serialising(judge),
        "draw": drawing(settings, judge),
        "score_cutoff": settings.search.score_cutoff,
        "margin": settings.search.ambiguity_margin,
        "refresh_seconds": settings.search.refresh_seconds,
        "unions": union_table(settings.unions),
    }
