"""Running the real ``ballotbot`` command as a user would: a subprocess in a temporary folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A small, known environment: no user config, home and state inside ``tmp_path``."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "COLUMNS": "120",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def ballotbot(
    tmp_path: Path,
    *args: str,
    stdin: str | None = None,
    database: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``ballotbot --database <tmp_path>/ballotbot.db ARGS`` (without ``--database`` when
    ``database`` is false), in ``tmp_path``."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    given = ["--database", url] if database else []
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *given, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=environment(tmp_path, **(env or {})),
    )
