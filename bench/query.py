"""Benchmark: `/ballot <search>` through the core handler on 50,000 ballots / 5,000 employers.

Run by hand: ``python -m bench.query [--ballots N] [--employers N] [--queries N]``.
It prints Markdown for bench/RESULTS.md: the index's build time and memory, then per kind of
query (a name with a typo; a union and a place; a union, employer, kind and year; facets alone;
generic words; queries of up to 500 characters) the p50/p99/max latency of the core handler
(every query new: the reply cache is emptied before each), the same for ``SearchIndex.find``
alone (it runs synchronously: its max is the longest a search holds the event loop), and what
came back: the right card (one that shows what the query named), another ballot's card, a
list to pick from, or no match.
The typo queries are also timed against a naive baseline (difflib over every ballot's employer)
in the same run. Only the core's public API is used, so the same script measures any version of
the search (``bench/RESULTS.md`` has the figures before and after issue 13, same machine, same
run).
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
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.compose import open_app
from bench.dataset import make_ballots, typo
from bot.config import Settings
from bot.domain import Ballot
from bot.requests import Request
from bot.search import SearchIndex

MAX_QUERY = 500
_KIND_WORDS = {"strike": "strike", "consultative": "consultative", "pay_offer": "pay offer"}
_MONTHS = "january february march april may june july august september october november december"


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _place(ballot: Ballot) -> str:
    return ballot.area or ballot.employer.split()[0]


Expect = dict[str, str | int]
"""What the card must show, so the query was answered and not another: employer, union (an
acronym), kind, year. Empty: any card is as good (a place several employers share)."""


def query_sets(
    ballots: list[Ballot], n: int, seed: int = 11
) -> dict[str, list[tuple[str, Expect]]]:
    """Queries as members type them, each with what its card must show."""
    rng = random.Random(seed)
    vocabulary = sorted({w for b in ballots[:5000] for w in b.employer.lower().split()})

    def long(b: Ballot) -> tuple[str, Expect]:
        """A name lost in pasted text, or pasted text alone, cut at 500 characters."""
        union = b.unions[0]
        match rng.randrange(4):
            case 0:
                words = [b.employer] + [rng.choice(vocabulary) for _ in range(120)]
                expect: Expect = {"employer": b.employer}
            case 1:
                words, expect = [union, _place(b)] * 60, {"union": union}
            case 2:
                letters = "abcdefghijklmnopqrstuvwxyz"
                words, expect = ["".join(rng.choice(letters) for _ in range(MAX_QUERY))], {}
            case _:
                year = rng.randrange(2010, 2026)
                words = [f"{union} strike {year}"] * 30
                expect = {"union": union, "kind": "strike", "year": year}
        return " ".join(words)[:MAX_QUERY], expect

    sets: dict[str, list[tuple[str, Expect]]] = {
        "name with a typo": [],
        "union + place": [],
        "union + employer + kind + year": [],
        "facets only": [],
        "generic words": [],
        "up to 500 characters": [],
    }
    for _ in range(n):
        b = rng.choice(ballots)
        union = b.unions[0]
        kind = b.questions[0].kind.value
        said = _KIND_WORDS[kind]
        year = b.closes.year if b.closes else 2020
        month = _MONTHS.split()[(b.closes.month or 1) - 1] if b.closes else "may"
        sets["name with a typo"].append((typo(b.employer, rng), {"employer": b.employer}))
        sets["union + place"].append((f"{union.lower()} {_place(b).lower()}", {"union": union}))
        sets["union + employer + kind + year"].append(
            (
                f"{union.lower()} {b.employer.lower()} {said} {year}",
                {"employer": b.employer, "union": union, "kind": kind, "year": year},
            )
        )
        facets = rng.choice(
            [
                (f"{union} {said} {year}", {"union": union, "kind": kind, "year": year}),
                (f"{union} {month} {year}", {"union": union, "year": year}),
                (f"{said} {year}", {"kind": kind, "year": year}),
                (union, {"union": union}),
            ]
        )
        sets["facets only"].append((facets[0].lower(), facets[1]))  # type: ignore[arg-type]  # an Expect
        generic = rng.choice(
            [
                ("council", {}),
                ("university", {}),
                ("nhs trust", {}),
                ("city", {}),
                (f"{union.lower()} college", {"union": union}),
            ]
        )
        sets["generic words"].append(generic)  # type: ignore[arg-type]  # dict literals: each an Expect
        sets["up to 500 characters"].append(long(b))
    return sets


def _holds(ballot: dict[str, Any], expect: Expect) -> bool:
    """Does the card's ballot show what the query named?"""
    if "employer" in expect and ballot["employer"] != expect["employer"]:
        return False
    if "union" in expect and expect["union"] not in ballot["unions"]:
        return False
    if "kind" in expect and expect["kind"] not in {q["kind"] for q in ballot["questions"]}:
        return False
    if "year" in expect:
        years = {int(ballot[d][:4]) for d in ("opens", "closes", "announced") if ballot[d]}
        if expect["year"] not in years:
            return False
    return True


