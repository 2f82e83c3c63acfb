"""Merge the community branch (0007) with the status/API branch (0008) into one head.

Revision ID: 0009
Revises: 0007, 0008
"""

revision = '0009'
down_revision = ('0007', '0008')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
