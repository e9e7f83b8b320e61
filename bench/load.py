"""Benchmark: a union's busy evening against a real ``ballotbot run`` (issue 19, "Never freeze").

Run by hand: ``python -m bench.load [--scenarios evening remind ...] [--databases sqlite
postgres] [--code DIR]`` (PostgreSQL needs the server binaries, as the tests do).

Each start is a fresh ``ballotbot run`` process (Slack in HTTP mode against the fake Slack API
of the tests, signed requests, the dispatcher and the reminder scheduler on) over a database
prepared beforehand: a synthetic catalogue (``bench/dataset.py``), ballots open now (each with
its reminder plan, so the scheduler has jobs to write at start) and, for some scenarios, a
ballot with very many questions. Requests are fired in waves from the moment the Slack port
accepts connections, so the first ones meet the start itself (migrations done, scheduler
syncing its jobs, search index not built yet).

What a member can send: ``lookup`` (a known name), ``typo`` (a name with a new typo each
time, so no cache helps), ``remind`` (``remind me <an open ballot>``, a new member each
time), ``junk`` (490 characters of nonsense, each different), ``chart`` (a picture of a
ballot not drawn yet), ``questions`` (the ballot with many questions, worded differently each
time).

Reported per scenario and database: requests, the worst time to Slack's answer (the HTTP
response: the card itself or "working on it"), the 3-second misses (an answer after 3 s, any
status but 200, or no answer), the statuses, how many were answered "working on it" and
whether and when their follow-up reached the ``response_url``, the longest gap seen by a
``GET /healthz`` probe sent every 20 ms (the event loop's stalls seen from outside, whatever
the code's version) and the longest stall the bot's own loop-lag monitor measured (when the
version under test has one), with how much of it was the bot's own doing rather than its
loop's thread waiting for a CPU the machine gave to something else.

``--code DIR`` runs the bot from another source tree (the same database schema), e.g. a
checkout of an earlier commit, to measure before and after on the same machine in the same
run; the load generator, the fakes and the data always come from this tree.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import re
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bench.dataset import employer_names, make_ballots, typo
from bot.domain import Ballot, Jurisdiction, Kind, Method, PartialDate, Question, Result, Status
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support.ports import free_port
from tests.support.slack_requests import signed_headers

ROOT = Path(__file__).resolve().parents[1]
MISS_SECONDS = 3.0
"""Slack gives up on an answer after three seconds."""


# --- what members send -----------------------------------------------------------------------


@dataclass(frozen=True)
class Wave:
    """``count`` requests fired together ``at`` seconds after the Slack port opened."""

    at: float
    count: int
    mix: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    ballots: int = 5_000
    employers: int = 1_000
    open_ballots: int = 200
    many_questions: int = 0
    starts: int = 1
    waves: tuple[Wave, ...] = ()
    databases: tuple[str, ...] = ("sqlite", "postgres")
    import_at: float | None = None
    """When set: ``ballotbot import`` (another process) moves every open ballot's closing
    date this many seconds in, so the scheduler re-syncs all their jobs under load."""
    sync_seconds: float = 60.0


MIXED = (("lookup", 0.3), ("typo", 0.3), ("remind", 0.15), ("junk", 0.15), ("chart", 0.1))

SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "evening",
            "bursts of 100 mixed requests (30% lookups, 30% new typos, 15% remind me, 15% "
            "long junk, 10% chart) every second for 6 s from the first moment, 5,000 "
            "ballots, 200 open, 3 fresh starts",
            starts=3,
            waves=tuple(Wave(float(n), 100, MIXED) for n in range(6)),
        ),
        Scenario(
            "import",
            "bursts of 100 mixed requests every second for 8 s; at 2 s `ballotbot import` "
            "(another process) moves the closing dates of the 200 open ballots, and the "
            "scheduler (syncing every 2 s) moves their ~800 jobs",
            waves=tuple(Wave(float(n), 100, MIXED) for n in range(8)),
            import_at=2.0,
            sync_seconds=2.0,
        ),
        Scenario(
            "questions",
            "one valid ballot with 10,000 questions: 30 differently worded queries for it, "
            "10 at a time, from the first moment",
            many_questions=10_000,
            waves=tuple(Wave(float(n), 10, (("questions", 1.0),)) for n in range(3)),
        ),
        Scenario(
            "charts",
            "100 concurrent `chart` requests for 100 ballots not drawn yet",
            waves=(Wave(0.0, 100, (("chart", 1.0),)),),
        ),
        Scenario(
            "remind",
            "500 concurrent `remind me` from 500 members",
            waves=(Wave(0.0, 500, (("remind", 1.0),)),),
        ),
        Scenario(
            "resident",
            "50,000 ballots / 5,000 employers: 1,000 new questions (typos and names of the "
            "whole catalogue, 10% pictures) in ten waves of 100, a second apart; the bot's "
            "resident memory is read once all are answered (issue 18: under 150 MB)",
            ballots=50_000,
            employers=5_000,
            waves=tuple(
                Wave(float(n), 100, (("typo", 0.6), ("name", 0.3), ("chart", 0.1)))
                for n in range(10)
            ),
            databases=("sqlite",),
        ),
        Scenario(
            "junk",
            "500 concurrent 490-character junk queries over 50,000 ballots",
            ballots=50_000,
            employers=5_000,
            waves=(Wave(0.0, 500, (("junk", 1.0),)),),
            databases=("sqlite",),
        ),
    )
}


class Requests:
    """Texts members send, each kind drawn from the prepared data."""

    def __init__(self, catalogue: list[str], open_names: list[str], seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.catalogue = catalogue
        self.open_names = open_names
        self.members = iter(range(1, 10**9))
        self.charted = iter(catalogue[::-1])

    def make(self, kind: str) -> tuple[str, str]:
        """(text, user id)."""
        rng = self.rng
        user = f"U{next(self.members):08d}"
        match kind:
            case "lookup":
                return rng.choice([*self.catalogue[:50], "kirklees", "southampton"]), user
            case "typo":
                return typo(rng.choice(self.catalogue), rng), user
            case "name":
                return rng.choice(self.catalogue), user
            case "remind":
                return f"remind me {rng.choice(self.open_names)}", user
            case "junk":
                letters = string.ascii_lowercase + "     "
                return "".join(rng.choice(letters) for _ in range(490)), user
            case "chart":
                return f"{next(self.charted)} chart", user
            case "questions":
                wording = rng.choice(
                    ("manyquestion", "manyquestion borough", "manyquestoin council", "many")
                )
                return f"{wording} {rng.randrange(10**6)}"[: rng.randrange(6, 30)], user
        raise ValueError(kind)

    def wave(self, wave: Wave) -> list[tuple[str, str, str]]:
        """(kind, text, user) for every request of the wave, in the mix's proportions."""
        kinds: list[str] = []
        for kind, share in wave.mix:
            kinds += [kind] * round(wave.count * share)
        kinds = (kinds + [wave.mix[0][0]] * wave.count)[: wave.count]
        self.rng.shuffle(kinds)
        return [(kind, *self.make(kind)) for kind in kinds]


