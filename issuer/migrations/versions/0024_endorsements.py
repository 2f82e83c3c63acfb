"""Endorsements (issue 15, item 1): the ones our profiles issue, and the ones received from
other issuers for our achievements and profiles (issuer.endorsement_models).

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'endorsements_issued',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('signed_credential_id', sa.String(length=36), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('subject_kind', sa.String(length=16), nullable=False),
        sa.Column('subject_id', sa.String(length=1000), nullable=False),
        sa.Column('subject_name', sa.String(length=200), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('created_by', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("subject_kind IN ('achievement', 'profile')",
                           name='ck_endorsements_issued_kind'),
        sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id']),
        sa.ForeignKeyConstraint(['signed_credential_id'], ['signed_credentials.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('signed_credential_id'),
    )
    with op.batch_alter_table('endorsements_issued', schema=None) as batch_op:
        batch_op.create_index('ix_endorsements_issued_profile_id', ['profile_id'])
        batch_op.create_index('ix_endorsements_issued_subject_id', ['subject_id'])
        batch_op.create_index('ix_endorsements_issued_created_at', ['created_at'])

    op.create_table(
        'endorsements_received',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('achievement_id', sa.String(length=36), nullable=True),
        sa.Column('profile_id', sa.Integer(), nullable=True),
        sa.Column('form', sa.String(length=8), nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.Column('credential_id', sa.String(length=1000), nullable=True),
        sa.Column('endorser_id', sa.String(length=1000), nullable=False),
        sa.Column('endorser_name', sa.String(length=200), nullable=True),
        sa.Column('endorser_url', sa.String(length=1000), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
        sa.Column('verdict', sa.String(length=16), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attached_by', sa.String(length=254), nullable=False),
        sa.Column('attached_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('detached_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attached_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("form IN ('json', 'jwt')", name='ck_endorsements_received_form'),
        sa.CheckConstraint('(achievement_id IS NULL) <> (profile_id IS NULL)',
                           name='ck_endorsements_received_target'),
        sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id']),
        sa.ForeignKeyConstraint(['attached_by_id'], ['admin_users.id']),
        sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('endorsements_received', schema=None) as batch_op:
        batch_op.create_index('ix_endorsements_received_achievement_id', ['achievement_id'])
        batch_op.create_index('ix_endorsements_received_profile_id', ['profile_id'])
        batch_op.create_index('ix_endorsements_received_attached_at', ['attached_at'])


def downgrade() -> None:
    op.drop_table('endorsements_received')
    op.drop_table('endorsements_issued')
