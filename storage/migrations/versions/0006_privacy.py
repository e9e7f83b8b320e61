"""Privacy: the day a ballot ended (retention counts from it), and the installation's salt
for members' pseudonyms in logs.

Ballots already closed, declared or cancelled are taken to have ended on the day of the
upgrade (their closing date, when earlier, still counts first). Pacing slots already in the
past are dropped: some were keyed by a member's id, and a past slot paces nothing.

Revision ID: 0006_privacy
Revises: 0006_reported_mandate
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006_privacy"
# Chained after the branch merged first (both were written as 0006 on parallel branches).
down_revision: str | None = "0006_reported_mandate"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (SQLite batch mode would copy the table, and
    # dropping the copied ``ballots`` would cascade to its questions).
    op.add_column("ballots", sa.Column("ended_on", sa.Date(), nullable=True))
    ballots = sa.table(
        "ballots",
        sa.column("status", sa.String),
        sa.column("has_result", sa.Boolean),
        sa.column("ended_on", sa.Date),
    )
    over = sa.or_(
        ballots.c.status.in_(["closed", "declared", "cancelled"]),
        sa.and_(ballots.c.status.is_(None), ballots.c.has_result.is_(True)),
    )
    today = datetime.now(UTC).date()
    op.execute(ballots.update().where(over).values(ended_on=sa.literal(today, sa.Date)))
    op.create_table(
        "privacy_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_privacy_keys")),
    )
    slots = sa.table("rate_slots", sa.column("next_at", sa.DateTime(timezone=True)))
    op.execute(
        slots.delete().where(slots.c.next_at < sa.literal(datetime.now(UTC), sa.DateTime(True)))
    )


def downgrade() -> None:
    op.drop_table("privacy_keys")
    op.execute("ALTER TABLE ballots DROP COLUMN ended_on")