# --- the data --------------------------------------------------------------------------------


def open_ballots(n: int, today: date, seed: int = 3) -> list[Ballot]:
    """Ballots open now, closing over the next weeks: each has a reminder plan to schedule."""
    rng = random.Random(seed)
    names = employer_names(20_000, seed=seed + 1)[-n:] if n else []
    ballots = []
    for i, employer in enumerate(names):
        ballots.append(
            Ballot(
                id=f"open-{i}",
                unions=("Unison",),
                employer=f"{employer} Openers",
                jurisdiction=Jurisdiction.GB,
                method=Method.POSTAL,
                opens=PartialDate.of(today - timedelta(days=rng.randrange(1, 10))),
                closes=PartialDate.of(today + timedelta(days=rng.randrange(8, 30))),
                eligible=rng.randrange(100, 5_000),
                status=Status.OPEN,
                questions=(Question("Are you prepared to take strike action?", Kind.STRIKE),),
            )
        )
    return ballots


def many_questions(n: int) -> Ballot:
    """A valid declared ballot with ``n`` questions."""
    base = make_ballots(1, 1, seed=5)[0]
    questions = tuple(
        Question(
            f"Question {i + 1}: do you accept part {i + 1} of the offer?",
            Kind.PAY_OFFER,
            Result(votes_for=300 + i % 50, votes_against=200, spoilt=3),
        )
        for i in range(n)
    )
    return replace(
        base, id="many-questions", employer="Manyquestion Borough Council", questions=questions
    )


