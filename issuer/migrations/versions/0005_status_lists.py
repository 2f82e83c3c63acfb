"""Status lists (W3C Bitstring Status List) for revocation and suspension, the indexes given to
credentials, and the log of status changes (issue 5). A branch of its own off 0001;
db.migrate applies every head.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('status_lists',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('allocated', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('permutation_key', sa.LargeBinary(), nullable=False),
    sa.Column('bits', sa.LargeBinary(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('revocation', 'suspension')", name=op.f('ck_status_lists_purpose')),
    sa.CheckConstraint('allocated >= 0 AND allocated <= size', name=op.f('ck_status_lists_allocated_within_size')),
    sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], name=op.f('fk_status_lists_profile_id_issuer_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_lists'))
    )
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_lists_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index('uq_status_lists_current_per_profile_purpose', ['profile_id', 'purpose'], unique=True, sqlite_where=sa.text('is_current = 1'), postgresql_where=sa.text('is_current'))

    op.create_table('status_entries',
    sa.Column('list_id', sa.String(length=36), nullable=False),
    sa.Column('list_index', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_status_entries_credential_id_issued_credentials')),
    sa.ForeignKeyConstraint(['list_id'], ['status_lists.id'], name=op.f('fk_status_entries_list_id_status_lists')),
    sa.PrimaryKeyConstraint('list_id', 'list_index', name=op.f('pk_status_entries')),
    sa.UniqueConstraint('credential_id', 'purpose', name=op.f('uq_status_entries_credential_id'))
    )
    op.create_table('status_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('admin_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('revoke', 'suspend', 'reinstate')", name=op.f('ck_status_events_action')),
    sa.ForeignKeyConstraint(['admin_user_id'], ['admin_users.id'], name=op.f('fk_status_events_admin_user_id_admin_users')),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_status_events_credential_id_issued_credentials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_events'))
    )
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_events_credential_id'), ['credential_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_events_credential_id'))

    op.drop_table('status_events')
    op.drop_table('status_entries')
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.drop_index('uq_status_lists_current_per_profile_purpose', sqlite_where=sa.text('is_current = 1'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_status_lists_profile_id'))

    op.drop_table('status_lists')
