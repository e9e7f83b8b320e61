"""The search index kept in a file beside a SQLite database, so a start does not rebuild it.

Building the index of 50,000 ballots reads the whole catalogue and works for about two
seconds of CPU; reading it back from this file takes a tenth of that. The file is named
for the database (``ballotbot.db`` -> ``ballotbot.db-search-index``) and starts with a header
line: the catalogue version it was built from and a fingerprint of how it was built (the
core's search settings and this version of the search code). A file whose header does not
match is not read at all; the index is rebuilt and the file replaced (atomically).

Unpickling is restricted to the classes a search index is made of (Python's "restricting
globals"): a file that names anything else is refused and rebuilt over, never run.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import bot.search
from bot.domain import CatalogEntry
from bot.ports import IndexBuilt
from bot.search import SearchIndex

log = logging.getLogger(__name__)

MAGIC = b"ballotbot search index 1\n"
_ALLOWED = {
    ("array", "_array_reconstructor"),
    ("array", "array"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("collections", "defaultdict"),
    ("datetime", "date"),
    ("bot.domain", "Kind"),
    ("bot.domain", "Status"),
    ("bot.domain", "PartialDate"),
}
_ALLOWED_MODULES = ("bot.search.",)


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        # A dotted name would be followed attribute by attribute ("asyncio.events.os.system"
        # from a search module), and a module's imports are its attributes too: only a class
        # or function the search code itself defines (an index's defaultdict factory), by name.
        if "." not in name:
            if (module, name) in _ALLOWED:
                return super().find_class(module, name)
            if module.startswith(_ALLOWED_MODULES):
                found = super().find_class(module, name)
                defined = isinstance(found, type) or inspect.isfunction(found)
                if defined and found.__module__ == module:
                    return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a search index")


_CODE: str | None = None


def _code_fingerprint() -> str:
    """This version of the search code and the domain it reads: another version's file is
    rebuilt, not misread."""
    global _CODE
    if _CODE is None:
        digest = hashlib.sha256()
        folder = Path(bot.search.__file__).parent
        for source in [*sorted(folder.glob("*.py")), folder.parent / "domain.py"]:
            digest.update(source.name.encode() + source.read_bytes())
        _CODE = digest.hexdigest()
    return _CODE


def index_path(database_url: str) -> Path | None:
    """Where a SQLite file database keeps its index; None for any other database."""
    prefix = "sqlite+aiosqlite:///"
    if not database_url.startswith(prefix):
        return None
    database = database_url.removeprefix(prefix).partition("?")[0]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None  # in memory, or SQLite's URI form: no plain file to keep it beside
    # Beside the file itself, not a symbolic link to it: one index however it is reached.
    real = Path(database).resolve() if Path(database).is_symlink() else Path(database)
    return real.with_name(real.name + "-search-index")


class IndexFile:
    """:class:`bot.ports.SavedIndex` in one file; reads and writes run in a worker thread.

    Given ``database_url`` (the SQLite database the file is beside), :meth:`build` indexes
    the catalogue in a process of its own, which writes the file and ends.
    """

    def __init__(self, path: Path, database_url: str | None = None) -> None:
        self.path = path
        self.database_url = database_url

    async def load(self, version: int, key: str) -> tuple[SearchIndex, int] | None:
        """The index saved for this catalogue ``version`` and build ``key`` with its longest
        name's length, or None."""
        return await asyncio.to_thread(self._load, version, key)

    async def save(self, version: int, key: str, index: SearchIndex, longest: int) -> None:
        """Replace the file with ``index``; a failure is logged, never raised (the index
        is only a cache of the database)."""
        await asyncio.to_thread(self._save, version, key, index, longest)

    async def build(
        self, version: int, key: str, make: Callable[[Sequence[CatalogEntry]], IndexBuilt]
    ) -> IndexBuilt | None:
        """Index the catalogue in a new process (``make`` given its entries) straight into
        the file, then read it back here (:meth:`load`). None, logged, if there is no
        database to read or that process failed: the caller then builds it itself."""
        if self.database_url is None:
            return None
        # A new interpreter, not a fork: a fork would copy this process's threads' locks.
        # Daemonic: an interpreter that exits any other way ends it too, not waits for it.
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_build_into,
            args=(send, self.database_url, self.path, version, key, make),
            name="ballotbot-search-index",
            daemon=True,
        )
        try:
            process.start()
            send.close()  # the child's end now
            await asyncio.to_thread(process.join)
            failure = receive.recv() if receive.poll() else None
        except asyncio.CancelledError:
            # The bot is stopping: end the process now rather than wait seconds for an index
            # nobody will read; the file it was writing goes too (the old one stays whole).
            process.terminate()
            await asyncio.shield(asyncio.to_thread(process.join))
            self.path.with_name(f"{self.path.name}.{process.pid}.tmp").unlink(missing_ok=True)
            raise
        except Exception as exc:  # it could not be started
            failure = f"{type(exc).__name__}: {exc}"
        finally:
            send.close()
            receive.close()
        if failure is None and process.exitcode != 0:
            failure = f"it ended with exit code {process.exitcode}"
        if failure is not None:
            log.warning(
                "search index not built in a process of its own (%s): building it here", failure
            )
            return None
        return await self.load(version, key)

    def _header(self, version: int, key: str) -> bytes:
        fields = {"version": version, "key": key, "code": _code_fingerprint()}
        return MAGIC + json.dumps(fields, sort_keys=True).encode() + b"\n"

    def _load(self, version: int, key: str) -> tuple[SearchIndex, int] | None:
        expected = self._header(version, key)
        try:
            with self.path.open("rb") as file:
                if file.read(len(expected)) != expected:
                    return None  # another version, other settings, other code: rebuild
                loaded = _Restricted(file).load()
        except FileNotFoundError:
            return None
        except Exception as exc:  # unreadable, truncated, or naming a class it may not
            log.warning("search index file %s not used (%s); rebuilding", self.path, exc)
            return None
        match loaded:
            case (SearchIndex() as index, int() as longest):
                return index, longest
        return None

    def _save(self, version: int, key: str, index: SearchIndex, longest: int) -> None:
        partial = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        try:
            # Private like the database beside it (0600 whatever the umask).
            handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "wb") as file:
                file.write(self._header(version, key))
                pickle.dump((index, longest), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, self.path)  # readers see the old file or the new, whole
        except OSError as exc:
            log.warning("search index not saved to %s (%s)", self.path, exc)
            partial.unlink(missing_ok=True)


def _build_into(
    report: Connection,
    database_url: str,
    path: Path,
    version: int,
    key: str,
    make: Callable[[Sequence[CatalogEntry]], IndexBuilt],
) -> None:
    """In the indexing process: read the catalogue, index it, write the file (atomically);
    then send ``report`` None, or what went wrong (a short line)."""
    try:
        _build_now(database_url, path, version, key, make)
    except Exception as exc:
        report.send(f"{type(exc).__name__}: {exc}"[:500])
    else:
        report.send(None)
    finally:
        report.close()


def _build_now(
    database_url: str,
    path: Path,
    version: int,
    key: str,
    make: Callable[[Sequence[CatalogEntry]], IndexBuilt],
) -> None:
    from storage.catalog import read_catalog_now
    from storage.database import create_sync_engine

    engine = create_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            # One snapshot for the four reads: an import landing between them is not seen.
            connection.exec_driver_sql("BEGIN")
            entries = read_catalog_now(connection)
            connection.exec_driver_sql("COMMIT")
    finally:
        engine.dispose()
    index, longest = make(entries)
    del entries
    IndexFile(path)._save(version, key, index, longest)
