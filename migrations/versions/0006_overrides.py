"""instructor overrides: extra attempts and resets per learner and quiz, attempt limits per cohort or course, audit trail

Revision ID: 0006_overrides
Revises: 0002
Create Date: 2026-12-01 10:44:51

No data changes: with no override every learner keeps the pack's limit and every attempt counts.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006_overrides"
down_revision = "0004_mail_flows"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attempt_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("lesson_id", sa.String(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint("max_attempts >= 0", name=op.f("ck_attempt_limits_max_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_attempt_limits_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_limits")),
    )
    with op.batch_alter_table("attempt_limits", schema=None) as batch_op:
        batch_op.create_index(
            "uq_attempt_limits_cohort",
            ["course_id", "lesson_id", "cohort_id"],
            unique=True,
            sqlite_where=sa.text("cohort_id IS NOT NULL"),
            postgresql_where=sa.text("cohort_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_attempt_limits_course",
            ["course_id", "lesson_id"],
            unique=True,
            sqlite_where=sa.text("cohort_id IS NULL"),
            postgresql_where=sa.text("cohort_id IS NULL"),
        )

    op.create_table(
        "learner_quiz_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.String(length=64), nullable=False),
        sa.Column("extra_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("counted_after", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("counted_after >= 0", name=op.f("ck_learner_quiz_overrides_counted_after_not_negative")),
        sa.CheckConstraint("extra_attempts >= 0", name=op.f("ck_learner_quiz_overrides_extra_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_learner_quiz_overrides_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_quiz_overrides")),
        sa.UniqueConstraint(
            "enrollment_id", "lesson_id", name=op.f("uq_learner_quiz_overrides_enrollment_id_lesson_id")
        ),
    )
    op.create_table(
        "override_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("lesson_id", sa.String(length=64), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(action IN ('grant', 'reset') AND enrollment_id IS NOT NULL) OR (action IN ('limit', 'clear-limit') AND enrollment_id IS NULL)",
            name=op.f("ck_override_events_subject_fits_action"),
        ),
        sa.CheckConstraint(
            "action IN ('grant', 'reset', 'limit', 'clear-limit')", name=op.f("ck_override_events_action_known")
        ),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_override_events_reason_given")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_override_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_override_events_cohort_id_cohorts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_override_events_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_override_events")),
    )
    with op.batch_alter_table("override_events", schema=None) as batch_op:
        batch_op.create_index("ix_override_events_course", ["course_id", "created_at"], unique=False)
        batch_op.create_index("ix_override_events_enrollment", ["enrollment_id"], unique=False)


def downgrade():
    with op.batch_alter_table("override_events", schema=None) as batch_op:
        batch_op.drop_index("ix_override_events_enrollment")
        batch_op.drop_index("ix_override_events_course")

    op.drop_table("override_events")
    op.drop_table("learner_quiz_overrides")
    with op.batch_alter_table("attempt_limits", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_attempt_limits_course",
            sqlite_where=sa.text("cohort_id IS NULL"),
            postgresql_where=sa.text("cohort_id IS NULL"),
        )
        batch_op.drop_index(
            "uq_attempt_limits_cohort",
            sqlite_where=sa.text("cohort_id IS NOT NULL"),
            postgresql_where=sa.text("cohort_id IS NOT NULL"),
        )

    op.drop_table("attempt_limits")
