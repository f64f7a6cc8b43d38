"""roster: an index of the quizzes not passed, by attempts, for the roster's "out of attempts" count

Revision ID: 0008_roster_index
Revises: 0007_lti
Create Date: 2026-12-01 13:35:00

No data changes.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_roster_index"
down_revision = "0007_lti"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_lesson_progress_unpassed_attempts",
        "lesson_progress",
        ["attempts_count"],
        unique=False,
        sqlite_where=sa.text("passed_at IS NULL"),
        postgresql_where=sa.text("passed_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_lesson_progress_unpassed_attempts", table_name="lesson_progress")
