"""Which judge and serialiser the core uses, chosen from the settings in one place."""

from __future__ import annotations

from typing import Any

from bot.config import Settings


def core_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for :class:`bot.core.Core` built from the settings."""
    return {
        "score_cutoff": settings.search.score_cutoff,
        "margin": settings.search.ambiguity_margin,
    }
