"""A progress bar on a terminal for long work (an import, the announcements it queues),
drawn with rich.

Drawn only when the console is a terminal (a pipe, a file or a test sees nothing of it) and
only once the work has run for :data:`AFTER_SECONDS`: a quick import prints what it always
printed. The bar is transient: when the work ends it is wiped and the usual summary follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

AFTER_SECONDS = 1.0
"""Work shorter than this shows no bar."""


class TerminalProgress:
    """``async with TerminalProgress(console, "Checking ballots.csv", "Storing",
    "Queuing announcements") as bar:``, then ``bar(done, total)`` (a
    :data:`bot.ports.Progress`) as the work goes: the first label with a spinner until counts
    come, then the next with a bar. A new stage of counts (another total, or a count that
    starts again) moves on to the next label, while there is one. While open it redraws
    itself, so a step that reports nothing (a file read in a thread) still shows.

    Labels are shown as plain text (never rich markup): a file name is data.
    """

    def __init__(
        self, console: Console, label: str, *counting: str, after: float = AFTER_SECONDS
    ) -> None:
        self._console = console
        self._label = label
        self._stages = counting
        self._stage = -1
        self._after = after
        self._started = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._done: tuple[int, int | None] = (0, None)
        self._ticking: asyncio.Task[None] | None = None

    async def __aenter__(self) -> TerminalProgress:
        self._started = time.monotonic()
        if self._console.is_terminal:
            self._ticking = asyncio.create_task(self._tick_forever())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._ticking is not None:
            self._ticking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticking
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __call__(self, done: int, total: int) -> None:
        was_done, was_total = self._done
        starts_again = total != was_total or done < was_done
        if self._stage < 0 or (starts_again and self._stage + 1 < len(self._stages)):
            self._stage += 1
            self._label = self._stages[self._stage] if self._stages else self._label
        self._done = (done, total)
        self.tick()

    async def _tick_forever(self) -> None:
        while True:
            self.tick()
            await asyncio.sleep(0.2)

    def tick(self) -> None:
        """Draw (or start drawing, once the work has run long enough) the current state."""
        if not self._console.is_terminal:
            return
        if self._bar is None:
            if time.monotonic() - self._started < self._after:
                return
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self._label, total=None)
        assert self._task is not None
        done, total = self._done
        self._bar.update(self._task, description=self._label, completed=done, total=total)
