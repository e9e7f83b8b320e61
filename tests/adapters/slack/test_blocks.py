"""A Reply drawn as Block Kit: every figure shown, every Slack limit respected."""

from __future__ import annotations

import json

from adapters.slack.blocks import (
    MAX_BLOCKS,
    MAX_FIELDS,
    MAX_HEADER,
    MAX_SECTION_TEXT,
    escape,
    fallback,
    render,
)
from bot.actions import Action, Verb
from bot.replies import Bar, Button, Field, Reply, Section, Tone


def long_reply(sections: int = 40, buttons: int = 0) -> Reply:
    """A card longer than one Slack message can carry."""
    return Reply(
        header="Every ballot",
        sections=tuple(
            Section(
                title=f"Question {n}",
                fields=tuple(Field(f"Figure {i}", f"{i * n:,}") for i in range(6)),
                bars=(Bar("Yes", 0.5, "50.0% yes"), Bar("Turnout", None, "turnout not known")),
                lines=(f"Line of question {n}",),
            )
            for n in range(1, sections + 1)
        ),
        buttons=tuple(Button(f"Ballot {n}", Action(Verb.CARD, f"b{n}")) for n in range(buttons)),
    )


def all_blocks(reply: Reply, **kwargs: object) -> list[dict]:
    return [block for message in render(reply, **kwargs) for block in message["blocks"]]  # type: ignore[arg-type]


def test_a_short_reply_is_one_message_with_header_fields_bars_and_context() -> None:
    reply = Reply(
        header="Kirklees Council — Unison",
        text="Strike ballot of Unison members.",
        fields=(Field("Members balloted", "6,500"),),
        sections=(Section("Strike?", bars=(Bar("Yes", 0.433, "43.3% yes", threshold=0.5),)),),
        footer="Turnout not yet known when reported.",
        source_url="https://example.org/kirklees",
        tone=Tone.FAILED,
        kind="ballot",
    )
    [message] = render(reply)
    kinds = [block["type"] for block in message["blocks"]]
    assert kinds == ["header", "section", "section", "divider", "section", "section", "context"]
    assert message["blocks"][0]["text"]["text"] == "\u274c Kirklees Council — Unison"
    assert message["blocks"][0]["text"]["emoji"] is False  # the header holds data
    assert "`" in message["blocks"][5]["text"]["text"] and "43.3% yes" in json.dumps(message)
    context = message["blocks"][-1]["elements"]
    assert "<https://example.org/kirklees|" in context[1]["text"]
    assert "6,500" in message["text"]  # the notification text carries the figures too


def test_a_ballot_card_without_a_source_says_the_source_is_not_known() -> None:
    [message] = render(Reply(header="A ballot", kind="ballot"))
    assert message["blocks"][-1]["elements"][0]["text"] == "Source: not known"


