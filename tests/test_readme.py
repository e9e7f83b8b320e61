"""The README is executable: every command in its code blocks works as written.

A new user follows the README literally, in a fresh folder holding what a clone holds. Each
`ballotbot ...` line is run as written (with `ballotbot` on the PATH, as after `make run` and
`source .venv/bin/activate`); `export` lines set the variables (the fake platforms' secrets
stand in for the placeholders); a ```toml block headed `# config.toml` is that file; `ballotbot
run` is started against the local fake Slack and Discord APIs, checked (`/healthz`, a real
`/ballot kirklees`, the gateway), and stopped with SIGTERM. `make` targets are checked with
`make -n`, not run: `make test` would run this suite again. The commands `help` shows and the
commands in config.example.toml's comments are run too.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters import cli
from adapters.compose import open_app
from bot.config import Settings
from bot.core import help_reply
from bot.demo import open_example_ballot
from bot.imports.files import read_ballots
from bot.requests import Request
from tests.adapters.slack.conftest import block_text, post, signed_headers, slash_command
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE_CONFIG = ROOT / "config.example.toml"
CLONE = ("examples", "config.example.toml", "slack-manifest.yaml", "deploy", "docs")
"""What a fresh clone puts in the folder the README's commands run in."""

SECRETS = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "SLACK_APP_TOKEN": APP_TOKEN,
    "DISCORD_TOKEN": "fake-discord-bot-token",
}
"""The fakes' secrets in place of the README's placeholders (``xoxb-...``)."""

SETUP = ("source .venv/bin/activate",)
"""Lines that only set up the shell: `ballotbot` is on the test's PATH already."""


@dataclass(frozen=True)
class Block:
    language: str
    text: str
    line: int


def code_blocks(markdown: str) -> list[Block]:
    """The fenced code blocks of a markdown text, in order."""
    blocks, language, lines, start = [], None, [], 0
    for number, line in enumerate(markdown.splitlines(), start=1):
        if line.startswith("```"):
            if language is None:
                language, lines, start = line[3:].strip(), [], number + 1
            else:
                blocks.append(Block(language, "\n".join(lines), start))
                language = None
        elif language is not None:
            lines.append(line)
    return blocks


def without_comment(line: str) -> str:
    """A shell line without its trailing ``# comment`` (a ``#`` inside quotes stays)."""
    quote = None
    for position, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (position == 0 or line[position - 1].isspace()):
            return line[:position].rstrip()
    return line.rstrip()


