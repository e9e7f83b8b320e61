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
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import os
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
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import insert, text

from adapters.compose import open_app
from bench.fanout import discord_limits, slack_limits, subscription_rows
from bot.announce.model import Announce
from bot.config import Settings
from bot.demo import DEMO_BALLOTS
from storage.models import SubscriptionRow
from tests.conftest import _as_server_user, _find_bindir, _free_port
from tests.deployment.conftest import (
    BotProcess,
    process_env,
    start_nginx,
    write_configs,
)
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import SIGNING_SECRET, FakeSlack


@contextmanager
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL server on loopback; yields a database URL."""
    bindir = _find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries are needed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="ballotbot-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    data, port = root / "data", _free_port()
    subprocess.run(
        _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A",
                         "trust", "-E", "UTF8", "--no-locale", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off -c max_connections=200"
    subprocess.run(
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
                         "-o", options, "-w", "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE bench")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench?application_name=bench"
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
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


def _signed() -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "team_id": "T0BENCH", "channel_id": "C0BENCH", "user_id": "U0BENCH",
            "command": "/ballot", "text": "kirklees",
            "response_url": "http://127.0.0.1:9/unused", "trigger_id": f"b.{next(_triggers)}",
        }
    )  # fmt: skip
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
    return body.encode(), headers


async def load(url: str, n: int, concurrency: int = 20) -> tuple[float, float, float]:
    latencies: list[float] = []
    todo = iter(range(n))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as s:

        async def worker() -> None:
            for _ in todo:
                body, headers = _signed()
                t0 = time.perf_counter()
                async with s.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                if response.status != 200 or b"Kirklees" not in answer:
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
        for count in args.processes:
            out.append(await fanout(url, args.channels, count, folder))
        out += [
            "",
            "Slack `/ballot kirklees` through nginx, concurrency 20:",
            "",
            "| Slack processes | requests | requests/s | p50 ms | p99 ms |",
            "| ---: | ---: | ---: | ---: | ---: |",
        ]
        for count in (1, 3):
            out.append(await slack_through_nginx(url, count, args.requests, folder))
    shutil.rmtree(folder, ignore_errors=True)
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--requests", type=int, default=2000)
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
