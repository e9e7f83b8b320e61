"""Reply -> terminal, with rich. The console is a first-class platform, not a debug view."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.replies import Reply, Section, Tone

_COLOURS = {
    Tone.PASSED: "green",
    Tone.FAILED: "red",
    Tone.UNKNOWN: "yellow",
    Tone.NEUTRAL: "blue",
    Tone.ERROR: "bold red",
}


def _fields_table(fields: tuple, indent: int = 0) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for field in fields:
        table.add_row(" " * indent + field.label, field.value)
    return table


def _section(section: Section) -> RenderableType:
    parts: list[RenderableType] = [Text(section.title, style="bold underline")]
    if section.fields:
        parts.append(_fields_table(section.fields, indent=2))
    for bar in section.bars:
        parts.append(Text(f"  {bar.label:<8} {bar.text()}"))
    parts += [Text(f"  {line}") for line in section.lines]
    return Group(*parts)


def renderable(reply: Reply) -> RenderableType:
    """The whole reply as one rich panel."""
    parts: list[RenderableType] = []
    if reply.text:
        parts.append(Text(reply.text))
    if reply.fields:
        parts.append(_fields_table(reply.fields))
    parts += [_section(section) for section in reply.sections]
    if reply.footer:
        parts.append(Text(reply.footer, style="italic"))
    if reply.source_url:
        parts.append(Text(f"Source: {reply.source_url}", style="dim"))
    if reply.image is not None:
        where = f" — saved as {reply.image.path}" if reply.image.path else ""
        parts.append(Text(f"Picture: {reply.image.alt_text}{where}", style="italic"))
    commands = [b.command for b in reply.buttons if not b.share]
    if commands:
        parts.append(Text("Try: " + " · ".join(commands), style="dim"))
    colour = _COLOURS[reply.tone]
    return Panel(
        Group(*parts),
        title=Text(reply.header, style=f"bold {colour}"),
        border_style=colour,
        title_align="left",
    )


def show(reply: Reply, console: Console) -> None:
    console.print(renderable(reply))
