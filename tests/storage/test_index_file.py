"""A restart answers at once: the search index is read back, not rebuilt, unless it is stale."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import multiprocessing
import pickle
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from adapters.compose import open_app
from bot.config import Settings
from bot.demo import DEMO_BALLOTS
from bot.domain import CatalogEntry
from bot.requests import Request
from bot.search import BUILTIN_TABLE, SearchIndex
from bot.search.current import build_index
from storage.index_file import IndexFile, index_path

RAN: list[str] = []


def ran() -> None:
    """What a crafted file would like to run when it is read."""
    RAN.append("ran")


class Crafted:
    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (ran, ())


def _settings(tmp_path: Path) -> Settings:
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    settings.charts.cache_dir = str(tmp_path / "charts")
    return settings


async def test_a_restart_answers_from_the_saved_index_without_reading_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_app(_settings(tmp_path), load_demo=True) as app:
        first = await app.core.handle(Request(text="/ballot kirklese"))
    assert index_path(_settings(tmp_path).database.url) == tmp_path / "ballotbot.db-search-index"
    assert (tmp_path / "ballotbot.db-search-index").exists()

    async with open_app(_settings(tmp_path)) as app:

        async def no_catalogue() -> list[object]:
            raise AssertionError("the catalogue was read again")

        monkeypatch.setattr(app.store, "catalog", no_catalogue)
        again = await app.core.handle(Request(text="/ballot kirklese"))

    assert again.header == first.header and "Kirklees" in again.header


async def test_an_index_read_back_is_kept_out_of_the_collectors_sight(tmp_path: Path) -> None:
    """Every full garbage collection walked an index read back from its file (~100 ms on
    50,000 ballots, holding every thread): it is frozen as a freshly built one is."""
    async with open_app(_settings(tmp_path), load_demo=True) as app:
        await app.core.index()
    gc.unfreeze()
    async with open_app(_settings(tmp_path)) as app:
        assert gc.get_freeze_count() == 0
        await app.core.index()
        assert gc.get_freeze_count() > 0


async def test_a_changed_catalogue_is_indexed_again(tmp_path: Path) -> None:
    async with open_app(_settings(tmp_path), load_demo=True) as app:
        await app.core.index()
    async with open_app(_settings(tmp_path)) as app:
        renamed = dataclasses.replace(DEMO_BALLOTS[0], id="x-1", employer="Zanzibar Ferries")
        await app.store.save([renamed])
    async with open_app(_settings(tmp_path)) as app:
        reply = await app.core.handle(Request(text="/ballot zanzibar ferries"))

    assert "Zanzibar Ferries" in reply.header


async def test_a_file_naming_anything_but_the_index_is_never_run(tmp_path: Path) -> None:
    path = tmp_path / "ballotbot.db-search-index"
    saved = IndexFile(path)
    await saved.save(3, "key", SearchIndex(DEMO_BALLOTS), 40)
    header = path.read_bytes().split(b"\n", 2)
    path.write_bytes(b"\n".join(header[:2]) + b"\n" + pickle.dumps(Crafted()))

    assert await saved.load(3, "key") is None
    assert RAN == []


def _global(module: str, name: str) -> bytes:
    """Pickle opcodes pushing ``module``'s ``name`` (protocol 4's STACK_GLOBAL)."""
    parts = (module.encode(), name.encode())
    return b"".join(b"\x8c" + bytes([len(part)]) + part for part in parts) + b"\x93"


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("bot.search.current", "asyncio.events.os.system"),  # a path through its imports
        ("bot.search.current", "asyncio"),  # a module it imports
        ("bot.search.reading", "stem"),  # a function it imports from elsewhere
    ],
)
async def test_a_file_reaching_past_the_search_code_through_its_names_is_never_run(
    tmp_path: Path, module: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ballotbot.db-search-index"
    saved = IndexFile(path)
    await saved.save(3, "key", SearchIndex(DEMO_BALLOTS), 40)
    header = path.read_bytes().split(b"\n", 2)
    marker = tmp_path / "ran"
    argument = f"touch {marker}".encode()
    call = b"\x8c" + bytes([len(argument)]) + argument + b"\x85R."
    path.write_bytes(b"\n".join(header[:2]) + b"\n\x80\x04" + _global(module, name) + call)

    assert await saved.load(3, "key") is None
    assert not marker.exists()
    assert f"{module}.{name} is not part of a search index" in caplog.text


async def test_an_index_of_another_version_or_settings_is_not_read(tmp_path: Path) -> None:
    saved = IndexFile(tmp_path / "index")
    await saved.save(3, "key", SearchIndex(DEMO_BALLOTS), 40)

    assert await saved.load(4, "key") is None
    assert await saved.load(3, "other key") is None
    kept = await saved.load(3, "key")
    assert kept is not None and isinstance(kept[0], SearchIndex) and kept[1] == 40


async def test_a_big_catalogue_is_indexed_in_a_process_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading and indexing 50,000 ballots here would leave this process ~55 MB bigger for
    good: a catalogue from ``elsewhere_from`` ballots is indexed by another process."""
    async with open_app(_settings(tmp_path), load_demo=True) as app:
        app.core.catalog.elsewhere_from = len(DEMO_BALLOTS)

        async def not_here() -> list[object]:
            raise AssertionError("the catalogue was read in the bot's own process")

        monkeypatch.setattr(app.store, "catalog", not_here)
        reply = await app.core.handle(Request(text="/ballot kirklese"))

    assert "Kirklees" in reply.header
    assert (tmp_path / "ballotbot.db-search-index").exists()


