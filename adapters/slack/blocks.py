"""Reply -> Block Kit messages. Pure functions: no I/O, no Slack client, easy to test.

Slack rejects a whole message when any one limit is broken (``invalid_blocks``), so every text
is cut to its limit here, long text is split across blocks at line ends, and a reply too big
for one message is split across several (the slash command answers the first in its
acknowledgement and sends the rest through ``response_url``).

One escaping rule, applied here to every string of a Reply, which is all data as far as
Slack is concerned: control characters are shown as their code (:mod:`bot.printable`), and
``&``, ``<``, ``>`` become entities in every text Slack displays, the blocks and the
message's top-level ``text`` alike, so ``<!channel>``, ``<@U…>``, ``<!subteam^…>`` and
``<https://evil|Official results>`` read as typed and never ping or link. Text that needs no
formatting goes in ``plain_text``; where data sits in ``mrkdwn`` (a field beside its bold
label, a question as a bold title) its formatting characters are swapped for look-alikes
that Slack never pairs (Slack has no escape for them) and ``verbatim`` stops Slack from
turning names and URLs into links. The only link is the bot's own Source link, drawn only
for a well-formed web address (:func:`bot.links.web_url`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from bot.links import host_of, web_url
from bot.printable import printable
from bot.replies import Button, Field, Reply, Section, Tone

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": fallback, "blocks": [...]}: chat.postMessage keywords

# Slack's documented limits (Block Kit reference, chat.postMessage).
MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_TEXT = 2000
MAX_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK = 3000
"""``text`` may be 40,000 chars, but it is only the notification: keep it readable."""

MAX_MESSAGES = 4
"""A slash command's ack plus three follow-ups: ``response_url`` allows five uses, and one
is kept for a button on the card."""

PRESS_ACTION = "ballot:press:{}"
"""A button's ``action_id`` (unique in its message); its ``value`` is the action, ``verb:id``."""
RUN_ACTION = "ballot:run:{}"
SHARE_ACTION = "ballot:share"
"""The ``action_id`` of buttons drawn before actions, whose value is grammar text."""
ACTION_PREFIX = "ballot:"

TONE_EMOJI = {
    Tone.PASSED: "\u2705",  # white heavy check mark
    Tone.FAILED: "\u274c",  # cross mark
    Tone.NEUTRAL: "\U0001f5f3\ufe0f",  # ballot box with ballot
    Tone.UNKNOWN: "\u2754",  # white question mark ornament
    Tone.ERROR: "\u26a0\ufe0f",  # warning sign
}
"""Drawn as characters: the header is plain text with ``emoji: false`` (it holds data)."""


def cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters, with an ellipsis when anything was lost.

    An entity (``&amp;``) is never cut in half: a half entity would show as its letters.
    """
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"


_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}\Z")
_LOOKALIKES = str.maketrans(
    {
        "*": "\u2217",  # asterisk operator
        "\uff0a": "\ufe61",  # fullwidth asterisk -> small asterisk
        "_": "\u02cd",  # modifier letter low macron
        "\uff3f": "\u2e0f",  # fullwidth low line -> paragraphos
        "`": "\u02cb",  # modifier letter grave accent
        "\uff40": "\u02cb",
        "~": "\u223c",  # tilde operator
        "\uff5e": "\u223c",
    }
)
"""Slack pairs ``*_~``` `` into bold, italic, strike and code and offers no escape for them:
in data these are swapped for characters that look the same and that Slack never pairs
(the replacements jsx-slack's ``<Escape>`` uses)."""
_QUOTE = re.compile(r"^(&gt;|\uff1e)", re.MULTILINE)
_SHORTCODE = re.compile(r":(?=[\w+'-]+:)")
"""The colon that opens an emoji code (``:skull:``), which Slack draws as the emoji in mrkdwn
and in a message's ``text``: it becomes a look-alike (U+A789) that opens nothing."""
_LINKISH = re.compile(r":(?=//)|(?<=[^\W_])\.(?=[^\W\d_])")
"""What makes Slack link text in a message's ``text``, which no option turns off for a bare
address: the ``:`` of ``https://`` and the dot before a domain's next label (``evil.example``,
``name@evil.example``). They become look-alikes (U+A789, U+2024) that link nothing; a decimal
point (``43.3%``) is left alone."""
_DEFANGED = {":": "\ua789", ".": "\u2024"}


_ANY_SPECIAL = re.compile("[&<>*_~`:\uff0a\uff3f\uff40\uff1e\uff5e]")


@lru_cache(maxsize=8192)
def escape(text: str) -> str:
    """Data as Slack text: controls shown as codes, ``&``, ``<``, ``>`` as entities, so an
    employer called ``A & <B>`` reads as typed and ``<!channel>`` pings nobody."""
    text = printable(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=8192)
