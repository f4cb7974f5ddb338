"""Who may read a session's plan: `sessions.plan_visibility`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

A plan (agenda and asked icebreakers) made from a mentor's private notes stays with the mentor.
The column is nullable and gets no backfill: NULL means the plan was saved before the column
existed, and the repository then decides from the saved agenda itself (an agenda an LLM wrote
is treated as mentor_private, because nothing recorded what its prompt held).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(
            sa.Column(
                "plan_visibility",
                sa.String(length=16),
                nullable=True,
                comment="Who may read the agenda and asked icebreakers: shared or mentor_private",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("plan_visibility")
