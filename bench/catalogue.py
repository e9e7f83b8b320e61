"""Benchmark: a big catalogue through the ``ballotbot`` command, as an organiser runs it.

Run by hand: ``python -m bench.catalogue [--ballots N] [--employers N] [--asks N]``.

1. ``--ballots`` synthetic ballots (``bench/dataset.py``) are written as the CSV export
   writes them (``bot.imports.exports``), in this process, before any clock starts.
2. ``ballotbot import`` of that file into an empty SQLite database, in a child process as a
   user runs it (announcing, the default: no channel follows anything, so nothing is queued):
   wall time and the child's peak RSS (``wait4``). Baseline in the same run: ``sqlite3``'s
   ``executemany`` of the same rows into one table, no checks (the floor of any import).
3. ``ballotbot ask <typo>`` one-shot on that database, ``--asks`` times, each a new process
   and a new question: wall and CPU time from start to exit, and peak RSS. The first ask
   after the import may build what later ones reuse, so it is shown apart. Baseline: ``python -c
   pass`` and ``python -c "import adapters.cli"`` (the interpreter, and our imports alone).

Targets (issue 18): import of 50,000 ballots under 5 s and 200 MB; ``ask`` under 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.dataset import make_ballots, typo
from bot.domain import Ballot
from bot.imports.exports import export_ballots


class _Listed:
    """Enough of a store for the exporter: the ballots as given."""

    def __init__(self, ballots: list[Ballot]) -> None:
        self._ballots = ballots

    async def all_ballots(self) -> list[Ballot]:
        return self._ballots


def _measure(command: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS (MiB), CPU seconds (user + system) and output of ``command``,
    run through a fresh Python that reports only its own child's, so earlier children never
    inflate them. CPU seconds are the figure to compare when the machine is shared: wall
    time then includes waiting for a core."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "t = time.perf_counter() - t\n"
        "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "rss, cpu = used.ru_maxrss / 1024, used.ru_utime + used.ru_stime\n"
        "sys.stderr.write(done.stderr)\n"
        "print(f'{t} {rss} {cpu} {done.returncode}')\n"
        "print(done.stdout)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], cwd=cwd, capture_output=True, text=True
    )
    first, _, output = done.stdout.partition("\n")
    seconds, rss, cpu, code = first.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(command[:5])}... failed ({code}): {done.stderr[-2000:]}")
    return float(seconds), float(rss), float(cpu), output


def _floor(rows: list[list[str]], folder: Path) -> float:
    """The same rows into one SQLite table with ``executemany``, no checks: the floor."""
    database = folder / "floor.db"
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    width = len(rows[0])
    connection.execute(f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(width))})")
    with connection:
        connection.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})", rows[1:])
    connection.close()
    return time.perf_counter() - started


def run(n_ballots: int, n_employers: int, n_asks: int, code: Path) -> str:
    ballots = make_ballots(n_ballots, n_employers)
    text = asyncio.run(export_ballots(_Listed(ballots), "csv"))  # type: ignore[arg-type]
    rng = random.Random(3)
    questions = [typo(rng.choice(ballots).employer, rng) for _ in range(n_asks)]
    del ballots
    ballotbot = [sys.executable, "-m", "adapters.cli"]
    root = code.resolve()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        csv_file = folder / "ballots.csv"
        csv_file.write_text(text, encoding="utf-8")
        size = csv_file.stat().st_size
        rows = list(csv.reader(io.StringIO(text)))
        floor_s = _floor(rows, folder)
        del rows, text
        url = f"sqlite+aiosqlite:///{folder / 'ballotbot.db'}"
        os.environ["PYTHONPATH"] = str(root)  # the children import this checkout
        import_s, import_rss, import_cpu, printed = _measure(
            [*ballotbot, "--database", url, "import", str(csv_file)], folder
        )
        asks = [
            _measure([*ballotbot, "--database", url, "ask", question], folder)
            for question in questions
        ]
        python_s, python_rss, python_cpu, _ = _measure([sys.executable, "-c", "pass"], folder)
        imports = _measure([sys.executable, "-c", "import adapters.cli"], folder)
    ask_s = [a[0] for a in asks]
    ask_rss = [a[1] for a in asks]
    ask_cpu = [a[2] for a in asks]
    imported = printed.strip().splitlines()[0] if printed.strip() else ""
    return "\n".join(
        [
            f"Data: {n_ballots:,} ballots ({n_employers:,} employers), one CSV row each "
            f"({size / 2**20:.1f} MiB), into SQLite; each command a new process.",
            "",
            f"Code: `{root}`.",
            "",
            "| command | wall s | CPU s | peak RSS MiB |",
            "| --- | ---: | ---: | ---: |",
            f"| `ballotbot import` ({imported}) | {import_s:.2f} | {import_cpu:.2f} | "
            f"{import_rss:.0f} |",
            f"| floor: sqlite3 executemany of the same rows, no checks | {floor_s:.2f} | — | — |",
            f"| `ballotbot ask <typo>` one-shot: first, then median of the rest | "
            f"{ask_s[0]:.2f}, {statistics.median(ask_s[1:] or ask_s):.2f} | "
            f"{ask_cpu[0]:.2f}, {statistics.median(ask_cpu[1:] or ask_cpu):.2f} | "
            f"{ask_rss[0]:.0f}, {max(ask_rss[1:] or ask_rss):.0f} |",
            f"| `python -c pass` | {python_s:.2f} | {python_cpu:.2f} | {python_rss:.0f} |",
            f"| `python -c 'import adapters.cli'` | {imports[0]:.2f} | {imports[2]:.2f} | "
            f"{imports[1]:.0f} |",
            "",
            f"Targets: import under 5 s and 200 MB: "
            f"{'met' if import_s < 5 and import_rss < 200 else 'NOT met'}; "
            f"one-shot ask under 1.5 s: "
            f"{'met' if statistics.median(ask_s[1:] or ask_s) < 1.5 else 'NOT met'} (wall, "
            "the runs after the first).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--asks", type=int, default=5)
    parser.add_argument(
        "--code",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the checkout whose ballotbot to run (another version, for a before/after)",
    )
    args = parser.parse_args()
    print(run(args.ballots, args.employers, args.asks, args.code))


if __name__ == "__main__":
    main()
