"""Benchmark: what one Slack slash command costs the database, statement by statement.

Run by hand: ``python -m bench.slack_statements [--requests N]``.

The real Slack adapter (bolt, signature check) with the real core on a SQLite database of
2,000 synthetic ballots (``bench/dataset.py``), wired as ``ballotbot run`` wires it
(``first_time`` included), answers ``--requests`` signed ``/ballot`` commands, each a new
question with its own trigger id, posted over loopback. Every SQL statement the database
receives meanwhile is counted by kind (SQLAlchemy's ``before_cursor_execute``), after one
warm-up request that builds the index.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event


async def run(n: int) -> str:
    from adapters.compose import open_app
    from adapters.slack.app import SlackAdapter, SlackSecrets
    from bench.slack_http import _signed
    from bot.config import Settings, SlackSettings
    from tests.fakes.slack_api import BOT_TOKEN, FakeSlack

    secret = "bench-signing-secret"
    from bench.dataset import make_ballots, typo

    ballots = make_ballots(2_000, 400)
    rng = random.Random(9)
    asked: dict[str, None] = {}
    while len(asked) < n:  # distinct typos: never an answer from the reply cache
        asked[typo(rng.choice(ballots).employer, rng)] = None
    texts = ["kirklees", *asked]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings()
        settings.database.url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings.charts.cache_dir = str(Path(folder) / "charts")
        async with FakeSlack() as slack, open_app(settings, load_demo=True) as app:
            await app.store.save(ballots)
            slack_settings = SlackSettings(enabled=True, mode="http", port=0, api_url=slack.api_url)
            adapter = SlackAdapter(
                app.core,
                slack_settings,
                SlackSecrets(BOT_TOKEN, secret),
                first_time=app.first_time,
                ready=app.ready,
            )
            await adapter.start()
            counts: Counter[str] = Counter()

            def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                counts[statement.split(None, 1)[0].upper()] += 1

            import aiohttp

            async with aiohttp.ClientSession() as session:
                for i, text in enumerate(texts):
                    if i == 1:  # after the warm-up request
                        event.listen(app.engine.sync_engine, "before_cursor_execute", count)
                    body, headers = _signed(text, i)
                    async with session.post(adapter.url, data=body, headers=headers) as answer:
                        assert answer.status == 200, await answer.text()
                    await asyncio.sleep(0)
            event.remove(app.engine.sync_engine, "before_cursor_execute", count)
            await adapter.stop()
    per = {kind: total / n for kind, total in sorted(counts.items())}
    writes = sum(v for k, v in per.items() if k in ("INSERT", "UPDATE", "DELETE"))
    return (
        f"{n} slash commands, each a new question (an employer's name with a typo): per request "
        + ", ".join(f"{kind} {value:.2f}" for kind, value in per.items())
        + f"; writes per request: {writes:.2f}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(asyncio.run(run(args.requests)))


if __name__ == "__main__":
    main()
