"""The search index of the catalog as it is now, rebuilt only when a ballot changed.

Building the index and searching it are CPU work: both run on the CPU thread
(:mod:`bot.offloop`), never on the event loop, and a query is cut to the length of the
longest name in the catalogue before it is matched (fuzzy matching costs grow with length).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Collection, Sequence
from datetime import date

from bot import offloop
from bot.domain import CatalogEntry
from bot.ports import BallotStore, SavedIndex
from bot.search.index import Match, SearchIndex, Suggestion
from bot.search.unions import BUILTIN_TABLE, UnionTable

MATCH_CACHE_SIZE = 4096
"""Searches kept per catalog version (reminders and lookups share them)."""
QUERY_MIN = 64
QUERY_MAX = 200
"""What a member types is cut to the longest name in the catalogue, but never below
QUERY_MIN characters (room for "kirklees council strike history") nor above QUERY_MAX:
anything longer cannot be a name, and fuzzy matching costs grow with the length."""


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
    ) -> None:
        self.store = store
        self.score_cutoff = score_cutoff
        self.margin = margin
        self.refresh_seconds = refresh_seconds
        self.unions = unions
        self.saved = saved
        """Where the index is kept between starts (a file beside the database), if anywhere."""
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
        catalogue on the CPU thread and kept there."""
        key = f"{self.score_cutoff}/{self.margin}/{sorted(self.unions.unions.items())!r}"
        if self.saved is not None:
            kept = await self.saved.load(version, key)
            if kept is not None:
                return kept
        entries = await self.store.catalog()
        index, longest = await offloop.compute(self._build, entries)
        offloop.keep()
        if self.saved is not None:
            await self.saved.save(version, key, index, longest)
        return index, longest

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
        longest = max((len(name) for entry in entries for _, name in entry.names), default=0)
        return SearchIndex(entries, self.score_cutoff, self.margin, self.unions), longest

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
        index = await self.current()
        query = self.bounded_query(search)
        key = (self.version, query, today, None if among is None else tuple(among))
        found = self._matches.get(key)
        if found is None:
            found = await offloop.compute(index.find, query, today, among)
            self._matches[key] = found
            if len(self._matches) > MATCH_CACHE_SIZE:
                self._matches.popitem(last=False)
        return found

    async def suggest(self, text: str, limit: int, today: date) -> list[Suggestion]:
        """Names to offer while a member types, each with the ``#id`` a pick submits, cut
        and worked out as :meth:`find`."""
        index = await self.current()
        return await offloop.compute(index.suggestions, self.bounded_query(text), limit, today)
