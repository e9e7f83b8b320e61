"""The search index: what a member typed -> one subject's ballots, a short list, or the
closest names. One reading of the query for every command that takes a search (lookups,
``history``, ``remind me``, ``voted``, ``subscribe``, organisers' commands) and autocomplete.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import partial

from rapidfuzz import fuzz, process

from bot.actions import ballot_ref
from bot.domain import Ballot, CatalogEntry
from bot.search.catalog import Catalog, Subject
from bot.search.ranking import Ranked, campaign_named, rank
from bot.search.reading import Reader, Reading
from bot.search.text import normalise
from bot.search.unions import BUILTIN_TABLE, UnionTable

MAX_CHOICES = 5
CLOSEST = 3
CLOSEST_QUERY_LETTERS = 40
"""The closest names are sought for at most this much of the query (bounded work)."""
FACET_CACHE_SIZE = 512
NAME_PRIORITY = ("union", "employer", "branch", "alias", "area", "sector", "campaign")
"""Which kind of name a subscription follows when one name is several (``Kirklees``)."""


@dataclass(frozen=True)
class Match:
    """The outcome of a search.

    ``ballot_ids`` (newest first) is set when the query leads to one subject: one employer, one
    union, or one campaign. ``choices`` (labels, best first) with ``choice_ids`` (the ballot
    each choice stands for, same order) when several employers match equally well; ``total``
    then says how many ballots matched in all. ``closest`` (names) when nothing matched.
    """

    ballot_ids: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    choice_ids: tuple[str, ...] = ()
    closest: tuple[str, ...] = ()
    campaign: str | None = None
    """Set when the query named a campaign: members then want the whole campaign's tally."""
    total: int = 0
    reading: tuple[str, ...] = ()
    """The facets the query was read as naming: ``("UNISON", "strike", "2023")``."""
    typed_nothing: bool = False
    """Nothing searchable was typed (``!!!``, an emoji)."""
    empty: bool = False
    """No ballots are stored at all."""

    @property
    def found(self) -> bool:
        return bool(self.ballot_ids)

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        """``(label, ballot id)`` for each choice."""
        return tuple(zip(self.choices, self.choice_ids, strict=True))


@dataclass(frozen=True)
class NamedFilter:
    """One name a subscription can follow: ``union``/``rcn``, ``area``/``kirklees``..."""

    kind: str
    value: str
    """A union's key, or the name normalised."""
    display: str


@dataclass(frozen=True)
class Suggestion:
    """One name offered while a member types, and the ballot picking it shows."""

    name: str
    """Shown to the member, never run: it is ballot data."""
    ballot_id: str

    @property
    def ref(self) -> str:
        """What picking it submits: the ballot's reference, ``#id`` (:func:`ballot_ref`)."""
        return ballot_ref(self.ballot_id)


