"""Work that must not hold the event loop, and the worker threads it runs on.

One process serves Slack, Discord, the dispatcher and the reminder scheduler on one event loop;
a few hundred milliseconds of searching, card building or drawing there is a few hundred
milliseconds in which no member gets an answer and no acknowledgement leaves (Slack gives up
after three seconds). So that work runs here, on threads, and the loop only waits for it:

- :func:`compute`: searches over the catalogue, building the search index, cards and
  listings. One thread: CPU-bound Python shares one interpreter lock anyway, so more threads
  would not go faster, and one keeps requests in arrival order. The lock is the catch: the
  loop gives it up at every socket read and write and must wait to get it back, for up to a
  whole C call of the worker's (rapidfuzz keeps it through one scoring pass over every name,
  which is why queries are cut short before they get here: see :mod:`bot.core`). So after
  a long piece of work the thread rests as long again (:data:`REST_AFTER`, at most
  :data:`REST_MAX`) before the next: a burst of costly searches goes at half speed, and the
  loop gets the lock freely in between.
- :func:`draw`: pictures. One thread: matplotlib's global state (pyplot, the font cache) is
  not thread-safe, and the pictures are drawn with the object-oriented ``Figure`` API on this
  one thread only. A picture asked for twice at once is drawn once (the second finds it in
  the picture cache).

Both are process-wide, as the interpreter lock and matplotlib are.

And :func:`keep`: a structure built to live long (the search index) is moved out of the
cyclic garbage collector's sight. Otherwise every full collection walks it again, holding
every thread (the loop included) for 100 ms on a few thousand ballots and about a second on
fifty thousand.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import gc
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")

_CPU = ThreadPoolExecutor(1, "ballotbot-cpu")
_PICTURES = ThreadPoolExecutor(1, "ballotbot-pictures")

REST_AFTER = 0.004
"""Seconds of work after which the CPU thread rests before its next piece."""
REST_MAX = 0.05
_owed = 0.0  # the rest the CPU thread owes; only that one thread reads and writes it


async def compute(call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``call(*args, **kwargs)`` on the CPU thread; the loop serves others meanwhile."""
    return await _run(_CPU, _paced, call, *args, **kwargs)


def _paced(call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run ``call`` after resting for the previous one (the result is not held up)."""
    global _owed
    if _owed:
        time.sleep(_owed)
        _owed = 0.0
    started = time.perf_counter()
    try:
        return call(*args, **kwargs)
    finally:
        took = time.perf_counter() - started
        _owed = min(took, REST_MAX) if took > REST_AFTER else 0.0


async def draw(call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``call(*args, **kwargs)`` on the pictures thread (matplotlib's only thread)."""
    return await _run(_PICTURES, call, *args, **kwargs)


def keep() -> None:
    """Everything alive now is long-lived: the collector stops walking it (``gc.freeze``).

    Called after building something big that lives until it is replaced. Cyclic garbage
    that exists at that moment is never collected; a replaced index itself is freed by
    reference counting (it holds no cycles)."""
    gc.freeze()


async def _run(pool: ThreadPoolExecutor, call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    # The caller's context goes along, so a log line from the thread names its request.
    bound = functools.partial(contextvars.copy_context().run, call, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(pool, bound)
