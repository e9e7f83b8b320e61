"""The catalog as search holds it: ballots by facet, and the names they go by, built once.

Ballots are numbered newest first (0 is the newest), so "newest first" is plain integer order.
Ballots that go by exactly the same names (employer, branch, alias, area, sector, campaign)
form one *subject*: words are matched per subject, a few thousand of them, not per ballot; the
facets (union, kind, dates, status) are then checked per ballot of the subjects that matched.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import pairwise

from bot.domain import Ballot, CatalogEntry, Kind, PartialDate, Status
from bot.search.lexicon import FIRST_YEAR, LAST_YEAR, STOP_WORDS
from bot.search.text import normalise, stem, words
from bot.search.unions import UnionTable, phrase
from bot.search.vocabulary import Vocabulary

FIELD_RANK = {"employer": 0, "alias": 0, "branch": 1, "campaign": 1, "area": 2, "sector": 3}
"""Which field a word matched in, best first: an employer's own name (or an alias an organiser
gave the ballot) beats a branch or campaign, which beats an area, which beats a sector."""
MAX_MONTHS_OPEN = 24
"""A ballot open longer than this is a data error: its months in between are not indexed."""


@dataclass(frozen=True, slots=True)
class Name:
    field: str
    display: str
    tokens: tuple[str, ...]
    """Its words without stop words."""
    ids: tuple[int, ...]
    """The same words as vocabulary ids."""

    def holds(self, word_ids: frozenset[int]) -> bool:
        """Does this name hold one of these words?"""
        return not word_ids.isdisjoint(self.ids)


@dataclass(slots=True)
class Subject:
    """Ballots that go by the same names."""

    names: tuple[Name, ...]
    employer: str
    """The employer's name normalised: two subjects with the same one are the same employer."""
    employer_display: str
    campaign: str | None
    ballots: array[int]
    """Newest first."""