def test_every_block_respects_slacks_limits() -> None:
    reply = Reply(
        header="H" * 400,
        text="word " * 2000,
        fields=tuple(Field(f"Label {n}", "v" * 3000) for n in range(23)),
        sections=(Section("S" * 4000, lines=tuple("x" * 5000 for _ in range(3))),),
        buttons=tuple(Button("B" * 200, Action(Verb.CARD, str(n))) for n in range(60)),
    )
    messages = render(reply)
    for message in messages:
        assert len(message["blocks"]) <= MAX_BLOCKS
        for block in message["blocks"]:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= MAX_HEADER
            if block["type"] == "section":
                assert len(block.get("text", {}).get("text", "")) <= MAX_SECTION_TEXT
                assert len(block.get("fields", [])) <= MAX_FIELDS
                assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
            if block["type"] == "actions":
                assert len(block["elements"]) <= 25
                assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])
    buttons = [
        e for m in messages for b in m["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert len(buttons) == 60  # split across rows, none lost
    assert len({b["action_id"] for b in buttons}) == 60
    field_blocks = [b for m in messages for b in m["blocks"] if b.get("fields")]
    assert [len(b["fields"]) for b in field_blocks] == [10, 10, 3]


def test_long_text_is_split_between_lines_not_inside_them() -> None:
    lines = tuple(f"2013 — Ballot number {n}: carried" for n in range(300))
    blocks = all_blocks(Reply(header="History", sections=(Section("300 ballots", lines=lines),)))
    texts = [
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and "Ballot number" in b["text"]["text"]
    ]
    assert len(texts) > 1
    assert [line for text in texts for line in text.split("\n")] == list(lines)


def test_a_reply_longer_than_a_message_is_split_and_the_header_comes_first() -> None:
    messages = render(long_reply(sections=40))
    assert len(messages) == 4
    assert messages[0]["blocks"][0]["type"] == "header"
    assert all(m["blocks"][0]["type"] != "header" for m in messages[1:])
    assert messages[1]["text"] == "Every ballot (part 2 of 4)"
    assert "Question 40" in json.dumps(messages[-1])


def test_a_reply_too_long_even_for_several_messages_says_what_it_left_out() -> None:
    messages = render(long_reply(sections=100, buttons=3), max_messages=2)
    assert len(messages) == 2
    last = messages[-1]["blocks"]
    assert last[-1]["type"] == "actions"  # the buttons survive the cut
    notes = [b for b in last if b["type"] == "context"]
    assert "Reply shortened: 303 more parts not shown" in notes[0]["elements"][0]["text"]


def test_share_is_left_out_of_a_card_that_is_already_public() -> None:
    reply = Reply(
        header="Card",
        buttons=(
            Button("History", Action(Verb.HISTORY, "x")),
            Button("Share", Action(Verb.SHARE, "x")),
        ),
    )
    private = [e["value"] for e in all_blocks(reply)[-1]["elements"]]
    public = [e["value"] for e in all_blocks(reply, public=True)[-1]["elements"]]
    assert private == ["history:x", "share:x"]
    assert public == ["history:x"]


def test_names_with_mrkdwn_characters_read_as_typed() -> None:
    assert escape("Marks & Spencer <Retail>") == "Marks &amp; Spencer &lt;Retail&gt;"
    [message] = render(Reply(header="x", fields=(Field("Employer", "A & B"),)))
    assert message["blocks"][1]["fields"][0]["text"] == "*Employer*\nA &amp; B"


PINGS = (
    "<!channel>",
    "<!everyone>",
    "<!here>",
    "<@U0ADMIN>",
    "<!subteam^S0ALL|@all>",
    "<#C0GENERAL>",
    "<https://evil.example|Official results>",
    "<mailto:x@evil.example|Union office>",
)


def every_text(message: dict) -> list[str]:
    """The top-level text and every text object of a message."""
    found = [message["text"]]

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if value.get("type") in ("plain_text", "mrkdwn"):
                found.append(value["text"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message["blocks"])
    return found


def test_mentions_and_links_in_any_field_read_as_typed_in_blocks_and_in_text() -> None:
    for ping in PINGS:
        reply = Reply(
            header=f"New result: {ping}",
            text=f"Strike of {ping} members.",
            fields=(Field("Employer", ping), Field(ping, "label too")),
            sections=(Section(ping, fields=(Field("Unions", ping),), lines=(ping,)),),
            footer=ping,
            buttons=(Button(ping, Action(Verb.CARD, "x")),),
            kind="ballot",
        )
        for message in render(reply, public=True):
            for text in every_text(message):
                assert "<" not in text and ">" not in text, (ping, text)
            assert fallback(ping) in message["text"]  # the notification shows it, inert


def test_mrkdwn_formatting_in_data_is_not_formatting() -> None:
    reply = Reply(
        header="x",
        fields=(Field("Employer", "*Acme* _Ltd_ ~old~ `code` ＊wide＊"),),
        sections=(Section("> quoted *question*"),),
    )
    [message] = render(reply)
    mrkdwn = [t for t in json.loads(json.dumps(message["blocks"])) if t["type"] == "section"]
    texts = [f["text"] for b in mrkdwn for f in b.get("fields", [])]
    texts += [b["text"]["text"] for b in mrkdwn if "text" in b]
    joined = "\n".join(texts)
    for formatted in ("*Acme*", "_Ltd_", "~old~", "`code`", "＊wide＊"):
        assert formatted not in joined
    assert "∗Acme∗" in joined  # the look-alike shows the same word
    assert "\n&gt;" not in joined and not any(t.startswith("&gt;") for t in texts)


def test_a_source_that_is_not_a_well_formed_web_address_is_text_not_a_link() -> None:
    for source in ("https://evil.example|Official results", "https://", "javascript:alert(1)"):
        [message] = render(Reply(header="x", source_url=source, kind="ballot"))
        context = message["blocks"][-1]["elements"]
        assert context[0]["type"] == "plain_text" and "<" not in context[0]["text"]
    [message] = render(Reply(header="x", source_url="https://x.org/a)b|c>d", kind="ballot"))
    link = message["blocks"][-1]["elements"][0]["text"]
    assert link == "Source: <https://x.org/a%29b%7Cc%3Ed|x.org>"


def test_control_characters_are_shown_as_codes() -> None:
    [message] = render(Reply(header="a\x1b[31mb", text="c\u202ed\re"))
    assert not any("\x1b" in t or "\u202e" in t or "\r" in t for t in every_text(message))
    assert "\\x1b" in message["text"]
    assert "\\u202e" in message["text"] and "\\x0d" in message["text"]
