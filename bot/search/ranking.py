"""Ranking the subjects a query's name words reach, by rules a member can follow.

In the spirit of Meilisearch's ranking rules, candidates are ordered by, in turn:

1. **words**: how many of the query's name words they contain (a typo allowed);
2. **typo**: fewest typos;
3. **attribute**: where the words were found, employer or alias before branch or campaign,
   before area, before sector (:data:`bot.search.catalog.FIELD_RANK`);
4. **exactness**: a name that is exactly the words typed, then one that starts with them, and
   whole words before words completed from their start;
5. **recency**: the newest ballot first.

Every *distinctive* word (one not in :data:`bot.search.lexicon.GENERIC`) must be contained, so
a card never shows a ballot that lacks a word the member typed to say which one; generic words
only rank, except when they are all the query has.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import takewhile

from bot.search.catalog import Catalog, Subject
from bot.search.lexicon import GENERIC_STEMS
from bot.search.reading import Reading, Word

MIN_PREFIX = 3
"""A finished query's last word completes names from this many letters (``kirk``)."""
MAX_PREFIX_LETTERS = 40

Key = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class Hits:
    """Where one query word is found: subject -> ``typos * 8 + completed * 4 + field rank``
    (the smallest over every vocabulary word it may be), and those vocabulary words."""

    subjects: dict[int, int]
    word_ids: frozenset[int]
    generic: bool


@dataclass(frozen=True)
class Ranked:
    """The subjects a reading's name words reach, best first, with the ballots of each that
    hold its facets (newest first)."""

    hits: tuple[Hits, ...]
    distinctive: bool
    """Some word is distinctive: every candidate contains all of them."""
    reached: frozenset[int]
    """Subjects that contain the words, whatever the facets."""
    ballots: dict[int, list[int]]
    order: list[tuple[Key, int, int]]
    """(key, newest ballot, subject), best first."""

    def missing(self, catalog: Catalog, s: int, allowed: set[int] | None) -> bool:
        """Does subject ``s`` lack a generic word that another subject holding the facets
        has? (``kirklees hospitals`` is not Kirklees Council when some hospital trust is in the
        catalog.)"""
        for h in self.hits:
            if h.generic and s not in h.subjects and _any_holding(catalog, h.subjects, allowed):
                return True
        return False

    def tier(self) -> list[int]:
        """The subjects that tie with the best on every rule but recency."""
        if not self.order:
            return []
        best = self.order[0][0]
        return [s for key, _, s in takewhile(lambda o: o[0] == best, self.order)]


def word_hits(catalog: Catalog, word: Word, last: bool) -> Hits:
    """Where ``word`` is found: exactly, else with its typos; and, for the last word of the
    query (or a word found no other way), as the start of longer words."""
    vocabulary = catalog.vocabulary
    exact = vocabulary.ids.get(word.text)
    matched = [(exact, 0)] if exact is not None else vocabulary.near(word.text)
    completes = (word.prefix or (last and len(word.text) >= MIN_PREFIX)) or (
        not matched and len(word.text) > MIN_PREFIX
    )
    completed = []
    if completes and len(word.text) <= MAX_PREFIX_LETTERS:
        completed = vocabulary.starting(word.text)
    ids = frozenset([i for i, _ in matched] + completed)
    generic = word.generic or (bool(ids) and all(vocabulary.words[i] in GENERIC_STEMS for i in ids))
    if not completed and len(matched) == 1 and matched[0][1] == 0:
        return Hits(catalog.postings[matched[0][0]], ids, generic)  # shared, never changed
    merged: dict[int, int] = {}
    for word_id, cost in [(i, typos * 8) for i, typos in matched] + [(i, 4) for i in completed]:
        for s, rank in catalog.postings[word_id].items():
            value = cost + rank
            if value < merged.get(s, 99):
                merged[s] = value
    return Hits(merged, ids, generic)


def rank(
    catalog: Catalog, reading: Reading, allowed: set[int] | None, complete_last: bool = True
) -> Ranked:
    """Candidates for ``reading``'s name words among the ballots ``allowed`` by its facets
    (None: every ballot). ``complete_last``: the last word may be the start of a longer one
    (a finished query; autocomplete says so per word instead)."""
    last = len(reading.words) - 1 if complete_last else -1
    hits = tuple(word_hits(catalog, w, i == last) for i, w in enumerate(reading.words))
    distinctive = [h for h in hits if not h.generic]
    if distinctive:
        ordered = sorted(distinctive, key=lambda h: len(h.subjects))
        reached = set(ordered[0].subjects)
        for h in ordered[1:]:
            reached = {s for s in reached if s in h.subjects}
    else:
        reached = set().union(*(h.subjects for h in hits))
    ballots = _holding(catalog, reached, allowed)
    scored = []
    for s, held in ballots.items():
        matched = typos = attribute = completed = 0
        for h in hits:
            value = h.subjects.get(s)
            if value is not None:
                matched += 1
                typos += value >> 3
                completed += (value >> 2) & 1
                attribute += value & 3
        scored.append((-matched, typos, attribute, completed, held[0], s))
    scored.sort()
    # Exactness can only reorder the candidates that tie with the best on the rules before
    # it (words, typo, attribute): it is worked out for those alone, and not at all for generic
    # words alone, which list every candidate anyway.
    words = tuple(w.text for w in reading.words)
    order: list[tuple[Key, int, int]] = []
    head = scored[0][:3] if scored and distinctive else None
    for m, t, a, c, newest, s in scored:
        exact = _exactness(catalog.subjects[s], words) if (m, t, a) == head else 0
        order.append(((m, t, a, -exact, c), newest, s))
    if head is not None:
        order.sort()  # else still in the order of ``scored``
    return Ranked(hits, bool(distinctive), frozenset(reached), ballots, order)


def _holding(catalog: Catalog, reached: set[int], allowed: set[int] | None) -> dict[int, list[int]]:
    """Each reached subject's ballots that hold the facets, newest first; none: left out."""
    subjects = catalog.subjects
    if allowed is None:
        return {s: subjects[s].ballots for s in reached}
    if len(allowed) < len(reached):
        held: dict[int, list[int]] = {}
        subject_of = catalog.subject_of
        for b in sorted(allowed):
            s = subject_of[b]
            if s in reached:
                held.setdefault(s, []).append(b)
        return held
    found = {}
    for s in reached:
        kept = [b for b in subjects[s].ballots if b in allowed]
        if kept:
            found[s] = kept
    return found


def _any_holding(catalog: Catalog, subjects: dict[int, int], allowed: set[int] | None) -> bool:
    if allowed is None:
        return bool(subjects)
    return any(b in allowed for s in subjects for b in catalog.subjects[s].ballots)


def _exactness(subject: Subject, words: tuple[str, ...]) -> int:
    """2: a name is exactly the words typed; 1: a name starts with them; 0: neither."""
    level = 0
    size = len(words)
    for name in subject.names:
        if name.tokens == words:
            return 2
        if name.tokens[:size] == words:
            level = 1
    return level


def campaign_named(catalog: Catalog, ranked: Ranked, tier: list[int]) -> str | None:
    """The campaign every best candidate shares, when each word typed was found in that
    campaign's name rather than in an employer's or alias's (``fair pay for nursing``)."""
    names = {catalog.subjects[s].campaign for s in tier}
    if len(names) != 1 or None in names:
        return None
    for s in tier:
        campaign = next(n for n in catalog.subjects[s].names if n.field == "campaign")
        for h in ranked.hits:
            if not (h.word_ids & campaign.ids) or h.subjects.get(s, 0) & 3 == 0:
                return None
    return names.pop()
