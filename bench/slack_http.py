"""Benchmark: Slack HTTP mode, signed ``/ballot <query>`` at concurrency 20, 50,000 ballots.

Run by hand: ``python -m bench.slack_http [--ballots N] [--requests N] [--concurrency N]``.

Every request of the main rounds asks a question never asked before in the run: a name with a
typo or several words (a union, an employer, a kind and a year; a union and a place), drawn as
``bench/query.py`` draws them, so the core's reply cache never answers. A separate round
repeats one question (``--text``, ``kirklees``), which the reply cache answers: kept apart, it
shows what the cache buys and is not counted in the target.

Three servers run in one child process, on loopback, same machine, same run:

- **ballotbot**: the real Slack adapter (bolt AsyncApp, signature check, the core answering
  from a SQLite database of ``--ballots`` synthetic ballots plus the demo ones, Block Kit
  rendering) answering in the acknowledgement;
- **adapter**: the same adapter whose core answer is computed once (the adapter's own cost);
- **bare**: a bolt AsyncApp with the same settings (signature check on, same aiohttp server)
  whose ``/ballot`` listener only acknowledges.

The load generator runs in this (parent) process so its own cost is not charged to either
server. Rounds alternate bare / ballotbot to spread out noise from the machine. Prints a
Markdown table: requests per second, p50 and p99 latency, and ballotbot's share of the bare
app's throughput (issue 18's target: at least 80% on new questions, p99 under 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.support.slack_requests import signed_headers

SECRET = "bench-signing-secret"
SERVERS = ("bare", "adapter", "ballotbot")
"""bare: bolt acknowledging only; adapter: our adapter, core answer precomputed; ballotbot:
our adapter and the real core on the database."""
TOKEN = "xoxb-bench"


# --- the child: two servers ------------------------------------------------------------------


async def _serve(n_ballots: int, n_employers: int) -> None:
    from slack_bolt.async_app import AsyncApp

    from adapters.compose import open_app
    from adapters.slack.app import SlackAdapter, SlackSecrets
    from adapters.slack.http import EventsServer
    from adapters.slack.sender import web_client
    from bench.dataset import make_ballots
    from bot.config import Settings, SlackSettings
    from bot.demo import DEMO_BALLOTS
    from bot.replies import Reply
    from bot.requests import Request
    from tests.fakes.slack_api import BOT_TOKEN, FakeSlack

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings()
        settings.database.url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with FakeSlack() as slack, open_app(settings, load_demo=False) as app:
            ballots = [*DEMO_BALLOTS, *make_ballots(n_ballots, n_employers)]
            for i in range(0, len(ballots), 5_000):
                await app.store.save(ballots[i : i + 5_000])
            await app.core.index()  # built once at start, as in production after the first ask

            slack_settings = SlackSettings(enabled=True, mode="http", port=0, api_url=slack.api_url)
            adapter = SlackAdapter(app.core, slack_settings, SlackSecrets(BOT_TOKEN, SECRET))
            await adapter.start()

            # The adapter's own cost: the same adapter, the core's answer computed once.
            canned_reply = await app.core.handle(Request(text="kirklees", platform="slack"))

            class Canned:
                async def handle(self, request: Request) -> Reply:
                    return canned_reply

            canned = SlackAdapter(Canned(), slack_settings, SlackSecrets(BOT_TOKEN, SECRET))
            await canned.start()

            bare = AsyncApp(
                client=web_client(BOT_TOKEN, slack.api_url),
                signing_secret=SECRET,
                process_before_response=True,
            )

            @bare.command("/ballot")
            async def only_ack(ack: Any) -> None:
                await ack()

            bare_server = EventsServer(bare)
            await bare_server.start("127.0.0.1", 0)
            count = await app.store.count()
            urls = {"ballotbot": adapter.url, "adapter": canned.url, "bare": bare_server.url}
            print(json.dumps({**urls, "ballots": count}))
            sys.stdout.flush()
            # Serve until the parent closes our stdin.
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            await bare_server.stop()
            await canned.stop()
            await adapter.stop()


# --- the parent: load ------------------------------------------------------------------------


def _signed(text: str, trigger: int = 0) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "team_id": "T0BENCH",
            "channel_id": "C0BENCH",
            "user_id": "U0BENCH",
            "command": "/ballot",
            "text": text,
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": f"1.2.{trigger}",
        }
    )
    return body.encode(), signed_headers(body, secret=SECRET)


def new_questions(n: int, n_ballots: int, n_employers: int, seed: int = 11) -> list[str]:
    """``n`` distinct questions as members type them, none asked twice: names with a typo,
    and several words (union + employer + kind + year; union + place), taken in turn from
    :func:`bench.query.query_sets` over the same synthetic catalogue as the server's."""
    from bench.dataset import make_ballots
    from bench.query import query_sets

    kinds = ("name with a typo", "union + employer + kind + year", "union + place")
    ballots = make_ballots(n_ballots, n_employers)
    seen: set[str] = set()
    questions: list[str] = []
    while len(questions) < n:
        sets = query_sets(ballots, n, seed=seed)
        for row in zip(*(sets[kind] for kind in kinds), strict=True):
            for query, _ in row:
                if query not in seen:
                    seen.add(query)
                    questions.append(query)
        seed += 1
    return questions[:n]


