"""A member at a terminal: `ballotbot ask`, the REPL, import and export, end to end.

Each test runs the real command in a subprocess on a temporary database, as a user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adapters.console.support import ROOT, ballotbot


def test_kirklees_with_a_typo(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "ask", "/ballot kirklese")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Kirklees Council" in out
    assert "43.3%" in out and "56.7%" in out
    assert "6,500" in out
    assert "not known" in out
    assert "Lost" in out or "lost" in out


def test_southampton_as_json(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "ask", "--json", "/ballot southampton")
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["ok"] is True
    assert reply["header"] == "Southampton City Council — Unison and Unite"
    text = json.dumps(reply, ensure_ascii=False)
    assert "1,552" in text and "307" in text
    assert "around 60% (as reported)" in text
    assert "consultative" in text


def test_a_failing_command_exits_non_zero_with_a_message(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "ask", "/ballot zzzqqq nowhere")
    assert done.returncode != 0
    assert "No ballot found" in done.stderr
    assert done.stdout == ""


def test_a_bad_config_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[slack]\nmode = 'carrier pigeon'\n")
    done = ballotbot(tmp_path, "--config", str(config), "ask", "kirklees")
    assert done.returncode == 2
    assert "slack.mode" in done.stderr


def test_the_console_answers_until_end_of_input(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, stdin="kirklees\nhelp\n")
    assert done.returncode == 0, done.stderr
    assert "Kirklees Council" in done.stdout
    assert "/ballot <search> history" in done.stdout


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_changes_nothing(tmp_path: Path, fmt: str) -> None:
    exported = ballotbot(tmp_path, "export", "--format", fmt, "-o", str(tmp_path / f"all.{fmt}"))
    assert exported.returncode == 0, exported.stderr
    again = ballotbot(tmp_path, "import", str(tmp_path / f"all.{fmt}"))
    assert again.returncode == 0, again.stderr
    assert "3 unchanged" in again.stdout


def test_a_bad_import_names_the_row_and_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,unions,employer,kind,question,eligible,votes_for,votes_against\n"
        "x1,GMB,Leeds Council,strike,Strike?,100,60,30\n"
        "x2,GMB,York Council,strike,Strike?,100,-5,30\n"
    )
    done = ballotbot(tmp_path, "import", str(bad))
    assert done.returncode == 1
    assert "nothing imported" in done.stderr
    assert "row 3, column votes_for" in done.stderr
    assert ballotbot(tmp_path, "ask", "leeds council").returncode == 1


def test_chart_writes_a_picture_of_the_seed_ballot(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "chart", "kirklees", "-o", str(tmp_path / "k.png"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "k.png").read_bytes().startswith(b"\x89PNG")
    assert "Turnout not known" in done.stdout


def test_chart_of_nothing_fails_clearly(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "chart", "zzzz qqqq", "-o", str(tmp_path / "none.png"))
    assert done.returncode == 1
    assert "No ballot found" in done.stderr
    assert not (tmp_path / "none.png").exists()


LEEDS_CSV = (
    "id,unions,employer,kind,question,eligible,votes_for,votes_against,status\n"
    "leeds-1,GMB,Leeds Council,strike,Strike?,100,{yes},30,declared\n"
)


def test_an_import_announces_new_results_to_the_following_console(tmp_path: Path) -> None:
    ballotbot(tmp_path, "ask", "/ballot subscribe")
    results = tmp_path / "results.csv"
    results.write_text(LEEDS_CSV.format(yes=60))

    done = ballotbot(tmp_path, "import", str(results))

    assert done.returncode == 0, done.stderr
    assert "Announcements queued: 1 new result(s), 0 correction(s)" in done.stdout
    assert "announcement in #console" in done.stdout
    assert "New result: Leeds Council — GMB" in done.stdout

    results.write_text(LEEDS_CSV.format(yes=61))  # the union corrected its figures
    corrected = ballotbot(tmp_path, "import", str(results))
    assert "0 new result(s), 1 correction(s)" in corrected.stdout
    assert "Correction: Leeds Council — GMB" in corrected.stdout

    again = ballotbot(tmp_path, "import", str(results))
    assert "0 new result(s), 0 correction(s)" in again.stdout


def test_an_import_with_no_announce_back_fills_quietly(tmp_path: Path) -> None:
    ballotbot(tmp_path, "ask", "/ballot subscribe")
    history = tmp_path / "history.csv"
    history.write_text(LEEDS_CSV.format(yes=60))

    done = ballotbot(tmp_path, "import", "--no-announce", str(history))

    assert done.returncode == 0, done.stderr
    assert "Nothing announced (--no-announce)." in done.stdout
    assert "announcement in #console" not in done.stdout
    log = ballotbot(tmp_path, "ask", "/ballot admin deliveries")
    assert "0 latest" in log.stdout


def test_a_second_process_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    first = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "--database", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    try:
        assert first.stdout is not None
        first.stdout.readline()  # the console is up (its banner), holding the database
        second = ballotbot(tmp_path)
    finally:
        first.communicate("", timeout=60)

    assert second.returncode == 2
    assert "another ballotbot process is already running" in second.stderr
    assert "PostgreSQL" in second.stderr


def test_demo_open_example_adds_one_labelled_open_ballot(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "demo", "--open-example")
    assert done.returncode == 0, done.stderr
    assert "Demo ballots: 4 added" in done.stdout
    assert "Made-up example, open until" in done.stdout
    listed = ballotbot(tmp_path, "ask", "open")
    assert "Example Council (made-up example)" in listed.stdout
    again = ballotbot(tmp_path, "demo", "--open-example")
    assert "4 already there" in again.stdout
