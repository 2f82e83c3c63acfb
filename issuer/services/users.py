"""Admin users: argon2id password hashes, sign-in checks, and their server-side sessions
(issuer/services/sessions.py): signing out ends one, a password change all the others."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.models import AdminSession, AdminUser
from issuer.services import admins
from issuer.services.sessions import SessionStore

MIN_PASSWORD_LENGTH = 10
SESSIONS = SessionStore(AdminSession)  # sign-in, sign-out, sign out everywhere
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")

_hasher = PasswordHasher()
# Checked when the email is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str, field: str = "email") -> str:
    email = normalize_email(email or "")
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationFailed({field: "Enter a valid email address."})
    return email


def check_password(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            {field: f"The password must have at least {MIN_PASSWORD_LENGTH} characters."}
        )


def create_admin(session: Session, *, email: str, password: str, now: datetime,
                 owns_every_profile: bool = True) -> AdminUser:
    """Add an admin (the caller commits). Raises ValidationFailed or Conflict. An admin made
    by the operator owns every profile; an invited one (``owns_every_profile=False``) gets
    the invitation's role only (issuer/services/admins.py)."""
    email = check_email(email)
    check_password(password)
    if session.scalar(select(AdminUser.id).where(AdminUser.email == email)) is not None:
        raise Conflict(f"an admin with the email {email} already exists")
    user = AdminUser(
        email=email,
        password_hash=_hasher.hash(password),
        created_at=now,
    )
    session.add(user)
    if owns_every_profile:
        session.flush()
        admins.grant_every_profile(session, user, now=now)
    return user


def set_password(session: Session, user: AdminUser, password: str, *,
                 keep_session: str | None = None) -> None:
    """Replace the password and end every session of the user but ``keep_session`` (the
    token of the browser that changed it). The caller commits."""
    check_password(password)
    user.password_hash = _hasher.hash(password)
    SESSIONS.end_all(session, owner_id=user.id, keep_token=keep_session)


def password_matches(user: AdminUser, password: str) -> bool:
    """Whether ``password`` is the user's (for a password change: the current one)."""
    try:
        return _hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, *, email: str, password: str, now: datetime) -> AdminUser | None:
    """The admin with these credentials, or None. Rehashes outdated hashes (caller commits)."""
    user = session.scalar(
        select(AdminUser).where(AdminUser.email == normalize_email(email or ""))
    )
    if user is None:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        return None
    if not password_matches(user, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    return user


def count_admins(session: Session) -> int:
    return session.scalar(select(func.count(AdminUser.id))) or 0


def admin_by_email(session: Session, email: str) -> AdminUser | None:
    return session.scalar(select(AdminUser).where(AdminUser.email == normalize_email(email)))


def admin_by_id(session: Session, user_id: int) -> AdminUser:
    user = session.get(AdminUser, user_id)
    if user is None:
        raise NotFound(f"no admin {user_id}")
    return user