def shell_lines(block: Block) -> list[str]:
    return [cmd for cmd in (without_comment(line) for line in block.text.splitlines()) if cmd]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Folder:
    """A new user's folder: a fresh clone's files, `ballotbot` on the PATH, a shell's
    environment that `export` lines change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        for name in CLONE:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, path / name)
            else:
                shutil.copy(source, path / name)
        bin_dir = path.parent / f"{path.name}-bin"
        bin_dir.mkdir()
        command = bin_dir / "ballotbot"
        command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m adapters.cli "$@"\n')
        command.chmod(0o755)
        self.env = {
            "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(path),
            "XDG_STATE_HOME": str(path / ".state"),
            "PYTHONPATH": str(ROOT),
            "COLUMNS": "100",
            "LANG": "C.UTF-8",
        }

    def run(self, line: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-o", "pipefail", "-c", line],
            cwd=self.path,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def in_process(self, words: list[str]) -> subprocess.CompletedProcess[str]:
        """``ballotbot ARGS`` through the command's own ``main``, in this folder and this
        environment: what a new process would do, without starting Python each time."""
        out, err = io.StringIO(), io.StringIO()
        saved = dict(os.environ)
        root = logging.getLogger()
        logged = (root.level, list(root.handlers))
        try:
            os.environ.clear()
            os.environ.update(self.env)
            with contextlib.chdir(self.path), redirect_stdout(out), redirect_stderr(err):
                status = cli.main(words[1:])
        finally:
            os.environ.clear()
            os.environ.update(saved)
            root.setLevel(logged[0])
            root.handlers[:] = logged[1]
        return subprocess.CompletedProcess(words, status, out.getvalue(), err.getvalue())

    def works(self, line: str, where: str) -> str:
        words = shlex.split(line)
        plain = not set(line) & set("|&;<>$`(){}*?~") and len(words) > 1
        done = self.in_process(words) if plain and words[0] == "ballotbot" else self.run(line)
        said = f"{where}: `{line}` exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert done.returncode == 0, said
        assert "Traceback" not in done.stderr, said
        return done.stdout


@dataclass
class Fakes:
    slack: FakeSlack
    discord: FakeDiscord


def for_the_fakes(config: str, fakes: Fakes) -> str:
    """The README's config.toml pointed at the fakes: Slack's and Discord's API on loopback,
    and a free port instead of 3000 (other tests may hold it)."""
    tomllib.loads(config)  # the README's block is valid TOML as it stands
    out = []
    for table in re.split(r"(?m)^(?=\[)", config):
        header = table.splitlines()[0].strip() if table.strip() else ""
        if header == "[slack]":
            table = re.sub(r"(?m)^(api_url|port)\s*=.*\n?", "", table)
            table += f'\napi_url = "{fakes.slack.api_url}"\nport = {free_port()}\n'
        elif header == "[discord]":
            table = re.sub(r"(?m)^(api_url|gateway_url)\s*=.*\n?", "", table)
            table += f'\napi_url = "{fakes.discord.api_url}"\n'
        out.append(table)
    return "".join(out)


async def _lines_until(stream: asyncio.StreamReader, marker: str, seconds: float) -> list[str]:
    lines: list[str] = []

    async def read() -> None:
        while True:
            raw = await stream.readline()
            if not raw:
                raise AssertionError("ballotbot run ended before it started:\n" + "".join(lines))
            lines.append(raw.decode())
            if marker in lines[-1]:
                return

    await asyncio.wait_for(read(), seconds)
    return lines


async def run_and_check(folder: Folder, line: str, fakes: Fakes, where: str) -> None:
    """`ballotbot run ...` as written: it starts, says where it listens, answers, and stops
    cleanly on SIGTERM."""
    config_path = folder.path / "config.toml"
    assert config_path.exists(), f"{where}: `{line}` needs a config.toml the README wrote first"
    settings = tomllib.loads(config_path.read_text())
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        f"exec {line}",
        cwd=folder.path,
        env=folder.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        said = "".join(await _lines_until(process.stderr, "stop with Ctrl-C", 60))
        slack = settings.get("slack", {})
        if slack.get("enabled") and slack.get("mode") == "http":
            found = re.search(r"POST (http://\S+/slack/events)", said)
            assert found, said
            events = found.group(1)
            base = events.removesuffix("/slack/events")
            async with aiohttp.ClientSession() as session:
                for path in ("/healthz", "/readyz"):
                    assert f"{base}{path}" in said
                    async with session.get(base + path) as answer:
                        assert answer.status == 200, path
            body = slash_command(fakes.slack, "kirklees")
            status, answer = await post(events, body, signed_headers(body))
            assert status == 200 and "43.3%" in block_text(answer["blocks"])
        elif slack.get("enabled"):
            envelope = json.loads(
                (ROOT / "tests/fixtures/slack/socket_slash_commands.json").read_text()
            )
            envelope["payload"]["response_url"] = fakes.slack.response_url("socket")
            await fakes.slack.socket_send(envelope, within=30)
            ack = await fakes.slack.socket_reply(within=30)
            assert "43.3%" in block_text(ack["payload"]["blocks"])
        if settings.get("discord", {}).get("enabled"):
            guilds = [str(g) for g in settings["discord"].get("guild_ids", [])] or [None]
            for _ in range(600):
                if all(g in fakes.discord.commands for g in guilds):
                    break
                await asyncio.sleep(0.05)
            synced = fakes.discord.commands[guilds[0]]
            assert [c["name"] for c in synced] == ["ballot"]
        process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), 30)
        rest = await process.stderr.read()
        assert status == 0, f"{where}: `{line}` ended with {status}\n{said}{rest.decode()}"
        assert "Traceback" not in said + rest.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def check_make(line: str, where: str) -> None:
    """`make X`: the target exists and its recipe is what the README says (run with -n)."""
    targets = shlex.split(line)[1:]
    dry = subprocess.run(
        ["make", "-n", *targets], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert dry.returncode == 0, f"{where}: `{line}`: {dry.stderr}"
    recipe = {"run": "bin/ballotbot", "test": "bin/pytest"}
    for target in targets:
        if target in recipe:
            assert recipe[target] in dry.stdout, f"{where}: `{line}` does not do what it says"


async def follow(markdown: str, folder: Folder, fakes: Fakes, name: str) -> int:
    """Run every command of every code block of ``markdown``, in order. Returns how many."""
    ran = 0
    for block in code_blocks(markdown):
        where = f"{name} line {block.line}"
        if block.language == "toml":
            first = block.text.splitlines()[0].strip() if block.text.strip() else ""
            if first.startswith("# config.toml"):
                (folder.path / "config.toml").write_text(for_the_fakes(block.text, fakes))
            continue
        if block.language not in ("sh", "bash", "shell", "console"):
            continue
        for line in shell_lines(block):
            words = shlex.split(line)
            if line in SETUP:
                continue
            if words[0] == "export":
                name_, _, value = words[1].partition("=")
                folder.env[name_] = SECRETS.get(name_, value)
            elif words[0] == "make":
                check_make(line, where)
            elif words[0] == "ballotbot" and "run" in words[1:] and "|" not in line:
                await run_and_check(folder, line, fakes, where)
            elif words[0] in ("ballotbot", "cp"):
                await asyncio.to_thread(folder.works, line, where)
            else:
                pytest.fail(f"{where}: the README test does not know how to check `{line}`")
            ran += 1
    return ran


@pytest.fixture
async def fakes() -> Any:
    async with FakeSlack() as slack, FakeDiscord(heartbeat_interval_ms=500) as discord:
        yield Fakes(slack, discord)


async def test_every_command_in_the_readme_works_as_written(tmp_path: Path, fakes: Fakes) -> None:
    folder = Folder(tmp_path / "clone")
    ran = await follow(README.read_text(encoding="utf-8"), folder, fakes, "README.md")
    assert ran >= 30  # the usage, the tour, Slack in both modes, Discord
    # What the tour did is there to see.
    card = await asyncio.to_thread(
        folder.works, 'ballotbot ask --json "admin audit example"', "after the tour"
    )
    assert "votes_for: 640 → 641" in card  # the correction, field by field


def test_the_readme_s_code_blocks_are_what_the_test_reads() -> None:
    blocks = code_blocks(README.read_text(encoding="utf-8"))
    lines = [line for b in blocks if b.language == "sh" for line in shell_lines(b)]
    assert "ballotbot import examples/ballots.csv" in lines
    assert lines.count("ballotbot run --config config.toml") >= 3
    assert "ballotbot ask --json kirklees | head -2" in lines
    tour = next(b for b in blocks if "admin correct" in b.text)
    for step in ("import", "subscribe", "admin result", "admin correct", "remind me", "forget me"):
        assert step in tour.text, f"the tour lacks {step}"
    assert without_comment('ballotbot ask "a # b"  # c') == 'ballotbot ask "a # b"'


def test_the_readme_tables_are_whole_and_list_every_command() -> None:
    text = README.read_text(encoding="utf-8")
    rows = text.splitlines()
    for number, line in enumerate(rows):
        starts_table = line.startswith("|") and (
            number == 0 or not rows[number - 1].startswith("|")
        )
        if starts_table:
            assert re.fullmatch(r"\|( *-+ *\|)+", rows[number + 1].replace(":", "")), (
                f"README.md line {number + 1}: a table row with no header above it "
                "(a blank line breaks a table)"
            )
    for line in help_reply().sections[0].lines:
        usage = line.split(" — ", 1)[0]
        words = []
        for word in usage.split()[1:]:  # the literal words, up to the first placeholder
            if word != "<search>" and re.search(r"[<\[=.|]", word):
                break
            words.append(word)
        if words:
            assert " ".join(words) in text, f"the README does not list `{usage}`"


def test_the_manifest_is_what_the_slack_steps_tell_you_to_change() -> None:
    manifest = (ROOT / "slack-manifest.yaml").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    assert manifest.count("url: https://ballots.example.org/slack/events") == 2
    assert "socket_mode_enabled: true" in manifest
    assert "`https://ballots.example.org/slack/events`" in readme
    assert "`socket_mode_enabled: true` to `false`" in readme
    assert "docs/" not in manifest or (ROOT / "docs").is_dir()


# -- the commands `help` shows ---------------------------------------------------------------

TODAY = date.today()
FILLED = {
    "id": "example-added",
    "employer": "Example Trust (made-up example)",
    "unions": "Example Union; Other Example Union",
    "question": "Example question: strike over pay?",
    "kind": "strike",
    "opens": (TODAY - timedelta(days=3)).isoformat(),
    "closes": (TODAY + timedelta(days=10)).isoformat(),
    "status": "open",
    "method": "postal",
    "for": "640",
    "against": "210",
    "spoilt": "4",
    "eligible": "1500",
    "q": "1",
    "days": "7,3,1",
    "open": "yes",
    "posting_days": "2",
    "replacement": (TODAY + timedelta(days=5)).isoformat(),
    "contact": "the branch office",
}
"""A value for every ``key=...`` a usage line shows (made-up, and said to be)."""
PLACEHOLDERS = {
    "[filter]": "",
    "[search]": "example",
    "[ballot]": "example",
    "<search>": "example",
    "<ballot>": "example",
    "<percent>": "31.5",
}


def runnable(usage: str) -> str:
    """A usage line of the help with its placeholders filled in, every option included."""
    for placeholder, value in PLACEHOLDERS.items():
        usage = usage.replace(placeholder, value)
    words = []
    for word in shlex.split(usage.replace("[", " ").replace("]", " ")):
        if word == "...":
            continue
        key, equals, _ = word.partition("=")
        if equals:
            value = FILLED[key]
            words.append(f'{key}="{value}"' if " " in value else f"{key}={value}")
        else:
            words.append(word.split("|")[0])
    return " ".join(words)


async def test_every_command_help_shows_works(tmp_path: Path) -> None:
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'help.db'}"
    settings.charts.cache_dir = str(tmp_path / "charts")
    settings.search.refresh_seconds = 0
    async with open_app(settings) as app:
        await app.store.save([*read_ballots(ROOT / "examples/ballots.csv")])
        await app.store.save([open_example_ballot(TODAY)])
        lines = help_reply().sections[0].lines
        assert len(lines) >= 20
        for line in lines:
            command = runnable(line.split(" — ", 1)[0])
            reply = await app.core.handle(Request(command, "console", "local", "console"))
            assert reply.ok, f"help's `{command}` answered: {reply.plain_text()}"


# -- the commands in config.example.toml's comments ------------------------------------------


def config_commands() -> list[str]:
    """The backticked commands in config.example.toml's comments, in order."""
    spans = []
    for line in EXAMPLE_CONFIG.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or " #" in line:
            comment = line.split("#", 1)[1]
            spans += re.findall(r"`([^`]+)`", comment)
    return [s for s in spans if s.startswith(("ballotbot", "/ballot", "cp "))]


