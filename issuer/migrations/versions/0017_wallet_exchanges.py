"""Wallet delivery (issue 12): exchanges, their audit trail, and holder-bound copies of awards.

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0012'
branch_labels = None
depends_on = None

PROTOCOLS = "protocol IN ('vcapi', 'lcw', 'oid4vci')"
STATES = "state IN ('pending', 'requested', 'completed', 'cancelled')"


def upgrade() -> None:
    op.create_table('wallet_exchanges',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('challenge_hash', sa.String(length=64), nullable=True),
    sa.Column('holder_did', sa.String(length=500), nullable=True),
    sa.Column('copy_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(PROTOCOLS, name=op.f('ck_wallet_exchanges_protocol')),
    sa.CheckConstraint(STATES, name=op.f('ck_wallet_exchanges_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['admin_users.id'],
                            name=op.f('fk_wallet_exchanges_created_by_id_admin_users')),
    sa.ForeignKeyConstraint(['copy_id'], ['signed_credentials.id'],
                            name=op.f('fk_wallet_exchanges_copy_id_signed_credentials')),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'],
                            name=op.f('fk_wallet_exchanges_credential_id_issued_credentials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_exchanges')),
    sa.UniqueConstraint('challenge_hash', name=op.f('uq_wallet_exchanges_challenge_hash'))
    )
    with op.batch_alter_table('wallet_exchanges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_exchanges_credential_id'), ['credential_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_exchanges_expires_at'), ['expires_at'],
                              unique=False)

    op.create_table('wallet_exchange_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.String(length=36), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exchange_id'], ['wallet_exchanges.id'],
                            name=op.f('fk_wallet_exchange_events_exchange_id_wallet_exchanges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_exchange_events'))
    )
    with op.batch_alter_table('wallet_exchange_events', schema=None) as batch_op:
        batch_op.create_index('ix_wallet_exchange_events_exchange_id_id', ['exchange_id', 'id'],
                              unique=False)

    op.create_table('holder_copies',
    sa.Column('signed_credential_id', sa.String(length=36), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('holder_did', sa.String(length=500), nullable=False),
    sa.Column('exchange_id', sa.String(length=36), nullable=True),
    sa.Column('protocol', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'],
                            name=op.f('fk_holder_copies_credential_id_issued_credentials')),
    sa.ForeignKeyConstraint(['exchange_id'], ['wallet_exchanges.id'],
                            name=op.f('fk_holder_copies_exchange_id_wallet_exchanges')),
    sa.ForeignKeyConstraint(['signed_credential_id'], ['signed_credentials.id'],
                            name=op.f('fk_holder_copies_signed_credential_id_signed_credentials')),
    sa.PrimaryKeyConstraint('signed_credential_id', name=op.f('pk_holder_copies'))
    )
    with op.batch_alter_table('holder_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holder_copies_credential_id'), ['credential_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('holder_copies')
    op.drop_table('wallet_exchange_events')
    op.drop_table('wallet_exchanges')
