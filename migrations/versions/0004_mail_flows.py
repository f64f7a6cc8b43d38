"""mail flows: when an account's email was verified

Revision ID: 0004_mail_flows
Revises: 0002
Create Date: 2026-12-01 11:05:00

Data: accounts that already exist signed up before verification was asked for; they count as
verified, so that turning it on does not stop learners in the middle of their course.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_mail_flows"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at WHERE email IS NOT NULL")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_verified_at")
