"""0007: turnouts that ``admin turnout`` wrote into results before it had its own columns are
moved to ``turnout_so_far``; a result's own reported turnout stays where it is.

The rule (see the migration): moved when the ballot's latest ``turnout`` audit entry wrote
exactly the turnout stored now (with that entry's time), or when a ballot still running
(open, scheduled) has a turnout and no other figure (time not known); left alone otherwise.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.domain import Percentage
from storage.ballots import SqlBallotStore
from storage.database import create_engine, upgrade

REPORTED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# id: status, [(votes_for, votes_against, turnout, decimals, approximate)], turnout in audit
BALLOTS: dict[str, tuple[str | None, list[tuple[Any, ...]], float | None]] = {
    "running-admin": ("open", [(None, None, 31.5, 1, False)], 31.5),
    "declared-after-admin": ("declared", [(640, 210, 31.5, 1, False)], 31.5),
    "two-questions-admin": ("open", [(None, None, 20, 0, False)] * 2, 20),
    "open-no-audit": ("open", [(None, None, 40.0, None, False)], None),
    "statusless-admin": (None, [(None, None, 12.5, 1, False)], 12.5),
    "declared-by-source": ("declared", [(1552, 307, 52.6, 1, False)], None),
    "closed-by-source": ("closed", [(None, None, 45.0, 0, False)], None),
    "open-around": ("open", [(None, None, 30.0, 0, True)], None),
    "open-with-counts": ("open", [(100, 50, 30.0, 0, False)], None),
    "changed-since": ("declared", [(None, None, 33.0, 0, False)], 31.5),
}


@pytest.fixture
async def before_0007(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        await upgrade(engine, "0006_privacy")
        yield engine
    finally:
        await engine.dispose()


async def _insert(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO employers (id, key, name) VALUES (1, 'york', 'York Council')")
        )
        for ballot_id, (status, questions, audited) in BALLOTS.items():
            await connection.execute(
                text(
                    "INSERT INTO ballots (id, employer_id, jurisdiction, important_public_service,"
                    " status, sort_date, has_result, ended_on) VALUES (:id, 1, 'GB', 'unknown',"
                    " :status, :day, :result, :ended)"
                ),
                {
                    "id": ballot_id,
                    "status": status,
                    "day": date(2026, 1, 1),
                    "result": True,
                    "ended": date(2026, 11, 26) if status != "open" else None,
                },
            )
            for position, (yes, no, turnout, decimals, around) in enumerate(questions):
                await connection.execute(
                    text(
                        "INSERT INTO questions (ballot_id, position, text, kind) "
                        "VALUES (:id, :position, 'Strike?', 'strike')"
                    ),
                    {"id": ballot_id, "position": position},
                )
                await connection.execute(
                    text(
                        "INSERT INTO results (ballot_id, position, votes_for, votes_against,"
                        " turnout_pct, turnout_decimals, turnout_approximate) VALUES (:id,"
                        " :position, :yes, :no, :turnout, :decimals, :around)"
                    ),
                    {
                        "id": ballot_id,
                        "position": position,
                        "yes": yes,
                        "no": no,
                        "turnout": turnout,
                        "decimals": decimals,
                        "around": around,
                    },
                )
            if audited is not None:
                after = {"questions": [{"turnout_pct": audited} for _ in questions]}
                for action, at in (("turnout", REPORTED), ("result", datetime.now(UTC))):
                    await connection.execute(
                        text(
                            "INSERT INTO audit_log (at, who, action, ballot_id, after) "
                            "VALUES (:at, 'console:local', :action, :id, :after)"
                        ),
                        {"at": at, "action": action, "id": ballot_id, "after": json.dumps(after)},
                    )


async def test_admin_turnouts_move_out_of_results_and_source_turnouts_stay(
    before_0007: AsyncEngine,
) -> None:
    await _insert(before_0007)

    await upgrade(before_0007)

    store = SqlBallotStore(async_sessionmaker(before_0007, expire_on_commit=False))
    ballots = {b.id: b for b in await store.all_ballots()}
    moved = {
        ballot_id: (b.turnout_so_far.pct, b.turnout_so_far.reported_at)
        for ballot_id, b in ballots.items()
        if b.turnout_so_far is not None
    }
    assert moved == {
        "running-admin": (31.5, REPORTED),
        "declared-after-admin": (31.5, REPORTED),
        "two-questions-admin": (20, REPORTED),
        "open-no-audit": (40.0, None),
        "statusless-admin": (12.5, REPORTED),
    }
    assert isinstance(ballots["running-admin"].turnout_so_far.pct, Percentage)  # type: ignore[union-attr]
    assert str(ballots["running-admin"].turnout_so_far.pct) == "31.5"  # type: ignore[union-attr]
    for ballot_id in moved:
        assert all(q.result.turnout_pct is None for q in ballots[ballot_id].questions)
    declared = ballots["declared-after-admin"].questions[0].result
    assert (declared.votes_for, declared.votes_against) == (640, 210)
    assert ballots["declared-after-admin"].has_result
    for ballot_id in ("running-admin", "two-questions-admin", "open-no-audit", "statusless-admin"):
        assert not ballots[ballot_id].has_result, ballot_id
        assert ballots[ballot_id].running_turnout is not None, ballot_id
    assert ballots["declared-by-source"].questions[0].result.turnout_pct == 52.6
    assert ballots["closed-by-source"].questions[0].result.turnout_pct == 45.0
    assert ballots["open-around"].questions[0].result.turnout_approximate
    assert ballots["open-with-counts"].questions[0].result.turnout_pct == 30.0
    assert ballots["changed-since"].questions[0].result.turnout_pct == 33.0

    async with before_0007.connect() as connection:
        flags = dict((await connection.execute(text("SELECT id, has_result FROM ballots"))).all())
        rows = dict(
            (
                await connection.execute(
                    text("SELECT ballot_id, count(*) FROM results GROUP BY ballot_id")
                )
            ).all()
        )
        ended = await connection.scalar(
            text("SELECT ended_on FROM ballots WHERE id = 'statusless-admin'")
        )
        version = await connection.scalar(text("SELECT version FROM catalog_version"))
    assert not flags["running-admin"] and flags["declared-after-admin"]
    assert "running-admin" not in rows and rows["declared-after-admin"] == 1  # empty rows go
    assert ended is None  # no status, no result: not over
    assert version == 1  # caches rebuild
    assert [b.id for b in await store.recent_results(20) if b.id == "running-admin"] == []


async def test_a_turnout_so_far_over_100_is_refused_by_the_database(
    before_0007: AsyncEngine,
) -> None:
    await _insert(before_0007)
    await upgrade(before_0007)

    with pytest.raises(IntegrityError):
        async with before_0007.begin() as connection:
            await connection.execute(
                text("UPDATE ballots SET turnout_so_far_pct = 150 WHERE id = 'running-admin'")
            )
