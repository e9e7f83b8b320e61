"""A restart answers at once: the search index is read back, not rebuilt, unless it is stale."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from adapters.compose import open_app
from bot.config import Settings
from bot.demo import DEMO_BALLOTS
from bot.requests import Request
from bot.search import SearchIndex
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


async def test_an_index_of_another_version_or_settings_is_not_read(tmp_path: Path) -> None:
    saved = IndexFile(tmp_path / "index")
    await saved.save(3, "key", SearchIndex(DEMO_BALLOTS), 40)

    assert await saved.load(4, "key") is None
    assert await saved.load(3, "other key") is None
    kept = await saved.load(3, "key")
    assert kept is not None and isinstance(kept[0], SearchIndex) and kept[1] == 40
