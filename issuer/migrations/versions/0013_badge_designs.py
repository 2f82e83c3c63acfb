"""Badge designer (issue 14): an achievement keeps its design record and the SVG drawn from
it, next to the PNG rendered from that SVG (its ``image``).

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('achievements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('design', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('design_svg_id', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_achievements_design_svg_id_images'),
                                    'images', ['design_svg_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('achievements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_achievements_design_svg_id_images'),
                                 type_='foreignkey')
        batch_op.drop_column('design_svg_id')
        batch_op.drop_column('design')
