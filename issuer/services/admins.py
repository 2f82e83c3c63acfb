"""Several admins with roles (issue 14, item 6): per issuer profile, an admin is

- ``owner``: everything, including the profile's settings and keys, achievements, API access,
  webhooks, community rules and the profile's admins;
- ``issuer``: issue (by hand, in bulk, community awards), revoke, suspend, reinstate, resend;
- ``viewer``: read only (dashboard, lists, exports).

A profile always keeps an owner: the last one can be neither removed nor demoted. Admins made
from the command line (``issuer init``, ``issuer admins create``) own every profile, and a new
profile is owned by every admin who owns all the others (the instance's operators) and by
whoever created it in the admin app.

Invitations: an owner invites an email address to a profile with a role. The link carries a
random token of which only the SHA-256 is stored; it works once, for INVITE_TTL, and can be
revoked. The outbox makes a fresh token when it sends the email (so no token waits in a
queue); without SMTP the inviting owner is shown the link once instead. An owner may send
INVITE_LIMIT invitations per INVITE_WINDOW (counted from the rows: holds across workers).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.admin_models import AdminInvitation, AdminRole
from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.models import AdminUser, IssuerProfile

OWNER, ISSUER, VIEWER = "owner", "issuer", "viewer"
ROLES = (OWNER, ISSUER, VIEWER)
RANK = {VIEWER: 1, ISSUER: 2, OWNER: 3}
LABELS = {OWNER: "Owner", ISSUER: "Issuer", VIEWER: "Viewer"}
DESCRIPTIONS = {
    OWNER: "everything: profile settings, keys, achievements, API access, webhooks, admins",
    ISSUER: "issue, revoke, suspend, reinstate, bulk issue, resend",
    VIEWER: "read only: dashboard, lists, exports",
}
INVITE_TTL = timedelta(days=7)
INVITE_LIMIT = 20
INVITE_WINDOW = timedelta(hours=1)


class LastOwner(Conflict):
    """The profile's last owner cannot be removed or demoted."""


class InviteLimited(Conflict):
    """Too many invitations by this admin in INVITE_WINDOW."""


def check_role(role: str | None, field: str = "role") -> str:
    if role not in ROLES:
        raise ValidationFailed({field: "Choose owner, issuer or viewer."})
    return role


