"""A reminder that quiet hours would push past the close goes before them, or is dropped with
a reason in the plan — never planned after the ballot has closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.domain import Method
from bot.reminders.plan import plan_for
from tests.bot.reminders.test_plan import DEFAULT, ballot
from tests.support.conversation import Conversation

LATE = replace(DEFAULT, send_at=time(22), days_before_close=(0,))


def test_the_last_day_goes_before_the_quiet_hours_not_the_morning_after() -> None:
    plan = plan_for(ballot("2026-11-23", "2026-12-10"), LATE)
    last = {p.stage: p for p in plan.reminders}["close-0d"]
    assert last.local.date() == date(2026, 12, 10)
    assert last.local.time() == time(20, 59)  # the last minute before 21:00
    assert all(p.local.date() <= date(2026, 12, 10) for p in plan.reminders)
    assert plan.unknown == ()


def test_the_last_day_keeps_its_name_when_a_countdown_is_pushed_into_it() -> None:
    # "1 day left" due 22:00 on the 9th waits for 08:00 on the 10th, the last day.
    plan = plan_for(ballot("2026-11-23", "2026-12-10"), replace(LATE, days_before_close=(1, 0)))
    last_day = [p for p in plan.reminders if p.local.date() == date(2026, 12, 10)]
    assert [(p.stage, p.what, p.local.time()) for p in last_day] == [
        ("close-0d", "the last day", time(8))
    ]
    assert max(p.local.date() for p in plan.reminders) == date(2026, 12, 10)


def test_no_reminder_is_ever_planned_after_the_close() -> None:
    for send_at in (time(h, m) for h in range(24) for m in (0, 30)):
        for quiet in ((time(21), time(8)), (time(0), time(7)), (time(12), time(13))):
            knobs = replace(
                DEFAULT,
                send_at=send_at,
                quiet_start=quiet[0],
                quiet_end=quiet[1],
                days_before_close=(3, 1, 0),
            )
            plan = plan_for(ballot("2026-12-01", "2026-12-10", Method.POSTAL), knobs)
            for planned in plan.reminders:
                assert planned.local.date() <= date(2026, 12, 10), (send_at, quiet, planned)
                assert planned.local.date() >= date(2026, 12, 1)


async def test_admin_reminders_days_1_0_plans_the_last_day_before_the_close(
    branch: Conversation,
) -> None:
    branch.app.settings.reminders.send_at = "22:00"  # as a config that slipped through
    reply = await branch.as_organiser().say("/ballot admin reminders leeds days=1,0")
    assert reply.ok, reply.plain_text()
    lines = reply.sections[0].lines
    assert "Thu 10 December 2026 08:00 GMT — the last day" in lines, lines
    assert not any("11 December" in line for line in lines)
    alone = await branch.as_organiser().say("/ballot admin reminders leeds days=0")
    assert "Thu 10 December 2026 20:59 GMT — the last day" in alone.sections[0].lines


@pytest.mark.parametrize(
    ("reminders", "said"),
    [
        ('send_at = "22:00"', "send_at 22:00 is inside the quiet hours (21:00-08:00)"),
        ('send_at = "07:59"', "send_at 07:59 is inside the quiet hours"),
        ('send_at = "13:00"\nquiet_start = "12:00"\nquiet_end = "14:00"', "send_at 13:00"),
    ],
)
def test_a_send_time_inside_quiet_hours_is_refused_at_load(
    tmp_path, reminders: str, said: str
) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text(f"[reminders]\n{reminders}\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(config)
    assert said in str(refused.value)
    assert "choose a send_at outside them" in str(refused.value)


def test_a_send_time_outside_quiet_hours_loads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text('[reminders]\nsend_at = "08:00"\nquiet_start = "21:00"\n')
    assert load_settings(config).reminders.send_at == "08:00"


def test_the_health_port_cannot_be_the_slack_port(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text(
        '[slack]\nenabled = true\nmode = "http"\nport = 3000\n[process]\nhealth_port = 3000\n'
    )
    with pytest.raises(ConfigError, match="health_port 3000 is \\[slack\\] port too"):
        load_settings(config)


def test_settings_that_do_not_do_what_they_seem_are_warned() -> None:
    settings = Settings.model_validate(
        {
            "slack": {"enabled": True},
            "process": {"roles": ["slack", "dispatcher"]},
            "feeds": [{"url": "https://union.example/results.csv"}],
            "announcements": {"organiser_channels": ["discord:123"]},
            "reminders": {"quiet_start": "08:00", "quiet_end": "08:00"},
        }
    )
    said = "\n".join(settings.warnings())
    assert 'roles has no "feeds"' in said
    assert "organiser_channels names discord:123, but [discord] is not enabled" in said
    assert "[slack] organisers is empty" in said
    assert "there are no quiet hours" in said
    assert Settings().warnings() == []
