"""A member's question is answered from an index, however big the catalog grows.

The query plans are checked on SQLite (deterministic, instant); one slow test times ``get()``
on a catalog of 50,000 ballots.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import ballots as store_module
from storage.database import create_engine, upgrade
from storage.reading import BY_ID, BY_IDS, CATALOG

QUERIES: dict[str, tuple[Select[Any], dict[str, Any]]] = {
    "get": (BY_ID, {"ballot_id": "ballot-00001"}),
    "get_many": (BY_IDS, {"ids": ["ballot-00001", "ballot-00002"]}),
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
