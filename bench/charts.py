"""Benchmark: drawing result cards, cold and cached, and the memory drawing adds.

Run by hand: ``python -m bench.charts [--cards N]``. Cold: each card has new figures, so it is
drawn (after one warm-up that pays matplotlib's import). Cached: the same cards again, read
from the cache folder. Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import date
from pathlib import Path

from bench.dataset import make_ballots
from bot.charts import PictureCache, picture_for
from bot.verdicts import rule_table, verdict_for


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"{statistics.median(values):.1f} | {p99:.1f}"


def run(cards: int) -> str:
    table = rule_table([])
    ballots = make_ballots(2 * cards + 1, max(2, cards))
    day = date(2026, 11, 22)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    picture_for(ballots[0], day)  # pays matplotlib's import once
    first_ms = (time.perf_counter() - started) * 1000
    with tempfile.TemporaryDirectory() as folder:
        cache = PictureCache(Path(folder))
        judged = [(b, verdict_for(b, b.questions[0], table)) for b in ballots[1:]]
        work, traced = judged[:cards], judged[cards:]
        cold = []
        for ballot, verdict in work:
            t0 = time.perf_counter()
            picture_for(ballot, day, verdict, cache)
            cold.append((time.perf_counter() - t0) * 1000)
        tracemalloc.start()  # a separate pass: tracing slows drawing several times over
        for ballot, verdict in traced:
            picture_for(ballot, day, verdict, cache)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        cached = []
        for ballot, verdict in work:
            t0 = time.perf_counter()
            picture_for(ballot, day, verdict, cache)
            cached.append((time.perf_counter() - t0) * 1000)
        changed = replace(work[0][0], eligible=(work[0][0].eligible or 0) + 1)
        t0 = time.perf_counter()
        picture_for(changed, day, work[0][1], cache)
        changed_ms = (time.perf_counter() - t0) * 1000
    rss_added = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    return "\n".join(
        [
            f"{cards} result cards, 800 x 450 px; first picture of the process (matplotlib's "
            f"import) {first_ms:.0f} ms; one changed figure redrawn in {changed_ms:.0f} ms.",
            "",
            "| path | p50 ms | p99 ms |",
            "| --- | --- | --- |",
            f"| cold (drawn, then written to the cache) | {_ms(cold)} |",
            f"| cached (read back from the cache folder) | {_ms(cached)} |",
            "",
            f"Memory: peak {peak / 2**20:.1f} MiB traced while drawing; the process grew by "
            f"{rss_added:.0f} MiB (matplotlib and its fonts included).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=50)
    print(run(parser.parse_args().cards))


if __name__ == "__main__":
    main()
