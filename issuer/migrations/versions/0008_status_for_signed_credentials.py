"""Status entries and status events for VC-API-signed credentials too: a nullable
``signed_credential_id`` next to ``credential_id`` (now nullable), exactly one of them set.

Needs both the status tables (0005) and signed_credentials (0006), so it merges those two
branches; db.migrate applies every head.

Revision ID: 0008
Revises: 0005, 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = ('0005', '0006')
branch_labels = None
depends_on = None

ONE_CREDENTIAL = ("(credential_id IS NULL AND signed_credential_id IS NOT NULL) OR "
                  "(credential_id IS NOT NULL AND signed_credential_id IS NULL)")


def upgrade() -> None:
    with op.batch_alter_table('status_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_credential_id', sa.String(length=36), nullable=True))
        batch_op.alter_column('credential_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f('fk_status_entries_signed_credential_id_signed_credentials'),
            'signed_credentials', ['signed_credential_id'], ['id'])
        batch_op.create_unique_constraint(
            batch_op.f('uq_status_entries_signed_credential_id'),
            ['signed_credential_id', 'purpose'])
        batch_op.create_check_constraint(batch_op.f('ck_status_entries_one_credential'),
                                         ONE_CREDENTIAL)

    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_credential_id', sa.String(length=36), nullable=True))
        batch_op.alter_column('credential_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f('fk_status_events_signed_credential_id_signed_credentials'),
            'signed_credentials', ['signed_credential_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_status_events_signed_credential_id'),
                              ['signed_credential_id'], unique=False)
        batch_op.create_check_constraint(batch_op.f('ck_status_events_one_credential'),
                                         ONE_CREDENTIAL)


def downgrade() -> None:
    # Entries and events of signed credentials cannot be kept without their column.
    op.execute("DELETE FROM status_events WHERE signed_credential_id IS NOT NULL")
    op.execute("DELETE FROM status_entries WHERE signed_credential_id IS NOT NULL")
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_status_events_one_credential'), type_='check')
        batch_op.drop_index(batch_op.f('ix_status_events_signed_credential_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_status_events_signed_credential_id_signed_credentials'),
            type_='foreignkey')
        batch_op.alter_column('credential_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column('signed_credential_id')

    with op.batch_alter_table('status_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_status_entries_one_credential'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_status_entries_signed_credential_id'),
                                 type_='unique')
        batch_op.drop_constraint(
            batch_op.f('fk_status_entries_signed_credential_id_signed_credentials'),
            type_='foreignkey')
        batch_op.alter_column('credential_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column('signed_credential_id')
