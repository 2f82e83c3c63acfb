"""Initial schema: issuer profiles, signing keys, achievements, recipients, credentials,
images, admin users.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_users')),
    sa.UniqueConstraint('email', name=op.f('uq_admin_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_admin_users_session_token'))
    )
    op.create_table('images',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_images'))
    )
    op.create_table('recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('did', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipients')),
    sa.UniqueConstraint('email', name=op.f('uq_recipients_email'))
    )
    op.create_table('issuer_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('image_id', sa.String(length=32), nullable=True),
    sa.Column('did', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_issuer_profiles_image_id_images')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_profiles')),
    sa.UniqueConstraint('slug', name=op.f('uq_issuer_profiles_slug'))
    )
    with op.batch_alter_table('issuer_profiles', schema=None) as batch_op:
        batch_op.create_index('uq_issuer_profiles_default', ['is_default'], unique=True, sqlite_where=sa.text('is_default = 1'), postgresql_where=sa.text('is_default'))

    op.create_table('achievements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('criteria_narrative', sa.Text(), nullable=False),
    sa.Column('achievement_type', sa.String(length=64), nullable=True),
    sa.Column('image_id', sa.String(length=32), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('alignments', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_achievements_image_id_images')),
    sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], name=op.f('fk_achievements_profile_id_issuer_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_achievements'))
    )
    with op.batch_alter_table('achievements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_achievements_profile_id'), ['profile_id'], unique=False)

    op.create_table('signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('public_key_multibase', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], name=op.f('fk_signing_keys_profile_id_issuer_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
    sa.UniqueConstraint('public_key_multibase', name=op.f('uq_signing_keys_public_key_multibase'))
    )
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_keys_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index('uq_signing_keys_active_per_profile', ['profile_id'], unique=True, sqlite_where=sa.text('active = 1'), postgresql_where=sa.text('active'))

    op.create_table('issued_credentials',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('achievement_id', sa.String(length=36), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=200), nullable=True),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('verification_method', sa.String(length=600), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_issued_credentials_achievement_id_achievements')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['admin_users.id'], name=op.f('fk_issued_credentials_issued_by_id_admin_users')),
    sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], name=op.f('fk_issued_credentials_profile_id_issuer_profiles')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'], name=op.f('fk_issued_credentials_recipient_id_recipients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_credentials'))
    )
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_credentials_achievement_id'), ['achievement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_credentials_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_credentials_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_credentials_recipient_id'), ['recipient_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_credentials_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_issued_credentials_profile_id'))
        batch_op.drop_index(batch_op.f('ix_issued_credentials_issued_at'))
        batch_op.drop_index(batch_op.f('ix_issued_credentials_achievement_id'))

    op.drop_table('issued_credentials')
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_index('uq_signing_keys_active_per_profile', sqlite_where=sa.text('active = 1'), postgresql_where=sa.text('active'))
        batch_op.drop_index(batch_op.f('ix_signing_keys_profile_id'))

    op.drop_table('signing_keys')
    with op.batch_alter_table('achievements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_achievements_profile_id'))

    op.drop_table('achievements')
    with op.batch_alter_table('issuer_profiles', schema=None) as batch_op:
        batch_op.drop_index('uq_issuer_profiles_default', sqlite_where=sa.text('is_default = 1'), postgresql_where=sa.text('is_default'))

    op.drop_table('issuer_profiles')
    op.drop_table('recipients')
    op.drop_table('images')
    op.drop_table('admin_users')
