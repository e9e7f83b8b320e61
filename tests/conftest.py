"""Shared fixtures: a real PostgreSQL server for the session, and a fresh database per test.

The same store tests run on SQLite and PostgreSQL (``database_url`` is parametrized over
both), so a query that only works on one of them fails here rather than in a union's office.
The server (:mod:`tests.support.postgres`) is started from the local binaries on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import PostgresServer, running_server

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test session, stopped and deleted at the end."""
    with running_server() as server:
        yield server


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty schema on the shared server for one test, dropped afterwards.

    A schema (chosen by ``search_path`` in the URL) is as empty and isolated as a new database
    for everything the bot does, and creating one is instant where ``CREATE DATABASE`` costs
    a checkpoint (~0.3 s a test).
    """
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield postgres_server.url(name)
    finally:
        with postgres_server.admin() as admin:
            # A connection the test left open would hold locks and make the DROP wait forever.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                (name,),
            )
            admin.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file in ``tmp_path``, or a schema on the test server."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    return str(request.getfixturevalue("postgres_database"))
