"""What the union declared of each question, and the decimals its percentages were reported to.

``questions.reported_mandate`` (yes | no | partial) and ``reported_by`` keep the union's own
declaration beside the figures. ``results.turnout_decimals`` and ``for_pct_decimals`` keep the
precision a float cannot: ``53`` and ``53.0`` are the same float, but the first may have been
rounded from 52.5, the second only from 52.95. Existing rows get NULL: "not recorded", read
from the value itself, which can only ever take the rounding as coarser than it was.

Revision ID: 0006_reported_mandate
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006_reported_mandate"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("reported_mandate", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("reported_by", sa.Text(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_questions_reported_mandate_known"),
            "reported_mandate IN ('yes', 'no', 'partial')",
        )
        batch.create_check_constraint(
            op.f("ck_questions_reported_by_length"),
            "length(reported_by) >= 1 AND length(reported_by) <= 600",
        )
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("turnout_decimals", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("for_pct_decimals", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_results_turnout_decimals_range"),
            "turnout_decimals >= 0 AND turnout_decimals <= 6",
        )
        batch.create_check_constraint(
            op.f("ck_results_for_pct_decimals_range"),
            "for_pct_decimals >= 0 AND for_pct_decimals <= 6",
        )


def downgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.drop_constraint(op.f("ck_results_for_pct_decimals_range"), type_="check")
        batch.drop_constraint(op.f("ck_results_turnout_decimals_range"), type_="check")
        batch.drop_column("for_pct_decimals")
        batch.drop_column("turnout_decimals")
    with op.batch_alter_table("questions") as batch:
        batch.drop_constraint(op.f("ck_questions_reported_by_length"), type_="check")
        batch.drop_constraint(op.f("ck_questions_reported_mandate_known"), type_="check")
        batch.drop_column("reported_by")
        batch.drop_column("reported_mandate")
