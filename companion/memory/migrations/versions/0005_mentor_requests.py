"""Mentor requests: a mentee asking for one mentor of their tenant (`mentor_requests`).

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-24

A new table only. One row per (tenant, mentee, mentor): asking again changes the message and keeps
the row. `mentorship_id` is set when a manager accepts the pair from the match page or the API.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentor_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("mentee_person_id", sa.String(length=128), nullable=False),
        sa.Column("mentor_person_id", sa.String(length=128), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True, comment="Why this mentor, in the mentee's words"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("mentorship_id", sa.String(length=36), nullable=True, comment="Set when the pair is accepted"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'accepted')", name=op.f("ck_mentor_requests_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_requests")),
        sa.UniqueConstraint(
            "tenant",
            "mentee_person_id",
            "mentor_person_id",
            name=op.f("uq_mentor_requests_tenant_mentee_person_id_mentor_person_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("mentor_requests")
