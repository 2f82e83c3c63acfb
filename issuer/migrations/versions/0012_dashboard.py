"""Dashboard (issue 14): how each credential was issued, its status as a column, and daily
activity counters (page views, downloads, share links followed, claim links opened).

``issued_via`` is filled in for existing credentials where the path can be told (an award,
a bulk row, an API idempotency key, an admin); the others stay NULL ("not recorded").
``status_state`` is rebuilt from the status events, written in the same transaction as the
status list bits: revoked when revoked once, else suspended when the last suspend/reinstate
was a suspension.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_via', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('status_state', sa.String(length=16),
                                      server_default='active', nullable=False))
        batch_op.create_index(batch_op.f('ix_issued_credentials_issued_via'), ['issued_via'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_issued_credentials_status_state'),
                              ['status_state'], unique=False)

    op.create_table('credential_activity',
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_credential_activity_count_not_negative')),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'],
                            name=op.f('fk_credential_activity_credential_id_issued_credentials'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('credential_id', 'day', 'kind', name=op.f('pk_credential_activity'))
    )
    with op.batch_alter_table('credential_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_activity_day'), ['day'], unique=False)

    # What can be told about the path of credentials issued before.
    for via, condition in (
        ('award', "id IN (SELECT credential_id FROM community_awards)"),
        ('bulk', "id IN (SELECT credential_id FROM bulk_rows WHERE credential_id IS NOT NULL)"),
        ('api', "id IN (SELECT credential_id FROM idempotency_keys "
                "WHERE scope LIKE 'token:%' OR scope LIKE 'client:%')"),
        ('admin', "issued_by_id IS NOT NULL"),
    ):
        op.execute(f"UPDATE issued_credentials SET issued_via = '{via}' "
                   f"WHERE issued_via IS NULL AND {condition}")
    op.execute(
        "UPDATE issued_credentials SET status_state = 'revoked' WHERE id IN "
        "(SELECT credential_id FROM status_events WHERE action = 'revoke' "
        "AND credential_id IS NOT NULL)")
    op.execute(
        "UPDATE issued_credentials SET status_state = 'suspended' "
        "WHERE status_state = 'active' AND ("
        "SELECT e.action FROM status_events e WHERE e.credential_id = issued_credentials.id "
        "AND e.action IN ('suspend', 'reinstate') ORDER BY e.created_at DESC, e.id DESC "
        "LIMIT 1) = 'suspend'")


def downgrade() -> None:
    with op.batch_alter_table('credential_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_activity_day'))
    op.drop_table('credential_activity')
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_credentials_status_state'))
        batch_op.drop_index(batch_op.f('ix_issued_credentials_issued_via'))
        batch_op.drop_column('status_state')
        batch_op.drop_column('issued_via')
