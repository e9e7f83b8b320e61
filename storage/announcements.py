"""Subscriptions, the outbox and the audit log in SQL.

A declaration saves the ballot, its audit entry and one outbox row per following channel in
one transaction (the ballot store's ``also`` hook), so a result is never stored without its
announcements nor announced without being stored. Claiming takes rows with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several dispatchers never take the same row.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announce.model import (
    Announce,
    AuditEntry,
    Declared,
    Delivery,
    DmCounts,
    FilterKind,
    Kind,
    OutboxItem,
    Subscription,
    Target,
    matching,
    result_is_news,
)
from bot.domain import Ballot
from bot.ports import Progress
from bot.records import ballot_to_dict
from bot.search import BUILTIN_TABLE, UnionTable
from storage.ballots import SqlBallotStore
from storage.database import WRITE, dialect_of, upsert_insert
from storage.models import AuditRow, OutboxRow, ReminderOptInRow, SubscriptionRow

_AUDIT_CHUNK = 500
"""Audit rows inserted per statement, and ballot ids per ``IN`` list."""


def revision(ballot: Ballot) -> str:
    """A name for this version of the ballot's figures: the same declaration twice is one."""
    figures = json.dumps(ballot_to_dict(ballot), sort_keys=True, default=str)
    return hashlib.sha256(figures.encode()).hexdigest()[:32]


def _subscription(row: SubscriptionRow) -> Subscription:
    target = Target(row.platform, row.channel_id, row.workspace)
    return Subscription(row.id, target, FilterKind(row.filter_kind), row.filter_value, row.active)


