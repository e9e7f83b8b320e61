"""The search index of the catalog as it is now, rebuilt only when a ballot changed.

Building the index and searching it are CPU work: both run on the CPU thread
(:mod:`bot.offloop`), never on the event loop, and a query is cut to the length of the
longest name in the catalogue before it is matched (fuzzy matching costs grow with length).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any, TypeVar

from bot import offloop
from bot.domain import CatalogEntry
from bot.ports import BallotStore, SavedIndex
from bot.search.index import Match, SearchIndex, Suggestion
from bot.search.unions import BUILTIN_TABLE, UnionTable

_T = TypeVar("_T")

MATCH_CACHE_SIZE = 4096
"""Searches kept per catalog version (reminders and lookups share them)."""
ELSEWHERE_FROM = 5_000
"""Ballots from which the index is built in a process of its own (:meth:`SavedIndex.build`).
Reading a catalogue of 50,000 ballots and indexing it leaves this process ~55 MB bigger for
good (freed objects stay in the interpreter's partly used memory pools) and takes the
interpreter lock from the event loop for seconds; another process gives back all of its
memory when it ends and has a core of its own. Starting one costs about half a second, so a
smaller catalogue is indexed here, on the CPU thread."""
QUERY_MIN = 120
QUERY_MAX = 200
"""What a member types is cut to the longest name in the catalogue, but never below
QUERY_MIN characters (room for a pasted headline: "RMT members at c2c vote for strike action
and action short of a strike") nor above QUERY_MAX: anything longer cannot be a name, and
fuzzy matching costs grow with the length."""


class CatalogIndex:
    """One :class:`SearchIndex` per catalog version, shared by the core and its services.

    The catalog version is asked at most every ``refresh_seconds``: a member's query then
    costs one database read, not two, and an import shows up within that time.
    """

    def __init__(
        self,
        store: BallotStore,
        score_cutoff: float = 80.0,
        margin: float = 4.0,
        refresh_seconds: float = 1.0,
        unions: UnionTable = BUILTIN_TABLE,
        *,
        saved: SavedIndex | None = None,
        elsewhere_from: int = ELSEWHERE_FROM,
    ) -> None:
        self.store = store
        self.score_cutoff = score_cutoff
        self.margin = margin
        self.refresh_seconds = refresh_seconds
        self.unions = unions
        self.saved = saved
        """Where the index is kept between starts (a file beside the database), if anywhere."""
        self.elsewhere_from = elsewhere_from
        """Catalogues of at least this many ballots are indexed in another process, when
        :attr:`saved` can (:data:`ELSEWHERE_FROM`)."""
        self.version: int | None = None
        """The catalog version the index was built from (None before the first build)."""
        self.query_limit = QUERY_MAX
        """Characters of a query that are matched (:meth:`bounded_query`)."""
        self._index: SearchIndex | None = None
        self._checked_at = -float("inf")
        self._lock = asyncio.Lock()
        self._matches: OrderedDict[tuple[object, ...], Match] = OrderedDict()

    async def _saved_or_built(self, version: int) -> tuple[SearchIndex, int]:
        """The index of catalogue ``version`` and its longest name: kept from an earlier
        start when :attr:`saved` has them (no catalogue read at all), else built from the
        catalogue (in a process of its own from :attr:`elsewhere_from` ballots, when
        :attr:`saved` can; here on the CPU thread otherwise) and kept there."""
        key = f"{self.score_cutoff}/{self.margin}/{sorted(self.unions.unions.items())!r}"
        if self.saved is not None:
            kept = await self.saved.load(version, key)
            if kept is not None:
                # Read back, it is as big as when it was built: out of the collector's
                # sight too, or every full collection walks it (~100 ms on 50,000 ballots).
                offloop.keep()
                return kept
        make = functools.partial(build_index, **self._settings())
        if self.saved is not None and await self.store.count() >= self.elsewhere_from:
            built = await self.saved.build(version, key, make)
            if built is not None:
                offloop.keep()
                return built
        entries = await self.store.catalog()
        index, longest = await offloop.compute(make, entries)
        offloop.keep()
        if self.saved is not None:
            await self.saved.save(version, key, index, longest)
        return index, longest

    def _settings(self) -> dict[str, Any]:
        return {"score_cutoff": self.score_cutoff, "margin": self.margin, "unions": self.unions}

    async def current(self) -> SearchIndex:
        """The index for the current catalog, rebuilt (on the CPU thread) when any ballot
        changed."""
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < self.refresh_seconds:
            return self._index
        self._checked_at = now
        version = await self.store.catalog_version()
        if self._index is not None and version == self.version:
            return self._index
        async with self._lock:
            index = self._index
            if index is None or version != self.version:
                built, longest = await self._saved_or_built(version)
                self._index = index = built
                self.query_limit = min(QUERY_MAX, max(QUERY_MIN, longest))
                self.version = version
                self._matches.clear()
        return index

    def _build(self, entries: Sequence[CatalogEntry]) -> tuple[SearchIndex, int]:
        """The index and the longest name in it (on the CPU thread: seconds for 50,000)."""
        return build_index(entries, **self._settings())

    def bounded_query(self, text: str) -> str:
        """``text`` cut to what a name in the catalogue can be (at a word where it can)."""
        limit = self.query_limit
        if len(text) <= limit:
            return text
        cut = text[:limit]
        return cut.rsplit(None, 1)[0] if not text[limit].isspace() and " " in cut else cut

    async def find(self, search: str, today: date, among: Collection[str] | None = None) -> Match:
        """What a search leads to (:meth:`SearchIndex.find`: ``today`` decides open or
        closed, ``among`` limits it to these ballot ids), cut to a name's length, worked out
        on the CPU thread and kept per catalog version: lookups and reminders both search
        through here."""
        return (await self._find(search, today, among, None))[0]

    async def find_then(
        self, search: str, today: date, then: Callable[[Match], _T]
    ) -> tuple[Match, _T | None]:
        """:meth:`find`, and ``then(match)`` right after it on the CPU thread, in the same
        hop (what to answer, worked out where the search was: one hop per new question,
        not one per step). ``then`` is not called, and None is returned beside the match,
        when the match was kept from an earlier search: the caller works on as usual."""
        return await self._find(search, today, None, then)

    async def _find(
        self,
        search: str,
        today: date,
        among: Collection[str] | None,
        then: Callable[[Match], _T] | None,
    ) -> tuple[Match, _T | None]:
        index = await self.current()
        query = self.bounded_query(search)
        key = (self.version, query, today, None if among is None else tuple(among))
        kept = self._matches.get(key)
        if kept is not None:
            return kept, None
        found, after = await offloop.compute(_find_then, index, query, today, among, then)
        self._matches[key] = found
        if len(self._matches) > MATCH_CACHE_SIZE:
            self._matches.popitem(last=False)
        return found, after

    async def suggest(self, text: str, limit: int, today: date) -> list[Suggestion]:
        """Names to offer while a member types, each with the ``#id`` a pick submits, cut
        and worked out as :meth:`find`."""
        index = await self.current()
        return await offloop.compute(index.suggestions, self.bounded_query(text), limit, today)


def _find_then(
    index: SearchIndex,
    query: str,
    today: date,
    among: Collection[str] | None,
    then: Callable[[Match], _T] | None,
) -> tuple[Match, _T | None]:
    """On the CPU thread: the search, then ``then`` of its match."""
    match = index.find(query, today, among)
    return match, None if then is None else then(match)


def build_index(
    entries: Sequence[CatalogEntry], score_cutoff: float, margin: float, unions: UnionTable
) -> tuple[SearchIndex, int]:
    """The index of ``entries`` and the length of the longest name in it. A module-level
    function, so that it can be sent to another process (with its settings bound by
    :func:`functools.partial`)."""
    longest = max((len(name) for entry in entries for _, name in entry.names), default=0)
    return SearchIndex(entries, score_cutoff, margin, unions), longest


async def find_in(
    index: SearchIndex,
    search: str,
    today: date | None = None,
    among: Collection[str] | None = None,
) -> Match:
    """:meth:`SearchIndex.find` as :meth:`CatalogIndex.find` bounds it, where only an index
    is at hand (an organiser naming a ballot, a service not wired to the catalog): the text
    cut to :data:`QUERY_MAX` characters and searched on the CPU thread."""
    return await offloop.compute(index.find, search[:QUERY_MAX], today, among)
