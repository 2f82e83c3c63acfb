"""Server-side sessions for admins and members, and shared sign-in throttle counters
(issue 10). The session tables replace admin_users.session_token and
community_members.session_version: every session is a row now, ended by deleting it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _session_table(name: str, owner_column: str, owner_table: str) -> None:
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column(owner_column, sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint([owner_column], [f'{owner_table}.id'],
                            name=op.f(f'fk_{name}_{owner_column}_{owner_table}'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    sa.UniqueConstraint('token_hash', name=op.f(f'uq_{name}_token_hash'))
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        for column in (owner_column, 'created_at', 'last_seen_at'):
            batch_op.create_index(batch_op.f(f'ix_{name}_{column}'), [column], unique=False)


def upgrade() -> None:
    op.create_table('sign_in_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_throttles')),
    sa.UniqueConstraint('scope', 'key_hash', name=op.f('uq_sign_in_throttles_scope'))
    )
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttles_expires_at'), ['expires_at'],
                              unique=False)

    _session_table('admin_sessions', 'admin_user_id', 'admin_users')
    _session_table('community_member_sessions', 'member_id', 'community_members')

    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_admin_users_session_token'), type_='unique')
        batch_op.drop_column('session_token')

    with op.batch_alter_table('community_members', schema=None) as batch_op:
        batch_op.drop_column('session_version')


def downgrade() -> None:
    with op.batch_alter_table('community_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='1'))

    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.text('SELECT id FROM admin_users')).all():
        connection.execute(sa.text('UPDATE admin_users SET session_token = :token WHERE id = :id'),
                           {'token': secrets.token_urlsafe(32), 'id': user_id})
    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_admin_users_session_token'),
                                          ['session_token'])

    for name in ('community_member_sessions', 'admin_sessions'):
        op.drop_table(name)
    op.drop_table('sign_in_throttles')
