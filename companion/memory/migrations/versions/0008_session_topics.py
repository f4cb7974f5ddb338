"""The shared agenda: topics a party adds for the next session of a mentorship (`session_topics`).

Revision ID: 0008
Revises: 0007
Create Date: 2027-03-15

A new table only. Every row carries its tenant and points at its mentorship (and, once a plan is saved
with it, at the session it was taken into) through foreign keys that include the tenant, as sessions,
notes and goals do, so a topic can never belong to another tenant's mentorship or session. `text_key`
(the text casefolded, spaces collapsed, a final stop dropped) is what "the same topic" means among the
open ones: posting it twice adds nothing. A topic is open while `session_id` and `removed_at` are both
NULL; it is never both taken and removed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_topics",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mentorship_id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False, comment="The topic, in its author's words"),
        sa.Column("text_key", sa.String(length=300), nullable=False, comment="Normalised text: one open topic per key"),
        sa.Column("author_person_id", sa.String(length=128), nullable=True, comment="NULL for admin and platform keys"),
        sa.Column(
            "author_role", sa.String(length=16), nullable=False, comment="The author's relation to the mentorship"
        ),
        sa.Column(
            "session_id",
            sa.String(length=36),
            nullable=True,
            comment="The session whose saved plan took the topic in; NULL while open",
        ),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True, comment="Set when a party removed it"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "author_role IN ('admin', 'platform', 'mentor', 'mentee')", name=op.f("ck_session_topics_author_role")
        ),
        sa.CheckConstraint("session_id IS NULL OR removed_at IS NULL", name=op.f("ck_session_topics_taken_or_removed")),
        sa.ForeignKeyConstraint(
            ["mentorship_id", "tenant"],
            ["mentorships.id", "mentorships.tenant"],
            name=op.f("fk_session_topics_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "mentorship_id", "tenant"],
            ["sessions.id", "sessions.mentorship_id", "sessions.tenant"],
            name=op.f("fk_session_topics_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_topics")),
    )
    op.create_index(
        op.f("ix_session_topics_tenant_mentorship_id_created_at"),
        "session_topics",
        ["tenant", "mentorship_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_session_topics_tenant_mentorship_id_created_at"), table_name="session_topics")
    op.drop_table("session_topics")