def test_every_command_in_the_example_config_works(tmp_path: Path) -> None:
    folder = Folder(tmp_path / "clone")
    folder.works("ballotbot demo --open-example", "setup")
    commands = config_commands()
    assert "cp config.example.toml config.toml" in commands
    assert any(c.startswith("ballotbot ask kirklees --config config.toml") for c in commands)
    for command in commands:
        if command.startswith("/ballot"):
            command = f"ballotbot ask --config config.toml {shlex.quote(runnable(command))}"
        folder.works(command, "config.example.toml")


def test_the_example_config_shows_every_default() -> None:
    loaded = Settings.model_validate(tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8")))
    assert loaded == Settings()


# -- the sample data: real ballots, their sources, only the figures they print --------------

FIGURES = ("eligible", "votes_for", "votes_against", "spoilt", "turnout_pct", "for_pct")


def test_the_sample_ballots_are_real_ones_with_their_sources() -> None:
    with (ROOT / "examples/ballots.csv").open(encoding="utf-8") as file:
        examples = list(csv.DictReader(file))
    with (ROOT / "tests/verdicts/real_ballots.csv").open(encoding="utf-8") as file:
        real = list(csv.DictReader(file))
    assert 5 <= len({row["id"] for row in examples}) <= 8
    for row in examples:
        assert row["source_url"].startswith(("https://", "http://")), row["id"]
        (source,) = [
            r for r in real if r["source_url"] == row["source_url"] and r["kind"] == row["kind"]
        ]
        for column in FIGURES:
            assert row[column] == source[column], (row["id"], column)
        for column in ("opens", "closes", "announced", "jurisdiction"):
            assert row[column] == source[column], (row["id"], column)
        assert source["source_says"] in row["notes"] or row["notes"].startswith("The source")
    assert len(read_ballots(ROOT / "examples/ballots.csv")) == len({r["id"] for r in examples})
