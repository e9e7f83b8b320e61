"""Forgiving search over the names members type: employers, branches, unions, areas, aliases.

The index holds each distinct name once (not each ballot), pre-processed once, so a query scores
a few thousand strings rather than every ballot. Several good matches that lead to different
ballots come back as a short list to pick from: the bot never silently guesses.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.domain import Ballot, CatalogEntry

_NOT_WORD = re.compile(r"[^\w]+")


# Words that many names share: they say what kind of employer it is, not which one, so they
# must not make "Leeds Council" look like "Kirklees Council".
_GENERIC_WORDS = """
    the of and for council city borough county district metropolitan town parish nhs trust
    foundation hospital hospitals university college school schools academy academies service
    services fire rescue housing association group ltd limited plc branch
"""
GENERIC = frozenset(_GENERIC_WORDS.split())


WORD_WEIGHT = 0.95
"""A match on some of a name's words counts a little less than a match on the whole name."""
PREFIX_SCORE = 90.0
"""Typing the start of a name ("kirk") is a good match, but not as good as the name."""
MIN_PREFIX = 3
CLEAR_WHOLE_NAME = 100.0 * WORD_WEIGHT + 4.0
"""A whole-name score this high cannot be tied by a partial match (at most 95 + margin)."""


def distinctive(key: str) -> str:
    """A normalised name without its generic words (or whole, if nothing else is left)."""
    kept = [word for word in key.split() if word not in GENERIC]
    return " ".join(kept) if kept else key


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
    choice_ids: tuple[str, ...] = ()
    """The newest ballot of each of ``choices``, in the same order: what picking it shows."""
    closest: tuple[str, ...] = ()
    campaign: str | None = None
    """Set when the query named a campaign: members then want the whole campaign's tally."""

    @property
    def found(self) -> bool:
        return bool(self.ballot_ids)


class SearchIndex:
    """Names -> ballots, built once per catalog version."""

    def __init__(
        self,
        entries: Iterable[CatalogEntry | Ballot],
        score_cutoff: float = 80.0,
        margin: float = 4.0,
    ) -> None:
        self.score_cutoff = score_cutoff
        self.margin = margin
        names: dict[str, _Name] = {}
        order: dict[str, tuple[object, str]] = {}
        for item in entries:
            entry_of = item.catalog_entry() if isinstance(item, Ballot) else item
            ballot_id = entry_of.ballot_id
            order[ballot_id] = (entry_of.sort_date, ballot_id)
            for kind, name in entry_of.names:
                key = normalise(name)
                if not key:
                    continue
                entry = names.setdefault(key, _Name(display=name))
                entry.kinds.add(kind)
                if not entry.ballot_ids or entry.ballot_ids[-1] != ballot_id:
                    entry.ballot_ids.append(ballot_id)
        for entry in names.values():
            unique = dict.fromkeys(entry.ballot_ids)
            entry.ballot_ids = sorted(unique, key=order.__getitem__, reverse=True)
        forms: dict[str, list[str]] = {}
        for key in names:
            forms.setdefault(distinctive(key), []).append(key)
        self._names = names
        self._keys = list(names)
        words: dict[str, set[str]] = {}
        for form in forms:
            for word in form.split():
                words.setdefault(word, set()).add(form)
        self._forms = forms
        self._form_keys = list(forms)
        self._sorted_forms = sorted(forms)
        self._words = words
        self._word_keys = list(words)
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
        scores = self._score_forms(distinctive(key))
        if not scores:
            near = process.extract(key, self._keys, scorer=fuzz.WRatio, limit=3)
            return Match(closest=tuple(self._names[k].display for k, _, _ in near))
        best = max(scores.values())
        keys = [
            k
            for form, score in sorted(scores.items(), key=lambda item: -item[1])
            if score >= best - self.margin
            for k in self._forms[form]
        ]
        candidates = self._rerank(key, keys)
        latest = dict.fromkeys(c.ballot_ids[0] for c in candidates)
        if len(latest) == 1:
            ids = dict.fromkeys(i for c in candidates for i in c.ballot_ids)
            ordered = tuple(sorted(ids, key=self._order.__getitem__, reverse=True))
            return Match(ballot_ids=ordered, campaign=_campaign(candidates))
        campaign = _campaign(candidates[:1])
        if campaign is not None:
            return Match(ballot_ids=tuple(candidates[0].ballot_ids), campaign=campaign)
        seen: set[str] = set()
        choices: list[tuple[str, str]] = []
        for candidate in candidates:
            if candidate.ballot_ids[0] not in seen:
                seen.add(candidate.ballot_ids[0])
                choices.append((candidate.display, candidate.ballot_ids[0]))
        return Match(
            choices=tuple(name for name, _ in choices[:5]),
            choice_ids=tuple(ballot_id for _, ballot_id in choices[:5]),
        )

    def _score_forms(self, query: str) -> dict[str, float]:
        """Score names (by their distinctive words) against the query, four ways, in C:
        the whole name with a typo, one word of it, a subset of its words, or its start.

        Partial-string matching is deliberately left out: it makes "leeds" look like
        "kir(k)lees"."""
        cutoff = self.score_cutoff
        scores: dict[str, float] = {}

        def add(form: str, score: float) -> None:
            if score >= cutoff and score > scores.get(form, 0.0):
                scores[form] = score

        for form, score, _ in process.extract(
            query, self._form_keys, scorer=fuzz.ratio, limit=10, score_cutoff=cutoff
        ):
            add(form, score)
        if scores and max(scores.values()) >= CLEAR_WHOLE_NAME:
            # The whole name exactly: no partial match can come within the margin of it.
            return scores
        # Every word typed matches (maybe with a typo) a word of the same name.
        together: dict[str, float] | None = None
        sharing: set[str] = set()
        for typed in query.split():
            found: dict[str, float] = {}
            for word, score, _ in process.extract(
                typed, self._word_keys, scorer=fuzz.ratio, limit=10, score_cutoff=cutoff
            ):
                for form in self._words[word]:
                    found[form] = max(found.get(form, 0.0), score)
            sharing.update(found)
            together = (
                found
                if together is None
                else {
                    form: min(score, together[form])
                    for form, score in found.items()
                    if form in together
                }
            )
        if " " in query:
            # A name that is a subset of what was typed ("kirklees strike"): scored only
            # among the names sharing a word, which is far cheaper than scoring them all.
            for form in sharing:
                add(form, fuzz.token_set_ratio(query, form) * WORD_WEIGHT)
        # Two or more words all found in one name is as strong as the name itself.
        weight = 1.0 if " " in query else WORD_WEIGHT
        for form, score in (together or {}).items():
            add(form, score * weight)
        if len(query) >= MIN_PREFIX:
            start = bisect.bisect_left(self._sorted_forms, query)
            for form in self._sorted_forms[start : start + 10]:
                if not form.startswith(query):
                    break
                add(form, PREFIX_SCORE)
        return scores

    def _rerank(self, key: str, keys: list[str]) -> list[_Name]:
        """Names that tie on their distinctive words, ordered by the whole of what was typed
        ("ashfrod borough council" prefers the council to Ashford College)."""
        if len(keys) == 1:
            return [self._names[keys[0]]]
        scored = sorted(((fuzz.WRatio(key, k), k) for k in keys), reverse=True)
        best = scored[0][0]
        return [self._names[k] for score, k in scored if score >= best - self.margin]

    def kinds_of(self, name: str) -> set[str]:
        """What a name is in the catalog (union, employer, area...), if it is one exactly."""
        entry = self._names.get(normalise(name))
        return set(entry.kinds) if entry else set()

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
