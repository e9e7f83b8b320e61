"""A fresh ``ballotbot run`` under hostile load never stalls its event loop past 100 ms.

The process starts on a SQLite database holding a large catalogue (thousands of ballots),
hundreds of open ballots (so the reminder scheduler writes over a thousand jobs as it
starts, and again every second) and a ballot with 5,000 questions. From the moment its Slack
port opens, members send long junk, names with several typos, the many-question ballot in
different words, ``remind me`` and plain lookups, in waves. The bot's own loop-lag monitor
measures every stall and says the longest when the process stops; it must stay under
100 ms, and every member must have Slack's answer within 3 seconds, none an error.

Stalls are measured by the monitor in the bot's process, not by the test's clock, so the
test's own work does not count; and the time the loop's thread waited for a CPU (the machine
busy with something else, as a shared CI machine is) is not the bot's doing and is left
out, which keeps the test steady on a loaded two-core machine. About 15 seconds.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import string
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest

from adapters.compose import open_app
from bench.dataset import make_ballots, typo
from bot.config import Settings
from bot.domain import Kind, Method, PartialDate, Question, Result, Status
from tests.fakes.slack_api import FakeSlack
from tests.support.deployment import process_env
from tests.support.ports import free_port
from tests.support.slack_requests import signed_headers, slash_command

pytestmark = pytest.mark.slow

LONGEST_STALL_MS = 100
CATALOGUE, EMPLOYERS, OPEN, QUESTIONS = 3_000, 600, 300, 5_000

CONFIG = """
[database]
url = "sqlite+aiosqlite:///{database}"

[charts]
cache_dir = "{charts}"

[reminders]
sync_seconds = 1.0

[process]
stall_seconds = 0.1

[slack]
enabled = true
mode = "http"
host = "127.0.0.1"
port = {port}
api_url = "{api}"
"""


async def a_large_union(database: Path) -> tuple[list[str], list[str]]:
    """The catalogue, open ballots and the many-question ballot; the names members type."""
    catalogue = make_ballots(CATALOGUE, EMPLOYERS)
    today = date.today()
    opened = [
        replace(
            ballot,
            id=f"open-{n}",
            employer=f"{ballot.employer} Openers",
            status=Status.OPEN,
            method=Method.POSTAL,
            opens=PartialDate.of(today - timedelta(days=2)),
            closes=PartialDate.of(today + timedelta(days=8 + n % 20)),
            announced=None,  # open: no result announced yet
            questions=(Question("Are you prepared to take strike action?", Kind.STRIKE),),
        )
        for n, ballot in enumerate(make_ballots(OPEN, OPEN, seed=9))
    ]
    many = replace(
        catalogue[0],
        id="many-questions",
        employer="Manyquestion Borough Council",
        questions=tuple(
            Question(f"Do you accept part {n} of the offer?", Kind.PAY_OFFER, Result(300, 200))
            for n in range(1, QUESTIONS + 1)
        ),
    )
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{database}"
    async with open_app(settings, load_demo=True) as app:
        await app.store.save([*catalogue, *opened, many])
    names = sorted({b.employer for b in catalogue})
    return names, [b.employer for b in opened]


def hostile_wave(rng: random.Random, names: list[str], open_names: list[str]) -> list[str]:
    junk = [
        "".join(rng.choice(string.ascii_lowercase + "   ") for _ in range(490)) for _ in range(15)
    ]
    typos = [typo(typo(rng.choice(names), rng), rng) + " strik ballto" for _ in range(15)]
    many = [f"manyquestion {w}" for w in rng.sample(["borough", "council", "bc", "ballot"], 4)]
    many += ["manyquestoin", "Manyquestion Borough"]
    remind = [f"remind me {name}" for name in rng.sample(open_names, 10)]
    lookups = [*rng.sample(names, 10), "kirklees", "open", "recent"]
    return junk + typos + many + remind + lookups


def start_bot(folder: Path, database: Path, api_url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    config = folder / "ballotbot.toml"
    config.write_text(
        CONFIG.format(database=database, charts=folder / "charts", port=port, api=api_url)
    )
    with (folder / "run.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "--config", str(config), "run"],
            cwd=folder,
            env=process_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, port


def stop_bot(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """From the moment the port opens: that is when members can first reach the bot."""
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"ballotbot run did not listen within 30 s: see {log}")


async def test_a_fresh_start_under_hostile_load_never_stalls_past_100_ms(tmp_path: Path) -> None:
    database = tmp_path / "union.db"
    names, open_names = await a_large_union(database)
    rng = random.Random(19)
    answers: list[tuple[str, int, float, str]] = []
    async with FakeSlack() as slack:
        process, port = start_bot(tmp_path, database, slack.api_url)
        try:
            await listening(port, process, tmp_path / "run.log")
            url = f"http://127.0.0.1:{port}/slack/events"
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:

                async def ask(text: str, hook: str) -> None:
                    body = slash_command(slack, text, hook=hook)
                    started = time.monotonic()
                    async with session.post(
                        url, data=body.encode(), headers=signed_headers(body)
                    ) as response:
                        said = await response.text()
                    answers.append((text, response.status, time.monotonic() - started, said))

                asking = []
                for wave in range(3):  # from the first moment, then every second
                    for n, text in enumerate(hostile_wave(rng, names, open_names)):
                        asking.append(asyncio.create_task(ask(text, f"w{wave}-{n}")))
                    await asyncio.sleep(1.0)
                await asyncio.gather(*asking)
                working = sum("Working on it" in said for *_, said in answers)
                await slack.wait_for("respond", count=working, within=30)
        finally:
            stop_bot(process)
    log = (tmp_path / "run.log").read_text()

    longest = re.search(r"longest event loop stall: (\d+) ms, (\d+) ms of the bot's own", log)
    assert longest is not None, log
    stalls = "\n".join(line for line in log.splitlines() if "event loop stalled" in line)
    assert int(longest.group(2)) <= LONGEST_STALL_MS, stalls
    assert [status for _, status, _, _ in answers] == [200] * len(answers)
    slow = [(text[:40], round(took, 2)) for text, _, took, _ in answers if took >= 3.0]
    assert not slow, slow
    assert "Something went wrong" not in str([c.args for c in slack.calls_to("respond")])
