"""The OB 3.0 API (issue 15): dynamically registered OAuth clients, their hashed codes and
tokens, and the credentials members hold from elsewhere.

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('obapi_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obapi_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_obapi_clients_client_id'))
    )
    op.create_table('obapi_authorization_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('redirect_uri', sa.Text(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('code_challenge', sa.String(length=128), nullable=False),
    sa.Column('code_challenge_method', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['obapi_clients.id'], name=op.f('fk_obapi_authorization_codes_client_id_obapi_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_obapi_authorization_codes_member_id_community_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obapi_authorization_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_obapi_authorization_codes_code_hash'))
    )
    with op.batch_alter_table('obapi_authorization_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obapi_authorization_codes_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_obapi_authorization_codes_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_obapi_authorization_codes_member_id'), ['member_id'], unique=False)

    op.create_table('obapi_held_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('credential_key', sa.String(length=64), nullable=False),
    sa.Column('compact_jws', sa.Boolean(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('issuer_name', sa.String(length=300), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_obapi_held_credentials_member_id_community_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obapi_held_credentials')),
    sa.UniqueConstraint('member_id', 'credential_key', name=op.f('uq_obapi_held_credentials_member_id'))
    )
    with op.batch_alter_table('obapi_held_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obapi_held_credentials_member_id'), ['member_id'], unique=False)

    op.create_table('obapi_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('access_token_hash', sa.String(length=64), nullable=False),
    sa.Column('refresh_token_hash', sa.String(length=64), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('access_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refresh_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['obapi_clients.id'], name=op.f('fk_obapi_tokens_client_id_obapi_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_obapi_tokens_member_id_community_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obapi_tokens')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_obapi_tokens_access_token_hash')),
    sa.UniqueConstraint('refresh_token_hash', name=op.f('uq_obapi_tokens_refresh_token_hash'))
    )
    with op.batch_alter_table('obapi_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obapi_tokens_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_obapi_tokens_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('obapi_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obapi_tokens_member_id'))
        batch_op.drop_index(batch_op.f('ix_obapi_tokens_client_id'))

    op.drop_table('obapi_tokens')
    with op.batch_alter_table('obapi_held_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obapi_held_credentials_member_id'))

    op.drop_table('obapi_held_credentials')
    with op.batch_alter_table('obapi_authorization_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obapi_authorization_codes_member_id'))
        batch_op.drop_index(batch_op.f('ix_obapi_authorization_codes_expires_at'))
        batch_op.drop_index(batch_op.f('ix_obapi_authorization_codes_client_id'))

    op.drop_table('obapi_authorization_codes')
    op.drop_table('obapi_clients')
