"""catalog foundation: roles per course, cohorts, identities, attempts carry their course, summary keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:40:00

Data: every enrollment becomes a learner in its course's default cohort (created here, with
the ENROLLMENT_CODE setting as its code); instructors become administrators and instructors
of the existing course; every attempt gets its enrollment's course.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLE_CHECK = "role IN ('learner', 'instructor', 'assistant')"

cohorts = sa.table(
    "cohorts",
    sa.column("id", sa.Integer),
    sa.column("course_id", sa.String),
    sa.column("slug", sa.String),
    sa.column("name", sa.String),
    sa.column("enrollment_code", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
enrollments = sa.table(
    "enrollments",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("course_id", sa.String),
    sa.column("cohort_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("enrolled_at", sa.DateTime(timezone=True)),
    sa.column("last_activity_at", sa.DateTime(timezone=True)),
    sa.column("readiness_band", sa.String),
)
users = sa.table("users", sa.column("id", sa.Integer), sa.column("is_admin", sa.Boolean))
attempts = sa.table("attempts", sa.column("enrollment_id", sa.Integer), sa.column("course_id", sa.String))


def _app_setting(read, default):
    # Run by `flask db upgrade`, inside the app; Alembic alone has no app and keeps the defaults.
    try:
        return read(current_app)
    except RuntimeError:
        return default


def _create_tables() -> None:
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("enrollment_code", sa.String(length=64), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name=op.f("ck_cohorts_opens_before_closes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("course_id", "enrollment_code", name=op.f("uq_cohorts_course_id_enrollment_code")),
        sa.UniqueConstraint("course_id", "slug", name=op.f("uq_cohorts_course_id_slug")),
        sa.UniqueConstraint("id", "course_id", name=op.f("uq_cohorts_id_course_id")),
    )
    op.create_table(
        "user_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_identities_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_user_identities_issuer_subject")),
    )
    op.create_index(op.f("ix_user_identities_user_id"), "user_identities", ["user_id"], unique=False)


def _fill_cohorts_and_roles(now: datetime) -> None:
    bind = op.get_bind()
    course_ids = set(bind.execute(sa.select(enrollments.c.course_id).distinct()).scalars())
    admin_ids = list(bind.execute(sa.select(users.c.id).where(users.c.is_admin)).scalars())
    default_course = _app_setting(lambda app: app.extensions["lms.catalog"].default.id, None)
    if admin_ids and default_course is not None:
        course_ids.add(default_course)
    code = _app_setting(lambda app: app.config.get("ENROLLMENT_CODE"), None) or None
    for course_id in sorted(course_ids):
        bind.execute(
            cohorts.insert().values(
                course_id=course_id, slug="default", name="Default cohort", enrollment_code=code, created_at=now
            )
        )
    default_cohort = (
        sa.select(cohorts.c.id)
        .where(cohorts.c.course_id == enrollments.c.course_id, cohorts.c.slug == "default")
        .scalar_subquery()
    )
    bind.execute(enrollments.update().values(cohort_id=default_cohort, role="learner"))
    if default_course is None:
        return
    # Instructors taught the one existing course: they become its instructors (and, by the rename, admins).
    cohort_id = bind.execute(
        sa.select(cohorts.c.id).where(cohorts.c.course_id == default_course, cohorts.c.slug == "default")
    ).scalar()
    for user_id in admin_ids:
        found = bind.execute(
            sa.select(enrollments.c.id).where(
                enrollments.c.user_id == user_id, enrollments.c.course_id == default_course
            )
        ).scalar()
        if found is not None:
            bind.execute(enrollments.update().where(enrollments.c.id == found).values(role="instructor"))
        else:
            bind.execute(
                enrollments.insert().values(
                    user_id=user_id,
                    course_id=default_course,
                    cohort_id=cohort_id,
                    role="instructor",
                    enrolled_at=now,
                    last_activity_at=now,
                    readiness_band="",
                )
            )


def upgrade():
    now = datetime.now(UTC)
    _create_tables()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "is_instructor",
            new_column_name="is_admin",
            existing_type=sa.Boolean(),
            existing_server_default=sa.text("(false)"),
            existing_nullable=False,
        )
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch_op.alter_column("password_hash", existing_type=sa.String(length=255), nullable=True)

    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=20), server_default="learner", nullable=False))
        batch_op.add_column(sa.Column("summary_key", sa.String(length=16), nullable=True))
    _fill_cohorts_and_roles(now)
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.alter_column("cohort_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_enrollments_id_course_id"), ["id", "course_id"])
        batch_op.create_foreign_key(
            op.f("fk_enrollments_cohort_id_cohorts"), "cohorts", ["cohort_id", "course_id"], ["id", "course_id"]
        )
        batch_op.create_check_constraint(op.f("ck_enrollments_role_known"), ROLE_CHECK)
        batch_op.create_index("ix_enrollments_cohort", ["cohort_id"], unique=False)

    op.create_table(
        "staff_cohorts",
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_staff_cohorts_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_staff_cohorts_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrollment_id", "cohort_id", name=op.f("pk_staff_cohorts")),
    )
    op.create_index(op.f("ix_staff_cohorts_cohort_id"), "staff_cohorts", ["cohort_id"], unique=False)

    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("course_id", sa.String(length=64), nullable=True))
    course_of_enrollment = (
        sa.select(enrollments.c.course_id).where(enrollments.c.id == attempts.c.enrollment_id).scalar_subquery()
    )
    op.get_bind().execute(attempts.update().values(course_id=course_of_enrollment))
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.alter_column("course_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("fk_attempts_enrollment_id_enrollments", type_="foreignkey")
        batch_op.create_foreign_key(
            op.f("fk_attempts_enrollment_id_enrollments"),
            "enrollments",
            ["enrollment_id", "course_id"],
            ["id", "course_id"],
            ondelete="CASCADE",
        )
        batch_op.drop_index("ix_attempts_lesson_submitted")
        batch_op.create_index(
            "ix_attempts_course_lesson_submitted", ["course_id", "lesson_id", "submitted_at"], unique=False
        )


def downgrade():
    # Back to one course: staff enrollments, cohorts and identities have no place in 0001.
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_attempts_course_lesson_submitted")
        batch_op.create_index("ix_attempts_lesson_submitted", ["lesson_id", "submitted_at"], unique=False)
        batch_op.drop_constraint("fk_attempts_enrollment_id_enrollments", type_="foreignkey")
        batch_op.create_foreign_key(
            op.f("fk_attempts_enrollment_id_enrollments"), "enrollments", ["enrollment_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_column("course_id")
    op.drop_index(op.f("ix_staff_cohorts_cohort_id"), table_name="staff_cohorts")
    op.drop_table("staff_cohorts")
    op.get_bind().execute(enrollments.delete().where(enrollments.c.role != "learner"))
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_cohort")
        batch_op.drop_constraint(op.f("ck_enrollments_role_known"), type_="check")
        batch_op.drop_constraint(op.f("fk_enrollments_cohort_id_cohorts"), type_="foreignkey")
        batch_op.drop_constraint(op.f("uq_enrollments_id_course_id"), type_="unique")
        batch_op.drop_column("summary_key")
        batch_op.drop_column("role")
        batch_op.drop_column("cohort_id")
    op.get_bind().execute(sa.text("DELETE FROM users WHERE email IS NULL OR password_hash IS NULL"))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch_op.alter_column(
            "is_admin",
            new_column_name="is_instructor",
            existing_type=sa.Boolean(),
            existing_server_default=sa.text("(false)"),
            existing_nullable=False,
        )
    op.drop_index(op.f("ix_user_identities_user_id"), table_name="user_identities")
    op.drop_table("user_identities")
    op.drop_table("cohorts")
