"""The console behaves like a console: tried on a real pseudo-terminal, as a member types.

Ctrl-C drops the line being typed and prompts again (as Python's REPL does); Ctrl-D, ``quit``
and ``exit`` leave with status 0; a line that fails is reported and the console goes on;
history is kept, privately, in the XDG state folder.
"""

from __future__ import annotations

import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from rich.console import Console

from adapters.console.repl import PROMPT, history_file, repl
from bot.replies import Reply
from tests.adapters.console.support import environment

PROMPT_SEEN = r"ballot> "


@pytest.fixture
def console_session(tmp_path: Path) -> Iterator[pexpect.spawn]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "adapters.cli", "--database", url],
        cwd=str(tmp_path),
        env=environment(tmp_path, TERM="dumb"),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    child.expect(PROMPT_SEEN)
    try:
        yield child
    finally:
        if child.isalive():
            child.terminate(force=True)


def _press_ctrl_c_once_seen(child: pexpect.spawn, typed: str | None = None) -> None:
    """Ctrl-C as a member presses it: after seeing what they typed on the screen.

    CPython's readline looks for a signal only when its wait for a key is interrupted; a
    Ctrl-C landing in the instant it is echoing a key is acted on at the next key. A person
    sees the echo before pressing Ctrl-C; on a busy machine a test that does not wait for it
    can land in that instant and wait for a prompt that comes only after the next key.
    """
    if typed is not None:
        child.expect_exact(typed)
    time.sleep(0.3)  # the echo is written before readline waits for the next key
    child.sendintr()


