"""Reply -> Block Kit messages. Pure functions: no I/O, no Slack client, easy to test.

Slack rejects a whole message when any one limit is broken (``invalid_blocks``), so every text
is cut to its limit here, long text is split across blocks at line ends, and a reply too big
for one message is split across several (the slash command answers the first in its
acknowledgement and sends the rest through ``response_url``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

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

RUN_ACTION = "ballot:run:{}"
SHARE_ACTION = "ballot:share"
ACTION_PREFIX = "ballot:"

TONE_EMOJI = {
    Tone.PASSED: ":white_check_mark:",
    Tone.FAILED: ":x:",
    Tone.NEUTRAL: ":ballot_box_with_ballot:",
    Tone.UNKNOWN: ":grey_question:",
    Tone.ERROR: ":warning:",
}


def cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters, with an ellipsis when anything was lost."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """mrkdwn control characters, so an employer called ``A & <B>`` reads as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, str]:
    return {"type": "mrkdwn", "text": cut(text, limit)}


def _text_chunks(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> Iterator[str]:
    """Lines joined into chunks under ``limit``, breaking only between lines when possible."""
    chunk = ""
    for line in lines:
        for piece in (line[i : i + limit] for i in range(0, max(len(line), 1), limit)):
            candidate = f"{chunk}\n{piece}" if chunk else piece
            if len(candidate) > limit:
                yield chunk
                chunk = piece
            else:
                chunk = candidate
    if chunk:
        yield chunk


def _field_text(field: Field) -> dict[str, str]:
    return _mrkdwn(f"*{escape(field.label)}*\n{escape(field.value)}", MAX_FIELD_TEXT)


def _field_blocks(fields: Sequence[Field], title: str | None = None) -> list[Block]:
    """Sections of at most ten fields; the first carries the title when there is one."""
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
    return [{"type": "section", "text": _mrkdwn(chunk)} for chunk in _text_chunks(lines)]


def _section_blocks(section: Section) -> list[Block]:
    blocks: list[Block] = [{"type": "divider"}]
    blocks += _field_blocks(section.fields, f"*{escape(section.title)}*")
    if section.bars:
        width = max(len(bar.label) for bar in section.bars)
        bars = [f"{bar.label:<{width}} {bar.text()}" for bar in section.bars]
        # A code block keeps the bars aligned; each chunk gets its own fences.
        blocks += [
            {"type": "section", "text": _mrkdwn(f"```{chunk}```")}
            for chunk in _text_chunks((escape(b) for b in bars), MAX_SECTION_TEXT - 6)
        ]
    blocks += _text_blocks(escape(line) for line in section.lines)
    return blocks


def _context(reply: Reply) -> list[Block]:
    elements = []
    if reply.footer:
        elements.append(_mrkdwn(escape(reply.footer), MAX_CONTEXT_TEXT))
    if reply.source_url:
        url = reply.source_url.replace(">", "%3E").replace("|", "%7C")
        elements.append(_mrkdwn(f"Source: <{url}|{escape(cut(reply.source_url, 80))}>"))
    elif reply.kind == "ballot":
        elements.append(_mrkdwn("Source: not known"))
    return [{"type": "context", "elements": elements}] if elements else []


def button(button: Button, action_id: str) -> Block | None:
    """One Block Kit button, or None when its command is too long to round-trip in a value."""
    if len(button.command) > MAX_BUTTON_VALUE:
        return None
    out: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": cut(button.label, MAX_BUTTON_TEXT), "emoji": True},
        "value": button.command,
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
        element = button(item, SHARE_ACTION if item.share else RUN_ACTION.format(n))
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
        blocks += _text_blocks(escape(reply.text).splitlines())
    blocks += _field_blocks(reply.fields)
    for section in reply.sections:
        blocks += _section_blocks(section)
    return blocks


def header(reply: Reply) -> Block:
    text = f"{TONE_EMOJI[reply.tone]} {reply.header}"
    return {"type": "header", "text": {"type": "plain_text", "text": cut(text, MAX_HEADER)}}


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
    fallback = cut(reply.plain_text(), MAX_FALLBACK)
    messages = [{"text": fallback, "blocks": chunks[0]}]
    for n, chunk in enumerate(chunks[1:], start=2):
        messages.append(
            {
                "text": cut(f"{reply.header} (part {n} of {len(chunks)})", MAX_FALLBACK),
                "blocks": chunk,
            }
        )
    return messages


def working_on_it() -> Message:
    """The acknowledgement sent when the answer takes longer than Slack's three seconds."""
    text = ":hourglass_flowing_sand: Working on it…"
    return {"text": "Working on it…", "blocks": [{"type": "context", "elements": [_mrkdwn(text)]}]}