Signed = list[tuple[bytes, dict[str, str]]]


async def _load(url: str, requests: Signed, concurrency: int) -> dict[str, float]:
    """Post every signed request from ``concurrency`` workers; every answer must be a 200."""
    latencies: list[float] = []
    sizes: list[int] = []
    remaining = iter(requests)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for body, headers in remaining:
                t0 = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status != 200:
                    raise RuntimeError(f"{url} answered {response.status}: {answer[:200]!r}")
                sizes.append(len(answer))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(requests) / elapsed,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "bytes": statistics.median(sizes),
    }


async def _first_answer(url: str, text: str) -> dict[str, Any]:
    body, headers = _signed(text)
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return dict(await response.json())


def _start_servers(args: argparse.Namespace) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """The child process with the servers; it answers with their URLs once they listen."""
    command = [sys.executable, "-m", "bench.slack_http", "--serve"]
    command += ["--ballots", str(args.ballots), "--employers", str(args.employers)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    return child, json.loads(child.stdout.readline())


def _table(rounds: dict[str, list[dict[str, float]]]) -> list[str]:
    lines = [
        "| server | requests/s | p50 ms | p99 ms (worst round) | response bytes (median) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, results in rounds.items():
        lines.append(
            f"| {name} | {statistics.fmean(r['rps'] for r in results):,.0f} | "
            f"{statistics.fmean(r['p50'] for r in results):.1f} | "
            f"{max(r['p99'] for r in results):.1f} | "
            f"{statistics.median(r['bytes'] for r in results):,.0f} |"
        )
    return lines


async def run(args: argparse.Namespace, urls: dict[str, Any]) -> str:
    answer = await _first_answer(urls["ballotbot"], args.text)
    header = answer["blocks"][0]["text"]["text"]
    n = args.rounds * args.requests
    # Signed before the clock starts: the load generator's own work stays out of the rates.
    asked = new_questions(args.warmup + n, args.ballots, args.employers)
    signed = [_signed(text, i) for i, text in enumerate(asked)]
    warmup, fresh = signed[: args.warmup], signed[args.warmup :]
    for name in SERVERS:  # connections, code paths; the questions differ from the rounds'
        await _load(urls[name], warmup, args.concurrency)
    new: dict[str, list[dict[str, float]]] = {name: [] for name in SERVERS}
    for r in range(args.rounds):
        # Each server gets the same questions, each new to it (its own reply cache).
        batch = fresh[r * args.requests : (r + 1) * args.requests]
        for name in SERVERS:
            new[name].append(await _load(urls[name], batch, args.concurrency))
    repeated_request = [_signed(args.text, i) for i in range(args.requests)]
    repeated: dict[str, list[dict[str, float]]] = {name: [] for name in SERVERS}
    for name in SERVERS:
        repeated[name].append(await _load(urls[name], repeated_request, args.concurrency))

    def mean(rounds: dict[str, list[dict[str, float]]], name: str) -> float:
        return statistics.fmean(r["rps"] for r in rounds[name])

    ratio = mean(new, "ballotbot") / mean(new, "bare")
    adapter_ratio = mean(new, "adapter") / mean(new, "bare")
    repeated_ratio = mean(repeated, "ballotbot") / mean(repeated, "bare")
    p99 = max(r["p99"] for r in new["ballotbot"])
    verdict = "met" if ratio >= 0.80 and p99 < 50 else "NOT met"
    return "\n".join(
        [
            f"Data: {urls['ballots']:,} ballots in SQLite. Concurrency {args.concurrency}, "
            f"loopback, load generator in a separate process, {args.warmup} warm-up requests "
            "per server.",
            "",
            f"New questions: {args.rounds} rounds of {args.requests:,} signed requests per "
            "server, every one a question not asked before in the run (names with a typo, "
            "union + employer + kind + year, union + place, in turn):",
            "",
            *_table(new),
            "",
            f"ballotbot / bare on new questions: {ratio:.0%}; p99 {p99:.1f} ms. Target (>= 80%, "
            f"p99 < 50 ms): {verdict}. The adapter alone (core answer precomputed) runs at "
            f"{adapter_ratio:.0%} of bare.",
            "",
            f"Repeated question, kept apart (`/ballot {args.text}` answered “{header}”, "
            f"{args.requests:,} times; the core's reply cache answers all but the first):",
            "",
            *_table(repeated),
            "",
            f"ballotbot / bare on the repeated question: {repeated_ratio:.0%}.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--text", default="kirklees")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.ballots, args.employers))
        return
    child, urls = _start_servers(args)
    try:
        print(asyncio.run(run(args, urls)))
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


if __name__ == "__main__":
    main()
