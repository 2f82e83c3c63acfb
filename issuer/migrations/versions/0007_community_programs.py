"""Community programs (issue 7): members, sign-in tokens, hidden credentials, award rules
and their components, events, awards and the email outbox.

A branch off 0001: it refers only to tables of the initial schema.

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('community_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('headline', sa.String(length=200), nullable=True),
    sa.Column('bio', sa.Text(), nullable=True),
    sa.Column('interests', sa.JSON(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('did', sa.String(length=500), nullable=True),
    sa.Column('avatar_id', sa.String(length=32), nullable=True),
    sa.Column('page_hidden', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['avatar_id'], ['images.id'], name=op.f('fk_community_members_avatar_id_images')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'], name=op.f('fk_community_members_recipient_id_recipients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_members')),
    sa.UniqueConstraint('external_id', name=op.f('uq_community_members_external_id')),
    sa.UniqueConstraint('recipient_id', name=op.f('uq_community_members_recipient_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_community_members_slug'))
    )
    op.create_table('community_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_events_member_id_community_members')),
    sa.ForeignKeyConstraint(['profile_id'], ['issuer_profiles.id'], name=op.f('fk_community_events_profile_id_issuer_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_events')),
    sa.UniqueConstraint('profile_id', 'event_id', name='uq_community_events_profile_event')
    )
    op.create_index('ix_community_events_member_action', 'community_events', ['member_id', 'action', 'occurred_at'], unique=False)
    op.create_index(op.f('ix_community_events_received_at'), 'community_events', ['received_at'], unique=False)
    op.create_table('community_sign_in_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_sign_in_tokens_member_id_community_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_sign_in_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_community_sign_in_tokens_token_hash'))
    )
    op.create_index(op.f('ix_community_sign_in_tokens_member_id'), 'community_sign_in_tokens', ['member_id'], unique=False)
    op.create_table('community_award_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('achievement_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=True),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('window_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('window_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_community_award_rules_achievement_id_achievements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_award_rules')),
    sa.UniqueConstraint('achievement_id', name=op.f('uq_community_award_rules_achievement_id'))
    )
    op.create_index(op.f('ix_community_award_rules_action'), 'community_award_rules', ['action'], unique=False)
    op.create_table('community_award_rule_components',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('achievement_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_community_award_rule_components_achievement_id_achievements')),
    sa.ForeignKeyConstraint(['rule_id'], ['community_award_rules.id'], name=op.f('fk_community_award_rule_components_rule_id_community_award_rules')),
    sa.PrimaryKeyConstraint('rule_id', 'achievement_id', name=op.f('pk_community_award_rule_components'))
    )
    op.create_table('community_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('achievement_id', sa.String(length=36), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('trigger_event_id', sa.Integer(), nullable=True),
    sa.Column('awarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('awarded_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_community_awards_achievement_id_achievements')),
    sa.ForeignKeyConstraint(['awarded_by_id'], ['admin_users.id'], name=op.f('fk_community_awards_awarded_by_id_admin_users')),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_community_awards_credential_id_issued_credentials')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['admin_users.id'], name=op.f('fk_community_awards_ended_by_id_admin_users')),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_awards_member_id_community_members')),
    sa.ForeignKeyConstraint(['trigger_event_id'], ['community_events.id'], name=op.f('fk_community_awards_trigger_event_id_community_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_awards')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_community_awards_credential_id')),
    sa.UniqueConstraint('member_id', 'achievement_id', name='uq_community_awards_member_achievement')
    )
    op.create_index(op.f('ix_community_awards_achievement_id'), 'community_awards', ['achievement_id'], unique=False)
    op.create_table('community_hidden_credentials',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_community_hidden_credentials_credential_id_issued_credentials')),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_hidden_credentials_member_id_community_members')),
    sa.PrimaryKeyConstraint('member_id', 'credential_id', name=op.f('pk_community_hidden_credentials'))
    )
    op.create_table('community_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_community_outbox_credential_id_issued_credentials')),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_outbox_member_id_community_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_outbox'))
    )
    op.create_index(op.f('ix_community_outbox_credential_id'), 'community_outbox', ['credential_id'], unique=False)
    op.create_index(op.f('ix_community_outbox_status'), 'community_outbox', ['status'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_community_outbox_status'), table_name='community_outbox')
    op.drop_index(op.f('ix_community_outbox_credential_id'), table_name='community_outbox')
    op.drop_table('community_outbox')
    op.drop_table('community_hidden_credentials')
    op.drop_index(op.f('ix_community_awards_achievement_id'), table_name='community_awards')
    op.drop_table('community_awards')
    op.drop_table('community_award_rule_components')
    op.drop_index(op.f('ix_community_award_rules_action'), table_name='community_award_rules')
    op.drop_table('community_award_rules')
    op.drop_index(op.f('ix_community_sign_in_tokens_member_id'), table_name='community_sign_in_tokens')
    op.drop_table('community_sign_in_tokens')
    op.drop_index(op.f('ix_community_events_received_at'), table_name='community_events')
    op.drop_index('ix_community_events_member_action', table_name='community_events')
    op.drop_table('community_events')
    op.drop_table('community_members')
