"""Forgiving search over the names members type: employers, branches, unions, areas, aliases.

The index holds each distinct name once (not each ballot), pre-processed once, so a query scores
a few thousand strings rather than every ballot. Several good matches that lead to different
ballots come back as a short list to pick from: the bot never silently guesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.domain import Ballot

_NOT_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Case, punctuation and spacing do not matter: ``Kirklees-Council!`` -> ``kirklees council``"""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


@dataclass
class _Name:
    display: str
    kinds: set[str] = field(default_factory=set)  # employer, union, campaign...
    ballot_ids: list[str] = field(default_factory=list)  # newest first once built


@dataclass(frozen=True)
class Match:
    """The outcome of a search.

    ``ballot_ids`` (newest first) is set when the query leads to one subject; ``choices`` when
    several names lead to different ballots; ``closest`` when nothing matched well enough.
    """

    ballot_ids: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    closest: tuple[str, ...] = ()
    campaign: str | None = None
    """Set when the query named a campaign: members then want the whole campaign's tally."""

    @property
    def found(self) -> bool:
        return bool(self.ballot_ids)


class SearchIndex:
    """Names -> ballots, built once per catalog version."""

    def __init__(
        self, ballots: Iterable[Ballot], score_cutoff: float = 80.0, margin: float = 4.0
    ) -> None:
        self.score_cutoff = score_cutoff
        self.margin = margin
        names: dict[str, _Name] = {}
        order: dict[str, tuple[object, str]] = {}
        for ballot in ballots:
            order[ballot.id] = (ballot.sort_date, ballot.id)
            for kind, name in ballot.search_names():
                key = normalise(name)
                if not key:
                    continue
                entry = names.setdefault(key, _Name(display=name))
                entry.kinds.add(kind)
                if not entry.ballot_ids or entry.ballot_ids[-1] != ballot.id:
                    entry.ballot_ids.append(ballot.id)
        for entry in names.values():
            unique = dict.fromkeys(entry.ballot_ids)
            entry.ballot_ids = sorted(unique, key=order.__getitem__, reverse=True)
        self._names = names
        self._keys = list(names)
        self._order = order

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, query: str) -> Match:
        """Resolve what a member typed to ballots, a list of choices, or the closest names."""
        key = normalise(query)
        if not key:
            return Match()
        exact = self._names.get(key)
        if exact is not None:
            return Match(ballot_ids=tuple(exact.ballot_ids), campaign=_campaign([exact]))
        scored = process.extract(
            key, self._keys, scorer=fuzz.WRatio, limit=10, score_cutoff=self.score_cutoff
        )
        if not scored:
            near = process.extract(key, self._keys, scorer=fuzz.WRatio, limit=3)
            return Match(closest=tuple(self._names[k].display for k, _, _ in near))
        best = scored[0][1]
        candidates = [self._names[k] for k, score, _ in scored if score >= best - self.margin]
        latest = dict.fromkeys(c.ballot_ids[0] for c in candidates)
        if len(latest) == 1:
            ids = dict.fromkeys(i for c in candidates for i in c.ballot_ids)
            ordered = tuple(sorted(ids, key=self._order.__getitem__, reverse=True))
            return Match(ballot_ids=ordered, campaign=_campaign(candidates))
        campaign = _campaign(candidates[:1])
        if campaign is not None:
            return Match(ballot_ids=tuple(candidates[0].ballot_ids), campaign=campaign)
        seen: set[str] = set()
        choices = []
        for candidate in candidates:
            if candidate.ballot_ids[0] not in seen:
                seen.add(candidate.ballot_ids[0])
                choices.append(candidate.display)
        return Match(choices=tuple(choices[:5]))

    def suggest(self, prefix: str, limit: int = 25) -> list[str]:
        """Names for autocomplete: cheap, best first, each name once."""
        key = normalise(prefix)
        if not key:
            newest = sorted(self._names.values(), key=lambda n: self._order[n.ballot_ids[0]])
            return [n.display for n in reversed(newest[-limit:])]
        starts = [self._names[k].display for k in self._keys if k.startswith(key)][:limit]
        if len(starts) >= limit:
            return starts
        scored = process.extract(key, self._keys, scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
        for k, _, _ in scored:
            display = self._names[k].display
            if display not in starts:
                starts.append(display)
        return starts[:limit]


def _campaign(names: list[_Name]) -> str | None:
    """The campaign named, when the best names are only ever campaign names."""
    if len(names) == 1 and names[0].kinds == {"campaign"}:
        return names[0].display
    return None
