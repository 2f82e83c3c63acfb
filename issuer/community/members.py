"""Members: finding or creating them by email or external id, their persona page, which
badges they show, one-time sign-in tokens (stored as SHA-256 hashes, single use) and their
server-side sessions (issuer/services/sessions.py).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.community import addresses
from issuer.community.models import (
    Award,
    HiddenCredential,
    Member,
    MemberEmail,
    MemberSession,
    SignInToken,
)
from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.models import IssuedCredential, Recipient, StoredImage
from issuer.services.issuance import DID_RE
from issuer.services.profiles import is_http_url
from issuer.services.sessions import SessionStore
from issuer.services.tx import atomic
from issuer.services.users import check_email, normalize_email

SIGN_IN_TTL = timedelta(minutes=15)
SESSIONS = SessionStore(MemberSession)  # signing in, out, and out on every device
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
DEFAULT_NAME = "Community member"
RESERVED_SLUGS = frozenset({"me", "sign-in", "sign-out"})
MAX_INTERESTS = 20
MAX_LINKS = 10


@dataclass(frozen=True)
class Identity:
    """Who an event (or a claim) is about: an external id, an email, or both."""

    external_id: str | None = None
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class MemberFields:
    """A member's page, as entered (interests comma-separated, links one per line as
    ``Label | https://…``)."""

    display_name: str
    headline: str | None = None
    bio: str | None = None
    interests: str | None = None
    links: str | None = None
    did: str | None = None


@dataclass(frozen=True)
class Badge:
    """One credential on a member's page."""

    credential: IssuedCredential
    award: Award | None
    public: bool


def slugify(text: str) -> str:
    """ASCII letters, digits and dashes, from a display name ("" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:48].strip("-")


def _slug_candidates(name: str | None):
    base = slugify(name or "") or "member"
    if base in RESERVED_SLUGS:  # /members/me, /members/sign-in… are pages of their own
        base = f"member-{base}"
    yield base
    while True:
        yield f"{base}-{secrets.token_hex(3)}"


def member_by_slug(session: Session, slug: str) -> Member:
    member = session.scalar(select(Member).where(Member.slug == slug)) if SLUG_RE.match(
        slug or "") else None
    if member is None:
        raise NotFound(f"no member {slug!r}")
    return member


def public_member(session: Session, slug: str) -> Member:
    """The member whose page is public; a hidden page is as absent as a missing one."""
    member = member_by_slug(session, slug)
    if member.page_hidden:
        raise NotFound(f"no member {slug!r}")
    return member


def get_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(f"no member {member_id!r}")
    return member


def member_by_email(session: Session, email: str) -> Member | None:
    """The member with this verified address (primary or not)."""
    member = session.scalar(
        select(Member).join(Member.recipient).where(Recipient.email == normalize_email(email)))
    if member is None:
        row = addresses.verified_row(session, normalize_email(email))
        member = row.member if row is not None else None
    return member


def member_for_recipient(session: Session, recipient_id: int) -> Member | None:
    """The member holding this recipient's address (primary or another verified one)."""
    member = session.scalar(select(Member).where(Member.recipient_id == recipient_id))
    if member is None:
        member = session.scalar(select(Member).join(MemberEmail, MemberEmail.member_id == Member.id)
                                .where(MemberEmail.recipient_id == recipient_id))
    return member


def holds(session: Session, member: Member, recipient_id: int) -> bool:
    """Whether credentials issued to ``recipient_id`` are the member's."""
    return recipient_id in addresses.recipient_ids(session, member)


def search_members(session: Session, query: str | None = None, *, limit: int = 50,
                   offset: int = 0) -> list[Member]:
    statement = (select(Member).join(Member.recipient).order_by(Member.display_name, Member.id)
                 .limit(limit).offset(offset))
    text = (query or "").strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            Member.display_name.ilike(pattern, escape="\\")
            | Recipient.email.ilike(pattern, escape="\\")
            | Member.slug.ilike(pattern, escape="\\")
            | Member.external_id.ilike(pattern, escape="\\")
        )
    return list(session.scalars(statement))


def _find(session: Session, identity: Identity) -> Member | None:
    """The member the identity names; Conflict when its external id and email disagree."""
    by_external = None
    if identity.external_id is not None:
        by_external = session.scalar(
            select(Member).where(Member.external_id == identity.external_id))
    by_email = member_by_email(session, identity.email) if identity.email else None
    if by_external is not None and by_email is not None and by_external.id != by_email.id:
        raise Conflict("the externalId and the email belong to two different members")
    if (by_external is not None and identity.email
            and (by_email is None or by_email.id != by_external.id)):
        raise Conflict("the externalId belongs to a member with another email address")
    if (by_email is not None and identity.external_id is not None
            and by_email.external_id not in (None, identity.external_id)):
        raise Conflict("the email belongs to a member with another externalId")
    return by_external or by_email


