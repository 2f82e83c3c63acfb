"""API access (tokens, OAuth clients), VC-API signed credentials, idempotency keys and bulk
issuance jobs (issue 6). A branch of its own off 0001; db.migrate applies every head.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oauth_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['admin_users.id'], name=op.f('fk_oauth_clients_created_by_id_admin_users')),
    sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], name=op.f('fk_oauth_clients_profile_id_issuer_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_oauth_clients_client_id'))
    )
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_clients_profile_id'), ['profile_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('lookup', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['oauth_clients.id'], name=op.f('fk_api_tokens_client_id_oauth_clients')),
    sa.ForeignKeyConstraint(['created_by_id'], ['admin_users.id'], name=op.f('fk_api_tokens_created_by_id_admin_users')),
    sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], name=op.f('fk_api_tokens_profile_id_issuer_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('lookup', name=op.f('uq_api_tokens_lookup'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_profile_id'), ['profile_id'], unique=False)

    op.create_table('bulk_jobs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('achievement_id', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_bulk_jobs_achievement_id_achievements')),
    sa.ForeignKeyConstraint(['created_by_id'], ['admin_users.id'], name=op.f('fk_bulk_jobs_created_by_id_admin_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_jobs'))
    )
    with op.batch_alter_table('bulk_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_jobs_achievement_id'), ['achievement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulk_jobs_created_at'), ['created_at'], unique=False)

    op.create_table('bulk_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('did', sa.String(length=500), nullable=True),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('evidence_url', sa.String(length=500), nullable=True),
    sa.Column('evidence_narrative', sa.Text(), nullable=True),
    sa.Column('row_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('credential_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_bulk_rows_credential_id_issued_credentials')),
    sa.ForeignKeyConstraint(['job_id'], ['bulk_jobs.id'], name=op.f('fk_bulk_rows_job_id_bulk_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_rows')),
    sa.UniqueConstraint('job_id', 'line', name=op.f('uq_bulk_rows_job_id'))
    )
    with op.batch_alter_table('bulk_rows', schema=None) as batch_op:
        batch_op.create_index('ix_bulk_rows_job_id_status', ['job_id', 'status'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_idempotency_keys_credential_id_issued_credentials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_idempotency_keys_scope'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_credential_id'), ['credential_id'], unique=False)

    op.create_table('signed_credentials',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('credential_id', sa.String(length=1000), nullable=False),
    sa.Column('hosted', sa.Boolean(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('verification_method', sa.String(length=600), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_via', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], name=op.f('fk_signed_credentials_profile_id_issuer_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_credentials')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_signed_credentials_credential_id'))
    )
    with op.batch_alter_table('signed_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signed_credentials_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signed_credentials_profile_id'), ['profile_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('signed_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signed_credentials_profile_id'))
        batch_op.drop_index(batch_op.f('ix_signed_credentials_issued_at'))

    op.drop_table('signed_credentials')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_credential_id'))

    op.drop_table('idempotency_keys')
    with op.batch_alter_table('bulk_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_bulk_rows_job_id_status')

    op.drop_table('bulk_rows')
    with op.batch_alter_table('bulk_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_jobs_created_at'))
        batch_op.drop_index(batch_op.f('ix_bulk_jobs_achievement_id'))

    op.drop_table('bulk_jobs')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_profile_id'))
        batch_op.drop_index(batch_op.f('ix_api_tokens_expires_at'))
        batch_op.drop_index(batch_op.f('ix_api_tokens_client_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_clients_profile_id'))

    op.drop_table('oauth_clients')
