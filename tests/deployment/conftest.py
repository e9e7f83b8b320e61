"""A national union's deployment on loopback (:mod:`tests.support.deployment`): whatever a
test started is stopped at its end."""

from __future__ import annotations

import gc
import signal
import subprocess
import warnings
from collections.abc import Iterator

import pytest

from tests.support.deployment import BotProcess, Nginx


@pytest.fixture
def stop_everything() -> Iterator[list[object]]:
    started: list[object] = []
    yield started
    for thing in reversed(started):
        if isinstance(thing, BotProcess):
            thing.stop()
        elif isinstance(thing, Nginx):
            thing.process.send_signal(signal.SIGQUIT)
            try:
                thing.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                thing.process.kill()
    # A process killed with SIGKILL leaves the fake APIs' side of its sockets to be reaped by
    # the garbage collector; that is the scenario under test, not a leak of the bot's.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