def allows(role: str | None, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (owner ⊃ issuer ⊃ viewer)."""
    return role is not None and RANK[role] >= RANK[needed]


# -- roles ------------------------------------------------------------------------------------


def roles_of(session: Session, user_id: int) -> dict[int, str]:
    """{profile id: role} of one admin."""
    rows = session.execute(select(AdminRole.profile_id, AdminRole.role)
                           .where(AdminRole.admin_user_id == user_id))
    return {profile_id: role for profile_id, role in rows}


def role_on(session: Session, user_id: int, profile_id: int) -> str | None:
    return session.scalar(select(AdminRole.role).where(AdminRole.admin_user_id == user_id,
                                                       AdminRole.profile_id == profile_id))


def profile_ids_with(session: Session, user_id: int, needed: str) -> list[int]:
    """The profiles on which the admin has at least the role ``needed``."""
    return sorted(pid for pid, role in roles_of(session, user_id).items()
                  if allows(role, needed))


def admins_of(session: Session, profile_id: int) -> list[AdminRole]:
    return list(session.scalars(select(AdminRole).join(AdminUser)
                                .where(AdminRole.profile_id == profile_id)
                                .order_by(AdminUser.email)))


def _owners(session: Session, profile_id: int) -> int:
    return session.scalar(select(func.count()).select_from(AdminRole).where(
        AdminRole.profile_id == profile_id, AdminRole.role == OWNER)) or 0


def _lock_profile(session: Session, profile_id: int) -> IssuerProfile:
    """The profile's row, locked (PostgreSQL) so two owners cannot demote each other at once."""
    profile = session.scalars(select(IssuerProfile).where(IssuerProfile.id == profile_id)
                              .with_for_update()).one_or_none()
    if profile is None:
        raise NotFound(f"no issuer profile {profile_id}")
    return profile


def set_role(session: Session, *, profile_id: int, user_id: int, role: str,
             now: datetime) -> tuple[str | None, str]:
    """Give the admin ``role`` on the profile; returns (old role, new role). Refuses to demote
    the last owner. The caller commits."""
    check_role(role)
    _lock_profile(session, profile_id)
    row = session.get(AdminRole, (user_id, profile_id))
    old = row.role if row is not None else None
    if old == OWNER and role != OWNER and _owners(session, profile_id) <= 1:
        raise LastOwner("the last owner of a profile cannot be demoted; make someone else "
                        "owner first")
    if row is None:
        session.add(AdminRole(admin_user_id=user_id, profile_id=profile_id, role=role,
                              created_at=now))
    else:
        row.role = role
    session.flush()
    return old, role


def remove(session: Session, *, profile_id: int, user_id: int) -> str:
    """Take the admin off the profile; returns the role they had. The caller commits."""
    _lock_profile(session, profile_id)
    row = session.get(AdminRole, (user_id, profile_id))
    if row is None:
        raise NotFound("this admin has no role on this profile")
    if row.role == OWNER and _owners(session, profile_id) <= 1:
        raise LastOwner("the last owner of a profile cannot be removed")
    role = row.role
    session.delete(row)
    session.flush()
    return role


def grant_every_profile(session: Session, user: AdminUser, *, now: datetime) -> int:
    """Make ``user`` owner of every profile (an admin made from the command line)."""
    session.flush()
    have = set(roles_of(session, user.id)) if user.id is not None else set()
    count = 0
    for profile_id in session.scalars(select(IssuerProfile.id)):
        if profile_id in have:
            session.get(AdminRole, (user.id, profile_id)).role = OWNER
        else:
            session.add(AdminRole(admin_user_id=user.id, profile_id=profile_id, role=OWNER,
                                  created_at=now))
        count += 1
    session.flush()
    return count


def own_new_profile(session: Session, profile: IssuerProfile, *, now: datetime) -> None:
    """Owners of a profile just made: every admin who owns all the other profiles (with no
    other profile: every admin). One call in profiles.create_profile."""
    others = session.scalar(select(func.count()).select_from(IssuerProfile)
                            .where(IssuerProfile.id != profile.id)) or 0
    owns = (select(AdminRole.admin_user_id).where(AdminRole.role == OWNER,
                                                  AdminRole.profile_id != profile.id)
            .group_by(AdminRole.admin_user_id).having(func.count() >= others))
    ids = (session.scalars(select(AdminUser.id)) if others == 0 else session.scalars(owns))
    for user_id in list(ids):
        if session.get(AdminRole, (user_id, profile.id)) is None:
            session.add(AdminRole(admin_user_id=user_id, profile_id=profile.id, role=OWNER,
                                  created_at=now))
    session.flush()


# -- invitations ------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token(invitation: AdminInvitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    return token


def invite(session: Session, *, email: str, profile: IssuerProfile, role: str,
           invited_by: AdminUser, now: datetime) -> tuple[AdminInvitation, str]:
    """A new invitation and its token (show it or mail it, never store it). An earlier open
    invitation of the same address to the same profile is revoked. The caller commits."""
    check_role(role)
    existing = session.scalar(select(AdminUser).where(AdminUser.email == email))
    if existing is not None and role_on(session, existing.id, profile.id) is not None:
        raise Conflict(f"{email} is already an admin of this profile; change their role instead")
    recent = session.scalar(select(func.count()).select_from(AdminInvitation).where(
        AdminInvitation.invited_by_id == invited_by.id,
        AdminInvitation.created_at > now - INVITE_WINDOW)) or 0
    if recent >= INVITE_LIMIT:
        raise InviteLimited(f"you sent {INVITE_LIMIT} invitations in the last hour; "
                            "try again later")
    for row in open_invitations(session, profile.id, now=now):
        if row.email == email:
            row.revoked_at = now
    invitation = AdminInvitation(email=email, profile_id=profile.id, role=role,
                                 invited_by_id=invited_by.id, created_at=now,
                                 expires_at=now + INVITE_TTL, token_hash="")
    token = _new_token(invitation)
    session.add(invitation)
    session.flush()
    return invitation, token


def fresh_token(session: Session, invitation_id: int, *, now: datetime) -> tuple[
        AdminInvitation, str]:
    """A new token for an open invitation (the outbox sends it; earlier links stop working).
    The caller commits."""
    invitation = session.get(AdminInvitation, invitation_id)
    if invitation is None or not is_open(invitation, now=now):
        raise Conflict("the invitation was accepted, revoked or has expired")
    return invitation, _new_token(invitation)


def invitation_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/admin/join/{token}"


def is_open(invitation: AdminInvitation, *, now: datetime) -> bool:
    return (invitation.accepted_at is None and invitation.revoked_at is None
            and invitation.expires_at > now)


def open_invitations(session: Session, profile_id: int, *, now: datetime
                     ) -> list[AdminInvitation]:
    return list(session.scalars(select(AdminInvitation).where(
        AdminInvitation.profile_id == profile_id, AdminInvitation.accepted_at.is_(None),
        AdminInvitation.revoked_at.is_(None), AdminInvitation.expires_at > now,
    ).order_by(AdminInvitation.created_at.desc())))


def invitation_for(session: Session, token: str, *, now: datetime) -> AdminInvitation:
    """The open invitation of this token; NotFound for an unknown, used, revoked or expired
    one (the same answer for each, so a link tells nothing about others)."""
    if not token or len(token) > 200:
        raise NotFound("this invitation link is not valid")
    invitation = session.scalar(select(AdminInvitation)
                                .where(AdminInvitation.token_hash == token_hash(token))
                                .with_for_update())
    if invitation is None or not is_open(invitation, now=now):
        raise NotFound("this invitation link is not valid: it was used, revoked or has expired")
    return invitation


def accept(session: Session, invitation: AdminInvitation, user: AdminUser, *,
           now: datetime) -> None:
    """Use the invitation up: ``user`` (new, or the invited address's admin) gets its role."""
    invitation.accepted_at = now
    session.flush()
    if role_on(session, user.id, invitation.profile_id) is None:
        set_role(session, profile_id=invitation.profile_id, user_id=user.id,
                 role=invitation.role, now=now)


def revoke_invitation(session: Session, invitation_id: int, *, now: datetime
                      ) -> AdminInvitation:
    invitation = session.get(AdminInvitation, invitation_id)
    if invitation is None:
        raise NotFound(f"no invitation {invitation_id}")
    if invitation.accepted_at is not None:
        raise Conflict("this invitation was already accepted")
    invitation.revoked_at = invitation.revoked_at or now
    return invitation

