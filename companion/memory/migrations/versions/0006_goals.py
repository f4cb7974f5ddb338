"""Goals as records, and their check-ins (`goals`, `goal_check_ins`).

Revision ID: 0006
Revises: 0005
Create Date: 2027-02-10

New tables only. Every row carries its tenant, and each child points at its parent through a foreign
key that includes the tenant (as sessions, notes and action items do), so a check-in can never
belong to another tenant's goal or session. One goal row per normalised statement and mentorship;
one check-in per (goal, session, rater) when a session is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mentorship_id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="Order among the mentorship's goals"),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "statement_key", sa.String(length=200), nullable=False, comment="Normalised statement, one row per goal"
        ),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False, comment="plan, profile or manual"),
        sa.Column(
            "smart",
            sa.JSON(),
            nullable=True,
            comment="specific, measurable, achievable, relevant, time_bound where the plan knew them",
        ),
        sa.Column("milestones", sa.JSON(), nullable=False, comment="schemas.Milestone rows"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'achieved', 'dropped')", name=op.f("ck_goals_status")),
        sa.CheckConstraint("source IN ('plan', 'profile', 'manual')", name=op.f("ck_goals_source")),
        sa.ForeignKeyConstraint(
            ["mentorship_id", "tenant"],
            ["mentorships.id", "mentorships.tenant"],
            name=op.f("fk_goals_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("id", "mentorship_id", "tenant", name=op.f("uq_goals_id_mentorship_id_tenant")),
        sa.UniqueConstraint("mentorship_id", "statement_key", name=op.f("uq_goals_mentorship_id_statement_key")),
    )
    op.create_table(
        "goal_check_ins",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("goal_id", sa.String(length=36), nullable=False),
        sa.Column("mentorship_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("rater", sa.String(length=8), nullable=False, comment="mentee or mentor, from the caller's relation"),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True, comment="The line of self-assessment (or the mentor's view)"),
        sa.Column("author_person_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rater IN ('mentee', 'mentor')", name=op.f("ck_goal_check_ins_rater")),
        sa.CheckConstraint("rating >= 0 AND rating <= 10", name=op.f("ck_goal_check_ins_rating_range")),
        sa.ForeignKeyConstraint(
            ["goal_id", "mentorship_id", "tenant"],
            ["goals.id", "goals.mentorship_id", "goals.tenant"],
            name=op.f("fk_goal_check_ins_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "mentorship_id", "tenant"],
            ["sessions.id", "sessions.mentorship_id", "sessions.tenant"],
            name=op.f("fk_goal_check_ins_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_check_ins")),
        sa.UniqueConstraint("goal_id", "session_id", "rater", name=op.f("uq_goal_check_ins_goal_id_session_id_rater")),
    )
    op.create_index(
        op.f("ix_goal_check_ins_tenant_mentorship_id_created_at"),
        "goal_check_ins",
        ["tenant", "mentorship_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_goal_check_ins_tenant_mentorship_id_created_at"), table_name="goal_check_ins")
    op.drop_table("goal_check_ins")
    op.drop_table("goals")