def literal(text: str) -> str:
    """Data placed inside ``mrkdwn``: :func:`escape`, and no formatting either (look-alikes
    for ``*_~``` `` and for the colon opening an emoji code; a soft hyphen before a ``>``
    that would start a quote)."""
    text = printable(text)
    if not _ANY_SPECIAL.search(text):  # most names and figures: nothing to do
        return text
    text = _SHORTCODE.sub("\ua789", escape(text).translate(_LOOKALIKES))
    return _QUOTE.sub("\u00ad\\1", text)


def _mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    """Our own mrkdwn around data already made :func:`literal`; never auto-linked."""
    return {"type": "mrkdwn", "text": cut(text, limit), "verbatim": True}


def plain(text: str, limit: int = MAX_SECTION_TEXT, *, emoji: bool = False) -> dict[str, Any]:
    """Data as ``plain_text``: never formatted; escaped like every text Slack displays."""
    return {"type": "plain_text", "text": cut(escape(text), limit) or " ", "emoji": emoji}


def _pieces(line: str, limit: int, render: Callable[[str], str]) -> Iterator[str]:
    """``line`` in rendered pieces of at most ``limit`` characters, cut between characters
    of the data (never inside an entity the rendering added)."""
    piece, size = "", 0
    for char in line:
        width = len(render(char))
        if size + width > limit and piece:
            yield render(piece)
            piece, size = "", 0
        piece += char
        size += width
    yield render(piece)


def _text_chunks(
    lines: Iterable[str], limit: int = MAX_SECTION_TEXT, render: Callable[[str], str] = escape
) -> Iterator[str]:
    """Lines rendered and joined into chunks under ``limit``, breaking only between lines
    when possible."""
    chunk = ""
    for line in lines:
        pieces = [render(line)] if len(render(line)) <= limit else _pieces(line, limit, render)
        for piece in pieces:
            candidate = f"{chunk}\n{piece}" if chunk else piece
            if len(candidate) > limit:
                yield chunk
                chunk = piece
            else:
                chunk = candidate
    if chunk:
        yield chunk


def _field_text(field: Field) -> dict[str, Any]:
    return _mrkdwn(f"*{literal(field.label)}*\n{literal(field.value)}", MAX_FIELD_TEXT)


def _field_blocks(fields: Sequence[Field], title: str | None = None) -> list[Block]:
    """Sections of at most ten fields; the first carries the title (mrkdwn) when there is one."""
    blocks: list[Block] = []
    for start in range(0, len(fields), MAX_FIELDS):
        block: Block = {
            "type": "section",
            "fields": [_field_text(f) for f in fields[start : start + MAX_FIELDS]],
        }
        if title is not None and start == 0:
            block["text"] = _mrkdwn(title)
        blocks.append(block)
    if not blocks and title is not None:
        blocks.append({"type": "section", "text": _mrkdwn(title)})
    return blocks


def _text_blocks(lines: Iterable[str]) -> list[Block]:
    """Data lines as plain text: shown exactly as they are, whatever characters they hold."""
    return [
        {"type": "section", "text": {"type": "plain_text", "text": chunk, "emoji": False}}
        for chunk in _text_chunks(lines)
    ]


def _section_blocks(section: Section) -> list[Block]:
    blocks: list[Block] = [{"type": "divider"}]
    title = cut(literal(section.title), MAX_SECTION_TEXT - 2)
    blocks += _field_blocks(section.fields, f"*{title}*" if section.title else None)
    if section.bars:
        width = max(len(bar.label) for bar in section.bars)
        bars = [f"{bar.label:<{width}} {bar.text()}" for bar in section.bars]
        # A code block keeps the bars aligned; each chunk gets its own fences.
        blocks += [
            {"type": "section", "text": _mrkdwn(f"```{chunk}```")}
            for chunk in _text_chunks(bars, MAX_SECTION_TEXT - 6, literal)
        ]
    blocks += _text_blocks(section.lines)
    return blocks


def _context(reply: Reply) -> list[Block]:
    elements: list[dict[str, Any]] = []
    if reply.footer:
        elements.append(plain(reply.footer, MAX_CONTEXT_TEXT))
    url = web_url(reply.source_url)
    if url is not None:
        label = literal(cut(host_of(url), 80))
        elements.append(_mrkdwn(f"Source: <{escape(url)}|{label}>"))
    elif reply.source_url:
        # Not a web address Slack or a member could trust: shown, never linked.
        elements.append(plain(f"Source: {reply.source_url}", MAX_CONTEXT_TEXT))
    elif reply.kind == "ballot":
        elements.append(_mrkdwn("Source: not known"))
    return [{"type": "context", "elements": elements}] if elements else []


def button(button: Button, action_id: str) -> Block | None:
    """One Block Kit button carrying its action (``verb:id``), or None when that does not
    fit in a value (it always does for ids within the id column's limit)."""
    if len(button.value) > MAX_BUTTON_VALUE:
        return None
    out: Block = {
        "type": "button",
        "action_id": action_id,
        "text": plain(button.label, MAX_BUTTON_TEXT),  # a label is data: no emoji codes
        "value": button.value,
    }
    if button.style in ("primary", "danger"):
        out["style"] = button.style
    return out


