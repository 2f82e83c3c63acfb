"""Which issuer profile an admin request is about: from the id in its URL or the choice in
its form, so the admin's role on that profile can be checked (issuer/web/admin/guard.py).

Each lookup answers a profile id, or None when the thing does not exist (the view then
answers 404 or a form error itself).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.community.models import Award, OutboxMessage
from issuer.models import (
    Achievement,
    ApiToken,
    BulkJob,
    IssuedCredential,
    IssuerProfile,
    OAuthClient,
)
from issuer.webhooks.models import WebhookEndpoint


def _achievement(session: Session, achievement_id) -> int | None:
    return session.scalar(select(Achievement.profile_id)
                          .where(Achievement.id == str(achievement_id)))


def _credential(session: Session, credential_id) -> int | None:
    return session.scalar(select(IssuedCredential.profile_id)
                          .where(IssuedCredential.id == str(credential_id)))


def _slug(session: Session, slug) -> int | None:
    return session.scalar(select(IssuerProfile.id).where(IssuerProfile.slug == str(slug)))


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _token(session: Session, token_id) -> int | None:
    number = _int(token_id)
    return None if number is None else session.scalar(
        select(ApiToken.profile_id).where(ApiToken.id == number))


def _client(session: Session, client_pk) -> int | None:
    number = _int(client_pk)
    return None if number is None else session.scalar(
        select(OAuthClient.profile_id).where(OAuthClient.id == number))


def _webhook(session: Session, endpoint_id) -> int | None:
    return session.scalar(select(WebhookEndpoint.profile_id)
                          .where(WebhookEndpoint.id == str(endpoint_id)))


def _bulk_job(session: Session, job_id) -> int | None:
    return session.scalar(select(Achievement.profile_id).join(BulkJob, BulkJob.achievement_id
                                                              == Achievement.id)
                          .where(BulkJob.id == str(job_id)))


def _award(session: Session, award_id) -> int | None:
    number = _int(award_id)
    return None if number is None else session.scalar(
        select(Achievement.profile_id).join(Award, Award.achievement_id == Achievement.id)
        .where(Award.id == number))


def _outbox(session: Session, message_id) -> int | None:
    number = _int(message_id)
    return None if number is None else session.scalar(
        select(IssuedCredential.profile_id)
        .join(OutboxMessage, OutboxMessage.credential_id == IssuedCredential.id)
        .where(OutboxMessage.id == number))


def _first_profile(session: Session, slug) -> int | None:
    """The new-achievement form's profile: ?issuer=<slug>, else the first profile listed."""
    if slug:
        return _slug(session, slug)
    return session.scalar(select(IssuerProfile.id)
                          .order_by(IssuerProfile.is_default.desc(), IssuerProfile.slug)
                          .limit(1))


LOOKUPS = {
    "achievement": _achievement, "credential": _credential, "slug": _slug,
    "api_token": _token, "oauth_client": _client, "webhook": _webhook,
    "bulk_job": _bulk_job, "award": _award, "outbox": _outbox, "new_achievement": _first_profile,
}


def profile_of(session: Session, kind: str, key) -> int | None:
    """The profile id of the ``kind`` thing named ``key`` (None: no such thing)."""
    if key is None or key == "" and kind != "new_achievement":
        return None
    if isinstance(key, str) and len(key) > 200:
        return None
    return LOOKUPS[kind](session, key)
