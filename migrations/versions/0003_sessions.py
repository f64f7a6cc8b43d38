"""sessions: server-side sessions, ids never reused, a secret per account, attempts kept past deletion

Revision ID: 0003_sessions
Revises: 0002
Create Date: 2026-12-01 10:50:00

Data: `users` is rebuilt on SQLite with AUTOINCREMENT (every row and foreign key kept, ids
unchanged); every account gets a random session secret, which signs out every existing session.
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003_sessions"
down_revision = "0002"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_secret", sa.String))


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_secret", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(session_secret=secrets.token_urlsafe(32))
        )
    # SQLite only takes AUTOINCREMENT when a table is created: rebuild it there (env.py turns foreign
    # keys off meanwhile and checks them after). PostgreSQL's sequence never hands an id out twice.
    sqlite = connection.dialect.name == "sqlite"
    with op.batch_alter_table(
        "users",
        schema=None,
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True} if sqlite else {},
    ) as batch_op:
        batch_op.alter_column("session_secret", existing_type=sa.String(length=64), nullable=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("persistent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=200), server_default="", nullable=False),
        sa.Column("address", sa.String(length=45), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"], unique=False)
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"], unique=False)

    op.create_table(
        "retained_attempts",
        sa.Column("email_key", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("lesson_id", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint("attempts > 0", name=op.f("ck_retained_attempts_attempts_positive")),
        sa.PrimaryKeyConstraint("email_key", "course_id", "lesson_id", name=op.f("pk_retained_attempts")),
    )


def downgrade():
    op.drop_table("retained_attempts")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_index("ix_sessions_expires_at", table_name="sessions")
    op.drop_table("sessions")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("users", schema=None, recreate="always" if sqlite else "auto") as batch_op:
        batch_op.drop_column("session_secret")