def ensure_member(session: Session, identity: Identity, *, now: datetime) -> Member:
    """The member for ``identity``, created (with its Recipient) when new; commits.

    The email is required to create a member (credentials are issued to it). Concurrent
    calls for the same new member meet at the unique constraints: the loser rolls back and
    finds the winner's row.
    """
    email = check_email(identity.email) if identity.email else None
    identity = Identity(external_id=identity.external_id, email=email, name=identity.name)
    for _ in range(5):
        try:
            with atomic(session):
                member = _find(session, identity)
                if member is not None:
                    if member.external_id is None and identity.external_id is not None:
                        member.external_id = identity.external_id
                        member.updated_at = now
                    return member
                if email is None:
                    raise ValidationFailed({"member": (
                        "No member has this externalId yet: include their email address "
                        "the first time.")})
                return _create(session, email=email, name=identity.name,
                               external_id=identity.external_id, now=now)
        except IntegrityError:
            continue  # someone created the recipient, member or slug at the same moment
    raise Conflict("the member was being saved by other requests; try again")


def claim_for_recipient(session: Session, email: str, *, now: datetime) -> Member | None:
    """The member page of an address badges were issued to but that is no member's yet,
    created *hidden* (commits): asking for a sign-in link proves nothing, so the page stays
    404 until its owner, signed in by the link, publishes it. None when no credential was
    ever issued to the address."""
    email = normalize_email(email)
    recipient = session.scalar(select(Recipient).where(Recipient.email == email))
    if recipient is None or session.scalar(select(IssuedCredential.id).where(
            IssuedCredential.recipient_id == recipient.id).limit(1)) is None:
        return None
    if addresses.verified_row(session, email) is not None:
        return member_by_email(session, email)
    try:
        with atomic(session):
            member = _create(session, email=email, name=recipient.name, external_id=None,
                             now=now)
            member.page_hidden = True
    except IntegrityError:  # created at the same moment by another request
        session.rollback()
        return member_by_email(session, email)
    return member


def _create(session: Session, *, email: str, name: str | None, external_id: str | None,
            now: datetime) -> Member:
    recipient = session.scalar(select(Recipient).where(Recipient.email == email))
    if recipient is None:
        recipient = Recipient(email=email, name=name, created_at=now)
        session.add(recipient)
    display_name = (name or "").strip()[:200] or recipient.name or DEFAULT_NAME
    slug = _free_slug(session, display_name)
    member = Member(slug=slug, recipient=recipient, external_id=external_id,
                    display_name=display_name, interests=[], links=[], page_hidden=False,
                    created_at=now, updated_at=now)
    session.add(member)
    session.flush()
    session.add(MemberEmail(member=member, email=email, recipient_id=recipient.id,
                            created_at=now, verified_at=now))
    session.flush()
    return member


def _free_slug(session: Session, name: str) -> str:
    for candidate in _slug_candidates(name):
        if session.scalar(select(Member.id).where(Member.slug == candidate)) is None:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def check_fields(fields: MemberFields) -> MemberFields:
    errors: dict[str, str] = {}
    name = (fields.display_name or "").strip()
    if not name:
        errors["display_name"] = "Enter the name to show on your page."
    elif len(name) > 200:
        errors["display_name"] = "The name may have at most 200 characters."
    headline = (fields.headline or "").strip() or None
    if headline is not None and len(headline) > 200:
        errors["headline"] = "The headline may have at most 200 characters."
    bio = (fields.bio or "").strip() or None
    if bio is not None and len(bio) > 5000:
        errors["bio"] = "The bio may have at most 5000 characters."
    interests = []
    for item in (fields.interests or "").split(","):
        item = " ".join(item.split())
        if item and item.lower() not in (existing.lower() for existing in interests):
            interests.append(item)
    if len(interests) > MAX_INTERESTS or any(len(item) > 50 for item in interests):
        errors["interests"] = f"List at most {MAX_INTERESTS} interests of up to 50 characters."
    links = []
    for line in (fields.links or "").splitlines():
        if not line.strip():
            continue
        label, _, url = line.rpartition("|") if "|" in line else ("", "", line)
        label, url = label.strip(), url.strip()
        if not is_http_url(url):
            errors["links"] = f"“{url[:80]}” is not a web address starting with https://."
            break
        if len(label) > 100:
            errors["links"] = "A link label may have at most 100 characters."
            break
        links.append({"label": label or url, "url": url})
    if len(links) > MAX_LINKS:
        errors["links"] = f"Add at most {MAX_LINKS} links."
    did = (fields.did or "").strip() or None
    if did is not None and (not DID_RE.match(did) or len(did) > 500):
        errors["did"] = "Enter a DID such as did:key:z6Mk… or did:web:example.org (or leave it empty)."
    if errors:
        raise ValidationFailed(errors)
    return MemberFields(display_name=name, headline=headline, bio=bio,
                        interests=", ".join(interests),
                        links="\n".join(f"{link['label']} | {link['url']}" for link in links),
                        did=did)


