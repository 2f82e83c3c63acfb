"""Suspension becomes a per-issuer-profile setting (issue 11): ``offers_suspension``.

Off for every profile, existing ones included: from now on a credential gets one revocation
``BitstringStatusListEntry`` (a single ``credentialStatus`` object, as the 1EdTech OB 3.0
schema requires) unless its profile turns suspension on. Credentials issued before keep
their bytes and their suspension entries, so they can still be suspended and reinstated.

Revision ID: 0011
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offers_suspension', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('issuer_profiles', schema=None) as batch_op:
        batch_op.drop_column('offers_suspension')