async def prepare(
    url: str, scenario: Scenario, today: date
) -> tuple[list[str], list[str], list[Ballot]]:
    """Fill an empty database; the names members will type, and the open ballots."""
    from adapters.compose import open_app
    from bot.config import Settings

    settings = Settings()
    settings.database.url = url
    catalogue = make_ballots(scenario.ballots, scenario.employers)
    opened = open_ballots(scenario.open_ballots, today)
    extra = [many_questions(scenario.many_questions)] if scenario.many_questions else []
    async with open_app(settings, load_demo=True) as app:
        everything = [*catalogue, *opened, *extra]
        for i in range(0, len(everything), 5_000):
            await app.store.save(everything[i : i + 5_000])
    names = list(dict.fromkeys(b.employer for b in catalogue))
    return names, [b.employer for b in opened], opened


# --- the databases ---------------------------------------------------------------------------


class Databases:
    """A prepared database per scenario, and a fresh copy of it for every start."""

    def __init__(self, kind: str, folder: Path, postgres_url: str | None) -> None:
        self.kind = kind
        self.folder = folder
        self.postgres_url = postgres_url
        self.copies = 0

    def template(self, scenario: Scenario) -> str:
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.folder / f'{scenario.name}.db'}"
        assert self.postgres_url is not None
        return self._pg_url(f"tpl_{scenario.name}")

    def create_template(self, scenario: Scenario) -> None:
        if self.kind == "postgres":
            self._admin(f"CREATE DATABASE tpl_{scenario.name}")

    def fresh(self, scenario: Scenario) -> str:
        """A copy of the prepared database, as a union's would be at a restart."""
        self.copies += 1
        if self.kind == "sqlite":
            source = self.folder / f"{scenario.name}.db"
            target = self.folder / f"{scenario.name}{self.copies}" / "ballotbot.db"
            target.parent.mkdir(parents=True)
            shutil.copy(source, target)
            return f"sqlite+aiosqlite:///{target}"
        name = f"{scenario.name}{self.copies}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE tpl_{scenario.name}")
        return self._pg_url(name)

    def _pg_url(self, database: str) -> str:
        assert self.postgres_url is not None
        return self.postgres_url.replace("/bench?", f"/{database}?")

    def _admin(self, sql: str) -> None:
        import psycopg

        assert self.postgres_url is not None
        port = re.search(r":(\d+)/", self.postgres_url)
        assert port is not None
        conninfo = f"host=127.0.0.1 port={port.group(1)} user=postgres dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(sql)


@contextmanager
def postgres_if(wanted: bool) -> Iterator[str | None]:
    if not wanted:
        yield None
        return
    from bench.deployment import postgres

    with postgres() as url:
        yield url


# --- one start -------------------------------------------------------------------------------

CONFIG = """
[database]
url = "{url}"

[charts]
cache_dir = "{charts}"

[announcements]
organiser_channels = []

[reminders]
sync_seconds = {sync}

[process]
health_port = 0

[slack]
enabled = true
mode = "http"
host = "127.0.0.1"
port = {port}
api_url = "{api}"
"""


@dataclass
class Answer:
    kind: str
    sent: float
    status: int | None = None
    answered: float | None = None
    working: bool = False
    followed: float | None = None
    error: str | None = None


@dataclass
class Outcome:
    answers: list[Answer] = field(default_factory=list)
    healthz: list[float] = field(default_factory=list)
    stalls: list[float] = field(default_factory=list)
    monitor_longest: float | None = None
    monitor_own: float | None = None
    first_port_seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds the bot's threads used, by thread name (Linux)."""
    started_mib: float | None = None
    """The bot's resident memory (VmRSS) when its Slack port opened: before any question."""
    resident_mib: float | None = None
    """The bot's resident memory (VmRSS) once every answer and follow-up is in (Linux)."""
    peak_mib: float | None = None
    """Its highest resident memory until then (VmHWM)."""