def _outcome(kind: str, data: dict[str, Any], expect: Expect) -> str:
    if kind == "ballot":
        return "right card" if _holds(data["ballot"], expect) else "another ballot's card"
    return {"choices": "choices", "campaign": "campaign card"}.get(kind, "no match")


async def run(n_ballots: int, n_employers: int, n_queries: int, n_baseline: int) -> str:
    ballots = make_ballots(n_ballots, n_employers)
    sets = query_sets(ballots, n_queries)
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
            entries = await app.store.catalog()
            started = time.perf_counter()
            SearchIndex(entries)
            index_only_s = time.perf_counter() - started
            gc.collect()
            tracemalloc.start()
            held = SearchIndex(entries)
            held_bytes, peak_bytes = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            del held, entries
            gc.collect()

            rows = []
            outcomes: dict[str, Counter[str]] = {}
            for name, queries in sets.items():
                core_ms, search_ms = [], []
                outcomes[name] = Counter()
                for query, expect in queries:
                    t0 = time.perf_counter()
                    index.find(query)  # the synchronous part: what holds the event loop
                    search_ms.append((time.perf_counter() - t0) * 1000)
                    app.core._replies.clear()  # every query new: the reply cache never helps
                    t0 = time.perf_counter()
                    reply = await app.core.handle(
                        Request(text=query)
                    )  # as Slack and Discord send it
                    core_ms.append((time.perf_counter() - t0) * 1000)
                    outcomes[name][_outcome(reply.kind, reply.data, expect)] += 1
                rows.append(
                    f"| {name} | {len(core_ms)} | {statistics.median(core_ms):.2f} | "
                    f"{_pct(core_ms, 0.99):.2f} | {max(core_ms):.2f} | "
                    f"{statistics.median(search_ms):.2f} | {_pct(search_ms, 0.99):.2f} | "
                    f"{max(search_ms):.2f} | "
                    + ", ".join(f"{k} {v}" for k, v in outcomes[name].most_common())
                    + " |"
                )

            everything = await app.store.all_ballots()
            naive_names = [b.employer.lower() for b in everything]
            naive_ids = [b.id for b in everything]
            base_ms, base_hits = [], 0
            for query, expect in sets["name with a typo"][:n_baseline]:
                t0 = time.perf_counter()
                best = difflib.get_close_matches(query, naive_names, n=1, cutoff=0.6)
                ballot = None
                if best:
                    ballot = await app.store.get(naive_ids[naive_names.index(best[0])])
                base_ms.append((time.perf_counter() - t0) * 1000)
                base_hits += ballot is not None and ballot.employer == expect["employer"]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join(
        [
            f"Data: {n_ballots:,} ballots, {n_employers:,} employers, {len(index):,} distinct "
            f"names; loaded in {load_s:.1f} s. Index: built in {build_s * 1000:.0f} ms "
            f"through the core (catalog read included), {index_only_s * 1000:.0f} ms from the "
            f"catalog rows; {held_bytes / 2**20:.1f} MiB held, peak {peak_bytes / 2**20:.1f} MiB "
            f"while building. Process peak RSS {rss_mb:.0f} MiB.",
            "",
            "| queries | n | core p50 ms | core p99 ms | core max ms | search p50 ms | "
            "search p99 ms | search max ms (holds the loop) | replies |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            *rows,
            f"| baseline: difflib over every ballot (typo queries) | {len(base_ms)} | "
            f"{statistics.median(base_ms):.2f} | {_pct(base_ms, 0.99):.2f} | {max(base_ms):.2f} | "
            f"— | — | — | found the meant employer {100 * base_hits / max(1, len(base_ms)):.0f}% |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--baseline-queries", type=int, default=50)
    args = parser.parse_args()
    print(asyncio.run(run(args.ballots, args.employers, args.queries, args.baseline_queries)))


if __name__ == "__main__":
    main()
