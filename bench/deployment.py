"""Benchmark: several `ballotbot run` processes on one PostgreSQL.

Run by hand: ``python -m bench.deployment [--channels 10000] [--processes 1 2 3]
[--requests 2000]`` (needs PostgreSQL's server binaries and nginx, as the tests do).

1. **Fan-out**: one result to ``--channels`` subscribed channels (half Slack, half Discord),
   sent by 1, 2 and 3 dispatcher-only processes through the fake APIs, which enforce the
   limits (Slack: 1 message per second per channel and 50 per second for the workspace;
   Discord: 50 requests per second). More processes cannot beat the limits (the pace is shared
   in the database); they must stay within 10% of the theoretical minimum, and send nothing
   twice and lose nothing.
2. **Slack commands through nginx**: signed ``/ballot kirklees`` (each with its own trigger
   id, as Slack sends them) at concurrency 20 through nginx, in front of 1 and 3 Slack-only
   processes. The load generator is this process; the servers are the ``ballotbot``
   processes.
3. **PostgreSQL against SQLite** (issue 18: a process on PostgreSQL at least half its SQLite
   rate): one Slack-only process through nginx on each database in turn, same run, on
   ``--ballots`` synthetic ballots plus the demo ones; the repeated ``/ballot kirklees`` and
   new questions (each a typo of a name in the catalogue, asked once).

``--parts`` picks which of ``fanout``, ``slack`` and ``databases`` run (all by default).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import psycopg
from sqlalchemy import insert, text

from adapters.compose import open_app
from bench.dataset import make_ballots, typo
from bench.fanout import discord_limits, slack_limits, subscription_rows
from bot.announce.model import Announce
from bot.config import Settings
from bot.demo import DEMO_BALLOTS
from storage.models import SubscriptionRow
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.support.deployment import BotProcess, process_env, start_nginx, write_configs
from tests.support.ports import free_port
from tests.support.postgres import as_server_user, find_bindir
from tests.support.slack_requests import signed_headers


@contextmanager
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL server on loopback; yields a database URL."""
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries are needed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="ballotbot-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    data, port = root / "data", free_port()
    subprocess.run(
        as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A",
                         "trust", "-E", "UTF8", "--no-locale", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off -c max_connections=200"
    subprocess.run(
        as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
                         "-o", options, "-w", "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE bench")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench?application_name=bench"
    finally:
        subprocess.run(
            as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


async def reset(url: str, channels: int) -> None:
    """An empty schema with the demo ballots and ``channels`` subscriptions."""
    settings = Settings()
    settings.database.url = url
    async with open_app(settings, load_demo=False) as app, app.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    async with open_app(settings, load_demo=True) as app:
        rows = subscription_rows(channels // 2, channels - channels // 2)
        if rows:
            async with app.engine.begin() as connection:
                await connection.execute(insert(SubscriptionRow), rows)


def stop_all(processes: list[BotProcess]) -> None:
    for process in processes:
        process.stop()


async def fanout(url: str, channels: int, count: int, folder: Path) -> str:
    await reset(url, channels)
    half = channels // 2
    minimum = max(half / 50, (channels - half) / 50)
    refused_slack, refused_discord = [0], [0]
    async with FakeSlack() as slack, FakeDiscord() as discord:
        slack.limiter = slack_limits(50, refused_slack)
        discord.limiter = discord_limits(50, refused_discord)
        processes = write_configs(
            folder / f"fanout{count}", url, slack.api_url, discord.api_url, discord.gateway_url,
            "09:00", count=count, rate=49.0, roles=("dispatcher",),
        )  # fmt: skip
        try:
            for process in processes:
                process.start(process_env())
            await asyncio.sleep(3)  # logged in to both APIs
            settings = Settings()
            settings.database.url = url
            async with open_app(settings, load_demo=False) as app:
                started = time.perf_counter()
                await app.declarations.declare([DEMO_BALLOTS[1]], "bench", "announce", Announce.ALL)
                query = text("SELECT count(*) FROM outbox WHERE state = 'sent'")
                while True:
                    async with app.engine.connect() as connection:
                        if int(await connection.scalar(query) or 0) >= channels:
                            break
                    if time.perf_counter() - started > 10 * minimum:
                        raise RuntimeError("not all sent")
                    await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - started
        finally:
            stop_all(processes)
        per_channel = collections.Counter(
            str(c.args["channel"]) for c in slack.calls_to("chat.postMessage")
        )
        sent_slack = sum(per_channel.values()) - refused_slack[0]
        per_discord = collections.Counter(m["channel_id"] for m in discord.messages.values())
        duplicates = sum(n - 1 for n in per_discord.values() if n > 1) + max(0, sent_slack - half)
        lost = channels - len(per_discord) - len(per_channel)
    return (
        f"| {count} | {elapsed:.1f} s | {minimum:.1f} s | {(elapsed / minimum - 1) * 100:+.1f}% "
        f"| {duplicates} | {lost} | {refused_slack[0]} / {refused_discord[0]} |"
    )


_triggers = itertools.count(1)


def _signed(text: str = "kirklees") -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "team_id": "T0BENCH", "channel_id": "C0BENCH", "user_id": "U0BENCH",
            "command": "/ballot", "text": text,
            "response_url": "http://127.0.0.1:9/unused", "trigger_id": f"b.{next(_triggers)}",
        }
    )  # fmt: skip
    return body.encode(), signed_headers(body)


async def load(
    url: str, n: int, concurrency: int = 20, texts: list[str] | None = None
) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 ms of ``n`` signed commands: ``/ballot kirklees``,
    or each of ``texts`` in turn."""
    latencies: list[float] = []
    todo = iter(texts[:n] if texts is not None else ["kirklees"] * n)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as s:

        async def worker() -> None:
            for text in todo:
                body, headers = _signed(text)
                t0 = time.perf_counter()
                async with s.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                wanted = b"Kirklees" if texts is None else b'"blocks"'
                if response.status != 200 or wanted not in answer:
                    raise RuntimeError(f"{response.status}: {answer[:200]!r}")
                latencies.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return n / elapsed, statistics.median(ordered), ordered[round(0.99 * (len(ordered) - 1))]


async def slack_through_nginx(url: str, count: int, requests: int, folder: Path) -> str:
    await reset(url, 0)
    async with FakeSlack() as slack, FakeDiscord() as discord:
        processes = write_configs(
            folder / f"slack{count}", url, slack.api_url, discord.api_url, discord.gateway_url,
            "09:00", count=count, roles=("slack",),
        )  # fmt: skip
        nginx = None
        try:
            for process in processes:
                process.start(process_env())
            await asyncio.sleep(4)
            nginx = start_nginx(folder / f"nginx{count}", [p.slack_port for p in processes])
            await load(nginx.url, 200)  # warm-up
            rps, p50, p99 = await load(nginx.url, requests)
        finally:
            if nginx is not None:
                nginx.process.send_signal(signal.SIGQUIT)
                nginx.process.wait(timeout=10)
            stop_all(processes)
    return f"| {count} | {requests} | {rps:.0f} | {p50:.1f} | {p99:.1f} |"


async def one_process(
    url: str, requests: int, folder: Path, new: list[str]
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """One Slack-only process on ``url`` behind nginx: (rate, p50, p99) for the repeated
    question, then for ``new`` questions."""
    async with FakeSlack() as slack, FakeDiscord() as discord:
        (process,) = write_configs(
            folder, url, slack.api_url, discord.api_url, discord.gateway_url, "09:00",
            count=1, roles=("slack",),
        )  # fmt: skip
        nginx = None
        try:
            process.start(process_env())
            await asyncio.sleep(4)
            nginx = start_nginx(folder / "nginx", [process.slack_port])
            await load(nginx.url, 200)  # warm-up
            await load(nginx.url, 200, texts=new[-200:])
            repeated = await load(nginx.url, requests)
            fresh = await load(nginx.url, requests, texts=new)
        finally:
            if nginx is not None:
                nginx.process.send_signal(signal.SIGQUIT)
                nginx.process.wait(timeout=10)
            process.stop()
    return repeated, fresh


async def fill(url: str, ballots: int, employers: int) -> list[str]:
    """The demo ballots and ``ballots`` synthetic ones in an empty database; the names."""
    settings = Settings()
    settings.database.url = url
    catalogue = make_ballots(ballots, employers)
    async with open_app(settings, load_demo=True) as app:
        for i in range(0, len(catalogue), 5_000):
            await app.store.save(catalogue[i : i + 5_000])
    return list(dict.fromkeys(b.employer for b in catalogue))


async def databases(pg_url: str, args: argparse.Namespace, folder: Path) -> list[str]:
    """Issue 18's comparison: one process on PostgreSQL against one on SQLite."""
    rng = random.Random(5)
    rows, rates = [], {}
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    for kind in ("sqlite", "postgres"):
        if kind == "sqlite":
            url = f"sqlite+aiosqlite:///{folder / 'compare.db'}"
        else:
            url = pg_url
            await reset(url, 0)
        names = await fill(url, args.ballots, args.employers)
        new = list(dict.fromkeys(typo(rng.choice(names), rng) for _ in range(3 * args.requests)))
        repeated, fresh = await one_process(url, args.requests, folder / kind, new)
        rates[kind] = (repeated[0], fresh[0])
        for label, (rps, p50, p99) in (("repeated", repeated), ("new", fresh)):
            rows.append(f"| {kind} | {label} | {rps:.0f} | {p50:.1f} | {p99:.1f} |")
    share = [rates["postgres"][i] / rates["sqlite"][i] for i in (0, 1)]
    return [
        f"One Slack process through nginx on each database ({args.ballots:,} synthetic "
        "ballots and the demo ones), concurrency 20:",
        "",
        "| database | questions | requests/s | p50 ms | p99 ms |",
        "| --- | --- | ---: | ---: | ---: |",
        *rows,
        "",
        f"PostgreSQL / SQLite: {share[0]:.0%} on the repeated question, {share[1]:.0%} on new "
        "ones (target: at least 50%).",
    ]


async def run(args: argparse.Namespace) -> str:
    folder = Path(tempfile.mkdtemp(prefix="ballotbot-bench-"))
    out = [
        f"Fan-out of one result to {args.channels:,} channels (half Slack, half Discord):",
        "",
        "| dispatcher processes | elapsed | minimum under the limits | over | duplicates "
        "| lost | 429s (Slack / Discord) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    with postgres() as url:
        if "fanout" in args.parts:
            for count in args.processes:
                out.append(await fanout(url, args.channels, count, folder))
        else:
            out = []
        if "slack" in args.parts:
            out += [
                "",
                "Slack `/ballot kirklees` through nginx, concurrency 20:",
                "",
                "| Slack processes | requests | requests/s | p50 ms | p99 ms |",
                "| ---: | ---: | ---: | ---: | ---: |",
            ]
            for count in (1, 3):
                out.append(await slack_through_nginx(url, count, args.requests, folder))
        if "databases" in args.parts:
            out += ["", *await databases(url, args, folder / "compare")]
    shutil.rmtree(folder, ignore_errors=True)
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--ballots", type=int, default=5_000)
    parser.add_argument("--employers", type=int, default=1_000)
    parser.add_argument(
        "--parts", nargs="+", default=["fanout", "slack", "databases"],
        choices=["fanout", "slack", "databases"],
    )  # fmt: skip
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
