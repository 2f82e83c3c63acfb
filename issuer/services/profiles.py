"""Issuer profiles: creation with a first key, edits, key rotation, DIDs and OB Profiles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.dataintegrity.multikey import ED25519
from issuer.errors import Conflict, InvalidRequest, NotFound, ValidationFailed
from issuer.models import IssuerProfile, SigningKey, StoredImage
from issuer.openbadges import credential as ob
from issuer.services import admins, endorsement_embeds, identity, urls
from issuer.services.keystore import FileKeyStore, KeyInfo
from issuer.services.users import EMAIL_RE

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
DID_METHODS = ("web", "key")


@dataclass(frozen=True)
class ProfileFields:
    """The editable facts of a profile, as entered."""

    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    # Also give new credentials a suspension status entry (then credentialStatus is an array
    # of two entries, which the 1EdTech OB 3.0 schema and validator refuse; see README).
    offers_suspension: bool = False


def check_fields(fields: ProfileFields) -> ProfileFields:
    errors: dict[str, str] = {}
    name = (fields.name or "").strip()
    if not name:
        errors["name"] = "Enter the issuer's name."
    elif len(name) > 200:
        errors["name"] = "The name may have at most 200 characters."
    url = (fields.url or "").strip() or None
    if url is not None and not is_http_url(url):
        errors["url"] = "Enter a web address starting with https:// or http://."
    email = (fields.email or "").strip().lower() or None
    if email is not None and not EMAIL_RE.match(email):
        errors["email"] = "Enter a valid email address."
    description = (fields.description or "").strip() or None
    if description is not None and len(description) > 5000:
        errors["description"] = "The description may have at most 5000 characters."
    if errors:
        raise ValidationFailed(errors)
    return ProfileFields(name=name, url=url, email=email, description=description,
                         offers_suspension=bool(fields.offers_suspension))


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and len(value) <= 500 \
        and not any(ch.isspace() for ch in value)


def create_profile(
    session: Session,
    *,
    slug: str,
    fields: ProfileFields,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    did_method: str = "web",
    is_default: bool | None = None,
) -> IssuerProfile:
    """A new profile with a fresh active key (the caller commits). The first profile is the
    default one. ``did_method`` "key" makes the issuer a did:key of that key."""
    fields = check_fields(fields)
    if not SLUG_RE.match(slug or ""):
        raise ValidationFailed({"slug": "Use lower-case letters, digits and dashes (at most 64)."})
    if did_method not in DID_METHODS:
        raise ValidationFailed({"did_method": "Choose did:web or did:key."})
    if session.scalar(select(IssuerProfile.id).where(IssuerProfile.slug == slug)) is not None:
        raise Conflict(f"an issuer profile {slug!r} already exists")
    if is_default is None:
        is_default = default_profile(session, required=False) is None
    profile = IssuerProfile(
        slug=slug,
        is_default=is_default,
        name=fields.name,
        url=fields.url,
        email=fields.email,
        description=fields.description,
        offers_suspension=fields.offers_suspension,
        created_at=now,
        updated_at=now,
    )
    if did_method == "key":
        info = keystore.generate(controller=None, activate=True, now=now)
        profile.did = info.did_key
        keystore.set_controller(info.public_key_multibase, profile.did)
    else:
        info = keystore.generate(
            controller=profile_did(profile, base_url), activate=True, now=now
        )
    session.add(profile)
    profile.keys.append(
        SigningKey(public_key_multibase=info.public_key_multibase, active=True, created_at=now)
    )
    session.flush()
    admins.own_new_profile(session, profile, now=now)  # issue 14: who owns it
    return profile


def update_profile(
    profile: IssuerProfile, *, fields: ProfileFields, image: StoredImage | None, now: datetime
) -> IssuerProfile:
    """Apply edits (the caller commits). ``image`` None keeps the current image."""
    fields = check_fields(fields)
    profile.name = fields.name
    profile.url = fields.url
    profile.email = fields.email
    profile.description = fields.description
    profile.offers_suspension = fields.offers_suspension
    if image is not None:
        profile.image = image
    profile.updated_at = now
    return profile


def set_suspension(profile: IssuerProfile, *, offers: bool, now: datetime) -> IssuerProfile:
    """Turn the suspension status entry on or off for credentials issued from now on (the
    caller commits). Credentials issued before keep the entries they were issued with."""
    profile.offers_suspension = bool(offers)
    profile.updated_at = now
    return profile


def rotate_key(
    session: Session, profile: IssuerProfile, *, keystore: FileKeyStore, base_url: str,
    now: datetime, algorithm: str = ED25519,
) -> SigningKey:
    """A new active key (Ed25519, or ``algorithm`` P-256 / P-384: its credentials are then
    signed with ecdsa-rdfc-2019); the old one is retired but stays in the DID document, so
    what it signed still verifies. A did:key issuer cannot rotate: its DID is its key."""
    if profile.did is not None:
        raise InvalidRequest("a did:key issuer's DID is its key, so it cannot be rotated")
    info = keystore.generate(controller=profile_did(profile, base_url), activate=True, now=now,
                             algorithm=algorithm)
    for key in profile.keys:
        if key.active:
            key.active = False
            key.retired_at = now
    session.flush()  # retire first: at most one active key per profile
    key = SigningKey(public_key_multibase=info.public_key_multibase, active=True, created_at=now)
    profile.keys.append(key)
    session.flush()
    return key


def default_profile(session: Session, *, required: bool = True) -> IssuerProfile | None:
    profile = session.scalar(select(IssuerProfile).where(IssuerProfile.is_default.is_(True)))
    if profile is None and required:
        raise NotFound("no issuer profile yet; run `issuer init`")
    return profile


def profile_by_slug(session: Session, slug: str) -> IssuerProfile:
    profile = session.scalar(select(IssuerProfile).where(IssuerProfile.slug == slug))
    if profile is None:
        raise NotFound(f"no issuer profile {slug!r}")
    return profile


def all_profiles(session: Session) -> list[IssuerProfile]:
    return list(
        session.scalars(
            select(IssuerProfile).order_by(IssuerProfile.is_default.desc(), IssuerProfile.slug)
        )
    )


def profile_did(profile: IssuerProfile, base_url: str) -> str:
    """The issuer's DID: its did:key, or the did:web under ``base_url``."""
    return profile.did or identity.profile_did_web(
        base_url, slug=profile.slug, is_default=profile.is_default
    )


