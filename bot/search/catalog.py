"""The catalog as search holds it: ballots by facet, and the names they go by, built once.

Ballots are numbered newest first (0 is the newest), so "newest first" is plain integer order.
Ballots that go by exactly the same names (employer, branch, alias, area, sector, campaign)
form one *subject*: words are matched per subject, a few thousand of them, not per ballot; the
facets (union, kind, dates, status) are then checked per ballot of the subjects that matched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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


@dataclass(frozen=True)
class Name:
    field: str
    display: str
    tokens: tuple[str, ...]
    """Its words without stop words."""
    ids: frozenset[int]
    """The same words as vocabulary ids."""


@dataclass
class Subject:
    """Ballots that go by the same names."""

    names: tuple[Name, ...]
    employer: str
    """The employer's name normalised: two subjects with the same one are the same employer."""
    employer_display: str
    campaign: str | None
    ballots: list[int]
    """Newest first."""


class Catalog:
    """Every ballot of one catalog version, indexed for :class:`bot.search.SearchIndex`."""

    def __init__(self, items: Iterable[CatalogEntry | Ballot], unions: UnionTable) -> None:
        entries = [i.catalog_entry() if isinstance(i, Ballot) else i for i in items]
        entries.sort(key=lambda e: (e.sort_date, e.ballot_id), reverse=True)
        self.ids = [e.ballot_id for e in entries]
        self.rank_of = {ballot_id: b for b, ballot_id in enumerate(self.ids)}
        self.unions = unions
        self.union_keys: list[tuple[str, ...]] = []
        self.by_union: dict[str, list[int]] = defaultdict(list)
        self.by_kind: dict[Kind, set[int]] = defaultdict(set)
        self.by_year: dict[int, set[int]] = defaultdict(set)
        self.by_month: dict[tuple[int | None, int], set[int]] = defaultdict(set)
        self.by_status: dict[Status, set[int]] = defaultdict(set)
        self.dated: list[tuple[int, date | None, date | None]] = []
        """Ballots whose status only their dates settle: (ballot, opens, closes)."""
        self.kinds_of_name: dict[str, set[str]] = defaultdict(set)
        self.displays: dict[str, str] = {}
        """Every distinct name, normalised -> as first typed."""
        self.union_names: dict[str, str] = {}
        """Union names in the catalog, normalised -> key, for unions the table does not know."""
        self._union_keys: dict[str, str] = {}
        self._months: dict[tuple[PartialDate | None, ...], set[tuple[int, int | None]]] = {}
        subjects: dict[tuple[tuple[str, str], ...], int] = {}
        self.subjects: list[Subject] = []
        self.subject_of: list[int] = []
        raw_subjects: list[tuple[tuple[str, str, str], ...]] = []
        keys: dict[str, str] = {}  # each distinct name is normalised once
        for b, entry in enumerate(entries):
            union_names, others = [], []
            for field, name in entry.names:
                key = keys.get(name)
                if key is None:
                    key = keys[name] = normalise(name)
                if not key:
                    continue
                if key not in self.displays:
                    self.displays[key] = name
                kinds = self.kinds_of_name[key]
                if field not in kinds:
                    kinds.add(field)
                if field == "union":
                    union_names.append(name)
                elif field in FIELD_RANK:
                    others.append((field, key, name))
            identity = tuple(sorted((f, k) for f, k, _ in others))
            s = subjects.get(identity)
            if s is None:
                s = subjects[identity] = len(raw_subjects)
                raw_subjects.append(tuple(others))
                self.subjects.append(Subject((), "", "", None, []))
            self.subjects[s].ballots.append(b)
            self.subject_of.append(s)
            self._facets(b, entry, union_names)
        self.vocabulary = Vocabulary(
            t for names in raw_subjects for _, _, name in names for t in _tokens(name)
        )
        self.postings: list[dict[int, int]] = [{} for _ in self.vocabulary.words]
        self.bigrams: set[tuple[str, str]] = set()
        for s, names in enumerate(raw_subjects):
            self._subject(s, names)
        self._months.clear()  # only needed while building
        self._union_keys.clear()

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
                self.union_names.setdefault(normalise(name), key)
            if key not in keys:
                keys.append(key)
                self.by_union[key].append(b)
        self.union_keys.append(tuple(keys))
        for kind in entry.kinds:
            self.by_kind[kind].add(b)
        dates = (entry.opens, entry.closes, entry.announced)
        months = self._months.get(dates)
        if months is None:
            months = self._months[dates] = _months(*dates)
        for year, month in months:
            if month is None:
                self.by_year[year].add(b)
            else:
                self.by_month[(year, month)].add(b)
                self.by_month[(None, month)].add(b)
        status = entry.effective_status
        self.by_status[status].add(b)
        if entry.status in (None, Status.SCHEDULED) and status is Status.SCHEDULED:
            opens = entry.opens.exact if entry.opens else None
            closes = entry.closes.latest if entry.closes else None
            if opens is not None or closes is not None:
                self.dated.append((b, opens, closes))

    def _subject(self, s: int, raw: tuple[tuple[str, str, str], ...]) -> None:
        names = []
        vocabulary = self.vocabulary.ids
        subject = self.subjects[s]
        for field, _key, display in raw:
            tokens = _tokens(display)
            ids = frozenset(vocabulary[t] for t in tokens)
            names.append(Name(field, display, tokens, ids))
            rank = FIELD_RANK[field]
            for word_id in ids:
                posting = self.postings[word_id]
                if posting.get(s, 99) > rank:
                    posting[s] = rank
            self.bigrams.update(pairwise(tokens))
            for token in tokens:
                if len(token) == 4 and token.isdigit() and FIRST_YEAR <= int(token) <= LAST_YEAR:
                    self.by_year[int(token)].update(subject.ballots)  # "pay 2021" in a name
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
        for status in wanted:
            match status:
                case "open":
                    found |= self.by_status[Status.OPEN] | opened
                case "closed":
                    found |= self.by_status[Status.CLOSED] | self.by_status[Status.DECLARED]
                    found |= ended
                case "declared":
                    found |= self.by_status[Status.DECLARED]
                case "cancelled":
                    found |= self.by_status[Status.CANCELLED]
                case "scheduled":
                    found |= self.by_status[Status.SCHEDULED] - opened - ended
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


def _tokens(name: str) -> tuple[str, ...]:
    """A name's words as search matches them: stop words out, plurals stemmed."""
    return tuple(stem(word) for word in words(name) if word not in STOP_WORDS)


def _months(*dates: PartialDate | None) -> set[tuple[int, int | None]]:
    """(year, month or None) of each date, and every month between the opening and the
    closing: a ballot open from November 2022 to January 2023 is a 2022 and a 2023 ballot."""
    found: set[tuple[int, int | None]] = set()
    for known in dates:
        if known is not None:
            found.add((known.year, known.month))
            found.add((known.year, None))
    opens, closes = dates[0], dates[1]
    if opens is not None and closes is not None:
        for year in range(opens.year, min(closes.year, opens.year + 2) + 1):
            found.add((year, None))
        if opens.month is not None and closes.month is not None:
            first = opens.year * 12 + opens.month - 1
            last = closes.year * 12 + closes.month - 1
            if 0 <= last - first <= MAX_MONTHS_OPEN:
                for index in range(first, last + 1):
                    found.add((index // 12, index % 12 + 1))
    return found
