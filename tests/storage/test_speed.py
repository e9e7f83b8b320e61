"""A member's question is answered from an index, however big the catalog grows.

The query plans are checked on SQLite (deterministic, instant); one slow test times ``get()``
on a catalog of 50,000 ballots.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.demo import SOUTHAMPTON
from bot.domain import PartialDate
from storage import ballots as store_module
from storage.ballots import SqlBallotStore
from storage.database import create_engine, upgrade
from storage.reading import CATALOG

QUERIES: dict[str, tuple[Select[Any], dict[str, Any]]] = {
    "get": (store_module._GET, {"ballot_id": "ballot-00001"}),
    "get_many": (store_module._GET_MANY, {"ids": ["ballot-00001", "ballot-00002"]}),
    "open_ballots": (store_module._OPEN, {"today": date(2024, 5, 15)}),
    "recent_results": (store_module._RECENT, {"limit": 10}),
}


async def _plan(engine: AsyncEngine, statement: Select[Any], params: dict[str, Any]) -> str:
    compiled = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
    expanded = compiled.construct_expanded_state(params)
    parameters = {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in expanded.parameters.items()
    }
    async with engine.connect() as connection:
        plan = await connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {expanded.statement}", parameters
        )
        return "\n".join(row[3] for row in plan)


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> Any:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_member_queries_never_scan_the_ballots(sqlite_engine: AsyncEngine, name: str) -> None:
    statement, params = QUERIES[name]

    plan = await _plan(sqlite_engine, statement, params)

    assert "SCAN ballots" not in plan, plan
    # A nested join would be materialised whole on every question (it once cost 47 ms).
    assert "MATERIALIZE" not in plan and "SCAN ballot_" not in plan, plan


async def test_the_catalog_is_read_in_index_order(sqlite_engine: AsyncEngine) -> None:
    plan = await _plan(sqlite_engine, CATALOG[0], {})

    assert "USING INDEX ix_ballots_newest" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.slow
async def test_a_ballot_is_found_in_about_a_millisecond_among_50000(
    sqlite_engine: AsyncEngine,
) -> None:
    store = SqlBallotStore(async_sessionmaker(sqlite_engine, expire_on_commit=False))
    await store.save(
        [
            dataclasses.replace(
                SOUTHAMPTON,
                id=f"ballot-{i:05d}",
                employer=f"Employer {i % 5000}",
                announced=PartialDate(2000 + i % 25, 1 + i % 12, 1 + i % 28),
            )
            for i in range(50_000)
        ]
    )
    async with sqlite_engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM ballots")) == 50_000
    for i in range(50):  # warm the statement cache and the connection pool
        await store.get(f"ballot-{i:05d}")

    timings = []
    for i in range(500):
        started = time.perf_counter()
        found = await store.get(f"ballot-{i * 97 % 50_000:05d}")
        timings.append(time.perf_counter() - started)
        assert found is not None

    # ~0.5 ms on an idle laptop; the margin absorbs a busy CI machine, not a table scan
    # (which costs tens of milliseconds at this size).
    assert statistics.median(timings) < 0.003
