"""Turnout so far, kept apart from results: ``ballots.turnout_so_far_pct`` (with its decimals)
and ``turnout_so_far_at``.

Before this, ``admin turnout`` wrote the organisers' running figure into every question's
``results.turnout_pct``, where it counted as the result's turnout: an open ballot read "No
mandate: turnout below 50%" weeks before its close, was listed among the latest results, and
kept that figure as its turnout after the real result was declared. The upgrade moves such
figures to the new columns, by this rule, per ballot with a stored turnout:

1. The figure was written by ``admin turnout``: the ballot's latest audit entry with action
   ``turnout`` recorded exactly the turnout stored now (on every question that has one). It
   is moved, with that entry's time as when it was reported, whatever else the ballot has
   (counts declared later keep their place in the result; the turnout leaves it).
2. Otherwise, a ballot still running (status ``open`` or ``scheduled``) whose only result
   figure is a turnout (no counts, no yes share, on any question) and whose turnout is not
   marked approximate: a running ballot has no result yet, so it is moved; when it was
   reported is not known (NULL).
3. Anything else stays the result's turnout: a declared, closed or status-less ballot's
   reported turnout came from its source, not from ``admin turnout``.

A moved figure leaves ``results``: a results row left with no figure is deleted (no row means
"nothing reported"), ``has_result`` is recomputed, a status-less ballot left without a result
no longer counts as ended (``ended_on`` NULL), and the catalog version moves so every cache is
rebuilt.

Revision ID: 0007_turnout_so_far
Revises: 0006_privacy
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007_turnout_so_far"
down_revision: str | None = "0006_privacy"
branch_labels = None
depends_on = None

_PCT = "turnout_so_far_pct"
_DECIMALS = "turnout_so_far_decimals"
_AT = "turnout_so_far_at"
_RUNNING = ("open", "scheduled")
_FIGURES = ("votes_for", "votes_against", "spoilt", "for_pct")

ballots = sa.table(
    "ballots",
    sa.column("id", sa.Text),
    sa.column("status", sa.String),
    sa.column("has_result", sa.Boolean),
    sa.column("ended_on", sa.Date),
    sa.column(_PCT, sa.Double),
    sa.column(_DECIMALS, sa.Integer),
    sa.column(_AT, sa.DateTime(timezone=True)),
)
results = sa.table(
    "results",
    sa.column("ballot_id", sa.Text),
    sa.column("position", sa.Integer),
    sa.column("votes_for", sa.Integer),
    sa.column("votes_against", sa.Integer),
    sa.column("spoilt", sa.Integer),
    sa.column("turnout_pct", sa.Double),
    sa.column("for_pct", sa.Double),
    sa.column("turnout_approximate", sa.Boolean),
    sa.column("turnout_decimals", sa.Integer),
)
audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("action", sa.String),
    sa.column("ballot_id", sa.Text),
    sa.column("after", sa.Text),
)
catalog_version = sa.table("catalog_version", sa.column("version", sa.Integer))


def _add_column(name: str, kind: sa.types.TypeEngine[Any], check: str | None) -> None:
    """ADD COLUMN with its named CHECK inline: both databases accept a column constraint
    there, and SQLite could add a table constraint only by copying ``ballots`` (whose drop
    would cascade to its questions)."""
    dialect = op.get_bind().dialect
    constraint = f" CONSTRAINT ck_ballots_{name}_range CHECK ({check})" if check else ""
    op.execute(f"ALTER TABLE ballots ADD COLUMN {name} {kind.compile(dialect=dialect)}{constraint}")


def upgrade() -> None:
    _add_column(_PCT, sa.Double(), f"{_PCT} >= 0 AND {_PCT} <= 100")
    _add_column(_DECIMALS, sa.Integer(), f"{_DECIMALS} >= 0 AND {_DECIMALS} <= 6")
    _add_column(_AT, sa.DateTime(timezone=True), None)
    if _move_running_turnouts():
        op.execute(catalog_version.update().values(version=catalog_version.c.version + 1))


def _move_running_turnouts() -> bool:
    """Apply the module's rule; True when any figure moved."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            results.c.ballot_id,
            results.c.position,
            results.c.turnout_pct,
            results.c.turnout_decimals,
            results.c.turnout_approximate,
            *(results.c[name] for name in _FIGURES),
        ).where(
            results.c.ballot_id.in_(
                sa.select(results.c.ballot_id).where(results.c.turnout_pct.is_not(None))
            )
        )
    ).all()
    if not rows:
        return False
    by_ballot: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_ballot[row.ballot_id].append(row)
    named = ballots.c.id.in_(list(by_ballot))
    statuses = dict(bind.execute(sa.select(ballots.c.id, ballots.c.status).where(named)).all())
    reported = _admin_turnouts(list(by_ballot))
    moved = False
    for ballot_id, found in by_ballot.items():
        with_turnout = sorted(
            (r for r in found if r.turnout_pct is not None), key=lambda r: r.position
        )
        first = with_turnout[0]
        entry = reported.get(ballot_id)
        at: datetime | None = None
        if entry is not None and _same_turnouts(with_turnout, entry[1]):
            at = entry[0]
        elif not (
            statuses.get(ballot_id) in _RUNNING
            and not any(r.turnout_approximate for r in with_turnout)
            and all(getattr(r, name) is None for r in found for name in _FIGURES)
        ):
            continue
        bind.execute(
            ballots.update()
            .where(ballots.c.id == ballot_id)
            .values({_PCT: first.turnout_pct, _DECIMALS: first.turnout_decimals, _AT: at})
        )
        bind.execute(
            results.update()
            .where(results.c.ballot_id == ballot_id)
            .values(turnout_pct=None, turnout_decimals=None, turnout_approximate=False)
        )
        empty = sa.and_(*(results.c[name].is_(None) for name in (*_FIGURES, "turnout_pct")))
        bind.execute(results.delete().where(results.c.ballot_id == ballot_id, empty))
        left = bind.scalar(
            sa.select(sa.func.count()).select_from(results).where(results.c.ballot_id == ballot_id)
        )
        values: dict[str, Any] = {"has_result": bool(left)}
        if not left and statuses.get(ballot_id) is None:
            values["ended_on"] = None  # no status and no result: not over (retention)
        bind.execute(ballots.update().where(ballots.c.id == ballot_id).values(values))
        moved = True
    return moved


