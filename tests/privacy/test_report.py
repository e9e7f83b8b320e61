"""What is stored about members, for the organisers (``admin privacy``), the operator
(``ballotbot privacy-report``) and the delivery log: counts, never who."""

from __future__ import annotations

from pathlib import Path

from bot.replies import Reply
from tests.adapters.console.test_cli import ballotbot
from tests.support.conversation import ORGANISER, Conversation
from tests.support.privacy import AMINA, BEN, CARA, everyone_uses_the_bot


def fields(reply: Reply) -> dict[str, str]:
    return {f.label: f.value for f in reply.fields}


async def test_organisers_see_counts_the_oldest_record_and_the_next_purge(
    branch: Conversation,
) -> None:
    await everyone_uses_the_bot(branch)
    branch.at("2026-12-07 10:00")

    report = await branch.organiser("/ballot admin privacy")

    shown = fields(report)
    assert shown["Members with anything stored"] == "3"
    assert shown["Reminder opt-ins"] == "2"  # Cara's went with her undeliverable DM
    assert shown["“Posted my paper” records"] == "1"
    assert shown["Reminder DMs"] == "4 (1 waiting, 2 sent, 1 failed)"
    assert shown["Oldest record"].endswith("UTC (a reminder opt-in)")
    assert shown["Next purge"].startswith("Tue 08 December 2026 03:30 GMT")
    assert report.sections[0].lines == (
        "leeds-2026: still running (closes 10 December 2026); erased after it ends",
    )
    for member in (AMINA, BEN, CARA):
        assert member not in report.plain_text()


async def test_the_report_says_when_each_ballots_records_go(branch: Conversation) -> None:
    await everyone_uses_the_bot(branch)
    branch.at("2026-12-20 10:00")  # Leeds closed on the 10th

    report = await branch.organiser("/ballot admin privacy")

    assert report.sections[0].lines == (
        "leeds-2026: ended 10 December 2026; erased by the purge of 10 January 2027 03:30",
    )
    assert fields(report)["Next erasure"] == (
        "the records of 1 ballot(s), by the purge of 10 January 2027 03:30"
    )


async def test_members_cannot_see_the_report(branch: Conversation) -> None:
    reply = await branch.say("/ballot admin privacy", user=AMINA)

    assert not reply.ok and reply.header == "Only organisers can do that"


async def test_the_delivery_log_counts_dms_and_names_no_member(branch: Conversation) -> None:
    await everyone_uses_the_bot(branch)

    log = await branch.organiser("/ballot admin deliveries leeds-2026")

    text = log.plain_text()
    for member in (AMINA, BEN, CARA):
        assert member not in text
    counted = log.sections[-1]
    assert counted.title == "Reminder DMs to members (counts only)"
    assert counted.lines == (
        "leeds-2026 close-6d: 0 sent, 1 pending, 0 failed",
        "leeds-2026 close-7d: 2 sent, 0 pending, 1 failed",
    )
    assert "C0LEEDS" in text  # channels are listed one by one as before


async def test_saying_voted_is_not_visible_in_the_delivery_log(branch: Conversation) -> None:
    """Two members wait for the morning's DM; one of them says she has voted. The log the
    organisers read must not change in a way that shows who: it never listed names, and
    the member's waiting DM leaves the count as any dropped message would."""
    await branch.organiser("/ballot admin reminders leeds-2026 days=7")
    for member in (AMINA, BEN):
        await branch.say("/ballot remind me leeds", user=member)
    branch.at("2026-12-02 23:00")  # quiet hours: DMs wait for the morning
    await branch.app.reminders.fire("leeds-2026", "close-7d")
    before = (await branch.organiser("/ballot admin deliveries leeds-2026")).plain_text()

    await branch.say("/ballot voted leeds", user=AMINA)

    after = (await branch.organiser("/ballot admin deliveries leeds-2026")).plain_text()
    for text in (before, after):
        assert AMINA not in text and BEN not in text
    assert "leeds-2026 close-7d: 0 sent, 2 pending, 0 failed" in before
    assert "leeds-2026 close-7d: 0 sent, 1 pending, 0 failed" in after


def test_the_operator_prints_the_report_for_the_records_of_processing(tmp_path: Path) -> None:
    done = ballotbot(tmp_path, "privacy-report")

    assert done.returncode == 0, done.stderr
    assert "What ballotbot stores about members" in done.stdout
    assert "Reminder opt-ins" in done.stdout and "Next purge" in done.stdout
    assert ORGANISER not in done.stdout
