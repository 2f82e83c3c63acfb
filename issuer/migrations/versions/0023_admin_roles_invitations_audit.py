"""Several admins with roles (issue 14, item 6): ``admin_roles``, ``admin_invitations``,
``audit_log``, and the outbox's link to an invitation email.

Every existing admin becomes the owner of every existing issuer profile, so nobody loses
anything they could do before.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'admin_roles',
        sa.Column('admin_user_id', sa.Integer(), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['admin_user_id'], ['admin_users.id'], ondelete='CASCADE',
                                name=op.f('fk_admin_roles_admin_user_id_admin_users')),
        sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], ondelete='CASCADE',
                                name=op.f('fk_admin_roles_profile_id_issuer_profiles')),
        sa.PrimaryKeyConstraint('admin_user_id', 'profile_id', name=op.f('pk_admin_roles')),
    )
    op.create_index(op.f('ix_admin_roles_profile_id'), 'admin_roles', ['profile_id'])
    op.create_table(
        'admin_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['invited_by_id'], ['admin_users.id'], ondelete='SET NULL',
                                name=op.f('fk_admin_invitations_invited_by_id_admin_users')),
        sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], ondelete='CASCADE',
                                name=op.f('fk_admin_invitations_profile_id_issuer_profiles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_invitations')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_admin_invitations_token_hash')),
    )
    op.create_index(op.f('ix_admin_invitations_email'), 'admin_invitations', ['email'])
    op.create_index(op.f('ix_admin_invitations_profile_id'), 'admin_invitations', ['profile_id'])
    op.create_index(op.f('ix_admin_invitations_invited_by_id'), 'admin_invitations',
                    ['invited_by_id'])
    op.create_index(op.f('ix_admin_invitations_created_at'), 'admin_invitations', ['created_at'])
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_email', sa.String(length=254), nullable=False),
        sa.Column('profile_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=48), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=True),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['admin_users.id'], ondelete='SET NULL',
                                name=op.f('fk_audit_log_actor_id_admin_users')),
        sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], ondelete='SET NULL',
                                name=op.f('fk_audit_log_profile_id_issuer_profiles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index('ix_audit_log_profile_at', 'audit_log', ['profile_id', 'at'])
    op.create_index('ix_audit_log_actor_at', 'audit_log', ['actor_id', 'at'])
    op.create_index('ix_audit_log_action_at', 'audit_log', ['action', 'at'])
    with op.batch_alter_table('community_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admin_invitation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_community_outbox_admin_invitation_id_admin_invitations'),
            'admin_invitations', ['admin_invitation_id'], ['id'], ondelete='SET NULL')

    # Every admin so far could do everything: they own every profile.
    connection = op.get_bind()
    users = sa.table('admin_users', sa.column('id', sa.Integer()))
    profiles = sa.table('issuer_profiles', sa.column('id', sa.Integer()))
    roles = sa.table('admin_roles', sa.column('admin_user_id', sa.Integer()),
                     sa.column('profile_id', sa.Integer()), sa.column('role', sa.String()),
                     sa.column('created_at', sa.DateTime(timezone=True)))
    now = datetime.now(timezone.utc)
    if connection.dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)
    pairs = connection.execute(sa.select(users.c.id, profiles.c.id)
                               .select_from(users.join(profiles, sa.true()))).all()
    if pairs:
        connection.execute(roles.insert(), [
            {'admin_user_id': user_id, 'profile_id': profile_id, 'role': 'owner',
             'created_at': now} for user_id, profile_id in pairs])


def downgrade() -> None:
    with op.batch_alter_table('community_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_community_outbox_admin_invitation_id_admin_invitations'),
                                 type_='foreignkey')
        batch_op.drop_column('admin_invitation_id')
    op.drop_table('audit_log')
    op.drop_table('admin_invitations')
    op.drop_table('admin_roles')