async def test_a_small_catalogue_is_indexed_at_once_in_the_bots_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_app(_settings(tmp_path), load_demo=True) as app:
        assert len(DEMO_BALLOTS) < app.core.catalog.elsewhere_from

        async def no_process(*args: object) -> None:
            raise AssertionError("a process was started for a few ballots")

        monkeypatch.setattr(app.core.catalog.saved, "build", no_process)
        reply = await app.core.handle(Request(text="/ballot kirklese"))
    assert "Kirklees" in reply.header


async def test_when_the_indexing_process_fails_the_bot_indexes_the_catalogue_itself(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path)
    async with open_app(settings, load_demo=True) as app:
        catalog = app.core.catalog
        catalog.elsewhere_from = 1
        gone = tmp_path / "gone" / "ballotbot.db"  # the process finds no database there
        catalog.saved = IndexFile(tmp_path / "index", f"sqlite+aiosqlite:///{gone}")
        reply = await app.core.handle(Request(text="/ballot kirklese"))

    assert "Kirklees" in reply.header
    assert "not built in a process of its own" in caplog.text
    assert (tmp_path / "index").exists()  # built here, and kept all the same


def slow_index(entries: Sequence[CatalogEntry]) -> tuple[SearchIndex, int]:
    """An index that takes a minute to build (in the indexing process)."""
    time.sleep(60)
    return build_index(entries, 80.0, 4.0, BUILTIN_TABLE)


def _the_indexing_process() -> multiprocessing.process.BaseProcess:
    while True:  # other tests' processes (the chart drawer's) may be there too
        for child in multiprocessing.active_children():
            if child.name == "ballotbot-search-index":
                return child
        time.sleep(0.05)


async def test_a_bot_stopping_while_its_index_is_built_elsewhere_ends_that_process(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    async with open_app(settings, load_demo=True):
        pass
    path = tmp_path / "ballotbot.db-search-index"
    building = asyncio.create_task(IndexFile(path, settings.database.url).build(1, "k", slow_index))
    child = await asyncio.to_thread(_the_indexing_process)

    building.cancel()
    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await building

    assert time.monotonic() - started < 10
    assert not child.is_alive()
    left = await asyncio.to_thread(lambda: [p.name for p in tmp_path.iterdir()])
    assert not [name for name in left if name.startswith(path.name)]


def test_a_database_reached_through_a_link_keeps_its_index_beside_the_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ballotbot.db").touch()
    (tmp_path / "link.db").symlink_to(tmp_path / "data" / "ballotbot.db")

    through_link = index_path(f"sqlite+aiosqlite:///{tmp_path / 'link.db'}")

    assert through_link == tmp_path / "data" / "ballotbot.db-search-index"
    assert index_path(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'ballotbot.db'}") == through_link


def test_sqlites_uri_form_keeps_no_index_file() -> None:
    assert index_path("sqlite+aiosqlite:///file:/var/lib/b.db?mode=ro&uri=true") is None
    assert index_path("sqlite+aiosqlite:///:memory:") is None
