"""drafts: the answers of an open attempt, saved as the learner goes

Revision ID: 0005_drafts
Revises: 0002
Create Date: 2026-12-01 10:50:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_drafts"
down_revision = "0004_mail_flows"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attempt_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_drafts_attempt_id_attempts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_drafts")),
        sa.UniqueConstraint("attempt_id", "question_id", name=op.f("uq_attempt_drafts_attempt_id_question_id")),
    )


def downgrade():
    op.drop_table("attempt_drafts")
