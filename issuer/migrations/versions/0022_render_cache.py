"""Stored work of the public pages (issue 13, item 4): ``page_verifications`` (a credential
page's verdict with the fingerprint of its inputs) and ``rendered_files`` (badge images,
baked badges and QR codes rendered once, addressed by their inputs). Both are caches: empty
after the upgrade, dropped by the downgrade, and rebuilt by the next views.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('page_verifications',
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('fresh_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fresh_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'],
                            name=op.f('fk_page_verifications_credential_id_issued_credentials'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('credential_id', name=op.f('pk_page_verifications'))
    )
    op.create_table('rendered_files',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rendered_files'))
    )
    with op.batch_alter_table('rendered_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rendered_files_subject'), ['subject'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rendered_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rendered_files_subject'))
    op.drop_table('rendered_files')
    op.drop_table('page_verifications')