def _as_utc(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes: they were stored as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class SqlAnnouncementStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ballots: SqlBallotStore,
        unions: UnionTable = BUILTIN_TABLE,
    ) -> None:
        self._sessions = sessions
        self._ballots = ballots
        self._unions = unions

    async def subscribe(self, target: Target, kind: FilterKind, value: str, who: str) -> bool:
        insert = upsert_insert(dialect_of(self._sessions))
        statement = (
            insert(SubscriptionRow)
            .values(
                platform=target.platform,
                workspace=target.workspace,
                channel_id=target.channel_id,
                filter_kind=kind.value,
                filter_value=value,
                active=True,
                created_by=who,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_update(
                index_elements=["platform", "channel_id", "filter_kind", "filter_value"],
                set_={"active": True},
                where=SubscriptionRow.active.is_(False),
            )
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def unsubscribe(self, target: Target, kind: FilterKind | None, value: str) -> int:
        where = [
            SubscriptionRow.platform == target.platform,
            SubscriptionRow.channel_id == target.channel_id,
        ]
        if kind is not None:
            where += [
                SubscriptionRow.filter_kind == kind.value,
                SubscriptionRow.filter_value == value,
            ]
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(delete(SubscriptionRow).where(*where))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def subscriptions(self, target: Target | None = None) -> list[Subscription]:
        query = select(SubscriptionRow).where(SubscriptionRow.active.is_(True))
        if target is not None:
            query = query.where(
                SubscriptionRow.platform == target.platform,
                SubscriptionRow.channel_id == target.channel_id,
            )
        async with self._sessions() as session:
            rows = (await session.scalars(query.order_by(SubscriptionRow.id))).all()
        return [_subscription(row) for row in rows]

    async def declare(
        self,
        ballots: Sequence[Ballot],
        who: str,
        action: str,
        announce: Announce,
        progress: Progress | None = None,
    ) -> Declared:
        counts = [0, 0]

        async def also(session: AsyncSession, changed: list[tuple[Ballot | None, Ballot]]) -> None:
            now = datetime.now(UTC)
            audit: list[dict[str, object]] = []
            news = [
                after
                for before, after in changed
                if announce is Announce.ALL
                or (announce is Announce.NEW_RESULTS and result_is_news(before, after))
            ]
            changed_ids = {after.id for _, after in changed}
            unchanged = [b for b in ballots if b.id not in changed_ids]
            if announce is Announce.ALL:
                news += unchanged  # announcing again what did not change: still sent
            # Read once per declaration, not once per ballot: an import of 50,000 ballots
            # asks two questions here, not 150,000.
            followed = await self._active(session) if news else []
            queued = await self._with_outbox(session, [b.id for b in news])
            for ballot in news:
                await self._enqueue(session, ballot, now, counts, followed, queued)
            for before, after in changed:
                audit.append(
                    {
                        "at": now,
                        "who": who,
                        "action": action,
                        "ballot_id": after.id,
                        "before": json.dumps(ballot_to_dict(before)) if before else None,
                        "after": json.dumps(ballot_to_dict(after)),
                    }
                )
                if len(audit) == _AUDIT_CHUNK:  # flat memory: a chunk of JSON at a time
                    await session.execute(AuditRow.__table__.insert(), audit)
                    audit.clear()
            if announce is Announce.ALL:
                audit += [
                    {"at": now, "who": who, "action": action, "ballot_id": b.id} for b in unchanged
                ]
            if audit:
                await session.execute(AuditRow.__table__.insert(), audit)

        report = await self._ballots.save(ballots, also=also, progress=progress)
        return Declared(report, results=counts[0], corrections=counts[1])

    async def _active(self, session: AsyncSession) -> list[Subscription]:
        rows = await session.scalars(select(SubscriptionRow).where(SubscriptionRow.active))
        return [_subscription(r) for r in rows]

    async def _with_outbox(self, session: AsyncSession, ballot_ids: list[str]) -> set[str]:
        """Which of these ballots have any outbox row (sent, pending or superseded)."""
        found: set[str] = set()
        for start in range(0, len(ballot_ids), _AUDIT_CHUNK):
            chunk = ballot_ids[start : start + _AUDIT_CHUNK]
            query = select(OutboxRow.ballot_id).where(OutboxRow.ballot_id.in_(chunk)).distinct()
            found.update(await session.scalars(query))
        return found

    async def _enqueue(
        self,
        session: AsyncSession,
        ballot: Ballot,
        now: datetime,
        counts: list[int],
        subscriptions: list[Subscription],
        queued: set[str],
    ) -> None:
        """A result row per following channel; where a result was already sent there, a
        correction of that message instead. Existing keys are left alone (no duplicates).
        A ballot no channel follows and with no outbox row (``queued``) needs nothing."""
        followers = matching(subscriptions, ballot, self._unions)
        if not followers and ballot.id not in queued:
            return
        announced = (
            await session.scalars(
                select(OutboxRow)
                .where(
                    OutboxRow.ballot_id == ballot.id,
                    OutboxRow.kind.in_([Kind.RESULT.value, Kind.CORRECTION.value]),
                    OutboxRow.message_id.is_not(None),
                )
                .order_by(OutboxRow.id)
            )
        ).all()
        first_sent: dict[tuple[str, str], OutboxRow] = {}
        last_sent: dict[tuple[str, str], OutboxRow] = {}
        for row in announced:
            if row.kind == Kind.RESULT.value:
                first_sent.setdefault((row.platform, row.channel_id), row)
            last_sent[(row.platform, row.channel_id)] = row
        version = revision(ballot)
        # Older figures not yet sent are replaced by these: a channel hears the newest once.
        await session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.ballot_id == ballot.id,
                OutboxRow.kind.in_([Kind.RESULT.value, Kind.CORRECTION.value]),
                OutboxRow.state == "pending",
                OutboxRow.revision != version,
            )
            .values(state="superseded")
        )
        rows = []
        for subscription in followers:
            target = subscription.target
            key = (target.platform, target.channel_id)
            original = first_sent.get(key)
            if key in last_sent and last_sent[key].revision == version:
                continue  # this channel shows these very figures already
            rows.append(
                {
                    "kind": (Kind.CORRECTION if original else Kind.RESULT).value,
                    "ballot_id": ballot.id,
                    "revision": version,
                    "platform": target.platform,
                    "workspace": target.workspace,
                    "channel_id": target.channel_id,
                    "subscription_id": subscription.id,
                    "corrects_id": original.id if original else None,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
        if not rows:
            return
        insert = upsert_insert(dialect_of(self._sessions))
        statement = insert(OutboxRow)
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "ballot_id", "revision", "platform", "channel_id"],
            set_={
                "state": "pending",
                "next_attempt_at": now,
                "corrects_id": statement.excluded.corrects_id,
            },
            where=OutboxRow.state == "superseded",  # figures back to a version never sent
        ).returning(OutboxRow.kind)
        # One statement for every channel (insertmanyvalues): 10,000 rows in well under a second.
        kinds = (await session.execute(statement, rows)).scalars().all()
        counts[0] += sum(kind == Kind.RESULT.value for kind in kinds)
        counts[1] += sum(kind == Kind.CORRECTION.value for kind in kinds)

    async def claim(
        self, platforms: Sequence[str], limit: int, now: datetime, lease_seconds: float
    ) -> list[OutboxItem]:
        token = uuid.uuid4().hex
        due = OutboxRow.platform.in_(list(platforms)) & or_(
            and_(OutboxRow.state == "pending", OutboxRow.next_attempt_at <= now),
            and_(OutboxRow.state == "claimed", OutboxRow.claimed_until < now),
        )
        pick = (
            select(OutboxRow.id)
            .where(due)
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            ids = list((await session.scalars(pick)).all())
            if not ids:
                return []
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(ids))
                .values(
                    state="claimed",
                    claim_token=token,
                    claimed_until=now + timedelta(seconds=lease_seconds),
                )
            )
            rows = (
                await session.scalars(
                    select(OutboxRow).where(OutboxRow.claim_token == token).order_by(OutboxRow.id)
                )
            ).all()
            originals = {
                r.id: r.message_id
                for r in (
                    await session.scalars(
                        select(OutboxRow).where(
                            OutboxRow.id.in_([r.corrects_id for r in rows if r.corrects_id])
                        )
                    )
                ).all()
            }
        return [
            OutboxItem(
                id=row.id,
                kind=Kind(row.kind),
                ballot_id=row.ballot_id,
                target=Target(row.platform, row.channel_id, row.workspace),
                subscription_id=row.subscription_id,
                corrects_message_id=originals.get(row.corrects_id) if row.corrects_id else None,
                attempts=row.attempts,
                body=row.body,
                revision=row.revision,
                claim=token,
                lease_until=_as_utc(row.claimed_until),
            )
            for row in rows
        ]

    async def enqueue(
        self,
        kind: Kind,
        ballot_id: str,
        revision: str,
        targets: Sequence[Target],
        not_before: datetime,
        once_since: datetime | None = None,
        now: datetime | None = None,
    ) -> int:
        """Queue ``kind`` to each target, keyed by (kind, ballot, revision, target) so the same
        reminder stage never goes twice; with ``once_since``, a target that got this kind about
        this ballot since then is left out (one DM per member per ballot per day)."""
        now = now or datetime.now(UTC)
        chosen = list(dict.fromkeys(targets))
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            if once_since is not None and chosen:
                recent = select(OutboxRow.platform, OutboxRow.channel_id).where(
                    OutboxRow.kind == kind.value,
                    OutboxRow.ballot_id == ballot_id,
                    OutboxRow.created_at >= once_since,
                )
                already = {(p, c) for p, c in (await session.execute(recent)).all()}
                chosen = [t for t in chosen if (t.platform, t.channel_id) not in already]
            if not chosen:
                return 0
            rows = [
                {
                    "kind": kind.value,
                    "ballot_id": ballot_id,
                    "revision": revision,
                    "platform": t.platform,
                    "workspace": t.workspace,
                    "channel_id": t.channel_id,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": max(now, not_before),
                    "created_at": now,
                }
                for t in chosen
            ]
            insert = upsert_insert(dialect_of(self._sessions))
            statement = insert(OutboxRow).on_conflict_do_nothing().returning(OutboxRow.id)
            return len((await session.execute(statement, rows)).all())

    async def notify(self, targets: Sequence[Target], ballot_id: str, text: str) -> int:
        insert = upsert_insert(dialect_of(self._sessions))
        now = datetime.now(UTC)
        queued = 0
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            for target in targets:
                statement = (
                    insert(OutboxRow)
                    .values(
                        kind=Kind.NOTICE.value,
                        ballot_id=ballot_id,
                        revision=hashlib.sha256(text.encode()).hexdigest()[:32],
                        platform=target.platform,
                        workspace=target.workspace,
                        channel_id=target.channel_id,
                        state="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                        body=text,
                    )
                    .on_conflict_do_nothing()
                )
                result = await session.execute(statement)
                queued += int(result.rowcount)  # type: ignore[attr-defined]
        return queued

    async def release(self, item_ids: Sequence[int]) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(list(item_ids)), OutboxRow.state == "claimed")
                .values(state="pending", claimed_until=None, claim_token=None)
            )

    async def confirm(self, item: OutboxItem, now: datetime, lease_seconds: float) -> bool:
        statement = (
            update(OutboxRow)
            .where(
                OutboxRow.id == item.id,
                OutboxRow.state == "claimed",
                OutboxRow.claim_token == item.claim,
            )
            .values(claimed_until=now + timedelta(seconds=lease_seconds))
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def sent(self, item_id: int, message_id: str, now: datetime) -> None:
        await self._update(
            item_id, state="sent", message_id=message_id, sent_at=now, claimed_until=None
        )

    async def retry(self, item_id: int, at: datetime, error: str) -> None:
        await self._update(
            item_id,
            state="pending",
            next_attempt_at=at,
            error=error,
            attempts=OutboxRow.attempts + 1,
            claimed_until=None,
        )

    async def failed(self, item_id: int, error: str, deactivate: bool) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            row = await session.get(OutboxRow, item_id)
            if row is None:
                return
            row.state, row.error, row.attempts = "failed", error, row.attempts + 1
            if deactivate and row.kind == Kind.DM.value:  # the member cannot be messaged
                await session.execute(
                    delete(ReminderOptInRow).where(
                        ReminderOptInRow.platform == row.platform,
                        ReminderOptInRow.user_id == row.channel_id,
                        ReminderOptInRow.ballot_id == row.ballot_id,
                    )
                )
            elif deactivate and row.subscription_id is not None:
                await session.execute(
                    update(SubscriptionRow)
                    .where(SubscriptionRow.id == row.subscription_id)
                    .values(active=False)
                )

    async def deliveries(
        self, ballot_id: str | None, limit: int = 50, members: bool = True
    ) -> list[Delivery]:
        query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
        if ballot_id is not None:
            query = query.where(OutboxRow.ballot_id == ballot_id)
        if not members:
            query = query.where(OutboxRow.kind != Kind.DM.value)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            Delivery(
                r.ballot_id,
                r.kind,
                Target(r.platform, r.channel_id, r.workspace),
                r.state,
                r.attempts,
                r.error,
                _as_utc(r.sent_at),
            )
            for r in rows
        ]

    async def dm_counts(self, ballot_id: str | None) -> list[DmCounts]:
        query = (
            select(OutboxRow.ballot_id, OutboxRow.revision, OutboxRow.state, func.count())
            .where(OutboxRow.kind == Kind.DM.value)
            .group_by(OutboxRow.ballot_id, OutboxRow.revision, OutboxRow.state)
        )
        if ballot_id is not None:
            query = query.where(OutboxRow.ballot_id == ballot_id)
        counts: dict[tuple[str, str], dict[str, int]] = {}
        async with self._sessions() as session:
            for ballot, stage, state, n in (await session.execute(query)).all():
                by_state = counts.setdefault((ballot, stage), {})
                key = "pending" if state == "claimed" else state
                by_state[key] = by_state.get(key, 0) + int(n)
        return [
            DmCounts(
                ballot,
                stage,
                sent=found.get("sent", 0),
                pending=found.get("pending", 0),
                failed=found.get("failed", 0),
            )
            for (ballot, stage), found in sorted(counts.items())
        ]

    async def audit(self, ballot_id: str) -> list[AuditEntry]:
        query = select(AuditRow).where(AuditRow.ballot_id == ballot_id).order_by(AuditRow.id)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            AuditEntry(_as_utc(r.at), r.who, r.action, r.ballot_id, r.before, r.after)  # type: ignore[arg-type]
            for r in rows
        ]

    async def _update(self, item_id: int, **values: object) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            await session.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(**values))
