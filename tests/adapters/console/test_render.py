"""The console shows ballot data as the characters it is: no rich markup, no terminal control."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

from rich.console import Console

from adapters.console.render import show
from adapters.console.sender import ConsoleSender
from bot.printable import is_control
from bot.replies import Field, Reply, Section
from tests.adapters.console.test_cli import ballotbot

SGR = re.compile(r"\x1b\[[0-9;]*m")
"""rich's own colours: the only escape sequences the console may print."""


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, color_system="truecolor", width=160), out


def printed(reply: Reply) -> str:
    console, out = terminal()
    show(reply, console)
    return out.getvalue()


def test_markup_in_data_is_printed_as_typed() -> None:
    reply = Reply(
        header="Smith [/] Sons — [bold]Unison[/]",
        text="[link=https://evil.example]Official results[/link] [red]x",
        fields=(Field("Branch", "Smith [/] Sons"), Field("[/]", "[/bold]")),
        sections=(Section("[/] question", lines=("[link=https://evil.example]x[/link]",)),),
        footer=":warning: [/italic]",
        source_url="https://evil.example/[/]",
    )

    out = SGR.sub("", printed(reply))

    for shown in ("Smith [/] Sons", "[bold]Unison[/]", "[link=https://evil.example]", "[/bold]"):
        assert shown in out
    assert ":warning:" in out  # not an emoji either


def test_a_link_in_data_is_never_a_hidden_terminal_hyperlink() -> None:
    out = printed(Reply(header="x", text="[link=https://evil.example]click here[/link]"))

    assert "\x1b]8;" not in out  # OSC 8: a hyperlink the reader cannot see
    assert "[link=https://evil.example]click here[/link]" in SGR.sub("", out)


def test_escape_sequences_and_other_controls_never_reach_the_terminal() -> None:
    hostile = "a\x1b[2J\x1b]0;pwned\x07b\rc\x9bd\u202eexe.txt\x00"
    reply = Reply(header=hostile, text=hostile, fields=(Field(hostile, hostile),), footer=hostile)

    out = SGR.sub("", printed(reply))

    assert "\x1b" not in out and "\r" not in out
    assert not any(is_control(c) for c in out)
    assert "a\\x1b[2J\\x1b]0;pwned\\x07b\\x0dc\\x9bd\\u202eexe.txt\\x00" in out


def test_an_announcement_printed_by_the_console_channel_is_literal_too() -> None:
    console, out = terminal()
    sender = ConsoleSender(console)

    asyncio.run(sender.dm("[bold red]admin", Reply(header="Smith [/] Sons")))

    text = SGR.sub("", out.getvalue())
    assert "direct message to [bold red]admin" in text and "Smith [/] Sons" in text


def test_ask_shows_a_branch_with_markup_and_the_session_goes_on(tmp_path: Path) -> None:
    ballots = tmp_path / "ballots.csv"
    ballots.write_text(
        "id,unions,employer,branch,kind,question,notes\n"
        'smith-1,GMB,Smith Holdings,Smith [/] Sons,strike,Strike?,"[link=https://evil.example]'
        'Official[/link] \x1b[31mred"\n'
    )
    assert ballotbot(tmp_path, "import", "--no-announce", str(ballots)).returncode == 0

    done = ballotbot(tmp_path, "ask", "/ballot #smith-1")

    assert done.returncode == 0, done.stderr
    assert "Smith [/] Sons" in done.stdout and "Traceback" not in done.stderr
    assert "[link=https://evil.example]Official[/link]" in done.stdout
    assert "\x1b" not in done.stdout and "\\x1b[31mred" in done.stdout
    session = ballotbot(tmp_path, stdin="#smith-1\nhelp\n")
    assert session.returncode == 0, session.stderr
    assert "Smith [/] Sons" in session.stdout and "/ballot <search> history" in session.stdout
