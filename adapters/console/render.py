"""Reply -> terminal, with rich. The console is a first-class platform, not a debug view.

Every string of a Reply reaches rich as a :class:`rich.text.Text`, never as a markup string,
so ``Smith [/] Sons`` prints as typed instead of crashing and ``[link=…]`` is never a hidden
hyperlink; and it goes through :func:`bot.printable.printable` first, so an ESC, a carriage
return or a bidirectional override in ballot data is shown as its code and never obeyed by
the terminal. Styles come from here alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.printable import printable
from bot.replies import Field, Reply, Section, Tone

_COLOURS = {
    Tone.PASSED: "green",
    Tone.FAILED: "red",
    Tone.UNKNOWN: "yellow",
    Tone.NEUTRAL: "blue",
    Tone.ERROR: "bold red",
}


def literal(text: str, style: str = "") -> Text:
    """Data as rich text: no markup, no emoji codes, no control characters."""
    return Text(printable(text), style=style)


def _fields_table(fields: Sequence[Field], indent: int = 0) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for field in fields:
        table.add_row(literal(" " * indent + field.label), literal(field.value))
    return table


def _section(section: Section) -> RenderableType:
    parts: list[RenderableType] = [literal(section.title, "bold underline")]
    if section.fields:
        parts.append(_fields_table(section.fields, indent=2))
    for bar in section.bars:
        parts.append(literal(f"  {bar.label:<8} {bar.text()}"))
    parts += [literal(f"  {line}") for line in section.lines]
    return Group(*parts)


_TITLE_MARGIN = 8
"""What a panel's border and padding take from the terminal's width around its title."""


def renderable(reply: Reply, width: int | None = None) -> RenderableType:
    """The whole reply as one rich panel, ``width`` columns wide at most (the terminal's).

    rich cuts a title that does not fit on the border; a header often says what to do (an
    error naming the value and the rule), so a header too long for it is also printed whole,
    wrapped, as the panel's first line, under a title cut at a word."""
    parts: list[RenderableType] = []
    colour = _COLOURS[reply.tone]
    title = reply.header
    if width is not None and len(printable(title)) > width - _TITLE_MARGIN:
        parts.append(literal(reply.header, f"bold {colour}"))
        room = max(width - _TITLE_MARGIN - 1, 10)
        title = printable(title)[:room].rsplit(" ", 1)[0] + "…"
    if reply.text:
        parts.append(literal(reply.text))
    if reply.fields:
        parts.append(_fields_table(reply.fields))
    parts += [_section(section) for section in reply.sections]
    if reply.footer:
        parts.append(literal(reply.footer, "italic"))
    if reply.source_url:
        parts.append(literal(f"Source: {reply.source_url}", "dim"))
    if reply.image is not None:
        where = f" — saved as {reply.image.path}" if reply.image.path else ""
        parts.append(literal(f"Picture: {reply.image.alt_text}{where}", "italic"))
    commands = [b.command for b in reply.buttons if not b.share]
    if commands:
        parts.append(literal("Try: " + " · ".join(commands), "dim"))
    return Panel(
        Group(*parts),
        title=literal(title, f"bold {colour}"),
        border_style=colour,
        title_align="left",
    )


def show(reply: Reply, console: Console) -> None:
    console.print(renderable(reply, console.width))
