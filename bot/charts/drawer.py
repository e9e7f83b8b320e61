"""Pictures drawn in a process of their own, one at a time.

Drawing a chart is tens of milliseconds of matplotlib, much of it inside C code that keeps
Python's interpreter lock. On a thread of the bot's process that lock is shared with the event
loop, which then waits for it at every socket read and write: a burst of ``chart`` requests
stalled every member's answer. In a separate process the loop shares nothing with it.

One worker process (``spawn``: a clean interpreter, never a fork of a threaded one), started
at the first picture and kept; it draws with matplotlib's object-oriented ``Figure`` API, one
picture at a time. Only the chart's figures go over (:mod:`bot.charts.data`, small frozen
dataclasses) and only the PNG and what was drawn come back. A worker that died is replaced
once; a second failure is raised to the caller.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.charts.data import ResultChart, ThermometerChart
from bot.charts.render import Picture, render_result, render_thermometer

Chart = ResultChart | ThermometerChart


def render(chart: Chart) -> Picture:
    """Draw ``chart`` here, in this process (what the worker runs)."""
    if isinstance(chart, ResultChart):
        return render_result(chart)
    return render_thermometer(chart)


class Drawer:
    """Draws charts in the worker process; ``render`` blocks its caller (a thread) meanwhile."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def render(self, chart: Chart) -> Picture:
        try:
            return self._worker().submit(render, chart).result()
        except BrokenProcessPool:
            self._replace()
            return self._worker().submit(render, chart).result()

    def _worker(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(1, mp_context=context)
            return self._pool

    def _replace(self) -> None:
        with self._lock:
            broken, self._pool = self._pool, None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the worker (it is also stopped when the process exits)."""
        self._replace()


DRAWER = Drawer()
"""The process's one drawer."""
