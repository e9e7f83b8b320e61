"""Reply -> discord.Embed, within Discord's limits.

Discord rejects a whole message (HTTP 400) when one embed limit is passed, so every string is
cut to its limit here rather than trusting the core's lengths: title 256, description 4096,
25 fields of name 256 / value 1024, footer 2048, and 6000 characters across the embed. When a
card has more than fits, the top-level fields move into the description first (they are short),
then the last sections are dropped with a note: a figure is never cut in half silently, the
note says what was left out.

Colour is a hint, never the only carrier of the outcome (the text says "Carried" or "Lost"):
the pair for passed/failed is the Okabe-Ito bluish green and vermillion, which stay apart for
the common forms of colour blindness.

One escaping rule for every string of a Reply (:func:`literal`): control characters shown as
codes, and every character Discord's markdown could act on preceded by a backslash (Discord
shows any escaped punctuation as itself): formatting, brackets (so ``[Vote here](https://…)``
is never a masked link), ``<`` (no channel, role, emoji, command or timestamp tags), the ``:``
of ``https://`` (a bare address in data is not turned into a link), and a list's, heading's
or quote's mark at the start of a line;
mentions are broken by the backslash before their ``@`` (``\\@everyone``), not by
``escape_mentions``, whose zero-width space is itself a character :func:`printable` shows,
and which a fast path that skipped it let ``@everyone`` through untouched.
``discord.utils.escape_markdown`` is not used:
it passes ``[…](…)`` through whole, up to the last ``)`` of the line, so a masked link
followed by anything in brackets left everything between them unescaped. The embed's
``url`` and the Source link are the bot's own, drawn only from a well-formed web address
(:func:`bot.links.web_url`); anything else is shown as text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import discord

from bot.links import host_of, web_url
from bot.printable import printable
from bot.replies import Bar, Field, Reply, Section, Tone

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
TOTAL_MAX = 6000

COLOURS: dict[Tone, int] = {
    Tone.PASSED: 0x009E73,  # Okabe-Ito bluish green
    Tone.FAILED: 0xD55E00,  # Okabe-Ito vermillion
    Tone.UNKNOWN: 0x999999,  # grey
    Tone.NEUTRAL: 0x5865F2,  # Discord blurple
    Tone.ERROR: 0x8B0000,  # dark red: darker than vermillion, so it differs in lightness too
}

ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, ending in an ellipsis when it was longer."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


_MARKDOWN = re.compile(r"[\\*_~`|<\[\]@]|:(?=//)")
"""Characters Discord's markdown acts on anywhere in a line (and the ``:`` of ``https://``,
which would make a bare address a link; and ``@``, which starts ``@everyone``, ``@here`` and
every mention)."""
_LINE_START = re.compile(r"^(\s*)(?:([-#>])|(\d+)\.(?=\s))", re.MULTILINE)
"""What starts a list, a heading or a quote at the beginning of a line."""


def _line_start(mark: re.Match[str]) -> str:
    indent, sign, number = mark.groups()
    return f"{indent}\\{sign}" if sign else f"{indent}{number}\\."  # a digit has no escape


@lru_cache(maxsize=8192)
def literal(text: str) -> str:
    """Data as Discord text: shown as typed, never formatting, a link, a tag or a mention."""
    text = printable(text)
    # One test for everything below: a string that skips it holds nothing Discord acts on.
    if not _MARKDOWN.search(text) and not _LINE_START.search(text):
        return text  # most names and figures: nothing to do
    text = _MARKDOWN.sub(r"\\\g<0>", text)
    return _LINE_START.sub(_line_start, text)


def bar_line(bar: Bar) -> str:
    """A progress bar in a code span, so every client draws it in a fixed-width font."""
    drawn = printable(bar.text()).replace("`", "'")
    return f"{literal(bar.label)} `{drawn}`"


def field_line(field: Field) -> str:
    return f"**{literal(field.label)}**: {literal(field.value)}"


def section_value(section: Section) -> str:
    """One section (a question of a ballot, a list of ballots) as the value of one field."""
    lines = [field_line(f) for f in section.fields]
    lines += [bar_line(b) for b in section.bars]
    lines += [literal(line) for line in section.lines]
    return "\n".join(lines) or "—"


def _source_field(source: str | None) -> tuple[str, str] | None:
    """The bot's own link to a well-formed web source; None for anything else (it is never
    made a link, and Discord refuses a whole message over a URL it does not accept)."""
    url = web_url(source)
    if url is None:
        return None
    return "Source", f"[{literal(cut(host_of(url), 200))}]({url})"


def _split_value(value: str) -> list[str]:
    """A long section value split at line ends into chunks Discord accepts."""
    chunks: list[str] = []
    current = ""
    for line in value.split("\n"):
        line = cut(line, FIELD_VALUE_MAX)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > FIELD_VALUE_MAX:
            chunks.append(current)
            current = line
        else:
            current = candidate
    chunks.append(current)
    return chunks


def _section_fields(sections: tuple[Section, ...]) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    for section in sections:
        title = cut(literal(section.title) or "—", FIELD_NAME_MAX)
        for index, chunk in enumerate(_split_value(section_value(section))):
            continued = f"{literal(section.title)} (continued)"
            name = title if index == 0 else cut(continued, FIELD_NAME_MAX)
            out.append((name, chunk, False))
    return out


def _total(embed_parts: list[str]) -> int:
    return sum(len(part) for part in embed_parts)


def render(reply: Reply) -> discord.Embed:
    """The reply as one embed that Discord will accept."""
    description = literal(reply.text)
    top = [
        (cut(literal(f.label), FIELD_NAME_MAX), cut(literal(f.value), FIELD_VALUE_MAX), f.inline)
        for f in reply.fields
    ]
    body = _section_fields(reply.sections)
    source = _source_field(reply.source_url)
    budget = FIELDS_MAX - (1 if source else 0)
    if len(top) + len(body) > budget:
        # Top-level fields are short label/value pairs: they read well as description lines.
        moved = "\n".join(field_line(f) for f in reply.fields)
        description = f"{description}\n\n{moved}" if description else moved
        top = []
    dropped = 0
    if len(body) > budget:
        dropped = len(body) - (budget - 1)
        body = body[: budget - 1]
    title = cut(literal(reply.header), TITLE_MAX)
    footer = cut(literal(reply.footer), FOOTER_MAX) if reply.footer else None
    fields = top + body
    description = cut(description, DESCRIPTION_MAX)

    def size() -> int:
        parts = [title, description, footer or ""]
        for name, value, _ in fields:
            parts += [name, value]
        if source:
            parts += list(source)
        if dropped:
            parts += ["More", _dropped_note(dropped)]
        return _total(parts)

    while size() > TOTAL_MAX and fields:
        fields.pop()
        dropped += 1
    if size() > TOTAL_MAX:
        spare = TOTAL_MAX - (size() - len(description))
        description = cut(description, max(spare, 1))

    embed = discord.Embed(
        title=title,
        description=description or None,
        colour=COLOURS[reply.tone],
        url=web_url(reply.source_url),
    )
    for name, value, inline in fields:
        embed.add_field(name=name, value=value or "—", inline=inline)
    if dropped:
        embed.add_field(name="More", value=_dropped_note(dropped), inline=False)
    if source:
        embed.add_field(name=source[0], value=source[1], inline=False)
    if footer:
        embed.set_footer(text=footer)
    return embed


def _dropped_note(count: int) -> str:
    return f"{count} more parts did not fit in one Discord card: ask for a narrower search."


def embed_length(embed: discord.Embed) -> int:
    """The length Discord counts against the 6000-character limit (discord.py's own count)."""
    return len(embed)
