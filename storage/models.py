"""The tables, as SQLAlchemy 2.x typed models.

Rows here never leave :mod:`storage`: the repositories turn them into :mod:`bot.domain` objects.
Every reported figure is nullable, because ``None`` means "the source does not say". Check
constraints repeat the few rules no import may ever break (no negative votes, no percentage
over 100), so bad data is refused the same way on SQLite and PostgreSQL.

What is deliberately absent: any column saying how a member voted. Ballot results are totals
as the union reported them; individual votes are never stored (UK GDPR art. 9).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Double,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations can find them again on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_MAX = 200
NAME_MAX = 300
TEXT_MAX = 10_000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _pct(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} >= 0 AND {column} <= 100", name=f"{column}_range")


def _decimals(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} >= 0 AND {column} <= 6", name=f"{column}_range")


def _count(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} >= 0", name=f"{column}_not_negative")


def _length(column: str, maximum: int) -> CheckConstraint:
    """Free text is TEXT with a checked length: SQLite ignores VARCHAR(n), and PostgreSQL
    would refuse an overlong value with a different error than every other bad value."""
    return CheckConstraint(
        f"length({column}) >= 1 AND length({column}) <= {maximum}", name=f"{column}_length"
    )


def _partial_date(column: str) -> CheckConstraint:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the precision the source gave."""
    return CheckConstraint(f"length({column}) IN (4, 7, 10)", name=f"{column}_precision")


class UnionRow(Base):
    """A trade union, shared by every ballot its members take part in."""

    __tablename__ = "unions"
    __table_args__ = (_length("name", NAME_MAX),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)


