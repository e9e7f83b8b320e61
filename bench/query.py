"""Benchmark: `/ballot <name with a typo>` through the core handler on 50,000 ballots.

Run by hand: ``python -m bench.query [--ballots N] [--employers N] [--queries N]``.
It prints a Markdown table for bench/RESULTS.md: p50/p99 latency and peak memory of the core,
beside a naive baseline (difflib over every ballot's employer) in the same run, plus how often
each found the employer the member meant.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import gc
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.dataset import make_ballots, typo
from bot.app import open_app
from bot.config import Settings
from bot.requests import Request
from bot.search import SearchIndex


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(n_ballots: int, n_employers: int, n_queries: int, n_baseline: int) -> str:
    ballots = make_ballots(n_ballots, n_employers)
    rng = random.Random(11)
    targets = [rng.choice(ballots).employer for _ in range(n_queries)]
    queries = [typo(name, rng) for name in targets]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings()
        settings.database.url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with open_app(settings, load_demo=False) as app:
            started = time.perf_counter()
            for i in range(0, len(ballots), 5_000):
                await app.store.save(ballots[i : i + 5_000])
            load_s = time.perf_counter() - started
            del ballots  # a running bot holds no such list: keep it out of the measurements
            gc.collect()

            started = time.perf_counter()
            index = await app.core.index()
            build_s = time.perf_counter() - started
            tracemalloc.start()
            entries = await app.store.catalog()
            SearchIndex(entries)
            del entries
            _, index_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()

            core_ms, core_hits = [], 0
            outcomes = {"right ballot": 0, "another ballot": 0, "choices": 0, "no match": 0}
            for query, target in zip(queries, targets, strict=True):
                t0 = time.perf_counter()
                reply = await app.core.handle(Request(text=f"/ballot {query}"))
                core_ms.append((time.perf_counter() - t0) * 1000)
                right = reply.kind == "ballot" and target in reply.header
                core_hits += right
                if reply.kind == "ballot":
                    outcomes["right ballot" if right else "another ballot"] += 1
                else:
                    outcomes["choices" if reply.kind == "choices" else "no match"] += 1

            everything = await app.store.all_ballots()
            naive_names = [b.employer.lower() for b in everything]
            naive_ids = [b.id for b in everything]
            base_ms, base_hits = [], 0
            for query, target in list(zip(queries, targets, strict=True))[:n_baseline]:
                t0 = time.perf_counter()
                best = difflib.get_close_matches(query, naive_names, n=1, cutoff=0.6)
                ballot = None
                if best:
                    ballot = await app.store.get(naive_ids[naive_names.index(best[0])])
                base_ms.append((time.perf_counter() - t0) * 1000)
                base_hits += ballot is not None and ballot.employer == target
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join(
        [
            f"Data: {n_ballots:,} ballots, {n_employers:,} employers, {len(index):,} distinct "
            f"names; loaded in {load_s:.1f} s; index built in {build_s * 1000:.0f} ms "
            f"(peak {index_peak / 2**20:.1f} MiB while building). Process peak RSS "
            f"{rss_mb:.0f} MiB.",
            "",
            "| path | queries | p50 ms | p99 ms | max ms | found the meant employer |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| core handler (rapidfuzz, distinct names) | {len(core_ms)} | "
            f"{statistics.median(core_ms):.2f} | {_pct(core_ms, 0.99):.2f} | {max(core_ms):.2f} | "
            f"{100 * core_hits / len(core_ms):.1f}% |",
            f"| naive baseline (difflib over every ballot) | {len(base_ms)} | "
            f"{statistics.median(base_ms):.2f} | {_pct(base_ms, 0.99):.2f} | {max(base_ms):.2f} | "
            f"{100 * base_hits / max(1, len(base_ms)):.1f}% |",
            "",
            "Core replies: " + ", ".join(f"{k} {v}" for k, v in outcomes.items()) + ".",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--baseline-queries", type=int, default=100)
    args = parser.parse_args()
    print(asyncio.run(run(args.ballots, args.employers, args.queries, args.baseline_queries)))


if __name__ == "__main__":
    main()
