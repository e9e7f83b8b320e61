"""The first hour with the ``ballotbot`` command: options where the README puts them, messages
that say what is wrong in plain words, on stderr, and closed pipes that end quietly."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from adapters import cli
from tests.adapters.console.support import ballotbot, environment

COMMANDS = ("ask", "demo", "import", "export", "chart", "run")
FORMS = ("sqlite+aiosqlite:///path/to/file.db", "postgresql+psycopg://user:pass@host/db")


# -- global options, before or after the command -------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "a.toml", "--database", "sqlite+aiosqlite:///x.db", "-v", "run"],
        ["run", "--config", "a.toml", "--database", "sqlite+aiosqlite:///x.db", "-v"],
        ["--config", "a.toml", "run", "--database", "sqlite+aiosqlite:///x.db", "-v"],
        ["-v", "--database", "sqlite+aiosqlite:///x.db", "run", "--config", "a.toml"],
    ],
)
def test_global_options_mean_the_same_before_or_after_the_command(argv: list[str]) -> None:
    args = cli._parser().parse_args(argv)
    assert args.command == "run"
    assert args.config == Path("a.toml")
    assert args.database == "sqlite+aiosqlite:///x.db"
    assert args.verbose == 1


def test_an_option_given_before_the_command_is_not_reset_by_the_command() -> None:
    args = cli._parser().parse_args(["--config", "a.toml", "--database", "sqlite://", "export"])
    assert (args.config, args.database, args.verbose) == (Path("a.toml"), "sqlite://", 0)
    args = cli._parser().parse_args(["--config", "a.toml", "ask", "--config", "b.toml", "x"])
    assert args.config == Path("b.toml")  # the nearer one wins
    bare = cli._parser().parse_args([])
    assert (bare.command, bare.config, bare.database, bare.verbose) == (None, None, None, 0)


@pytest.mark.parametrize("command", (None, *COMMANDS))
def test_every_command_s_help_lists_the_global_options(
    command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        cli._parser().parse_args([command, "--help"] if command else ["--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--config", "--database", "-v, --verbose", "--version"):
        assert option in shown, f"{command} --help lacks {option}"


@pytest.mark.parametrize("where", ["before", "after"])
def test_version_before_or_after_the_command(
    where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--version", "ask", "x"] if where == "before" else ["ask", "--version"]
    with pytest.raises(SystemExit) as done:
        cli._parser().parse_args(argv)
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("ballotbot ")


def test_the_readme_s_run_form_reads_the_config(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[slack]\nenabled = false\n")
    done = ballotbot(tmp_path, "run", "--config", "config.toml")
    assert done.returncode == 2
    assert "unrecognized arguments" not in done.stderr
    assert "no adapter is enabled" in done.stderr
    assert "under [slack] or [discord]" in done.stderr  # the words that say what to fix
    assert done.stdout == ""


def test_a_config_given_after_the_command_is_used(tmp_path: Path) -> None:
    (tmp_path / "empty.toml").write_text("demo_data = false\n")
    without = ballotbot(tmp_path, "ask", "kirklees", "--config", "empty.toml")
    assert without.returncode == 1
    assert "No ballot found" in without.stderr
    assert "no ballots stored yet" in without.stderr


def test_a_database_given_after_the_command_is_used(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'after.db'}"
    done = ballotbot(tmp_path, "ask", "kirklees", "--database", url, "-v", database=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "after.db").exists()
    assert not (tmp_path / "ballotbot.db").exists()


# -- messages: plain text, on stderr, saying what to do ---------------------------------------


def test_an_import_whose_file_name_is_markup_imports_once_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "results["
    folder.mkdir()
    path = folder / "]bold.csv"  # together: results[/]bold.csv
    path.write_text(
        "id,unions,employer,kind,question,eligible,votes_for,votes_against,status\n"
        "leeds-1,GMB,Leeds Council,strike,Strike?,100,60,30,declared\n"
    )
    done = ballotbot(tmp_path, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert f"Imported {path}: 1 ballots added" in done.stdout
    assert "Traceback" not in done.stderr
    again = ballotbot(tmp_path, "import", str(path))
    assert f"Imported {path}: 0 ballots added, 0 updated, 1 unchanged." in again.stdout


def test_control_characters_in_a_file_name_are_shown_not_obeyed(tmp_path: Path) -> None:
    path = tmp_path / "clear\x1b[2Jscreen.csv"
    path.write_text("id,unions\n")
    done = ballotbot(tmp_path, "import", str(path))
    assert done.returncode == 1
    assert "\x1b" not in done.stderr
    assert "clear\\x1b[2Jscreen.csv" in done.stderr
    assert "required column(s) missing" in done.stderr


def test_a_missing_config_file_is_named_literally(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "--config", "my[/]config.toml", "ask", "kirklees")
    assert done.returncode == 2
    assert done.stderr.startswith("ballotbot: config file my[/]config.toml not found: ")
    assert "cp config.example.toml config.toml" in done.stderr


@pytest.mark.parametrize(
    ("config", "said"),
    [
        ("[slack]\nmode = 'pigeon'\n", "slack.mode: Input should be 'socket' or 'http'"),
        ("[slak]\nenabled = true\n", "slak: is not a setting ballotbot knows (a typo?)"),
        ("[slak]\nenabled = true\n", "(a typo?); the closest setting is [slack]"),
        ("[Reminders]\nsend_at = '09:00'\n", "the closest setting is [reminders]"),
        ("[reminders]\nsend_ta = '09:00'\n", "reminders.send_ta: is not a setting ballotbot"),
        ("[reminders]\nsend_ta = '09:00'\n", "(a typo?); the closest setting is send_at"),
        ("[discord]\ngild_ids = [1]\n", "the closest setting is guild_ids"),
        ("[[unions]]\nname = 'X'\nshrot = 'Y'\n", "unions.0.shrot: is not a setting"),
        ("[[unions]]\nname = 'X'\nshrot = 'Y'\n", "the closest setting is short"),
        ("[slack\n", "is not valid TOML"),
        ("[database]\nurl = 'foo.db'\n", "database URL 'foo.db' is not a URL"),
    ],
)
def test_a_config_mistake_says_where_and_what_to_do(tmp_path: Path, config: str, said: str) -> None:
    (tmp_path / "c.toml").write_text(config)
    done = ballotbot(tmp_path, "ask", "kirklees", "--config", "c.toml", database=False)
    assert done.returncode == 2
    assert done.stderr.startswith("ballotbot: ")
    assert said in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_config_that_is_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    done = ballotbot(tmp_path, "--config", "conf.d", "ask", "kirklees")
    assert done.returncode == 2
    assert "config file conf.d cannot be read: Is a directory" in done.stderr


def test_the_last_resort_handler_prints_markup_literally(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("Smith [/] Sons [link=https://evil.example]x[/link] \x1b[2J")

    monkeypatch.setattr(cli, "_dispatch", broken)
    assert cli.main(["ask", "x"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "unexpected error: RuntimeError: Smith [/] Sons [link=https://evil.example]x" in err
    assert "\\x1b[2J" in err and "\x1b" not in err
    assert "run the command again with -v" in err


def test_the_last_resort_handler_survives_a_console_that_fails(
    capfd: pytest.CaptureFixture[str],
) -> None:
    class Broken:
        def print(self, *_: object, **__: object) -> None:
            raise ValueError("the console is gone")

    assert cli._last_resort(KeyError("[/]"), 0, Broken()) == 1  # type: ignore[arg-type]
    assert "ballotbot: unexpected error: KeyError: '[/]'" in capfd.readouterr().err


def test_with_v_the_last_resort_handler_shows_where(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("deep down")

    monkeypatch.setattr(cli, "_dispatch", broken)
    assert cli.main(["-v", "ask", "x"]) == 1
    assert "Traceback" in capsys.readouterr().err


# -- database URL mistakes: one line, the URL, the forms, never the password ------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ballots.db", "sqlite+aiosqlite:///ballots.db"),
        ("/var/lib/ballotbot/ballots.db", "not a URL the bot can use"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite:///ballots.db", "pysqlite driver"),
        ("mysql://union:hunter2@db.example/ballots", "mysql is not supported"),
        ("postgresql+psycopg2://union:hunter2@db.example/ballots", "psycopg2 driver"),
        ("postgres://union:hunter2@db.example/ballots", "begin a PostgreSQL URL with"),
    ],
)
def test_a_database_url_mistake_is_one_line_naming_it_and_the_forms(
    tmp_path: Path, url: str, says: str
) -> None:
    done = ballotbot(tmp_path, "--database", url, "ask", "kirklees", database=False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("ballotbot: database URL '")
    assert url.replace("hunter2", "***") in lines[0]
    assert says in lines[0]
    for form in FORMS:
        assert form in lines[0]
    assert "hunter2" not in done.stderr + done.stdout
    assert "sqlalche.me" not in done.stderr


@pytest.mark.parametrize(
    ("how", "command"),
    [("option", ["ask", "kirklees"]), ("environment", []), ("config", ["import", "x.csv"])],
)
def test_a_missing_folder_is_named_and_not_created(
    tmp_path: Path, how: str, command: list[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'ballots.db'}"
    args: list[str] = ["--database", url] if how == "option" else []
    env = {"BALLOTBOT_DATABASE_URL": url} if how == "environment" else {}
    if how == "config":
        (tmp_path / "c.toml").write_text(f'[database]\nurl = "{url}"\n')
        args = ["--config", "c.toml"]
    done = ballotbot(tmp_path, *command, *args, database=False, env=env, stdin="")
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "\n" not in line
    assert f"the folder {tmp_path / 'no' / 'such' / 'folder'} does not exist" in line
    assert "mkdir -p" in line
    assert not (tmp_path / "no").exists()


def test_a_database_that_does_not_answer_is_named_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://union:hunter2@127.0.0.1:{_closed_port()}/ballots"
    done = ballotbot(tmp_path, "--database", url, "ask", "kirklees", database=False)
    assert done.returncode == 1
    line = done.stderr.strip()
    assert "\n" not in line
    assert url.replace("hunter2", "***") in line
    assert "Connection refused" in line or "connection refused" in line.lower()
    assert "Check that it exists and that its server runs" in line
    assert "hunter2" not in done.stderr
    assert "sqlalche.me" not in done.stderr and "Traceback" not in done.stderr


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("this is not a database\n" * 100)
    url = f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}"
    done = ballotbot(tmp_path, "--database", url, "ask", "kirklees", database=False)
    assert done.returncode == 1
    line = done.stderr.strip()
    assert "\n" not in line
    assert f"the database {url} cannot be used: file is not a database" in line
    assert "sqlalche.me" not in line
    # A file has no server: the advice is about the file.
    assert "server" not in line
    assert "is a ballotbot SQLite database (a new file name starts an empty one)" in line


# -- closed pipes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["ask", "--json", "kirklees"], ["ask", "kirklees"], ["export"], ["--help"]],
)
def test_a_reader_that_has_gone_ends_the_command_quietly(tmp_path: Path, args: list[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone before a byte is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "adapters.cli", "--database", url, *args],
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=environment(tmp_path),
        )
    finally:
        os.close(writing)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_readme_s_head_pipeline_ends_with_status_0(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    line = (
        f"{sys.executable} -m adapters.cli --database {url} ask --json kirklees | head -2; "
        'echo "status=${PIPESTATUS[0]}"'
    )
    done = subprocess.run(
        ["bash", "-c", line],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=environment(tmp_path),
    )
    assert done.stdout.splitlines()[:2] == ["{", '  "header": "Kirklees Council — Unison",']
    assert done.stdout.splitlines()[-1] == "status=0"
    assert done.stderr == ""


def test_ballot_data_that_looks_like_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    data = tmp_path / "smith.csv"
    data.write_text(
        "id,unions,employer,branch,kind,question\n"
        "x1,GMB,Smith [/] Sons,[link=https://evil.example]Head office[/link],strike,Strike?\n"
    )
    assert ballotbot(tmp_path, "import", str(data)).returncode == 0
    done = ballotbot(tmp_path, "ask", "smith sons")
    assert done.returncode == 0, done.stderr
    assert "Smith [/] Sons" in done.stdout
    assert "[link=https://evil.example]Head office[/link]" in done.stdout
    assert "\x1b]8;" not in done.stdout  # no hidden terminal hyperlink


@pytest.mark.parametrize(
    "args", [["export", "-o", "no/such/folder/all.json"], ["chart", "kirklees", "-o", "no/k.png"]]
)
def test_an_output_file_that_cannot_be_written_is_named(tmp_path: Path, args: list[str]) -> None:
    done = ballotbot(tmp_path, *args)
    assert done.returncode == 1
    assert done.stderr.startswith(f"ballotbot: cannot use {args[-1]}: No such file or directory")
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("nope.csv", "nope.csv: cannot be read: No such file or directory"),
        ("folder.csv", "folder.csv: is a folder, not a file"),
        ("notes.txt", "notes.txt: the file name must end in .csv or .json"),
    ],
)
def test_a_file_that_cannot_be_imported_is_named_without_a_column(
    tmp_path: Path, name: str, said: str
) -> None:
    """The whole file is the problem: no "column (file)" to puzzle over."""
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "notes.txt").write_text("id,employer\n")

    done = ballotbot(tmp_path, "import", name)

    assert done.returncode == 1 and said in done.stderr, done.stderr
    assert "column" not in done.stderr and "Traceback" not in done.stderr