def active_key(profile: IssuerProfile, keystore: FileKeyStore) -> KeyInfo:
    for key in profile.keys:
        if key.active:
            return keystore.resolve(key.public_key_multibase)
    raise InvalidRequest(f"issuer profile {profile.slug!r} has no active signing key")


def did_document(profile: IssuerProfile, base_url: str) -> dict:
    return identity.did_document(
        profile_did(profile, base_url), [key.public_key_multibase for key in profile.keys]
    )


def to_open_badges(profile: IssuerProfile, base_url: str) -> ob.Profile:
    """The OB Profile (id = the issuer's DID) embedded in credentials and hosted."""
    image = None
    if profile.image is not None:
        image = ob.Image(
            id=urls.image_url(base_url, profile.image.id, profile.image.content_type)
        )
    endorsed, endorsed_jwts = endorsement_embeds.for_profile(profile)
    return ob.Profile(
        id=profile_did(profile, base_url),
        name=profile.name,
        url=profile.url or urls.profile_url(base_url, profile.slug),
        email=profile.email,
        description=profile.description,
        image=image,
        endorsements=endorsed,
        endorsement_jwts=endorsed_jwts,
    )


def hosted_profile_document(profile: IssuerProfile, base_url: str) -> dict:
    """The Profile served at /issuers/<slug>: OB Profile plus the issuer's keys.

    Context [did/v1, multikey/v1, OB 3.0.3] defines both the Profile terms and
    verificationMethod/assertionMethod: the OB context alone does not define the key terms,
    and the DID context alone does not define the Profile's.
    """
    from issuer.dataintegrity import multikey
    from issuer.openbadges import vocab

    did_doc = did_document(profile, base_url)
    document = to_open_badges(profile, base_url).to_json()
    contexts = [multikey.DID_CONTEXT, multikey.MULTIKEY_CONTEXT, vocab.OB_CONTEXT]
    if "endorsementJwt" in document:
        contexts.append(vocab.ENDORSEMENT_JWT_CONTEXT)
    return {
        "@context": contexts,
        **document,
        "verificationMethod": did_doc["verificationMethod"],
        "assertionMethod": did_doc["assertionMethod"],
    }
