"""Expiry reminders (issue 14, item 4): an achievement's reminder setting, one row per
credential reminded, and an index on issued_credentials (achievement_id, valid_until) for the
periodic scan. No reminders for existing achievements (no setting rows).

Revision ID: 0019
Revises: 0024
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'achievement_reminders',
        sa.Column('achievement_id', sa.String(length=36), nullable=False),
        sa.Column('days_before', sa.Integer(), nullable=False),
        sa.Column('renewal_url', sa.String(length=2000), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('days_before >= 1 AND days_before <= 365',
                           name='ck_achievement_reminders_days_before'),
        sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id']),
        sa.PrimaryKeyConstraint('achievement_id'),
    )
    op.create_table(
        'credential_reminders',
        sa.Column('credential_id', sa.String(length=36), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('days_before', sa.Integer(), nullable=False),
        sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id']),
        sa.ForeignKeyConstraint(['outbox_id'], ['community_outbox.id']),
        sa.PrimaryKeyConstraint('credential_id'),
    )
    op.create_index('ix_issued_credentials_achievement_valid_until', 'issued_credentials',
                    ['achievement_id', 'valid_until'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_issued_credentials_achievement_valid_until',
                  table_name='issued_credentials')
    op.drop_table('credential_reminders')
    op.drop_table('achievement_reminders')