class Catalog:
    """Every ballot of one catalog version, indexed for :class:`bot.search.SearchIndex`."""

    def __init__(self, items: Iterable[CatalogEntry | Ballot], unions: UnionTable) -> None:
        entries = [i.catalog_entry() if isinstance(i, Ballot) else i for i in items]
        entries.sort(key=lambda e: (e.sort_date, e.ballot_id), reverse=True)
        self.ids = [e.ballot_id for e in entries]
        self.unions = unions
        # Facet postings are compact arrays of ballot numbers (4 bytes each), newest first;
        # the search turns the few a query names into sets, and keeps them (SearchIndex).
        self.by_union: dict[str, array[int]] = defaultdict(_ballots)
        self.by_kind: dict[Kind, array[int]] = defaultdict(_ballots)
        self.by_year: dict[int, array[int]] = defaultdict(_ballots)
        self.by_month: dict[tuple[int, int], array[int]] = defaultdict(_ballots)
        self.by_status: dict[Status, array[int]] = defaultdict(_ballots)
        self.dated: list[tuple[int, date | None, date | None]] = []
        """Ballots whose status only their dates settle: (ballot, opens, closes)."""
        self._fields_of_name: dict[str, set[str]] = defaultdict(set)  # only while building
        self.displays: dict[str, str] = {}
        """Every distinct name, normalised -> as first typed."""
        self.union_names: dict[str, str] = {}
        """Union names in the catalog, normalised -> key, for unions the table does not know."""
        self._union_keys: dict[str, str] = {}
        subjects: dict[tuple[tuple[str, str], ...], int] = {}
        self.subjects: list[Subject] = []
        self.subject_of = _ballots()
        for b, entry in enumerate(entries):
            union_names = []
            names = []
            for field, name in entry.names:
                if field == "union":
                    union_names.append(name)
                elif field in FIELD_RANK:
                    names.append((field, name))
            identity = tuple(names)  # names come in one order (Ballot.search_names)
            s = subjects.get(identity)
            if s is None:
                s = subjects[identity] = len(self.subjects)
                self.subjects.append(Subject((), "", "", None, _ballots()))
            self.subjects[s].ballots.append(b)
            self.subject_of.append(s)
            self._facets(b, entry, union_names)
        tokens: dict[str, tuple[str, ...]] = {}
        for identity in subjects:
            for field, name in identity:
                if name not in tokens:
                    tokens[name] = _tokens(name)
                key = normalise(name)
                if key:
                    self.displays.setdefault(key, name)
                    self._fields_of_name[key].add(field)
        self.vocabulary = Vocabulary(t for words_of in tokens.values() for t in words_of)
        self.postings: list[dict[int, int]] = [{} for _ in self.vocabulary.words]
        self.bigrams: set[tuple[str, str]] = set()
        named: dict[int, set[int]] = defaultdict(set)
        shared: dict[tuple[str, str], Name] = {}
        for identity, s in subjects.items():
            self._subject(s, identity, tokens, named, shared)
        kinds: dict[frozenset[str], frozenset[str]] = {}
        self.kinds_of_name: dict[str, frozenset[str]] = {}
        """Every distinct name, normalised -> the fields it stands in (``union``, ...)."""
        for key, fields in self._fields_of_name.items():
            frozen = frozenset(fields)
            self.kinds_of_name[key] = kinds.setdefault(frozen, frozen)  # one set per shape
        for year, found in named.items():
            self.by_year[year] = _ballots(sorted(found.union(self.by_year.get(year, ()))))
        self._union_keys.clear()  # only needed while building
        del self._fields_of_name

    def __len__(self) -> int:
        return len(self.ids)

    def employer_of(self, b: int) -> str:
        """Ballot ``b``'s employer as typed."""
        return self.subjects[self.subject_of[b]].employer_display

    def _facets(self, b: int, entry: CatalogEntry, union_names: list[str]) -> None:
        keys = []
        for name in union_names:
            key = self._union_keys.get(name)
            if key is None:
                key = self._union_keys[name] = self.unions.key_of(name)
                normalised = normalise(name)
                self.union_names.setdefault(normalised, key)
                self.displays.setdefault(normalised, name)
                self._fields_of_name[normalised].add("union")
            if key not in keys:
                keys.append(key)
                self.by_union[key].append(b)
        for kind in set(entry.kinds):
            self.by_kind[kind].append(b)
        for year, month in _months(entry.opens, entry.closes, entry.announced):
            if month is None:
                self.by_year[year].append(b)
            else:
                self.by_month[(year, month)].append(b)
        status = entry.effective_status
        self.by_status[status].append(b)
        if entry.status in (None, Status.SCHEDULED) and status is Status.SCHEDULED:
            opens = entry.opens.exact if entry.opens else None
            closes = entry.closes.latest if entry.closes else None
            if opens is not None or closes is not None:
                self.dated.append((b, opens, closes))

    def in_month(self, year: int | None, month: int) -> Iterable[int]:
        """Ballots of that month (of any year when ``year`` is None)."""
        if year is not None:
            return self.by_month.get((year, month), ())
        return (b for (_, m), found in self.by_month.items() if m == month for b in found)

    @cached_property
    def by_employer(self) -> dict[str, list[int]]:
        """Employer name normalised -> its subjects (built the first time it is asked)."""
        found: dict[str, list[int]] = defaultdict(list)
        for s, subject in enumerate(self.subjects):
            found[subject.employer].append(s)
        return found

    @cached_property
    def rank_of(self) -> dict[str, int]:
        """Ballot id -> its number (built the first time a search is limited to some ids)."""
        return {ballot_id: b for b, ballot_id in enumerate(self.ids)}

    def _subject(
        self,
        s: int,
        raw: tuple[tuple[str, str], ...],
        words_of: dict[str, tuple[str, ...]],
        named: dict[int, set[int]],
        shared: dict[tuple[str, str], Name],
    ) -> None:
        names = []
        vocabulary = self.vocabulary.ids
        subject = self.subjects[s]
        for field, display in raw:
            tokens = words_of[display]
            name = shared.get((field, display))
            if name is None:
                ids = tuple(dict.fromkeys(vocabulary[t] for t in tokens))
                name = shared[(field, display)] = Name(field, display, tokens, ids)
            ids = name.ids
            names.append(name)
            rank = FIELD_RANK[field]
            for word_id in ids:
                posting = self.postings[word_id]
                if posting.get(s, 99) > rank:
                    posting[s] = rank
            self.bigrams.update(pairwise(tokens))
            for token in tokens:
                if len(token) == 4 and token.isdigit() and FIRST_YEAR <= int(token) <= LAST_YEAR:
                    named[int(token)].update(subject.ballots)  # "pay 2021" in a name
        employer = next((n for n in names if n.field == "employer"), None)
        campaign = next((n for n in names if n.field == "campaign"), None)
        subject.names = tuple(sorted(names, key=lambda n: FIELD_RANK[n.field]))
        subject.employer = normalise(employer.display) if employer else ""
        subject.employer_display = employer.display if employer else ""
        subject.campaign = campaign.display if campaign else None

    def statuses(self, wanted: frozenset[str], today: date) -> set[int]:
        """Ballots in any of the ``wanted`` statuses on ``today``."""
        found: set[int] = set()
        opened, ended = set(), set()
        for b, opens, closes in self.dated:
            if closes is not None and closes < today:
                ended.add(b)
            elif opens is not None and opens <= today:
                opened.add(b)
        by_status = self.by_status
        for status in wanted:
            match status:
                case "open":
                    found.update(by_status.get(Status.OPEN, ()), opened)
                case "closed":
                    found.update(by_status.get(Status.CLOSED, ()), ended)
                    found.update(by_status.get(Status.DECLARED, ()))
                case "declared":
                    found.update(by_status.get(Status.DECLARED, ()))
                case "cancelled":
                    found.update(by_status.get(Status.CANCELLED, ()))
                case "scheduled":
                    found.update(set(by_status.get(Status.SCHEDULED, ())) - opened - ended)
        return found

    def union_phrases(self) -> dict[tuple[str, ...], str]:
        """The table's union names, and the catalog's own for unions it does not know."""
        phrases = dict(self.unions.phrases)
        for name, key in self.union_names.items():
            phrases.setdefault(phrase(name), key)
        phrases.pop((), None)
        return phrases

    def union_display(self) -> dict[str, str]:
        """Each union key -> how to write it: the table's short name, else as the catalog has
        it."""
        shown = {key: self.displays[name] for name, key in self.union_names.items()}
        for key in self.unions.unions:
            shown[key] = self.unions.display_of(key) or key
        return shown