class Responses(FakeSlack):
    """The fake Slack, noting when each follow-up reached its ``response_url``."""

    def __init__(self) -> None:
        super().__init__()
        self.followed: dict[str, float] = {}

    async def _record(self, call: Any) -> None:
        if call.method == "respond":
            self.followed.setdefault(call.path.rsplit("/", 1)[-1], time.perf_counter())
        else:
            await super()._record(call)


def _signed(text: str, user: str, hook: str) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "team_id": "T0BENCH",
            "channel_id": "C0BENCH",
            "user_id": user,
            "command": "/ballot",
            "text": text,
            "response_url": hook,
            "trigger_id": f"bench.{hook.rsplit('/', 1)[-1]}.{time.time_ns()}",
        }
    )
    return body.encode(), signed_headers(body)


async def _port_open(port: int, deadline: float) -> float:
    while time.perf_counter() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.01)
            continue
        writer.close()
        return time.perf_counter()
    raise RuntimeError("ballotbot did not listen within the time allowed")


@dataclass
class Launched:
    process: subprocess.Popen[bytes]
    config: Path
    env: dict[str, str]
    port: int
    started: float

    def __iter__(self) -> Iterator[Any]:
        return iter((self.process, self.config, self.env, self.port, self.started))


PROFILE = os.environ.get("BENCH_PROFILE") == "1"
"""Set by hand (BENCH_PROFILE=1) to run the bot under cProfile (its event loop's thread)."""


def launch(url: str, scenario: Scenario, folder: Path, code: Path, api_url: str) -> Launched:
    """``ballotbot run`` from ``code``, on ``url``, Slack in HTTP mode against ``api_url``."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "ballotbot.toml"
    config.write_text(
        CONFIG.format(
            url=url,
            charts=folder / "charts",
            port=port,
            api=api_url,
            sync=scenario.sync_seconds,
        )
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(Path.home()),
        "PYTHONPATH": str(code),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    with (folder / "run.log").open("wb") as out:
        started = time.perf_counter()
        profile = ["-m", "cProfile", "-o", str(folder / "profile.out")] if PROFILE else []
        process = subprocess.Popen(
            [sys.executable, *profile, "-m", "adapters.cli", "--config", str(config), "run"],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Launched(process, config, env, port, started)


async def one_start(
    url: str,
    scenario: Scenario,
    requests: Requests,
    folder: Path,
    code: Path,
    settle: float,
    opened_ballots: list[Ballot],
) -> Outcome:
    """Start ``ballotbot run``, send the scenario's waves from the first moment, stop it."""
    outcome = Outcome()
    async with Responses() as slack:
        bot = launch(url, scenario, folder, code, slack.api_url)
        process, config, env, port, started = bot
        try:
            opened = await _port_open(port, started + 60)
            outcome.first_port_seconds = opened - started
            outcome.started_mib = resident(process.pid)[0]
            events = f"http://127.0.0.1:{port}/slack/events"
            health = f"http://127.0.0.1:{port}/healthz"
            finished = asyncio.Event()
            timeout = aiohttp.ClientTimeout(total=40)
            connector = aiohttp.TCPConnector(limit=1000)
            async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
                probe = asyncio.create_task(_probe(session, health, finished, outcome))

                async def send(n: int, kind: str, text: str, user: str) -> None:
                    answer = Answer(kind, time.perf_counter())
                    outcome.answers.append(answer)
                    body, headers = _signed(text, user, slack.response_url(f"r{n}"))
                    answer.sent = time.perf_counter()
                    try:
                        async with session.post(events, data=body, headers=headers) as response:
                            raw = await response.read()
                        answer.status = response.status
                        answer.working = b"Working on it" in raw
                    except Exception as exc:  # a timeout or a dropped connection: a miss
                        answer.error = type(exc).__name__
                    answer.answered = time.perf_counter()

                sending = []
                if scenario.import_at is not None:
                    moved = write_moved(folder, opened_ballots)
                    sending.append(
                        asyncio.create_task(
                            _import_later(opened + scenario.import_at, config, moved, env, folder)
                        )
                    )
                numbers = iter(range(10**9))
                for wave in scenario.waves:
                    delay = opened + wave.at - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    for kind, text, user in requests.wave(wave):
                        sending.append(asyncio.create_task(send(next(numbers), kind, text, user)))
                await asyncio.gather(*sending)
                # Follow-ups promised with "working on it" arrive later.
                deadline = time.perf_counter() + settle
                while time.perf_counter() < deadline:
                    waiting = [
                        n
                        for n, a in enumerate(outcome.answers)
                        if a.working and f"r{n}" not in slack.followed
                    ]
                    if not waiting:
                        break
                    await asyncio.sleep(0.1)
                finished.set()
                await probe
            for n, answer in enumerate(outcome.answers):
                if f"r{n}" in slack.followed:
                    answer.followed = slack.followed[f"r{n}"]
        finally:
            outcome.cpu = thread_cpu(process.pid)
            outcome.resident_mib, outcome.peak_mib = resident(process.pid)
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    text = (folder / "run.log").read_text(errors="replace")
    outcome.stalls = [float(ms) for ms in re.findall(r"event loop stalled for (\d+) ms", text)]
    said = r"longest event loop stall: (\d+) ms(?:, (\d+) ms of the bot's own)?"
    longest = re.findall(said, text)
    if longest:
        outcome.monitor_longest = float(longest[-1][0])
        outcome.monitor_own = float(longest[-1][1]) if longest[-1][1] else None
    return outcome


