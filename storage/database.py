"""Engines and migrations: the only place that knows which database is behind the store.

SQLite is the embedded default (one file in the working folder; a relative path in the URL is
relative to the folder the bot was started from). PostgreSQL is for big unions running several
processes. Both are migrated by Alembic on start, from scripts shipped inside this package, so
an installed wheel needs no ``alembic.ini``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import urlsplit

from sqlalchemy import URL, Connection, CursorResult, Engine, Result, event, make_url
from sqlalchemy import create_engine as create_sync_engine_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.config import ConfigError
from bot.privacy.urls import hide_password

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0007_turnout_so_far"
"""The newest migration (``tests/storage/test_database.py`` checks it is Alembic's head).
A start that finds the database there already, nearly every start, reads one row and goes on
without loading Alembic: a quarter of a second and 11 MB of every ``ballotbot ask``."""

WRITE = {"ballotbot_write": True}
"""Execution options for a transaction that will write: on SQLite it starts with
``BEGIN IMMEDIATE`` so two writers queue on the lock instead of one failing half-way."""

READ = {"ballotbot_single_read": True}
"""Execution options for a connection that runs one SELECT and nothing else: on SQLite no
``BEGIN`` is sent (a single statement is already a consistent snapshot), which saves a
round trip to the driver's thread on every member's question."""


def single_read(dialect: str) -> dict[str, object]:
    """:data:`READ`, and on PostgreSQL autocommit as well: the statement goes alone, without
    the ``BEGIN`` before it and the ``ROLLBACK`` when the connection goes back to the pool,
    one network round trip instead of three. (Not on SQLite, where SQLAlchemy would reset
    the isolation level with an extra statement each time.)"""
    return {**READ, "isolation_level": "AUTOCOMMIT"} if dialect == "postgresql" else {**READ}


BUSY_TIMEOUT_SECONDS = 30.0
"""How long a SQLite connection waits for another one's write lock before giving up. Long on
purpose: a member's write waits (the adapters say "working on it" and follow up) rather than
failing with "database is locked" while an import in another process or the reminder
scheduler's thread writes. Nothing waits on the event loop: aiosqlite waits in its own
thread, the scheduler in its own."""

SQLITE_CONNECTIONS = 16
"""Pooled SQLite connections, all kept open. Each aiosqlite connection is a thread, and
starting a thread makes the caller wait until the new thread runs: done during a burst (the
pool's default lets ten extra connections come and go), that wait fell on the event loop."""

SECURE_DELETE = "PRAGMA secure_delete=ON"
"""Privacy: SQLite overwrites deleted rows with zeros in the file instead of only unlinking
them (off in upstream's default build), so ``forget me`` and the retention purge erase the
bytes too. Set on every SQLite connection the bot opens, async or not."""

# An arbitrary constant: PostgreSQL processes starting together migrate one at a time.
_MIGRATION_LOCK = 7_466_821


URL_FORMS = "sqlite+aiosqlite:///path/to/file.db or postgresql+psycopg://user:pass@host/db"
"""The two database URLs the bot runs on, as every URL mistake names them."""

_ASYNC_DRIVERS = {"sqlite": ("aiosqlite",), "postgresql": ("psycopg",)}


class DatabaseUrlError(ConfigError):
    """A database URL the bot cannot use; the message names the URL (password hidden), the
    forms it expects and, for a missing folder, the folder."""


def shown_url(url: str | URL) -> str:
    """A URL fit to print: its passwords (userinfo and password-like query parameters), if
    any, replaced by ``***``.

    A URL SQLAlchemy reads as written (one ``@`` at most) is rendered by it with
    ``hide_password=True``; then, and for anything else, :func:`bot.privacy.urls.hide_password`
    hides what is left (query parameters, a raw ``@`` in a password, text that is no URL).
    """
    text = url.render_as_string(hide_password=True) if isinstance(url, URL) else str(url)
    _, sep, rest = text.partition("://")
    if sep and rest.count("@") == 1:
        with contextlib.suppress(ArgumentError, NoSuchModuleError, ValueError, TypeError):
            text = make_url(text).render_as_string(hide_password=True)
    return hide_password(text)


def check_database_url(url: str) -> None:
    """Refuse, with one line saying what to write instead, a URL the bot cannot open.

    Raises :class:`DatabaseUrlError` for: an empty URL; a plain path or anything that is not
    a URL; a SQLite URL without three slashes (relative) or four (absolute) before its path;
    a user name or password holding a raw ``@``; a synchronous driver (``sqlite://``,
    ``postgresql+psycopg2://``); a database other than
    SQLite or PostgreSQL; a SQLite file whose folder does not exist or that is a folder.
    Whether a server answers is only known when the bot connects.
    """
    shown = shown_url(url)
    if not url.strip():
        raise DatabaseUrlError(
            f"the database URL is empty: give one with --database, BALLOTBOT_DATABASE_URL or "
            f"[database] url ({URL_FORMS}), or leave all three out to use "
            "sqlite+aiosqlite:///ballotbot.db in this folder."
        )
    scheme, _, rest = url.partition(":")
    in_memory = rest.partition("?")[0] == "//"
    if scheme.strip().lower().startswith("sqlite") and not (rest.startswith("///") or in_memory):
        raise DatabaseUrlError(
            f"database URL {shown!r}: a SQLite URL has three slashes before a relative path "
            "(sqlite+aiosqlite:///ballotbot.db, a file in the folder the bot starts in) and "
            "four before an absolute one (sqlite+aiosqlite:////var/lib/ballotbot/ballotbot.db)."
        )
    try:
        parsed = make_url(url)
    except (ArgumentError, NoSuchModuleError, ValueError):
        hint = ""
        if url.strip() and "://" not in url:
            hint = f" For a SQLite file at that path: sqlite+aiosqlite:///{shown.strip()}"
        raise DatabaseUrlError(
            f"database URL {shown!r} is not a URL the bot can use: write {URL_FORMS}.{hint}"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "pg", "psql"):
        raise DatabaseUrlError(
            f"database URL {shown!r}: begin a PostgreSQL URL with postgresql+psycopg:// "
            f"({URL_FORMS})."
        )
    if backend != "sqlite" and rest.partition("?")[0].count("@") > 1:
        raise DatabaseUrlError(
            f"database URL {shown!r} has more than one '@': write an '@' in the user name or "
            "password as %40 (and ':' as %3A, '/' as %2F), so the host is read as written."
        )
    if backend not in _ASYNC_DRIVERS:
        raise DatabaseUrlError(
            f"database URL {shown!r}: {backend} is not supported; ballotbot runs on SQLite or "
            f"PostgreSQL: {URL_FORMS}."
        )
    try:
        driver = parsed.get_driver_name()
    except (ArgumentError, NoSuchModuleError):
        driver = parsed.drivername
    if driver not in _ASYNC_DRIVERS[backend]:
        right = "sqlite+aiosqlite" if backend == "sqlite" else "postgresql+psycopg"
        raise DatabaseUrlError(
            f"database URL {shown!r} names the {driver} driver, which the bot cannot use "
            f"(it needs an async one): begin it with {right}:// ({URL_FORMS})."
        )
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        file = Path(parsed.database)
        if parsed.query.get("uri") in ("true", "1") and parsed.database.startswith("file:"):
            # SQLite's URI form (file:/path/b.db?mode=ro): the path is the URI's, and an
            # in-memory one has no folder at all.
            path = urlsplit(parsed.database).path
            if not path or path == ":memory:" or parsed.query.get("mode") == "memory":
                return
            file = Path(path)
        if file.is_dir():
            raise DatabaseUrlError(
                f"database URL {shown!r} names {file}, which is a folder: name a file in it, "
                f"such as sqlite+aiosqlite:///{file / 'ballotbot.db'}."
            )
        folder = file.parent
        if not folder.is_dir():
            raise DatabaseUrlError(
                f"database URL {shown!r}: the folder {folder} does not exist. Create it "
                f"(mkdir -p {folder}) or choose a file in an existing folder "
                f"({URL_FORMS})."
            )


def upsert_insert(dialect: str) -> Callable[..., Any]:
    """The INSERT that has ``on_conflict_do_nothing`` / ``_do_update`` on this dialect."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def dialect_of(sessions: async_sessionmaker[AsyncSession]) -> str:
    """The dialect name of a session factory's engine ("sqlite" or "postgresql")."""
    return str(sessions.kw["bind"].dialect.name)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``, with SQLite made safe for a chatbot's access pattern.

    On SQLite every connection gets ``journal_mode=WAL`` (members' reads never wait for an
    organiser's import), ``foreign_keys=ON`` (off by default in SQLite, and the cascades
    depend on it), ``secure_delete=ON`` (:data:`SECURE_DELETE`) and a
    :data:`BUSY_TIMEOUT_SECONDS` wait for another writer. SQLAlchemy, not the sqlite3 module,
    emits ``BEGIN``, so every transaction, DDL included, is really atomic: a failed import or
    migration leaves nothing behind. On every database, the parameters of a failed statement
    stay out of its error message (they may hold a member's id).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        kwargs.setdefault("pool_size", SQLITE_CONNECTIONS)
        kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **{"hide_parameters": True, **kwargs})
    if engine.dialect.name == "sqlite":
        private_sqlite_file(engine.url)
        _prepare_sqlite(engine)
    return engine


async def open_connections(engine: AsyncEngine) -> None:
    """Open the pool's SQLite connections now (at start), not during the first burst of
    members (see :data:`SQLITE_CONNECTIONS`). Nothing to do on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return
    size = getattr(engine.pool, "size", lambda: 0)()
    async with contextlib.AsyncExitStack() as held:
        for _ in range(size):
            await held.enter_async_context(engine.connect())


def create_sync_engine(url: str, **kwargs: Any) -> Engine:
    """A synchronous engine on the same database as ``url`` (the bot's async URL, or a
    synchronous one), for a library that needs one (APScheduler 3's job store) and runs it
    on a thread of its own. Its parameters are kept out of error messages.

    SQLite connections get the same WAL journal, :data:`SECURE_DELETE` and
    :data:`BUSY_TIMEOUT_SECONDS` as the async ones: this engine's writes then wait for the
    bot's, and the bot's for these, instead of either failing. Each job-store write is one
    statement in its own transaction.
    """
    parsed = make_url(url)
    options = {"hide_parameters": True, **kwargs}
    if parsed.get_backend_name() != "sqlite":
        return create_sync_engine_(parsed.set(drivername="postgresql+psycopg"), **options)
    options.setdefault("connect_args", {"timeout": BUSY_TIMEOUT_SECONDS})
    engine = create_sync_engine_(parsed.set(drivername="sqlite"), **options)
    private_sqlite_file(engine.url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_connection)

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for the stores. On SQLite, write transactions of this process queue in order
    (:class:`WriteQueue`) before they take a pooled connection."""
    if engine.dialect.name != "sqlite":
        return async_sessionmaker(engine, expire_on_commit=False)
    queue = WriteQueue()

    class QueuedSession(_QueuedSession):
        writes = queue

    return async_sessionmaker(engine, class_=QueuedSession, expire_on_commit=False)


class WriteQueue:
    """This process's SQLite writers, one at a time, first come first served.

    SQLite has one write lock per database. Writers left to race for it each hold a pooled
    connection and poll in SQLite's busy handler (sleeping up to 100 ms between tries), so a
    burst of members' writes exhausts the pool, starves readers of connections and ends in
    "database is locked". Queued here instead, a writer waits without a connection, and takes
    the lock at once when its turn comes (only another process or the reminder scheduler's
    own engine can still hold it, and ``busy_timeout`` covers that).
    """

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None

    @property
    def lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock


class _QueuedSession(AsyncSession):
    """A session whose first ``connection(execution_options=WRITE)`` waits its turn in the
    :class:`WriteQueue` and holds it until the session closes (after its commit)."""

    writes: WriteQueue

    async def connection(
        self,
        bind_arguments: Any = None,
        execution_options: Any = None,
        **kw: Any,
    ) -> AsyncConnection:
        if (execution_options or {}).get("ballotbot_write") and not self.info.get(
            "ballotbot_queued"
        ):
            await self.writes.lock.acquire()
            self.info["ballotbot_queued"] = True
        return await super().connection(bind_arguments, execution_options, **kw)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self.info.pop("ballotbot_queued", False):
                self.writes.lock.release()


PRIVATE_FILE = 0o600
"""The SQLite file holds member ids: readable and writable by the bot's user only."""


def private_sqlite_file(url: URL) -> None:
    """Create the SQLite file of ``url`` readable by its owner only (mode 0600), before SQLite
    creates it with the umask's mode (0644 as a rule: world-readable).

    SQLite gives the ``-wal``, ``-shm`` and ``-journal`` files it makes later the mode of the
    database file, so they are private too. A file that already exists is left as its
    operator set it. In-memory databases and ``file:`` URIs are left to SQLite.
    """
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    if url.query.get("uri") in ("true", "1"):
        return
    # Exists already, or cannot be made (a missing folder): SQLite says so when it opens it.
    with contextlib.suppress(OSError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def _sqlite_pragmas(dbapi_connection: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute(SECURE_DELETE)  # privacy: erased rows are zeroed in the file
    finally:
        cursor.close()


def _prepare_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver (its legacy mode skips it for SELECT and DDL).
        dbapi_connection.isolation_level = None
        _sqlite_pragmas(dbapi_connection)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get("ballotbot_single_read"):
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("ballotbot_write") else "BEGIN")


def alembic_config() -> Config:
    """Alembic's configuration built in code, pointing at the scripts inside this package."""
    from alembic.config import Config  # only when a migration runs: see HEAD_REVISION

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine_or_url: AsyncEngine | str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the latest by default). Safe to run on every start.

    Given a URL, a temporary engine is opened and disposed of; given an engine, it is used and
    left open for the caller.
    """
    if isinstance(engine_or_url, str):
        engine = create_engine(engine_or_url)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()
        return
    if revision == "head" and await at_revision(engine_or_url) == HEAD_REVISION:
        return
    async with engine_or_url.execution_options(**WRITE).begin() as connection:
        await connection.run_sync(_run_upgrade, revision)


async def at_revision(engine: AsyncEngine) -> str | None:
    """The migration the database is at (None: none yet, or more than one head recorded)."""
    try:
        async with engine.connect() as connection:
            found = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            versions = found.scalars().all()
    except DBAPIError:  # no such table: a new database
        return None
    return str(versions[0]) if len(versions) == 1 else None


def _run_upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
    from alembic import command

    config = alembic_config()
    _check_recorded(connection, config)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


class SchemaError(ConfigError):
    """The database records a schema this version of ballotbot cannot bring up to date; the
    message names the database and what it records. Raised before anything is changed."""


def _check_recorded(connection: Connection, config: Config) -> None:
    """Refuse, with a message saying why, a database whose recorded migration Alembic would
    only trip over: one this code does not know (a newer ballotbot's, or edited by hand), or
    none recorded beside tables that exist (Alembic would create them again and fail on
    'table already exists')."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from sqlalchemy import inspect

    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables:
        return
    recorded = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
    versions = [str(version) for version in recorded.scalars()]
    where = shown_url(connection.engine.url)
    scripts = ScriptDirectory.from_config(config)
    for version in versions:
        try:
            known = scripts.get_revision(version) is not None
        except CommandError:
            known = False
        if not known:
            raise SchemaError(
                f"the database {where} is at schema revision {version!r}, which this version "
                "of ballotbot does not know: it was written by a newer ballotbot, or its "
                "alembic_version table was changed by hand. Use the ballotbot that wrote it, "
                "or a backup; nothing was changed."
            )
    if not versions and tables - {"alembic_version"}:
        raise SchemaError(
            f"the database {where} holds ballotbot's tables but its alembic_version table "
            "records no schema revision, so it cannot be brought up to date safely. Restore "
            "the row (the newest revision it was migrated to) or use a backup; nothing was "
            "changed."
        )


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A moment read back from the database, in UTC: SQLite gives back naive datetimes, and
    they were stored as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. A session types what it executes as a
    plain :class:`Result`; a statement without RETURNING gives a :class:`CursorResult`,
    which counts them."""
    assert isinstance(result, CursorResult), f"no row count on {type(result).__name__}"
    return result.rowcount