def _admin_turnouts(ballot_ids: list[str]) -> dict[str, tuple[datetime | None, list[Any]]]:
    """Each ballot's latest ``admin turnout`` audit entry: when, and the turnout it wrote on
    each question (in paper order)."""
    latest: dict[str, tuple[datetime | None, list[Any]]] = {}
    query = (
        sa.select(audit.c.ballot_id, audit.c.at, audit.c.after)
        .where(audit.c.action == "turnout", audit.c.ballot_id.in_(ballot_ids))
        .order_by(audit.c.id)
    )
    for ballot_id, at, after in op.get_bind().execute(query):
        try:
            questions = json.loads(after or "{}").get("questions", [])
            written = [q.get("turnout_pct") for q in questions]
        except (ValueError, AttributeError):
            continue
        if at is not None and at.tzinfo is None:  # SQLite: stored as UTC
            at = at.replace(tzinfo=UTC)
        latest[ballot_id] = (at, written)
    return latest


def _same_turnouts(stored: list[Any], written: list[Any]) -> bool:
    """Every stored turnout is the one the audit entry wrote on that question."""
    for row in stored:
        if row.position >= len(written) or written[row.position] is None:
            return False
        if abs(float(written[row.position]) - float(row.turnout_pct)) > 1e-9:
            return False
    return True


def downgrade() -> None:
    # The figures moved stay in the new columns' past: a downgrade drops the running figure
    # rather than make it a result's turnout again.
    for name in (_AT, _DECIMALS, _PCT):
        op.execute(f"ALTER TABLE ballots DROP COLUMN {name}")
