"""Mentee invites: one-time sign-in links a mentor sends to their mentee (`mentee_invites`).

Revision ID: 0009
Revises: 0008
Create Date: 2027-04-02

A new table only. A row holds the SHA-256 of a random token (never the token), the tenant, the
mentorship (through a foreign key that includes the tenant, so an invite can never point at another
tenant's mentorship) and the mentee it signs in. It works once, until `expires_at`: using it sets
`used_at` and `key_id`; a newer invite for the same mentee sets `revoked_at` on the unused one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentee_invites",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("mentorship_id", sa.String(length=36), nullable=False),
        sa.Column("mentee_person_id", sa.String(length=128), nullable=False, comment="Who the link signs in"),
        sa.Column(
            "token_hash",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the token; the token is never stored",
        ),
        sa.Column(
            "created_by",
            sa.String(length=128),
            nullable=True,
            comment="The inviting person id; NULL for admin and platform keys",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "revoked_at", sa.DateTime(timezone=True), nullable=True, comment="Set when a newer invite replaced it"
        ),
        sa.Column("key_id", sa.String(length=36), nullable=True, comment="The mentee key the invite made"),
        sa.ForeignKeyConstraint(
            ["mentorship_id", "tenant"],
            ["mentorships.id", "mentorships.tenant"],
            name=op.f("fk_mentee_invites_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentee_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mentee_invites_token_hash")),
    )
    op.create_index(
        op.f("ix_mentee_invites_tenant_mentorship_id_mentee_person_id"),
        "mentee_invites",
        ["tenant", "mentorship_id", "mentee_person_id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_mentee_invites_tenant_mentorship_id_mentee_person_id"), table_name="mentee_invites")
    op.drop_table("mentee_invites")
