"""lti: one-time hand-offs that carry a launch's session into a new window when the frame keeps no cookies

Revision ID: 0010_lti_handoffs
Revises: 0009_mail_outbox
Create Date: 2026-12-01 13:50:00

No data changes.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_lti_handoffs"
down_revision = "0009_mail_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lti_handoffs",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=1000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_lti_handoffs_session_id_sessions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_lti_handoffs")),
    )
    with op.batch_alter_table("lti_handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_handoffs_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_lti_handoffs_session_id"), ["session_id"], unique=False)


def downgrade():
    with op.batch_alter_table("lti_handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_handoffs_session_id"))
        batch_op.drop_index(batch_op.f("ix_lti_handoffs_expires_at"))
    op.drop_table("lti_handoffs")