class EmployerRow(Base):
    """An employer as one set of ballots knows it: name plus branch, area and sector.

    ``key`` makes that combination unique even when parts are unknown (NULLs never collide in a
    plain unique constraint, on either database).
    """

    __tablename__ = "employers"
    __table_args__ = (
        _length("name", NAME_MAX),
        _length("branch", NAME_MAX),
        _length("area", NAME_MAX),
        _length("sector", NAME_MAX),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    branch: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(Text)


class BallotRow(Base):
    """One ballot. Its id is given at import (a readable slug), never generated here.

    ``opens``/``closes``/``announced`` keep the reported precision as text. The date columns
    beside them exist only to query and sort: ``opens_on``/``closes_on`` are filled only when
    the exact day is known, and ``sort_date`` is :attr:`bot.domain.Ballot.sort_date`
    (``0001-01-01`` when no date is known at all: a sort key, never shown to anyone).
    """

    __tablename__ = "ballots"
    __table_args__ = (
        _length("id", ID_MAX),
        CheckConstraint("jurisdiction IN ('GB', 'NI')", name="jurisdiction_known"),
        CheckConstraint("method IN ('postal', 'electronic', 'workplace')", name="method_known"),
        CheckConstraint("important_public_service IN ('yes', 'no', 'unknown')", name="ips_known"),
        CheckConstraint(
            "status IN ('scheduled', 'open', 'closed', 'declared', 'cancelled')",
            name="status_known",
        ),
        _partial_date("opens"),
        _partial_date("closes"),
        _partial_date("announced"),
        _count("eligible"),
        _length("campaign", NAME_MAX),
        _length("source_url", 2_000),
        _length("notes", TEXT_MAX),
        _pct("turnout_so_far_pct"),
        _decimals("turnout_so_far_decimals"),
        Index("ix_ballots_recent", "has_result", "sort_date", "id"),
        Index("ix_ballots_newest", "sort_date", "id"),
        # open_ballots: "status = ? AND closes_on >= today" for each status it accepts.
        Index("ix_ballots_open", "status", "closes_on"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    method: Mapped[str | None] = mapped_column(String(20))
    important_public_service: Mapped[str] = mapped_column(String(10))
    status: Mapped[str | None] = mapped_column(String(20))
    campaign: Mapped[str | None] = mapped_column(Text)
    opens: Mapped[str | None] = mapped_column(String(10))
    closes: Mapped[str | None] = mapped_column(String(10))
    announced: Mapped[str | None] = mapped_column(String(10))
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    sort_date: Mapped[date] = mapped_column(Date)
    has_result: Mapped[bool]
    eligible: Mapped[int | None] = mapped_column(Integer)
    source_url: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    ended_on: Mapped[date | None] = mapped_column(Date)
    """The day the store saw the status become closed, declared or cancelled (retention
    counts from it, :mod:`bot.privacy.retention`); NULL while the ballot runs. Not part of
    the domain ballot: kept across saves by the store."""
    turnout_so_far_pct: Mapped[float | None] = mapped_column(Double)
    """Turnout so far, as organisers report it while the ballot runs: never a result (the
    results table holds those), so it sets neither ``has_result`` nor any verdict."""
    turnout_so_far_decimals: Mapped[int | None] = mapped_column(Integer)
    turnout_so_far_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When it was reported (NULL: not recorded)."""


class BallotUnionRow(Base):
    """Which unions balloted, in the order the source names them (the first leads)."""

    __tablename__ = "ballot_unions"
    __table_args__ = (
        UniqueConstraint("ballot_id", "union_id"),
        _count("position"),
    )

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)


class BallotAliasRow(Base):
    """Other names a member may type for this ballot (``SCC``, ``Southampton council``).

    Kept per ballot, as :class:`bot.domain.Ballot` has them: two ballots at one employer may be
    known by different names, and saving one must never rename the other.
    """

    __tablename__ = "ballot_aliases"
    __table_args__ = (_length("name", NAME_MAX), _count("position"))

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)


class QuestionRow(Base):
    """One question on the paper, in paper order."""

    __tablename__ = "questions"
    __table_args__ = (
        _length("text", TEXT_MAX),
        CheckConstraint(
            "kind IN ('strike', 'action_short_of_strike', 'pay_offer', 'consultative', 'other')",
            name="kind_known",
        ),
        _count("position"),
        CheckConstraint(
            "reported_mandate IN ('yes', 'no', 'partial')", name="reported_mandate_known"
        ),
        _length("reported_by", NAME_MAX * 2),
    )

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30))
    reported_mandate: Mapped[str | None] = mapped_column(String(10))
    """What the union declared: yes, no or partial (NULL: it is not recorded)."""
    reported_by: Mapped[str | None] = mapped_column(Text)


class ResultRow(Base):
    """The reported figures of one question; a row exists only when something was reported."""

    __tablename__ = "results"
    __table_args__ = (
        ForeignKeyConstraint(
            ["ballot_id", "position"],
            ["questions.ballot_id", "questions.position"],
            ondelete="CASCADE",
            name="fk_results_question",
        ),
        _count("votes_for"),
        _count("votes_against"),
        _count("spoilt"),
        _pct("turnout_pct"),
        _pct("for_pct"),
        _decimals("turnout_decimals"),
        _decimals("for_pct_decimals"),
    )

    ballot_id: Mapped[str] = mapped_column(Text, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    spoilt: Mapped[int | None] = mapped_column(Integer)
    turnout_pct: Mapped[float | None] = mapped_column(Double)
    for_pct: Mapped[float | None] = mapped_column(Double)
    turnout_approximate: Mapped[bool]
    turnout_decimals: Mapped[int | None] = mapped_column(Integer)
    """How many decimals the turnout was reported to (a float keeps no trailing zeros):
    ``53`` may be 52.5, ``53.0`` no less than 52.95. NULL: not recorded."""
    for_pct_decimals: Mapped[int | None] = mapped_column(Integer)


class CatalogVersionRow(Base):
    """One row, bumped in the same transaction as every change, so caches know to rebuild."""

    __tablename__ = "catalog_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class SubscriptionRow(Base):
    """A channel following results: everything, or one union, employer, area, sector or
    campaign (``filter_value`` normalised; empty for everything)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("platform", "channel_id", "filter_kind", "filter_value"),
        _length("channel_id", ID_MAX),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    workspace: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str] = mapped_column(Text)
    filter_kind: Mapped[str] = mapped_column(String(20))
    filter_value: Mapped[str] = mapped_column(Text)
    active: Mapped[bool]
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxRow(Base):
    """One announcement to one channel, written in the same transaction as the result.

    The unique key (kind, ballot, revision, target) makes a second enqueue of the same
    declaration impossible; ``message_id`` is recorded after the send, so a row that has one
    is never sent again.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("kind", "ballot_id", "revision", "platform", "channel_id"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ballot_id: Mapped[str] = mapped_column(Text, index=True)
    revision: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(20))
    workspace: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str] = mapped_column(Text)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL")
    )
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    """A notice's own words (organisers told of a failure); cards are drawn when sent."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Who changed what, when, with the figures before and after (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(40))
    ballot_id: Mapped[str | None] = mapped_column(Text, index=True)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class FeedStateRow(Base):
    """What a polled feed last gave: its validators for a conditional GET, and its health.

    ``primed`` is set by the first successful poll, which stores without announcing: a new
    feed fills the database with the past instead of announcing it.
    """

    __tablename__ = "feed_state"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    primed: Mapped[bool]
    failures: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReminderPlanRow(Base):
    """An organiser's changes to a ballot's reminder plan (the config gives the defaults)."""

    __tablename__ = "reminder_plans"

    # No foreign key: saving a ballot replaces its row, which must not take the plan with it.
    ballot_id: Mapped[str] = mapped_column(Text, primary_key=True)
    days_before_close: Mapped[str | None] = mapped_column(Text)
    """Comma-separated days, e.g. "7,3,1"; None: the configured default."""
    on_open: Mapped[bool | None]
    posting_days: Mapped[int | None] = mapped_column(Integer)
    replacement_deadline: Mapped[date | None] = mapped_column(Date)
    contact: Mapped[str | None] = mapped_column(Text)


class ReminderOptInRow(Base):
    """A member asked for reminders about one ballot by DM. Only the platform user id."""

    __tablename__ = "reminder_optins"
    __table_args__ = (UniqueConstraint("platform", "user_id", "ballot_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(Text)
    ballot_id: Mapped[str] = mapped_column(Text, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaperPostedRow(Base):
    """A member said "I've posted my paper": when, and nothing about how they voted."""

    __tablename__ = "papers_posted"
    __table_args__ = (UniqueConstraint("platform", "user_id", "ballot_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(Text)
    ballot_id: Mapped[str] = mapped_column(Text, index=True)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SchedulerJobRow(Base):
    """APScheduler 3's job store table, declared here so that Alembic owns the schema.

    Same shape as ``apscheduler.jobstores.sqlalchemy``'s (which only creates it if missing).
    """

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


class RateSlotRow(Base):
    """The next free moment to send on one platform (or to one channel), shared by every
    process of a deployment: each send reserves a slot by moving it on, atomically."""

    __tablename__ = "rate_slots"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SeenRequestRow(Base):
    """A platform request already handled (a Slack trigger or event id): a retry of it, on
    any process, is acknowledged and not handled again."""

    __tablename__ = "seen_requests"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PrivacyKeyRow(Base):
    """Secrets this installation made for itself: the salt of members' pseudonyms in logs
    (``log_salt``), when no ``[privacy] log_salt`` / ``BALLOTBOT_LOG_SALT`` is configured.
    Every process of a deployment reads the same one, so a member has one pseudonym."""

    __tablename__ = "privacy_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
