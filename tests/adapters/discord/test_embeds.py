"""A card always fits the embed limits, keeps its figures readable, says what it left out."""

from __future__ import annotations

import re

from adapters.discord.embeds import COLOURS, render
from bot.replies import Bar, Field, Reply, Section, Tone


def test_a_card_too_big_for_discord_is_trimmed_within_every_limit() -> None:
    sections = tuple(
        Section(
            title=f"Question {n}: " + "why " * 100,
            fields=tuple(Field(f"Figure {i}", "12,345 " * 30) for i in range(8)),
            bars=(Bar("Yes", 0.6, "60.0% yes"),),
            lines=("A long line. " * 40,),
        )
        for n in range(40)
    )
    reply = Reply(
        header="H" * 400,
        text="T" * 5000,
        fields=tuple(Field(f"Label {i}", "value") for i in range(12)),
        sections=sections,
        footer="F" * 3000,
        source_url="https://www.unison.org.uk/news/",
    )

    embed = render(reply)

    assert len(embed) <= 6000
    assert len(embed.title or "") <= 256 and len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)
    assert len(embed.footer.text or "") <= 2048
    assert any(f.name == "More" and "did not fit" in (f.value or "") for f in embed.fields)


def test_a_kirklees_like_card_keeps_every_figure() -> None:
    reply = Reply(
        header="Kirklees Council — Unison",
        fields=(Field("Members balloted", "6,500"), Field("Turnout", "not known")),
        sections=(
            Section(
                title="Strike over two compulsory redundancies?",
                fields=(Field("Yes share", "43.3% of those voting"),),
                bars=(Bar("Yes", 0.433, "43.3% yes", threshold=0.5),),
                lines=("Lost: 56.7% of those voting said no.",),
            ),
        ),
        source_url="https://example.org/kirklees",
        tone=Tone.FAILED,
    )

    embed = render(reply).to_dict()

    values = "\n".join(f"{f['name']}: {f['value']}" for f in embed["fields"])
    assert "Members balloted: 6,500" in values and "Turnout: not known" in values
    assert "**Yes share**: 43.3% of those voting" in values
    assert "Yes `█████████░┃░░░░░░░░░ 43.3% yes`" in values
    assert "56.7%" in values
    assert embed["url"] == "https://example.org/kirklees"
    assert "Source: [example.org](https://example.org/kirklees)" in values
    assert embed["color"] == COLOURS[Tone.FAILED]


def test_every_tone_has_its_own_colour() -> None:
    assert len(set(COLOURS.values())) == len(Tone)
    assert render(Reply(header="x", tone=Tone.PASSED)).colour.value == 0x009E73  # type: ignore[union-attr]


def test_a_source_that_is_not_a_web_link_is_not_made_a_link() -> None:
    embed = render(Reply(header="x", source_url="Kirklees Examiner, 3 May 2013"))

    assert embed.url is None
    assert not embed.fields


def every_string(embed: dict) -> list[str]:
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [p for f in embed.get("fields", []) for p in (f["name"], f["value"])]
    parts.append(embed.get("footer", {}).get("text", ""))
    return parts


def test_a_masked_link_in_data_is_shown_not_linked() -> None:
    phish = "[Vote here](https://phish.example)"
    reply = Reply(
        header=f"{phish} Council — Unison",
        text=f"Members at {phish}.",
        fields=(Field("Employer", phish), Field(phish, "x")),
        sections=(Section(phish, fields=(Field("Branch", phish),), lines=(phish,)),),
        footer=f"a [x](https://evil.example) b {phish}",
    )

    embed = render(reply).to_dict()

    for text in every_string(embed):
        assert "[Vote here](" not in text and "[x](" not in text, text
    assert "\\[Vote here\\](https\\://phish.example)" in embed["description"]


def test_formatting_after_a_masked_link_and_bare_addresses_stay_text() -> None:
    # discord.utils.escape_markdown passes "[...](...)" through whole, up to the line's last
    # ")": everything between (here *Acme* and a bare address) would have stayed live.
    line = "[Vote](https://phish.example) *Acme* see https://evil.example (75.0% yes)"
    embed = render(Reply(header="x", sections=(Section("Ballots", lines=(line,)),))).to_dict()

    [value] = [f["value"] for f in embed["fields"]]
    assert "\\*Acme\\*" in value
    assert "https://" not in value  # no bare address for Discord to turn into a link
    assert "https\\://evil.example" in value


def test_list_heading_and_quote_marks_in_data_stay_text() -> None:
    embed = render(Reply(header="x", footer="1. one\n- two\n# three\n> four")).to_dict()

    assert embed["footer"]["text"] == "1\\. one\n\\- two\n\\# three\n\\> four"


def test_a_source_url_cannot_break_out_of_the_bots_own_link() -> None:
    source = "https://example.org/a)[Official](https://phish.example"
    embed = render(Reply(header="x", source_url=source)).to_dict()

    [field] = [f for f in embed["fields"] if f["name"] == "Source"]
    url = "https://example.org/a%29%5BOfficial%5D%28https://phish.example"
    assert field["value"] == f"[example.org]({url})"  # one link, the bot's, going where it says
    assert embed["url"] == url


def test_a_source_discord_would_refuse_is_neither_the_embed_url_nor_a_link() -> None:
    for source in ("https://", "https://host/strike vote", "https://evil.example|x"):
        embed = render(Reply(header="x", source_url=source)).to_dict()
        assert "url" not in embed
        assert not any(f["name"] == "Source" for f in embed.get("fields", []))


def test_mentions_tags_and_markdown_in_data_are_escaped() -> None:
    data = "@everyone @here <@123456789012345678> <@&920000000000000001> <#1> <t:0:R> **b** ||s||"
    embed = render(Reply(header=data, text=data, footer=data)).to_dict()

    for text in every_string(embed):
        if not text:
            continue
        assert not re.search(r"(?<!\\)@", text), text  # every @ escaped: no mention
        assert "\\<\\@" in text and "\\<#1>" in text and "\\<t:0:R>" in text
        assert "**b**" not in text and "||s||" not in text