def resident(pid: int) -> tuple[float | None, float | None]:
    """Resident memory of ``pid`` now and at its highest (MiB), from /proc (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None, None
    kib = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
    mib = {key: int(value) / 1024 for key, value in kib.items()}
    return mib.get("VmRSS"), mib.get("VmHWM")


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) of each thread of ``pid``, summed by thread name."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = collections.defaultdict(float)
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used[re.sub(r"\d+$", "", name)] += (int(fields[11]) + int(fields[12])) / ticks
    return dict(used)


async def _import_later(
    at: float, config: Path, file: Path, env: dict[str, str], folder: Path
) -> None:
    """``ballotbot import --no-announce file`` in its own process, ``at`` (perf_counter)."""
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    command = [sys.executable, "-m", "adapters.cli", "--config", str(config), "import"]
    command += ["--no-announce", str(file)]
    with (folder / "import.log").open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        await process.wait()


def write_moved(folder: Path, ballots: list[Ballot]) -> Path:
    """The import file (JSON): every open ballot closing two days later than it did."""
    import json

    from bot.columns import ballot_record, question_record

    moved = []
    for ballot in ballots:
        assert ballot.closes is not None and ballot.closes.exact is not None
        later = replace(ballot, closes=PartialDate.of(ballot.closes.exact + timedelta(days=2)))
        moved.append(
            {**ballot_record(later), "questions": [question_record(q) for q in later.questions]}
        )
    path = folder / "moved.json"
    path.write_text(json.dumps({"ballots": moved}))
    return path


async def _probe(
    session: aiohttp.ClientSession, url: str, finished: asyncio.Event, outcome: Outcome
) -> None:
    """``GET /healthz`` every 20 ms: how long the bot's loop took to answer each."""
    while not finished.is_set():
        t0 = time.perf_counter()
        try:
            async with session.get(url) as response:
                await response.read()
        except Exception:
            pass
        outcome.healthz.append(time.perf_counter() - t0)
        await asyncio.sleep(0.02)


# --- the report ------------------------------------------------------------------------------


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    answers = [a for o in outcomes for a in o.answers]
    latencies = [(a.answered or a.sent) - a.sent for a in answers]
    misses = sum(
        1
        for a, seconds in zip(answers, latencies, strict=True)
        if a.status != 200 or seconds >= MISS_SECONDS
    )
    statuses = collections.Counter(
        str(a.status) if a.status else (a.error or "none") for a in answers
    )
    working = [a for a in answers if a.working]
    followed = [a for a in working if a.followed is not None]
    follow_worst = max(((a.followed or 0) - a.sent for a in followed), default=0.0)
    monitor = [o.monitor_longest for o in outcomes if o.monitor_longest is not None]
    own = [o.monitor_own for o in outcomes if o.monitor_own is not None]
    return {
        "requests": len(answers),
        "worst": max(latencies, default=0.0),
        "p50": statistics.median(latencies) if latencies else 0.0,
        "misses": misses,
        "statuses": ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
        "working": len(working),
        "followed": len(followed),
        "follow_worst": follow_worst,
        "healthz": max((h for o in outcomes for h in o.healthz), default=0.0),
        "monitor": max(monitor) if monitor else None,
        "own": max(own) if own else None,
        "port": max(o.first_port_seconds for o in outcomes),
        "resident": max((o.resident_mib or 0.0 for o in outcomes), default=0.0),
        "peak": max((o.peak_mib or 0.0 for o in outcomes), default=0.0),
    }


