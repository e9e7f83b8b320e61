"""Every word of the catalog's names, found exactly, with typos, or by its start.

Typo lookup is a symmetric-delete index (the idea behind SymSpell): each word is stored under
itself and every string made by deleting one or two of its letters, so a typed word finds its
candidates with a few dictionary lookups of its own deletions instead of comparing against
every word; the candidates are then checked with rapidfuzz's optimal-string-alignment distance
(a swap of two neighbouring letters is one typo). Lookups cost microseconds whatever the size
of the catalog.

How many typos a word may carry follows Meilisearch's defaults (none under five letters, one
from five, two from nine), except that words of names allow one from four letters, as
Typesense does: place names are short (``Cary``, ``Hull``). Words of digits never carry typos
(``2023`` is not ``2022``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from rapidfuzz.distance import OSA, Indel

ONE_TYPO_FROM = 5
ONE_TYPO_IN_A_NAME_FROM = 4
TWO_TYPOS_FROM = 9


def typo_budget(word: str, one_from: int = ONE_TYPO_FROM) -> int:
    """How many typos ``word`` may carry: 0, 1 or 2."""
    if word.isdigit() or len(word) < one_from:
        return 0
    return 2 if len(word) >= TWO_TYPOS_FROM else 1


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` with up to ``depth`` letters deleted (``word`` itself included)."""
    found = {word}
    layer = {word}
    for _ in range(depth):
        layer = {w[:i] + w[i + 1 :] for w in layer for i in range(len(w))}
        found |= layer
    return found


class Vocabulary:
    """Words -> ids, and back; ids are positions in alphabetical order."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words: list[str] = sorted(set(words))
        self.ids: dict[str, int] = {word: i for i, word in enumerate(self.words)}
        self.longest = max(map(len, self.words), default=0)
        deletions: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            if word.isdigit() or len(word) < ONE_TYPO_IN_A_NAME_FROM - 1:
                continue  # no typed word within its budget can reach it
            # A typed word of 9+ letters may be two typos away: from 7 letters on.
            for form in _deletions(word, 2 if len(word) >= TWO_TYPOS_FROM - 2 else 1):
                deletions.setdefault(form, []).append(i)
        self._deletions = deletions

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.ids

    def near(self, word: str, budget: int | None = None) -> list[tuple[int, int, int]]:
        """Other words within ``word``'s typo budget: ``(id, typos, letters)``, fewest typos
        first; ``letters`` (the Indel distance: letters inserted plus deleted) tells a dropped
        letter (1) from a wrong one (2) when the typos tie (``sldale``: Saldale before Eldale)."""
        budget = typo_budget(word) if budget is None else budget
        if budget <= 0 or len(word) > self.longest + budget:
            return []
        candidates: set[int] = set()
        for form in _deletions(word, budget):
            candidates.update(self._deletions.get(form, ()))
        found = []
        for i in candidates:
            distance = OSA.distance(word, self.words[i], score_cutoff=budget)
            if 0 < distance <= budget:
                found.append((i, distance, Indel.distance(word, self.words[i])))
        return sorted(found, key=lambda found: found[1:])

    def starting(self, prefix: str, limit: int = 30) -> list[int]:
        """Ids of words that begin with ``prefix`` (and are longer), alphabetical, at most
        ``limit``: enough to complete a word being typed without flooding the ranking."""
        start = bisect.bisect_left(self.words, prefix)
        found = []
        for i in range(start, min(start + limit + 1, len(self.words))):
            word = self.words[i]
            if not word.startswith(prefix):
                break
            if word != prefix:
                found.append(i)
        return found[:limit]
