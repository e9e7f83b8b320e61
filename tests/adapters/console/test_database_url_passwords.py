"""A database URL is never printed or logged with its password, wherever the password was
written: in the userinfo (raw ``@`` and all) or as a query parameter; and the URL mistakes a
new user makes (an empty URL, two slashes, a raw ``@``) each get one line saying what to write.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from bot.config import DatabaseSettings
from bot.privacy import logs
from bot.privacy.urls import hide_password, scrub_secrets
from storage.database import shown_url
from tests.adapters.console.support import ballotbot

SECRET = "hunter2"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://union@db.example/ballots?password=hunter2",
            "postgresql+psycopg://union@db.example/ballots?password=***",
        ),
        (
            "postgresql+psycopg://union:hunter2@db.example/ballots",
            "postgresql+psycopg://union:***@db.example/ballots",
        ),
        (
            "postgresql+psycopg://union:hun@ter2@db.example/ballots",
            "postgresql+psycopg://union:***@db.example/ballots",
        ),
        (
            "postgresql+psycopg://union:h@u@n:ter2@db.example:5432/ballots?sslmode=require",
            "postgresql+psycopg://union:***@db.example:5432/ballots?sslmode=require",
        ),
        (
            "postgresql+psycopg://union@db.example/b?sslmode=require&PassWord=hunter2&x=1",
            "postgresql+psycopg://union@db.example/b?sslmode=require&PassWord=***&x=1",
        ),
        (
            "postgresql+psycopg://db.example/b?user=u&sslpassword=hunter2",
            "postgresql+psycopg://db.example/b?user=u&sslpassword=***",
        ),
        ("union:hunter2@db.example", "union:***@db.example"),  # not a URL at all
        ("sqlite+aiosqlite:///ballots.db", "sqlite+aiosqlite:///ballots.db"),
    ],
)
def test_every_way_of_writing_a_password_is_hidden(url: str, shown: str) -> None:
    assert hide_password(url) == shown
    for printed in (hide_password(url), shown_url(url), repr(DatabaseSettings(url=url))):
        assert "hunter2" not in printed and "ter2" not in printed
    if "hunter2" in url:
        assert "***" in shown_url(url)


def test_a_drivers_message_quoting_a_piece_of_the_password_is_scrubbed() -> None:
    url = "postgresql+psycopg://union:hun@ter2@127.0.0.1/ballots"
    said = "failed to resolve host 'ter2@127.0.0.1': Name or service not known"
    assert "ter2" not in scrub_secrets(said, url)


def test_no_log_line_quotes_the_database_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    logs.hide_secrets("postgresql+psycopg://union@db.example/ballots?password=hunter2")
    try:
        logging.getLogger("sqlalchemy.pool").error("could not connect: password=%s", SECRET)
        try:
            raise RuntimeError(f"conninfo password={SECRET}")
        except RuntimeError:
            logging.getLogger("ballotbot.runner").exception("start failed")
    finally:
        logs.hide_secrets("")
    text = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "could not connect" in text and "conninfo" in text
    assert SECRET not in text


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://union@127.0.0.1:{port}/ballots?password=hunter2",
        "postgresql+psycopg://union@127.0.0.1:{port}/ballots?sslmode=disable&password=hunter2",
    ],
)
def test_a_password_given_as_a_query_parameter_is_never_printed(tmp_path: Path, url: str) -> None:
    url = url.format(port=_closed_port())
    done = ballotbot(tmp_path, "--database", url, "ask", "kirklees", database=False)
    assert done.returncode == 1
    assert "password=***" in done.stderr
    assert SECRET not in done.stderr + done.stdout


@pytest.mark.parametrize("verbose", [[], ["-v"]])
def test_a_password_with_a_raw_at_sign_is_refused_without_showing_any_of_it(
    tmp_path: Path, verbose: list[str]
) -> None:
    url = f"postgresql+psycopg://union:hun@ter2@127.0.0.1:{_closed_port()}/ballots"
    done = ballotbot(tmp_path, *verbose, "--database", url, "ask", "kirklees", database=False)
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "\n" not in line
    assert "postgresql+psycopg://union:***@127.0.0.1" in line
    assert "%40" in line  # how to write it
    assert "ter2" not in done.stderr + done.stdout and "hun" not in line.replace("hunt", "")


def test_a_password_is_hidden_from_the_config_file_too(tmp_path: Path) -> None:
    url = "mysql://union@db.example/ballots?passwd=hunter2"
    (tmp_path / "c.toml").write_text(f'[database]\nurl = "{url}"\n')
    done = ballotbot(tmp_path, "--config", "c.toml", "ask", "kirklees", database=False)
    assert done.returncode == 2
    assert "passwd=***" in done.stderr and SECRET not in done.stderr


# -- URL mistakes -----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["option", "config"])
def test_an_empty_database_url_is_refused_not_replaced_by_the_default(
    tmp_path: Path, how: str
) -> None:
    if how == "option":
        args = ["--database", ""]
    else:
        (tmp_path / "c.toml").write_text('[database]\nurl = ""\n')
        args = ["--config", "c.toml"]
    done = ballotbot(tmp_path, *args, "demo", database=False)
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "the database URL is empty" in line
    assert "sqlite+aiosqlite:///path/to/file.db" in line
    assert not (tmp_path / "ballotbot.db").exists()  # the default was not used instead


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite://ballots.db",
        "sqlite+aiosqlite:/ballots.db",
        "sqlite+aiosqlite:ballots.db",
        "sqlite+aiosqlite://var/lib/ballots.db",
    ],
)
def test_a_sqlite_url_with_the_wrong_slashes_says_three_or_four(tmp_path: Path, url: str) -> None:
    done = ballotbot(tmp_path, "--database", url, "ask", "kirklees", database=False)
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in done.stderr
    assert f"database URL '{url}'" in line
    assert "three slashes before a relative path" in line
    assert "four before an absolute one" in line
    assert not list(tmp_path.glob("*.db"))