class SearchIndex:
    """Names and facets -> ballots, built once per catalog version.

    ``score_cutoff`` (0-100) and ``margin`` shape the closest names offered when nothing
    matched: names scoring under the cutoff, or more than the margin under the best, are left
    out. ``unions`` is the table of union names (:mod:`bot.search.unions`).
    """

    def __init__(
        self,
        entries: Iterable[CatalogEntry | Ballot],
        score_cutoff: float = 80.0,
        margin: float = 4.0,
        unions: UnionTable = BUILTIN_TABLE,
    ) -> None:
        self.score_cutoff = score_cutoff
        self.margin = margin
        self.catalog = catalog = Catalog(entries, unions)
        self.reader = Reader(
            catalog.union_phrases(), catalog.union_display(), catalog.vocabulary, catalog.bigrams
        )
        self._names = list(catalog.displays)
        self._facets: dict[tuple[object, ...], frozenset[int]] = {}

    def __len__(self) -> int:
        """How many distinct names the catalog holds."""
        return len(self._names)

    # -- find --------------------------------------------------------------------------------

    def find(
        self, query: str, today: date | None = None, among: Collection[str] | None = None
    ) -> Match:
        """Resolve what a member typed to ballots, a list of choices, or the closest names.

        ``today`` decides ``open``/``closed`` (default: the machine's date); ``among`` limits
        the search to these ballot ids (reminders look only at ballots still running).
        """
        if not self.catalog.ids:
            return Match(empty=True, typed_nothing=not normalise(query))
        reading = self.reader.read(query)
        if reading.typed_nothing:
            return Match(typed_nothing=True)
        today = today or date.today()
        match = self._resolve(reading, today, among)
        if not (match.found or match.choices) and reading.ambiguous:
            # "unison community health": Community is a union, but here part of a name. Read
            # so, it is a guess: it stands only where a name holds every word typed, never
            # on the union's name alone ("unison nhs" is not the branch "Kirklees Unison").
            as_names = self.reader.read(query, as_names=reading.ambiguous)
            again = self._resolve(as_names, today, among, every_word=True)
            if again.found or again.choices:
                return again
        return match

    def _resolve(
        self,
        reading: Reading,
        today: date,
        among: Collection[str] | None,
        every_word: bool = False,
    ) -> Match:
        """The ballots ``reading`` means, choices, or the closest names. ``every_word``: a
        name must hold every word typed, generic ones too (a second reading's guess)."""
        allowed = self._allowed(reading, today, among)
        if not reading.words:
            found = self._facets_only(reading, allowed)
            if not (found.found or found.choices or found.closest):
                found = replace(found, closest=self._relaxed(reading, today))
            return found
        ranked = rank(self.catalog, reading, allowed)
        tier = ranked.tier()
        if not tier or (every_word and any(tier[0] not in h.subjects for h in ranked.hits)):
            return self._not_found(reading, ranked)
        subjects = self.catalog.subjects
        campaign = campaign_named(self.catalog, ranked, tier)
        if campaign is not None:
            ids = sorted(
                b
                for _, _, s in ranked.order
                if subjects[s].campaign == campaign
                for b in ranked.ballots[s]
            )
            return self._found(ids, reading, campaign)
        if ranked.distinctive and not reading.cut:
            employers = {subjects[s].employer for s in tier}
            if len(employers) == 1 and ranked.missing(self.catalog, tier[0], allowed):
                # A word typed to say which one is missing: offer it, never show it as meant.
                shown = subjects[tier[0]].employer_display
                return Match(
                    closest=(shown, *self._closest(reading))[:CLOSEST], reading=reading.labels
                )
            if len(employers) == 1:
                employer = employers.pop()
                ids = sorted(
                    b
                    for _, _, s in ranked.order
                    if subjects[s].employer == employer
                    for b in ranked.ballots[s]
                )
                return self._found(ids, reading)
            listed = tier
        else:
            # Generic words alone ("council") list every ballot holding as many of them as any.
            most = ranked.order[0][0][0]
            listed = [s for key, _, s in ranked.order if key[0] == most]
            first = subjects[listed[0]].employer
            if all(subjects[s].employer == first for s in listed) and not reading.cut:
                return self._found(sorted(b for s in listed for b in ranked.ballots[s]), reading)
        return self._choices(listed, ranked, reading)

    def _relaxed(self, reading: Reading, today: date) -> tuple[str, ...]:
        """When the facets rule everything out: the newest names that hold fewer of them
        (``rcn 1999``: the RCN's names), status first, then dates, then kinds."""
        no_status = replace(reading, statuses=frozenset())
        no_date = replace(no_status, years=frozenset(), months=frozenset())
        for relaxed in (no_status, no_date, replace(no_date, kinds=frozenset())):
            allowed = self._allowed(relaxed, today, None)
            if allowed:
                names = (self.catalog.employer_of(b) for b in sorted(allowed)[: CLOSEST * 8])
                return tuple(dict.fromkeys(names))[:CLOSEST]
        return ()

    def _found(self, ballots: list[int], reading: Reading, campaign: str | None = None) -> Match:
        ids = self.catalog.ids
        return Match(
            ballot_ids=tuple(ids[b] for b in ballots), campaign=campaign, reading=reading.labels
        )

    def _choices(self, listed: list[int], ranked: Ranked, reading: Reading) -> Match:
        """One choice per employer, best first: its newest ballot that holds the facets."""
        catalog = self.catalog
        seen: set[str] = set()
        picked: list[int] = []
        for s in listed:
            employer = catalog.subjects[s].employer
            if employer not in seen:
                seen.add(employer)
                picked.append(ranked.ballots[s][0])
                if len(picked) == MAX_CHOICES:
                    break
        return Match(
            choices=tuple(catalog.employer_of(b) for b in picked),
            choice_ids=tuple(catalog.ids[b] for b in picked),
            total=sum(len(ranked.ballots[s]) for s in listed),
            reading=reading.labels,
        )

    def _facets_only(self, reading: Reading, allowed: set[int] | None) -> Match:
        """A query naming only facets: a union's ballots (``royal college of nursing``: the
        RCN's, newest first), or a list of the newest ballots that hold them (``strike
        2023``)."""
        if not allowed:
            closest = () if allowed is not None else self._closest(reading)
            return Match(closest=closest, reading=reading.labels)
        catalog = self.catalog
        if reading.unions:
            return self._found(sorted(allowed), reading)
        picked: list[int] = []
        seen: set[str] = set()
        newest_first = (
            sorted(allowed)
            if len(allowed) * 8 < len(catalog)
            else (b for b in range(len(catalog)) if b in allowed)
        )
        for b in newest_first:
            employer = catalog.subjects[catalog.subject_of[b]].employer
            if employer not in seen:
                seen.add(employer)
                picked.append(b)
                if len(picked) > MAX_CHOICES:
                    break
        if len(picked) == 1:
            return self._found(sorted(allowed), reading)
        picked = picked[:MAX_CHOICES]
        return Match(
            choices=tuple(catalog.employer_of(b) for b in picked),
            choice_ids=tuple(catalog.ids[b] for b in picked),
            total=len(allowed),
            reading=reading.labels,
        )

    def _not_found(self, reading: Reading, ranked: Ranked) -> Match:
        """The names nearest to what was typed: those the words reached though the facets
        ruled their ballots out, else those holding most of the distinctive words, else the
        names most alike."""
        subjects = self.catalog.subjects
        near = list(ranked.reached)
        if not near and ranked.distinctive:
            counts: dict[int, int] = {}
            for h in ranked.hits:
                if not h.generic:
                    for s in h.subjects:
                        counts[s] = counts.get(s, 0) + 1
            near = heapq.nsmallest(
                CLOSEST * 4, counts, key=lambda s: (-counts[s], subjects[s].ballots[0])
            )
        else:
            near = heapq.nsmallest(CLOSEST * 4, near, key=lambda s: subjects[s].ballots[0])
        names = list(dict.fromkeys(subjects[s].employer_display for s in near))
        closest = tuple(names[:CLOSEST]) or self._closest(reading)
        return Match(closest=closest, reading=reading.labels)

    def _closest(self, reading: Reading) -> tuple[str, ...]:
        return self.closest_names(
            " ".join(w.text for w in reading.words) or " ".join(reading.tokens)
        )

    def closest_names(self, text: str) -> tuple[str, ...]:
        """The catalog's names most alike ``text`` as a whole (rapidfuzz's plain ratio, which
        costs a microsecond a name where WRatio's partial matching costs ten): when some score
        ``score_cutoff`` or more, those within ``margin`` of it; else the three best."""
        text = normalise(text)[:CLOSEST_QUERY_LETTERS]
        found = process.extract(text, self._names, scorer=fuzz.ratio, processor=None, limit=CLOSEST)
        if found and found[0][1] >= self.score_cutoff:
            found = [f for f in found if f[1] >= self.score_cutoff - self.margin]
        return tuple(self.catalog.displays[name] for name, _, _ in found)

    # -- facets ------------------------------------------------------------------------------

    def _allowed(
        self, reading: Reading, today: date, among: Collection[str] | None
    ) -> set[int] | None:
        """The ballots that hold every facet the reading names; None when it names none."""
        catalog = self.catalog
        parts: list[Collection[int]] = [self._union(key) for key in reading.unions]
        for group in reading.union_groups:
            parts.append(self._cached(("unions", group), partial(_any_of, catalog.by_union, group)))
        if reading.kinds:
            parts.append(
                self._cached(
                    ("kinds", reading.kinds),
                    lambda: set().union(*(catalog.by_kind.get(k, ()) for k in reading.kinds)),
                )
            )
        if reading.has_dates:
            parts.append(
                self._cached(
                    ("dates", reading.years, reading.months),
                    lambda: set().union(
                        *(catalog.by_year.get(y, ()) for y in reading.years),
                        *(catalog.in_month(y, m) for y, m in reading.months),
                    ),
                )
            )
        if reading.statuses:
            parts.append(
                self._cached(
                    ("statuses", reading.statuses, today),
                    lambda: catalog.statuses(reading.statuses, today),
                )
            )
        if among is not None:
            parts.append({catalog.rank_of[i] for i in among if i in catalog.rank_of})
        if not parts:
            return None
        parts.sort(key=len)
        allowed = set(parts[0])
        for part in parts[1:]:
            allowed.intersection_update(part)
        return allowed

    def _union(self, key: str) -> frozenset[int]:
        return self._cached(("union", key), lambda: self.catalog.by_union.get(key, ()))

    def _cached(self, key: tuple[object, ...], make: Callable[[], Iterable[int]]) -> frozenset[int]:
        found = self._facets.get(key)
        if found is None:
            if len(self._facets) >= FACET_CACHE_SIZE:
                self._facets.clear()
            found = self._facets[key] = frozenset(make())
        return found

    # -- autocomplete and subscriptions -------------------------------------------------------

    def suggest(self, prefix: str, limit: int = 25, today: date | None = None) -> list[str]:
        """The names :meth:`suggestions` offers, as text."""
        return [s.name for s in self.suggestions(prefix, limit, today)]

    def suggestions(
        self, prefix: str, limit: int = 25, today: date | None = None
    ) -> list[Suggestion]:
        """What to offer while a member types: the names their words reach, best first, each
        with the facets they typed (``unison fal`` -> ``Falkirk Council (UNISON)``), and the
        ballot picking it shows: the newest of that name (or union) holding those facets.

        The name is data (an alias can read ``admin cancel leeds-2026``): it is only shown.
        What a pick submits is :attr:`Suggestion.ref`, the ballot's ``#id``.
        """
        catalog = self.catalog
        if not catalog.ids:
            return []
        reading = self.reader.read(prefix, typing=True)
        if reading.typed_nothing:
            if normalise(prefix):
                return []
            latest = [(s.employer_display, s.ballots[0]) for s in self._newest_subjects(limit)]
            return self._offered(latest, "", limit)
        suffix = f" ({', '.join(reading.labels)})" if reading.labels else ""
        allowed = self._allowed(reading, today or date.today(), None)
        offered: list[tuple[str, int]] = []
        if not reading.words:
            offered = [
                (catalog.subjects[catalog.subject_of[b]].employer_display, b)
                for b in sorted(allowed or ())
            ]
        else:
            last = reading.words[-1]
            if len(reading.words) == 1 and last.prefix and not reading.has_facets:
                for words, key in self.reader.union_phrases.items():
                    ballots = catalog.by_union.get(key)
                    if words[0].startswith(last.text) and ballots:
                        offered.append((self.reader.union_display.get(key, key), ballots[0]))
            ranked = rank(catalog, reading, allowed, complete_last=False)
            for _, newest, s in ranked.order[: limit * 2]:
                offered.append((self._shown_name(s, ranked), newest))
        return self._offered(offered, suffix, limit)

    def _offered(self, offered: list[tuple[str, int]], suffix: str, limit: int) -> list[Suggestion]:
        """The first ballot offered under each name, as suggestions."""
        first: dict[str, int] = {}
        for name, ballot in offered:
            first.setdefault(name, ballot)
        ids = self.catalog.ids
        return [Suggestion(f"{name}{suffix}", ids[b]) for name, b in first.items()][:limit]

    def _newest_subjects(self, limit: int) -> Iterator[Subject]:
        seen: set[int] = set()
        for s in self.catalog.subject_of:
            if s not in seen:
                seen.add(s)
                yield self.catalog.subjects[s]
                if len(seen) >= limit:
                    return

    def _shown_name(self, s: int, ranked: Ranked) -> str:
        """The name of subject ``s`` that holds most of the words typed (the employer on a
        tie)."""
        names = self.catalog.subjects[s].names
        best = max(names, key=lambda n: sum(n.holds(h.word_ids) for h in ranked.hits))
        if not any(best.holds(h.word_ids) for h in ranked.hits):
            return self.catalog.subjects[s].employer_display
        return best.display

    def employer_ballots(self, employer: str) -> tuple[str, ...]:
        """Every ballot of the employer of exactly this name (case, accents and punctuation
        aside), newest first: a History button's list, never read as a search."""
        catalog = self.catalog
        subjects = catalog.by_employer.get(normalise(employer), ())
        ballots = sorted(b for s in subjects for b in catalog.subjects[s].ballots)
        return tuple(catalog.ids[b] for b in ballots)

    def union_key(self, name: str) -> str:
        """The key of the union ``name`` means (:meth:`bot.search.UnionTable.key_of`)."""
        return self.catalog.unions.key_of(name)

    def kinds_of(self, name: str) -> set[str]:
        """What a name is in the catalog (union, employer, area...), if it is one exactly."""
        return set(self.catalog.kinds_of_name.get(normalise(name), ()))

    def filter_of(self, text: str) -> NamedFilter | None:
        """The one union or name ``text`` means, for a subscription: a catalog name exactly,
        a union however it is written (``royal college of nursing`` -> ``rcn``), or the one
        name its words reach (``kirklese`` -> ``kirklees``). None when it names no one thing."""
        catalog = self.catalog
        key = normalise(text)
        kinds = catalog.kinds_of_name.get(key, frozenset())
        for kind in NAME_PRIORITY:
            if kind in kinds:
                value = catalog.unions.key_of(text) if kind == "union" else key
                return NamedFilter(kind, value, catalog.displays[key])
        reading = self.reader.read(text)
        if reading.typed_nothing:
            return None
        if reading.typos:
            return None  # a subscription follows what was named, never a guess at a typo
        facets_besides = reading.kinds or reading.has_dates or reading.statuses
        if len(reading.unions) == 1 and not reading.words and not facets_besides:
            union = reading.unions[0]
            return NamedFilter("union", union, self.reader.union_display.get(union, union))
        if reading.unions or facets_besides or not reading.words:
            return None
        ranked = rank(catalog, reading, None)
        words = [h for h in ranked.hits if not h.generic] or list(ranked.hits)
        covering = []
        for s in ranked.tier():
            if any(h.subjects.get(s, 0) >> 2 for h in ranked.hits):
                continue  # reached only with a typo or by completing a word
            for name in catalog.subjects[s].names:
                if all(name.holds(h.word_ids) for h in words):
                    extra = len(name.tokens) - len(words)
                    covering.append((extra, NAME_PRIORITY.index(name.field), name))
        if not covering:
            return None
        covering.sort(key=lambda c: (c[0], c[1]))
        best = covering[0][2]
        rivals = {normalise(c[2].display) for c in covering if c[0] == covering[0][0]}
        if len(rivals) > 1:
            return None  # two names fit equally well: say which
        return NamedFilter(best.field, normalise(best.display), best.display)


def _any_of(postings: Mapping[str, Iterable[int]], keys: Iterable[str]) -> set[int]:
    """The ballots under any of ``keys`` in ``postings``."""
    return set().union(*(postings.get(k, ()) for k in keys))