def update_member(member: Member, fields: MemberFields, *, avatar: StoredImage | None,
                  now: datetime) -> Member:
    """Apply page edits (the caller commits); the slug never changes."""
    fields = check_fields(fields)
    member.display_name = fields.display_name
    member.headline = fields.headline
    member.bio = fields.bio
    member.interests = [item.strip() for item in (fields.interests or "").split(",") if item]
    member.links = [
        {"label": label.strip(), "url": url.strip()}
        for label, _, url in (line.rpartition("|") for line in (fields.links or "").splitlines())
    ]
    member.did = fields.did
    if avatar is not None:
        member.avatar = avatar
    member.updated_at = now
    return member


def interests_text(member: Member) -> str:
    return ", ".join(member.interests or ())


def links_text(member: Member) -> str:
    return "\n".join(f"{link['label']} | {link['url']}" for link in member.links or ())


def badges(session: Session, member: Member, *, public_only: bool) -> list[Badge]:
    """The member's credentials (every credential issued to any of their verified
    addresses), newest first; ``public_only`` leaves off hidden ones and private
    achievements."""
    rows = session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.recipient_id.in_(addresses.recipient_ids(session, member)))
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id)
    ).all()
    hidden = set(session.scalars(
        select(HiddenCredential.credential_id).where(HiddenCredential.member_id == member.id)))
    awards = {award.credential_id: award for award in session.scalars(
        select(Award).where(Award.member_id == member.id))}
    result = [Badge(row, awards.get(row.id), row.id not in hidden) for row in rows]
    if not public_only:
        return result
    return [badge for badge in result if badge.public and not badge.credential.achievement.private]


def set_public_badges(session: Session, member: Member, public_ids: set[str]) -> None:
    """Show exactly the credentials in ``public_ids`` (the caller commits)."""
    own = set(session.scalars(select(IssuedCredential.id).where(
        IssuedCredential.recipient_id.in_(addresses.recipient_ids(session, member)))))
    session.execute(delete(HiddenCredential).where(HiddenCredential.member_id == member.id))
    for credential_id in sorted(own - set(public_ids)):
        session.add(HiddenCredential(member_id=member.id, credential_id=credential_id))


# -- sign-in links --------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """What is stored of a sign-in token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_sign_in_token(session: Session, member: Member, *, now: datetime) -> str:
    """A new one-time token (returned once, stored hashed) valid for SIGN_IN_TTL."""
    token = secrets.token_urlsafe(32)
    session.add(SignInToken(member=member, token_hash=hash_token(token), created_at=now,
                            expires_at=now + SIGN_IN_TTL))
    return token


def redeem_sign_in_token(session: Session, token: str, *, now: datetime) -> Member | None:
    """The member a valid, unused, unexpired token belongs to, marking it used; None for any
    other token. A single UPDATE decides, so two uses at the same moment cannot both win."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    token_hash = hash_token(token)
    with atomic(session):
        result = session.execute(
            update(SignInToken)
            .where(SignInToken.token_hash == token_hash, SignInToken.used_at.is_(None),
                   SignInToken.expires_at > now)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        member_id = session.scalar(
            select(SignInToken.member_id).where(SignInToken.token_hash == token_hash))
        return session.get(Member, member_id)


def member_url(base_url: str, slug: str) -> str:
    return f"{base_url}/members/{slug}"


def sign_in_url(base_url: str, token: str) -> str:
    """The emailed link. The token is in the #fragment, which browsers never send: it
    reaches the server only in the body of the POST the page makes, never a request line
    (so never an access log or a Referer)."""
    return f"{base_url}/members/sign-in/continue#{token}"


def verify_address_url(base_url: str, token: str) -> str:
    """The emailed link that verifies an added address (its token after #, as sign-in)."""
    return f"{base_url}/members/me/emails/verify#{token}"
