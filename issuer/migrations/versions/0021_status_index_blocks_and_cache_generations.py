"""Status index blocks and shared cache generations (issue 13, item 3).

``status_index_blocks`` records every run of a status list's counter reserved by a worker
(which list, which positions, who, when); ``cache_generations`` holds the shared version
counter under which workers cache keys, profiles, achievements and API tokens.

Revision ID: 0021
Revises: 0023
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'status_index_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.String(length=36), nullable=False),
        sa.Column('first', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('holder', sa.String(length=200), nullable=False),
        sa.Column('reserved_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('first >= 0 AND count > 0',
                           name=op.f('ck_status_index_blocks_positive_block')),
        sa.ForeignKeyConstraint(['list_id'], ['status_lists.id'],
                                name=op.f('fk_status_index_blocks_list_id_status_lists')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_status_index_blocks')),
        sa.UniqueConstraint('list_id', 'first',
                            name=op.f('uq_status_index_blocks_list_id')),
    )
    with op.batch_alter_table('status_index_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_index_blocks_list_id'), ['list_id'],
                              unique=False)
    generations = op.create_table(
        'cache_generations',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_generations')),
    )
    op.bulk_insert(generations, [{'name': 'issuing', 'value': 1}])


def downgrade() -> None:
    op.drop_table('cache_generations')
    with op.batch_alter_table('status_index_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_index_blocks_list_id'))
    op.drop_table('status_index_blocks')
