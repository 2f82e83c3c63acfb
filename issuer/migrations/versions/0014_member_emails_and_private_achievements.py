"""Member pages worth sharing (issue 14, item 5): a member's further email addresses and
their one-time verification tokens, the outbox's address, private achievements.

Every existing member gets a verified row for their own (primary) address, so a member's
addresses are always the rows of community_member_emails.

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('community_member_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'],
                            name=op.f('fk_community_member_emails_member_id_community_members'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'],
                            name=op.f('fk_community_member_emails_recipient_id_recipients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_member_emails')),
    sa.UniqueConstraint('member_id', 'email', name='uq_community_member_emails_member_email'),
    sa.UniqueConstraint('recipient_id', name=op.f('uq_community_member_emails_recipient_id'))
    )
    with op.batch_alter_table('community_member_emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_member_emails_member_id'), ['member_id'],
                              unique=False)

    op.create_table('community_email_verification_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(
        ['address_id'], ['community_member_emails.id'],
        name=op.f('fk_community_email_verification_tokens_address_id_community_member_emails'),
        ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_email_verification_tokens')),
    sa.UniqueConstraint('token_hash',
                        name=op.f('uq_community_email_verification_tokens_token_hash'))
    )
    with op.batch_alter_table('community_email_verification_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_email_verification_tokens_address_id'),
                              ['address_id'], unique=False)

    with op.batch_alter_table('community_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_community_outbox_address_id_community_member_emails'),
            'community_member_emails', ['address_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('achievements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    op.execute(
        "INSERT INTO community_member_emails (member_id, email, recipient_id, created_at, "
        "verified_at) SELECT m.id, r.email, r.id, m.created_at, m.created_at "
        "FROM community_members m JOIN recipients r ON r.id = m.recipient_id"
    )


def downgrade() -> None:
    with op.batch_alter_table('achievements', schema=None) as batch_op:
        batch_op.drop_column('private')
    with op.batch_alter_table('community_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_community_outbox_address_id_community_member_emails'),
            type_='foreignkey')
        batch_op.drop_column('address_id')
    op.drop_table('community_email_verification_tokens')
    op.drop_table('community_member_emails')
