"""Ranking the subjects a query's name words reach, by rules a member can follow.

In the spirit of Meilisearch's ranking rules, candidates are ordered by, in turn:

1. **words**: how many of the query's name words they contain (a typo allowed);
2. **typo**: fewest typos;
3. **attribute**: where the words were found, employer or alias before branch or campaign,
   before area, before sector (:data:`bot.search.catalog.FIELD_RANK`);
4. **exactness**: a name that is exactly the words typed, then one that starts with them; then
   typos that drop or add a letter before those that change one (``sldale``: Saldale before
   Eldale), and whole words before words completed from their start;
5. **recency**: the newest ballot first.

Every *distinctive* word (one not in :data:`bot.search.lexicon.GENERIC`) must be contained, so
a card never shows a ballot that lacks a word the member typed to say which one; generic words
only rank, except when they are all the query has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile

from bot.search.catalog import Catalog, Subject
from bot.search.lexicon import GENERIC_STEMS
from bot.search.reading import Reading, Word
from bot.search.vocabulary import ONE_TYPO_IN_A_NAME_FROM, typo_budget

MIN_PREFIX = 3
"""A finished query's last word completes names from this many letters (``kirk``)."""
MAX_PREFIX_LETTERS = 40

Key = tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class Hits:
    """Where one query word is found: subject -> ``typos << 6 | letters << 3 | completed << 2
    | field rank`` (the smallest over every vocabulary word it may be; see :func:`_cost`), and
    those vocabulary words."""

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
    ballots: Mapping[int, Sequence[int]]
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
    matched = (
        [(exact, 0, 0)]
        if exact is not None
        else vocabulary.near(word.text, typo_budget(word.text, ONE_TYPO_IN_A_NAME_FROM))
    )
    completes = (word.prefix or (last and len(word.text) >= MIN_PREFIX)) or (
        not matched and len(word.text) > MIN_PREFIX
    )
    completed = []
    if completes and len(word.text) <= MAX_PREFIX_LETTERS:
        completed = vocabulary.starting(word.text)
    ids = frozenset([i for i, _, _ in matched] + completed)
    generic = word.generic or (bool(ids) and all(vocabulary.words[i] in GENERIC_STEMS for i in ids))
    if not completed and len(matched) == 1 and matched[0][1] == 0:
        return Hits(catalog.postings[matched[0][0]], ids, generic)  # shared, never changed
    merged: dict[int, int] = {}
    costs = [(i, _cost(typos, letters, False)) for i, typos, letters in matched]
    for word_id, cost in costs + [(i, _cost(0, 0, True)) for i in completed]:
        for s, rank in catalog.postings[word_id].items():
            value = cost | rank
            if value < merged.get(s, 1 << 16):
                merged[s] = value
    return Hits(merged, ids, generic)


def _cost(typos: int, letters: int, completed: bool) -> int:
    """A match's cost, packed to add a field rank (0-3) to: typos first, then letters
    inserted or deleted (0-7), then whether the word was completed from its start."""
    return typos << 6 | min(letters, 7) << 3 | completed << 2


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
        matched = typos = letters = attribute = completed = 0
        for h in hits:
            value = h.subjects.get(s)
            if value is not None:
                matched += 1
                typos += value >> 6
                letters += (value >> 3) & 7
                completed += (value >> 2) & 1
                attribute += value & 3
        scored.append((-matched, typos, attribute, letters, completed, held[0], s))
    scored.sort()
    # Exactness can only reorder the candidates that tie with the best on the rules before
    # it (words, typo, attribute): it is worked out for those alone, and not at all for generic
    # words alone, which list every candidate anyway.
    order: list[tuple[Key, int, int]] = []
    head = scored[0][:3] if scored and distinctive else None
    for m, t, a, letters, c, newest, s in scored:
        exact = _exactness(catalog.subjects[s], hits) if (m, t, a) == head else 0
        order.append(((m, t, a, -exact, letters, c), newest, s))
    if head is not None:
        order.sort()  # else still in the order of ``scored``
    return Ranked(hits, bool(distinctive), frozenset(reached), ballots, order)


def _holding(
    catalog: Catalog, reached: set[int], allowed: set[int] | None
) -> Mapping[int, Sequence[int]]:
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
    found: dict[int, Sequence[int]] = {}
    for s in reached:
        kept = [b for b in subjects[s].ballots if b in allowed]
        if kept:
            found[s] = kept
    return found


def _any_holding(catalog: Catalog, subjects: dict[int, int], allowed: set[int] | None) -> bool:
    if allowed is None:
        return bool(subjects)
    return any(b in allowed for s in subjects for b in catalog.subjects[s].ballots)


def _exactness(subject: Subject, hits: tuple[Hits, ...]) -> int:
    """2: a name is exactly the words typed, a typo allowed (``marhm buses`` is exactly
    "Marham Buses", not "North Marham Buses"); 1: a name starts with them; 0: neither."""
    level = 0
    size = len(hits)
    for name in subject.names:
        if len(name.tokens) < size:
            continue
        start = name.ids[:size]
        if all(not h.word_ids.isdisjoint(start) for h in hits) and all(
            any(i in h.word_ids for h in hits) for i in start
        ):
            if len(name.tokens) == size:
                return 2
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
            if not campaign.holds(h.word_ids) or h.subjects.get(s, 0) & 3 == 0:
                return None
    return names.pop()
