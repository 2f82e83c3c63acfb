"""OpenID4VCI pre-authorized issuance (issue 12, item 3): grants and nonces, and the outbox
row that emails an offer's tx_code.

Revision ID: 0018
Revises: 0017 (its grants belong to wallet exchanges)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oid4vci_grants',
    sa.Column('exchange_id', sa.String(length=36), nullable=False),
    sa.Column('offer_ref_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('tx_code_required', sa.Boolean(), nullable=False),
    sa.Column('tx_code_failures', sa.Integer(), nullable=False),
    sa.Column('code_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('configuration_ids', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exchange_id'], ['wallet_exchanges.id'],
                            name=op.f('fk_oid4vci_grants_exchange_id_wallet_exchanges')),
    sa.PrimaryKeyConstraint('exchange_id', name=op.f('pk_oid4vci_grants')),
    sa.UniqueConstraint('offer_ref_hash', name=op.f('uq_oid4vci_grants_offer_ref_hash')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_oid4vci_grants_code_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_oid4vci_grants_token_hash'))
    )
    op.create_table('oid4vci_nonces',
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('nonce_hash', name=op.f('pk_oid4vci_nonces'))
    )
    with op.batch_alter_table('oid4vci_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oid4vci_nonces_expires_at'), ['expires_at'],
                              unique=False)
    with op.batch_alter_table('community_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exchange_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_community_outbox_exchange_id_wallet_exchanges'),
                                    'wallet_exchanges', ['exchange_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('community_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_community_outbox_exchange_id_wallet_exchanges'),
                                 type_='foreignkey')
        batch_op.drop_column('exchange_id')
    op.drop_table('oid4vci_nonces')
    op.drop_table('oid4vci_grants')
