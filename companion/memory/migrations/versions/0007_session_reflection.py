"""The mentee's reflection prompts for a session: `sessions.reflection`.

Revision ID: 0007
Revises: 0006
Create Date: 2027-03-01

Reflection prompts were made for the page and forgotten on the next request, so ticking an action
item (a plain form post and a redirect) lost them. They are kept with the session they reflect on,
only when the mentee asked for them (made from what the mentee may read: shared notes and shared
knowledge). Nullable, no backfill: NULL means no prompts were kept for the session.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(
            sa.Column(
                "reflection",
                sa.JSON(),
                nullable=True,
                comment="schemas.ReflectionPrompts the mentee asked for after the session (the latest)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("reflection")