def _ballots(numbers: Iterable[int] = ()) -> array[int]:
    return array("i", numbers)


def _tokens(name: str) -> tuple[str, ...]:
    """A name's words as search matches them: stop words out, plurals stemmed."""
    return tuple(stem(word) for word in words(name) if word not in STOP_WORDS)


def _months(
    opens: PartialDate | None, closes: PartialDate | None, announced: PartialDate | None
) -> set[tuple[int, int | None]]:
    """(year, None) and (year, month) of each date, and every month between the opening and
    the closing: a ballot open from November 2022 to January 2023 is a 2022 and a 2023 ballot."""
    found: set[tuple[int, int | None]] = set()
    for known in (opens, closes, announced):
        if known is not None:
            found.add((known.year, None))
            if known.month is not None:
                found.add((known.year, known.month))
    if opens is not None and closes is not None and closes.year > opens.year:
        for year in range(opens.year + 1, min(closes.year, opens.year + 2)):
            found.add((year, None))
    if opens is not None and closes is not None and opens.month and closes.month:
        first = opens.year * 12 + opens.month - 1
        last = closes.year * 12 + closes.month - 1
        if 1 < last - first <= MAX_MONTHS_OPEN:
            for index in range(first + 1, last):
                found.add((index // 12, index % 12 + 1))
    return found