HEADER = (
    "| scenario | database | requests | p50 / worst answer | 3 s misses | statuses "
    '| "working on it" (followed up, worst) | longest /healthz | longest stall (monitor) '
    "| resident at the end / peak |\n"
    "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"
)


def row(label: str, scenario: str, database: str, s: dict[str, Any]) -> str:
    monitor = "no monitor" if s["monitor"] is None else f"{s['monitor']:.0f} ms"
    if s["own"] is not None:
        monitor += f" ({s['own']:.0f} ms own)"
    return (
        f"| {scenario} ({label}) | {database} | {s['requests']:,} | {s['p50'] * 1000:,.0f} / "
        f"{s['worst'] * 1000:,.0f} ms | {s['misses']:,} | {s['statuses']} | {s['working']:,} "
        f"({s['followed']:,}, {s['follow_worst']:.1f} s) | {s['healthz'] * 1000:,.0f} ms "
        f"| {monitor} | {s['resident']:.0f} / {s['peak']:.0f} MiB |"
    )


async def run(args: argparse.Namespace, code: Path) -> str:
    label = args.label or ("this tree" if code == ROOT else code.name)
    today = date.today()
    lines = [HEADER]
    folder = Path(tempfile.mkdtemp(prefix="ballotbot-load-"))
    try:
        with postgres_if("postgres" in args.databases) as pg_url:
            for name in args.scenarios:
                scenario = SCENARIOS[name]
                for kind in args.databases:
                    if kind not in scenario.databases:
                        continue
                    databases = Databases(kind, folder / kind, pg_url)
                    (folder / kind).mkdir(exist_ok=True)
                    databases.create_template(scenario)
                    template = databases.template(scenario)
                    names, open_names, opened = await prepare(template, scenario, today)
                    outcomes = []
                    for start in range(args.starts or scenario.starts):
                        requests = Requests(names, open_names, seed=start)
                        url = databases.fresh(scenario)
                        where = folder / kind / f"{name}-start{start}"
                        outcome = await one_start(
                            url, scenario, requests, where, code, args.settle, opened
                        )
                        outcomes.append(outcome)
                        print(row(label, name, kind, summarise([outcome])), file=sys.stderr)
                        cpu = sorted(outcome.cpu.items(), key=lambda item: -item[1])
                        used = ", ".join(f"{thread} {seconds:.1f} s" for thread, seconds in cpu)
                        print(f"  bot CPU by thread: {used}", file=sys.stderr)
                        if outcome.resident_mib is not None:
                            print(
                                f"  resident memory at the start {outcome.started_mib or 0:.0f} "
                                f"MiB, at the end {outcome.resident_mib:.0f} MiB, "
                                f"peak {outcome.peak_mib or 0:.0f} MiB",
                                file=sys.stderr,
                            )
                    lines.append(row(label, name, kind, summarise(outcomes)))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"logs kept in {folder}", file=sys.stderr)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--code", default=str(ROOT), help="the source tree to run the bot from")
    parser.add_argument("--label", default="", help="what to call that tree in the table")
    parser.add_argument("--settle", type=float, default=40.0, help="seconds to wait for follow-ups")
    parser.add_argument("--keep", action="store_true", help="keep the logs and databases")
    parser.add_argument("--starts", type=int, default=0, help="starts per scenario (0: its own)")
    args = parser.parse_args()
    print(asyncio.run(run(args, Path(args.code).resolve())))


if __name__ == "__main__":
    main()
