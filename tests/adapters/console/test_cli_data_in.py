"""An organiser at a terminal with bad figures and bad files: clear refusals, even as JSON."""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.adapters.console.test_cli import ballotbot

SOUTHAMPTON = "southampton-city-council-pay-cuts"


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ("for=--5", "for"),
        ("eligible=²", "eligible"),
        ("eligible=99999999999999999999999", "eligible"),
        ("for=", "for="),
        ("q=0 for=1", "q="),
    ],
)
def test_ask_json_prints_the_refusal_as_json(tmp_path: Path, arguments: str, named: str) -> None:
    before = ballotbot(tmp_path, "export", "--format", "json").stdout

    done = ballotbot(tmp_path, "ask", "--json", f"/ballot admin correct {SOUTHAMPTON} {arguments}")

    assert done.returncode == 1
    reply = json.loads(done.stdout)
    assert reply["ok"] is False and reply["kind"] == "error"
    assert named in reply["header"] + reply["text"]
    assert "nothing was changed" in reply["text"].lower()
    assert "Traceback" not in done.stderr
    assert ballotbot(tmp_path, "export", "--format", "json").stdout == before


def test_an_import_that_hides_rows_behind_an_open_quote_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,unions,employer,kind,question,notes\n"
        'x1,GMB,Leeds Council,strike,Strike?,"an open quote\n'
        "x2,GMB,York Council,strike,Strike?,\n"
        "x3,GMB,Hull Council,strike,Strike?,\n"
    )

    done = ballotbot(tmp_path, "import", str(bad))

    assert done.returncode == 1
    assert "nothing imported" in done.stderr.lower() and "row 2" in done.stderr
    assert "never closed" in done.stderr
    assert ballotbot(tmp_path, "ask", "leeds council").returncode == 1


def test_an_import_from_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "ballots.csv"
    os.mkfifo(fifo)

    done = ballotbot(tmp_path, "import", str(fifo))  # the helper's 60 s timeout would fail

    assert done.returncode == 1
    assert "not a regular file" in done.stderr


@pytest.mark.parametrize(
    "ballot_id",
    ["leeds pay", "leeds/pay", "léeds", "leeds;pay", "leeds\\\\pay", "leeds:pay", "leeds,pay"],
)
def test_admin_add_refuses_an_id_outside_the_rule_naming_it_in_full(
    tmp_path: Path, ballot_id: str
) -> None:
    command = (
        f'admin add id="{ballot_id}" employer="Leeds City Council" unions=Unison '
        'question="Strike over pay?" kind=strike'
    )
    done = ballotbot(tmp_path, "ask", command, env={"COLUMNS": "80"})

    assert done.returncode == 1
    said = " ".join(re.sub(r"[│╭╮╰╯─]", " ", done.stdout + done.stderr).split())
    shown = ballot_id.replace("\\\\", "\\")
    assert f"id {shown!r} is not a ballot id" in said
    assert "use letters, digits and - _ . only (no spaces), e.g. leeds-pay-2026" in said
    assert "Nothing was changed" in said
    listed = ballotbot(tmp_path, "ask", "--json", "leeds city council")
    assert "Leeds City Council" not in listed.stdout


def _generated_catalogue(folder: Path, n: int) -> None:
    """``n`` ballots from the benchmarks' generator, written through the store."""
    from bench.dataset import make_ballots
    from storage.ballots import SqlBallotStore
    from storage.database import create_engine, upgrade

    async def write() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{folder / 'ballotbot.db'}")
        try:
            await upgrade(engine)
            store = SqlBallotStore(async_sessionmaker(engine, expire_on_commit=False))
            await store.save(make_ballots(n, n // 5))
        finally:
            await engine.dispose()

    asyncio.run(write())


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_generated_catalogue_exports_and_imports_back_unchanged(tmp_path: Path, fmt: str) -> None:
    """What the store accepted, an export gives back and an import takes as it is."""
    _generated_catalogue(tmp_path, 300)
    exported = tmp_path / f"all.{fmt}"
    assert ballotbot(tmp_path, "export", "--format", fmt, "-o", str(exported)).returncode == 0

    again = ballotbot(tmp_path, "import", "--no-announce", str(exported))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    elsewhere = ballotbot(fresh, "import", "--no-announce", str(exported))

    assert again.returncode == 0, again.stderr
    assert "0 ballots added, 0 updated, 300 unchanged" in again.stdout
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "300 ballots added" in elsewhere.stdout
    assert ballotbot(fresh, "export", "--format", fmt).stdout == exported.read_text()
