"""People: mentor and mentee profiles kept once per tenant (`people`).

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-10

A new table only, so existing mentorships are untouched: they keep the profiles copied into them
when they started. One row per (tenant, role, person_id): the same person may be a mentor and a
mentee, each with its own record. `vectors` caches the embedded matching phrases of the profile
(float32 rows) with the model that made them, so matching a mentee against a thousand mentors
embeds nothing but the mentee; a row whose model differs is embedded again when it is read.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False, comment="memory.schemas.MentorRecord or MenteeRecord"),
        sa.Column("capacity", sa.Integer(), nullable=True, comment="Mentees a mentor takes at once; NULL for mentees"),
        sa.Column(
            "vectors", sa.LargeBinary(), nullable=True, comment="float32 rows, one per matching phrase of the profile"
        ),
        sa.Column("vector_model", sa.String(length=100), nullable=True, comment="Embedding model that made `vectors`"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('mentor', 'mentee')", name=op.f("ck_people_role")),
        sa.CheckConstraint(
            "capacity IS NULL OR (capacity >= 0 AND capacity <= 50)", name=op.f("ck_people_capacity_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("tenant", "role", "person_id", name=op.f("uq_people_tenant_role_person_id")),
    )


def downgrade() -> None:
    op.drop_table("people")
