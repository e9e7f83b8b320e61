"""An import full of results reaches each following channel once per ballot, corrections
where a result went out already, and the organiser's terminal hears how the queuing goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.imports.files import import_announcing
from tests.support.conversation import Conversation
from tests.support.platforms import FakePlatform

BALLOTS = 12
CHUNK = 5
"""Ballots queued at a time in these tests (500 otherwise): the chunks' edges are crossed."""
HEADER = "id,employer,unions,question,kind,status,eligible,votes_for,votes_against,closes"


def results_file(tmp_path: Path, name: str, votes_for: dict[int, int] | None = None) -> Path:
    """``BALLOTS`` declared strike ballots, every third one of Unite's, the rest Unison's;
    ``votes_for`` overrides ballot n's votes for (a corrected figure)."""
    rows = [HEADER]
    for n in range(BALLOTS):
        union = "Unite" if n % 3 == 0 else "Unison"
        votes = (votes_for or {}).get(n, 600)
        rows.append(
            f"fan-{n},Employer {n},{union},Strike?,strike,declared,1000,{votes},200,2026-01-26"
        )
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def drain(branch: Conversation, *platforms: FakePlatform) -> int:
    dispatcher, sent = branch.dispatcher(*platforms), 0
    while (round_sent := await dispatcher.run_once()) > 0:
        sent += round_sent
    return sent


async def test_an_import_of_many_results_reaches_each_follower_once_then_corrects_them(
    branch: Conversation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.declarations._AUDIT_CHUNK", CHUNK)
    slack, discord = FakePlatform("slack"), FakePlatform("discord")
    await branch.subscribe("slack", "C0ALL")
    await branch.subscribe("discord", "9001", "unite")
    told: list[tuple[int, int]] = []

    declared = await import_announcing(
        branch.app.declarations,
        results_file(tmp_path, "results.csv"),
        "console:secretary",
        progress=lambda done, total: told.append((done, total)),
    )

    unite = len(range(0, BALLOTS, 3))
    assert (declared.results, declared.corrections) == (BALLOTS + unite, 0)
    stored, queued = told[:1], told[1:]
    assert stored == [(BALLOTS, BALLOTS)]
    assert queued == [(5, BALLOTS), (10, BALLOTS), (BALLOTS, BALLOTS)]
    assert await drain(branch, slack, discord) == BALLOTS + unite
    assert len(slack.headers("C0ALL")) == BALLOTS
    assert len(discord.headers("9001")) == unite
    assert all(h.startswith("New result: ") for h in slack.headers("C0ALL"))

    # Figures change for ballots on both sides of the chunks' edge, twice before anything is
    # sent: each channel hears the newest figures once, as a correction of what it was sent.
    changed = [0, 1, 4, 5, 6, 11]
    first = {n: 650 for n in changed}
    again = await import_announcing(
        branch.app.declarations, results_file(tmp_path, "first.csv", first), "console:secretary"
    )
    newest = {n: 660 for n in changed}
    latest = await import_announcing(
        branch.app.declarations, results_file(tmp_path, "newest.csv", newest), "console:secretary"
    )

    unite_changed = len([n for n in changed if n % 3 == 0])
    assert again.report.updated == latest.report.updated == len(changed)
    assert latest.corrections == again.corrections == len(changed) + unite_changed
    assert await drain(branch, slack, discord) == len(changed) + unite_changed
    assert len(slack.headers("C0ALL")) == BALLOTS  # the messages sent are edited, not repeated
    edited = {message: reply for channel, message, reply in slack.edits if channel == "C0ALL"}
    first_sent = {n: slack.channels["C0ALL"][n][0] for n in changed}
    assert set(edited) == set(first_sent.values())
    for reply in edited.values():
        assert reply.header.startswith("Correction: ")
        assert "660" in reply.plain_text() and "650" not in reply.plain_text()
    assert len([e for e in discord.edits if e[0] == "9001"]) == unite_changed

    # The same file once more changes nothing and queues nothing.
    same = await import_announcing(
        branch.app.declarations, results_file(tmp_path, "newest.csv", newest), "console:secretary"
    )
    assert same.report.unchanged == BALLOTS and (same.results, same.corrections) == (0, 0)
    assert await drain(branch, slack, discord) == 0
