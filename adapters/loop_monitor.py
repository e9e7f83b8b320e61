"""The event loop's stalls in ``ballotbot run``: measured all the time, logged when long.

Everything of one process (Slack, Discord's gateway heartbeats, the dispatcher, the reminder
scheduler) shares one event loop, so a stall is felt by every member at once, and past three
seconds Slack gives up on them. :class:`LoopMonitor` measures each stall and logs those over
``[process] stall_seconds`` with what was running.

Two parts, because a stalled loop cannot report on itself while it is stalled:

- a *beat* on the loop, every :data:`BEAT` seconds: how late it wakes is the stall (the
  longest is kept, and logged when over the threshold, with the CPU time the loop's thread
  and the whole process used meanwhile: the loop busy itself, another thread holding the
  interpreter lock, or the process waiting). On Linux, the time the loop's thread was
  ready to run but waited for a CPU (the machine busy with other work, not the bot) is
  measured too (``/proc/thread-self/schedstat``): what is left is the stall of the bot's
  own making (:attr:`LoopMonitor.longest_own`);
- a *watchdog* thread that notices a beat overdue by more than the threshold while it is
  still overdue, and notes what the loop is doing right then: the task (and the member's
  request it is answering, see :func:`bot.requests.in_hand`) and where in our code the loop
  thread stands. A loop stuck in a wait (a lock, a synchronous database driver) or in Python
  is caught in the act; one inside a C call that keeps the interpreter lock is caught as soon
  as it lets go, and named from the request in hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from types import FrameType

from bot.requests import IN_HAND

log = logging.getLogger(__name__)

BEAT = 0.02
"""Seconds between two beats: a stall shorter than this is not seen, and costs nothing."""

_ROOT = Path(__file__).resolve().parents[1]
_OURS = tuple(str(_ROOT / part) for part in ("bot", "adapters", "storage"))


class LoopMonitor:
    """Measures the stalls of the loop it is started on; logs those over ``threshold``."""

    def __init__(self, threshold: float = 0.25, beat: float = BEAT) -> None:
        self.threshold = threshold
        self.beat = beat
        self.longest = 0.0
        """The longest stall seen so far, in seconds."""
        self.longest_own = 0.0
        """The longest stall less the time the loop's thread waited for a CPU (Linux; the
        whole stall elsewhere): what the bot's own work caused, whatever else the machine
        was doing."""
        self.stalls = 0
        """How many stalls went over the threshold."""
        self._due = 0.0  # when the loop should beat next (time.monotonic)
        self._seen: str | None = None  # what the watchdog found the loop doing
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._stop = threading.Event()
        self._task: asyncio.Task[None] | None = None
        self._watchdog: threading.Thread | None = None

    async def start(self) -> None:
        """Begin watching the running loop (returns at once)."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._due = time.monotonic() + self.beat
        self._stop.clear()
        self._task = asyncio.create_task(self._beat(), name="event loop monitor")
        self._watchdog = threading.Thread(
            target=self._watch, name="event-loop-watchdog", daemon=True
        )
        self._watchdog.start()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._watchdog is not None:
            await asyncio.to_thread(self._watchdog.join, 1.0)

    async def _beat(self) -> None:
        queued = _RunQueue()
        try:
            while True:
                self._due = time.monotonic() + self.beat
                loop_cpu, process_cpu = time.thread_time(), time.process_time()
                waited_before = queued.waited()
                await asyncio.sleep(self.beat)
                stall = time.monotonic() - self._due
                waited = queued.waited() - waited_before
                self.longest = max(self.longest, stall)
                self.longest_own = max(self.longest_own, stall - min(waited, stall))
                if stall > self.threshold:
                    self.stalls += 1
                    seen, self._seen = self._seen, None
                    log.warning(
                        "event loop stalled for %d ms (over %d ms): %s; meanwhile the loop's "
                        "thread ran %d ms and waited %d ms for a CPU, the process ran %d ms",
                        stall * 1000,
                        self.threshold * 1000,
                        seen or self._running_now(),
                        (time.thread_time() - loop_cpu) * 1000,
                        waited * 1000,
                        (time.process_time() - process_cpu) * 1000,
                    )
                self._seen = None
        finally:
            queued.close()

    def _watch(self) -> None:
        """The watchdog thread: look at the loop once in each stall over the threshold."""
        pause = min(self.beat, self.threshold / 4)
        looked_at = -1.0
        while not self._stop.wait(pause):
            due = self._due
            if time.monotonic() - due > self.threshold and due != looked_at:
                looked_at = due
                self._seen = self._running_now(stack=True)

    def _running_now(self, stack: bool = False) -> str:
        """The task on the loop right now, the request it answers, and where our code is."""
        parts = []
        loop = self._loop
        task = asyncio.current_task(loop) if loop is not None else None
        if task is not None:
            coro = task.get_coro()
            name = getattr(coro, "__qualname__", type(coro).__name__)
            parts.append(f"task {task.get_name()!r} ({name})")
            request = IN_HAND.get(task)
            if request is not None:
                text = request.text if len(request.text) <= 80 else request.text[:77] + "..."
                parts.append(f"answering {request.platform} {request.user_id}: {text!r}")
        else:
            parts.append("no task (a callback of the loop itself)")
        if stack:
            frames = sys._current_frames()
            frame = frames.get(self._loop_thread)
            if frame is not None:
                parts.append("at " + _where(frame))
            # The loop may be waiting for the interpreter lock: what the others were doing.
            names = {thread.ident: thread.name for thread in threading.enumerate()}
            others = [
                f"{names.get(ident, ident)} at {_where(other)}"
                for ident, other in frames.items()
                if ident not in (self._loop_thread, threading.get_ident()) and not _idle(other)
            ]
            if others:
                parts.append("other threads: " + ", ".join(others))
        return "; ".join(parts)


class _RunQueue:
    """How long this thread has waited, ready to run, for a CPU (Linux schedstat); 0 where
    that is not known."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self._fd = None

    def waited(self) -> float:
        if self._fd is None:
            return 0.0
        try:
            return int(os.pread(self._fd, 128, 0).split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return 0.0

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_IDLE = frozenset({"wait", "_worker", "get", "_wait_for_tstate_lock", "select", "poll"})


def _idle(frame: object) -> bool:
    """A thread parked waiting for work (a pool's queue, a condition), not running."""
    return getattr(getattr(frame, "f_code", None), "co_name", "") in _IDLE


def _where(frame: FrameType) -> str:
    """The innermost frames of the stack in our own code, innermost last, plus the very
    innermost frame when it is a library's."""
    summary = traceback.extract_stack(frame)
    ours = [f for f in summary if f.filename.startswith(_OURS)][-3:]
    shown = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in ours]
    if summary and (not ours or summary[-1] is not ours[-1]):
        last = summary[-1]
        shown.append(f"{Path(last.filename).name}:{last.lineno} {last.name}")
    return " > ".join(shown) or "unknown"