def _left(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus is None
    return int(child.exitstatus)


def test_ctrl_c_clears_the_line_and_prompts_again(
    console_session: pexpect.spawn, tmp_path: Path
) -> None:
    child = console_session
    child.send("kirkl")
    _press_ctrl_c_once_seen(child, "kirkl")
    child.expect(PROMPT_SEEN)  # a new prompt at once, the console still running
    child.sendline("help")  # "kirkl" is gone: this line is "help", not "kirklhelp"
    child.expect("admin add")
    child.expect(PROMPT_SEEN)
    _press_ctrl_c_once_seen(child)
    child.expect(PROMPT_SEEN)
    child.sendline("exit")
    assert _left(child) == 0
    typed = history_file({"XDG_STATE_HOME": str(tmp_path / "state")}).read_text()
    assert "help" in typed.splitlines()
    assert "kirkl" not in typed


def test_ctrl_d_leaves_with_status_0(console_session: pexpect.spawn) -> None:
    console_session.sendeof()
    assert _left(console_session) == 0


@pytest.mark.parametrize("word", ["quit", "exit", "QUIT"])
def test_quit_and_exit_leave_with_status_0(console_session: pexpect.spawn, word: str) -> None:
    console_session.sendline(word)
    assert _left(console_session) == 0


def test_markup_and_control_characters_typed_do_not_end_the_session(
    console_session: pexpect.spawn,
) -> None:
    child = console_session
    child.sendline("Smith [/] Sons")
    child.expect("No ballot found")
    child.expect(PROMPT_SEEN)
    child.sendline("kirklees")
    child.expect("43.3%")
    child.expect(PROMPT_SEEN)
    child.sendline("quit")
    assert _left(child) == 0
    assert "Traceback" not in (child.before or "")


def test_history_lives_in_the_xdg_state_folder_privately(
    console_session: pexpect.spawn, tmp_path: Path
) -> None:
    console_session.sendline("kirklees")
    console_session.expect(PROMPT_SEEN)
    console_session.sendeof()
    assert _left(console_session) == 0
    path = tmp_path / "state" / "ballotbot" / "history"
    assert path.read_text().splitlines() == ["kirklees"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not (tmp_path / ".ballotbot_history").exists()


def test_the_history_is_read_back_next_time(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ballotbot.db'}"
    for typed in ("kirklees", "southampton"):
        child = pexpect.spawn(
            sys.executable,
            ["-m", "adapters.cli", "--database", url],
            cwd=str(tmp_path),
            env=environment(tmp_path, TERM="dumb"),
            encoding="utf-8",
            timeout=30,
        )
        child.expect(PROMPT_SEEN)
        child.sendline(typed)
        child.expect(PROMPT_SEEN)
        child.sendeof()
        assert _left(child) == 0
    lines = (tmp_path / "state" / "ballotbot" / "history").read_text().splitlines()
    assert lines == ["kirklees", "southampton"]


# -- where the history goes ------------------------------------------------------------------


def test_history_file_follows_xdg_state_home(tmp_path: Path) -> None:
    assert history_file({"XDG_STATE_HOME": "/srv/state"}) == Path("/srv/state/ballotbot/history")


@pytest.mark.parametrize("value", ["", "relative/state"])
def test_history_file_defaults_to_local_state(
    value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = tmp_path / ".local" / "state" / "ballotbot" / "history"
    assert history_file({"XDG_STATE_HOME": value}) == expected
    assert history_file({}) == expected


# -- the loop itself, with a bot that misbehaves ----------------------------------------------


class ScriptedBot:
    """A bot whose answers are scripted: a Reply, or an exception to raise."""

    def __init__(self, answers: dict[str, Reply | BaseException]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.afters = 0

    def answer(self, line: str) -> Reply:
        self.asked.append(line)
        answer = self.answers.get(line, Reply(header=f"answer to {line}"))
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def after(self) -> None:
        self.afters += 1


def _typed(*lines: str | BaseException):  # type: ignore[no-untyped-def]
    queue = list(lines)

    def read(prompt: str) -> str:
        assert prompt == PROMPT
        if not queue:
            raise EOFError
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    return read


def test_a_line_that_fails_is_reported_and_the_console_goes_on() -> None:
    console = Console(record=True, width=200)
    bot = ScriptedBot(
        {
            "boom": RuntimeError("the database [/] went away \x1b[2J"),
            "slow": KeyboardInterrupt(),
        }
    )
    status = repl(bot, console, _typed("boom", "slow", "kirklees", KeyboardInterrupt(), "quit"))
    said = console.export_text()
    assert status == 0
    assert bot.asked == ["boom", "slow", "kirklees"]
    assert "that line failed (RuntimeError: the database [/] went away \\x1b[2J)" in said
    assert "the console goes on" in said
    assert "Interrupted: that line was stopped." in said
    assert "answer to kirklees" in said
    assert bot.afters == 1  # only the line that was answered


def test_a_reply_that_cannot_be_rendered_is_reported_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.console import repl as module

    def show(reply: Reply, console: Console) -> None:
        if reply.header == "odd":
            raise ValueError("cannot draw this")
        console.print(reply.header)

    monkeypatch.setattr(module, "show", show)
    console = Console(record=True, width=200)
    bot = ScriptedBot({"odd": Reply(header="odd")})
    assert repl(bot, console, _typed("odd", "kirklees")) == 0
    said = console.export_text()
    assert "that line failed (ValueError: cannot draw this)" in said
    assert "answer to kirklees" in said


def test_blank_lines_are_skipped_and_ctrl_d_leaves() -> None:
    bot = ScriptedBot({})
    assert repl(bot, Console(record=True), _typed("", "   ", "help")) == 0
    assert bot.asked == ["help"]


def test_forget_me_empties_the_consoles_history_too(
    console_session: pexpect.spawn, tmp_path: Path
) -> None:
    """The lines typed say what the member asked and that they posted their paper."""
    for line in ("kirklees", "remind me kirklees", "voted kirklees", "forget me"):
        console_session.sendline(line)
        console_session.expect(PROMPT_SEEN)
    path = tmp_path / "state" / "ballotbot" / "history"
    assert path.read_text() == ""  # at once, not only when the console is left
    console_session.sendline("kirklees")
    console_session.expect(PROMPT_SEEN)
    console_session.sendeof()
    assert _left(console_session) == 0
    assert path.read_text().splitlines() == ["kirklees"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
