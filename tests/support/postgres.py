"""A real PostgreSQL server on loopback for the tests, from the local binaries.

The server is started from the local binaries (``initdb`` + ``pg_ctl``) on 127.0.0.1 in a
temporary folder: no Docker, no network, nothing left behind. Without the binaries the
PostgreSQL tests are skipped locally, but fail on CI (``CI=true``), where skipping would hide
a broken database layer.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from tests.support.ports import free_port

_SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")


@dataclass(frozen=True)
class PostgresServer:
    """A running throw-away server: connect as ``user`` over TCP on 127.0.0.1:``port``."""

    port: int
    user: str = "postgres"

    database: str = "ballotbot_test"

    def url(self, schema: str, driver: str = "postgresql+psycopg") -> str:
        """A URL whose connections see only ``schema`` (and are named after it)."""
        options = quote(f"-csearch_path={schema}")
        return (
            f"{driver}://{self.user}@127.0.0.1:{self.port}/{self.database}"
            f"?options={options}&application_name={schema}"
        )

    def admin(self, database: str | None = None) -> psycopg.Connection:
        conninfo = (
            f"host=127.0.0.1 port={self.port} user={self.user} dbname={database or self.database}"
        )
        return psycopg.connect(conninfo, autocommit=True)


def find_bindir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` live: ``pg_config --bindir``, else the newest Debian one."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(out))
        except (subprocess.SubprocessError, OSError):
            pass
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(p) for p in debian]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all((folder / name).is_file() for name in _SERVER_BINARIES):
            return folder
    return None


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as ``postgres`` when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required on CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A new PostgreSQL server on 127.0.0.1, stopped and deleted when the block ends.

    Skips the test (fails it on CI) when the server binaries are missing."""
    bindir = find_bindir()
    if bindir is None:
        unavailable("no initdb/pg_ctl found (pg_config --bindir, /usr/lib/postgresql/*/bin)")
    assert bindir is not None
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        unavailable("running as root and runuser is missing, so postgres cannot be started")
    root = Path(tempfile.mkdtemp(prefix="ballotbot-pg-"))
    data, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    run = as_server_user
    try:
        subprocess.run(
            run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--no-locale", "--no-sync"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        port = free_port()
        options = (
            f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        started = subprocess.run(
            run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                 "-w", "-t", "60", "start"]),
            capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        if started.returncode != 0:
            server_log = log.read_text() if log.exists() else ""
            pytest.fail(f"PostgreSQL did not start:\n{started.stderr}\n{server_log}")
        server = PostgresServer(port=port)
        with server.admin("postgres") as admin:
            admin.execute(f'CREATE DATABASE "{server.database}"')
        try:
            yield server
        finally:
            subprocess.run(
                run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True, timeout=60,
            )  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)
