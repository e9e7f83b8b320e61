"""The search index of the catalog as it is now, rebuilt only when a ballot changed."""

from __future__ import annotations

import asyncio
import time

from bot.ports import BallotStore, SavedIndex
from bot.search.index import SearchIndex
from bot.search.unions import BUILTIN_TABLE, UnionTable


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
        self._index: SearchIndex | None = None
        self._checked_at = -float("inf")
        self._lock = asyncio.Lock()

    async def _saved_or_built(self, version: int) -> SearchIndex:
        """The index of catalogue ``version``: kept from an earlier start when :attr:`saved`
        has it (no catalogue read at all), else built from the catalogue and kept there."""
        key = f"{self.score_cutoff}/{self.margin}/{sorted(self.unions.unions.items())!r}"
        if self.saved is not None:
            kept = await self.saved.load(version, key)
            if kept is not None:
                return kept
        entries = await self.store.catalog()
        index = SearchIndex(entries, self.score_cutoff, self.margin, self.unions)
        if self.saved is not None:
            await self.saved.save(version, key, index)
        return index

    async def current(self) -> SearchIndex:
        """The index for the current catalog, rebuilt when any ballot changed."""
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < self.refresh_seconds:
            return self._index
        self._checked_at = now
        version = await self.store.catalog_version()
        if self._index is not None and version == self.version:
            return self._index
        async with self._lock:
            if self._index is None or version != self.version:
                self._index = await self._saved_or_built(version)
                self.version = version
        return self._index