def _actions(buttons: Sequence[Button], public: bool) -> list[Block]:
    """Buttons in rows of 25. On a public card the Share button is left out: already shared."""
    elements = []
    for n, item in enumerate(buttons):
        if item.share and public:
            continue
        element = button(item, PRESS_ACTION.format(n))
        if element is not None:
            elements.append(element)
    return [
        {"type": "actions", "elements": elements[i : i + MAX_ACTIONS]}
        for i in range(0, len(elements), MAX_ACTIONS)
    ]


def body_blocks(reply: Reply) -> list[Block]:
    """Everything between the header and the context line."""
    blocks: list[Block] = []
    if reply.text:
        blocks += _text_blocks(reply.text.splitlines())
    blocks += _field_blocks(reply.fields)
    for section in reply.sections:
        blocks += _section_blocks(section)
    return blocks


def header(reply: Reply) -> Block:
    """The title: the tone as an emoji character (not a ``:code:``), so the data beside it is
    plain text with ``emoji: false`` and a ``:skull:`` in it stays the letters typed."""
    text = f"{TONE_EMOJI[reply.tone]} {escape(reply.header)}"
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": cut(text, MAX_HEADER), "emoji": False},
    }


_MARKS = re.compile("[*~`\uff0a\uff3f\uff40\uff5e]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
"""Formatting marks in a message's ``text``: every ``*``, ``~`` and backtick, and every ``_``
but one between two ASCII letters or digits. Slack documents no rule for marks inside a word,
and whether ``Smith*Acme*Sons`` or ``é_it_é`` pairs depends on what its parser takes for a
word boundary (an accented letter may not be a letter to it); an ASCII word is a word to
any parser, so ``not_in_channel`` (an error code, an id) is never italic and reads as
written."""


@lru_cache(maxsize=8192)
def fallback(text: str) -> str:
    """A message's top-level ``text`` (notifications, screen readers, and the message
    itself where blocks cannot be shown). Slack reads it as mrkdwn, so it is made inert
    like data in mrkdwn: :func:`escape`, look-alikes for every formatting mark but an
    underscore inside an ASCII word (:data:`_MARKS`) and for the colon opening an emoji
    code, a soft hyphen before a quote's ``>``; and no bare address either
    (:data:`_LINKISH`). It can never ping, format, draw an emoji code or link."""
    text = escape(text)
    text = _MARKS.sub(lambda m: m.group().translate(_LOOKALIKES), text)
    text = _SHORTCODE.sub("\ua789", text)
    text = _LINKISH.sub(lambda m: _DEFANGED[m.group()], text)
    return cut(_QUOTE.sub("\u00ad\\1", text), MAX_FALLBACK)


NO_PARSING: dict[str, Any] = {
    "parse": "none",
    "link_names": False,
    "unfurl_links": False,
    "unfurl_media": False,
}
"""Sent with every message (``chat.postMessage``, an acknowledgement, a ``response_url``
reply): Slack neither links names nor unfurls; the text itself is already made inert."""


def notice(text: str) -> Message:
    """A short message of the bot's own (a refused share), whose data parts the caller has
    passed through :func:`fallback`: text alone, sent with :data:`NO_PARSING`."""
    return {"text": cut(text, MAX_FALLBACK)}


def render(
    reply: Reply, *, public: bool = False, max_messages: int = MAX_MESSAGES
) -> list[Message]:
    """The reply as one or more messages (``{"text", "blocks"}``), at most ``max_messages``.

    What does not fit in ``max_messages`` is dropped with a note saying so, never silently.
    """
    head = [header(reply)]
    body = body_blocks(reply)
    trailer = _context(reply) + _actions(reply.buttons, public)
    room = MAX_BLOCKS * max_messages - len(head) - len(trailer)
    if len(body) > room:
        kept = max(room - 1, 0)
        dropped = len(body) - kept
        note = f"_Reply shortened: {dropped} more parts not shown. Try a narrower search._"
        body = [*body[:kept], {"type": "context", "elements": [_mrkdwn(note)]}]
    blocks = head + body + trailer
    chunks = [blocks[i : i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)]
    messages = [{"text": fallback(reply.plain_text()), "blocks": chunks[0]}]
    for n, chunk in enumerate(chunks[1:], start=2):
        messages.append(
            {"text": fallback(f"{reply.header} (part {n} of {len(chunks)})"), "blocks": chunk}
        )
    return messages


def working_on_it() -> Message:
    """The acknowledgement sent when the answer takes longer than Slack's three seconds."""
    text = ":hourglass_flowing_sand: Working on it…"
    return {"text": "Working on it…", "blocks": [{"type": "context", "elements": [_mrkdwn(text)]}]}
