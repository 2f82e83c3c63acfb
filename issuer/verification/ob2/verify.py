"""Verify an Open Badges 2.0 (or 1.1) assertion, check by check.

The steps are those of the OB 2.0 specification's "Verification" section and of the 1EdTech
validator (openbadges-validator-core):

* ``ob2.format``: the input is an assertion (its JSON, a compact JWS, or the URL of a hosted
  one) with the properties every assertion has.
* ``ob2.hosted`` (hosted badges): the assertion is served at its ``id`` by the issuer, the
  copy handed in is that one, and the ``id`` lies within the issuer's verification policy
  (``allowedOrigins``, by default the issuer id's host, and ``startsWith``).
* ``ob2.signature`` (signed badges): RS256 over the JWS with the key named by
  ``verification.creator``, a key whose ``owner`` is the issuer and which the issuer's
  profile lists under ``publicKey``.
* ``ob2.badge`` and ``ob2.issuer``: the BadgeClass and the issuer Profile, fetched by id.
* ``ob2.dates``: issued in the past, not expired.
* ``ob2.revocation``: ``revoked`` in a hosted assertion, HTTP 410, and the issuer's
  ``revocationList``.
* ``ob2.recipient``: the recipient identity (hashed or plain) against the email address the
  verifier gives, when one is given.

Exactly one of ``ob2.hosted`` / ``ob2.signature`` is required to pass. A document that could
not be fetched makes its checks *not checked*, never passed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from issuer.verification.ob2.documents import (
    HTTP_URL,
    FetchJson,
    Gone,
    HostedAssertion,
    SignedAssertion,
    Unavailable,
    as_list,
    open_jws,
    types_of,
    verification_type,
    version_of,
)
from issuer.verification.results import CheckResult, Status, VerificationResult

CLOCK_SKEW = timedelta(minutes=5)
MIN_RSA_BITS = 2048
HASHES = {"sha256": hashlib.sha256, "md5": hashlib.md5}
REQUIRED = ("id", "recipient", "badge", "issuedOn")

TITLES = {
    "ob2.format": "Open Badges 2.0 assertion",
    "ob2.hosted": "Hosted by its issuer",
    "ob2.signature": "Signature (RS256)",
    "ob2.badge": "Badge class",
    "ob2.issuer": "Issuer profile",
    "ob2.dates": "Issue and expiry dates",
    "ob2.revocation": "Not revoked",
    "ob2.recipient": "Recipient",
}


@dataclass
class _Run:
    fetch_json: FetchJson
    checks: list[CheckResult] = field(default_factory=list)
    about: dict[str, Any] | None = None

    def add(self, check_id: str, status: Status, detail: str) -> None:
        self.checks.append(CheckResult(check_id, TITLES[check_id], status, detail))

    def fetch(self, url: str, what: str) -> Any:
        """The JSON at ``url``; Unavailable (with ``what`` in its message) otherwise."""
        if not isinstance(url, str) or not HTTP_URL.match(url):
            raise Unavailable(f"the {what} {url!r} is not an http(s) URL, so it cannot be fetched")
        try:
            return self.fetch_json(url)
        except Gone:
            raise
        except Unavailable as exc:
            raise Unavailable(f"the {what} at {url} could not be fetched: {exc}",
                              offline=exc.offline) from None


def _not_checked(run: _Run, check_ids: tuple[str, ...], why: str) -> None:
    for check_id in check_ids:
        run.add(check_id, Status.NOT_CHECKED, why)


def _read(submitted: Any, run: _Run) -> tuple[dict[str, Any] | None, SignedAssertion | None, str]:
    """(assertion, its JWS if signed, how it was had, as a clause); assertion None when
    unreadable."""
    if isinstance(submitted, HostedAssertion):  # an OB 1.0-style bake: just the URL
        fetched = run.fetch(submitted.url, "hosted assertion")
        return fetched, None, f", fetched from {submitted.url}"
    if isinstance(submitted, str):
        signed = open_jws(submitted)
        payload = signed.payload if isinstance(signed.payload, dict) else None
        return payload, signed, ", given as its JWS"
    return (submitted if isinstance(submitted, dict) else None), None, ""


def verify_ob2(submitted: Any, *, fetch_json: FetchJson, now: datetime,
               recipient_email: str | None = None) -> VerificationResult:
    """Verify an OB 2.0 assertion given as JSON (dict), a compact JWS, or a HostedAssertion.

    ``fetch_json(url)`` returns the JSON document at ``url`` or raises Unavailable / Gone.
    Never raises for a bad badge: what fails is a failed check.
    """
    run = _Run(fetch_json)
    try:
        assertion, signed, how = _read(submitted, run)
    except Gone as exc:
        run.add("ob2.format", Status.PASSED, "the URL of a hosted Open Badges assertion")
        run.add("ob2.hosted", Status.FAILED, f"the issuer no longer serves it: {exc}")
        run.add("ob2.revocation", Status.FAILED, "the issuer answers 410 Gone: it is revoked")
        return _result(run, "ob2.hosted")
    except (Unavailable, ValueError) as exc:
        status = Status.NOT_CHECKED if isinstance(exc, Unavailable) else Status.FAILED
        run.add("ob2.format", status, str(exc))
        return _result(run, "ob2.hosted")
    problem = _format_problem(assertion)
    kind = verification_type(assertion) if assertion is not None else None
    if signed is not None:
        kind = "signed"
    required = "ob2.signature" if kind == "signed" else "ob2.hosted"
    if problem is not None or kind is None:
        run.add("ob2.format", Status.FAILED, problem or (
            "verification.type must be 'hosted' or 'signed' (HostedBadge / SignedBadge)"))
        return _result(run, required)
    assert assertion is not None
    version = version_of(assertion) or "2.0"
    run.add("ob2.format", Status.PASSED, f"an Open Badges {version} {kind} assertion{how}")
    hosted_copy: dict[str, Any] | None = None
    if kind == "hosted":
        hosted_copy = _check_hosted(run, assertion)
        if hosted_copy is None:
            return _result(run, required)
        assertion = hosted_copy
    badge, issuer = _check_badge_and_issuer(run, assertion)
    run.about = _about(badge, issuer)
    if kind == "signed":
        _check_signature(run, assertion, signed, issuer)
    elif issuer is not None:
        _check_scope(run, assertion, issuer)
    else:
        run.add("ob2.hosted", Status.NOT_CHECKED, "served at its id, but whether that address "
                                                  "is the issuer's cannot be told without the "
                                                  "issuer profile")
    _check_dates(run, assertion, now)
    _check_revocation(run, assertion, issuer, hosted=kind == "hosted")
    _check_recipient(run, assertion, recipient_email)
    return _result(run, required)


def _result(run: _Run, required: str) -> VerificationResult:
    """The result; the required check, if the run stopped before it, is *not checked*, so
    that a badge is never verified without it."""
    if not any(check.id == required for check in run.checks):
        run.add(required, Status.NOT_CHECKED, "not reached: see the checks above")
    return VerificationResult(checks=tuple(run.checks), required=(required,), about=run.about)


def _about(badge: dict[str, Any] | None, issuer: dict[str, Any] | None) -> dict[str, Any]:
    """The names the fetched BadgeClass and Issuer give, for display."""
    def text(document: dict[str, Any] | None, name: str) -> str | None:
        value = (document or {}).get(name)
        return value if isinstance(value, str) and value else None

    image = (badge or {}).get("image")
    image = image.get("id") if isinstance(image, dict) else image
    return {
        "name": text(badge, "name"), "description": text(badge, "description"),
        "image_url": image if isinstance(image, str) and HTTP_URL.match(image) else None,
        "issuer_name": text(issuer, "name"), "issuer_id": text(issuer, "id"),
    }


def _format_problem(assertion: Any) -> str | None:
    if not isinstance(assertion, dict):
        return "the assertion is not a JSON object"
    if version_of(assertion) is None:
        return "the assertion does not name the Open Badges 2.0 context (https://w3id.org/openbadges/v2)"
    if "Assertion" not in types_of(assertion):
        return "the assertion's type is not Assertion"
    missing = [name for name in REQUIRED if name not in assertion]
    if "verification" not in assertion and "verify" not in assertion:
        missing.append("verification")
    if missing:
        return f"the assertion lacks {', '.join(missing)}"
    if not isinstance(assertion["id"], str):
        return "the assertion's id is not a string"
    return None


# --- hosted ---------------------------------------------------------------------------------


def _check_hosted(run: _Run, given: dict[str, Any]) -> dict[str, Any] | None:
    """The issuer's copy of a hosted assertion (checked to be the one handed in), or None
    when it could not be had (the checks say why)."""
    url = given["id"]
    try:
        hosted = run.fetch(url, "hosted assertion")
    except Gone:
        run.add("ob2.hosted", Status.FAILED, f"{url} answers 410 Gone: the issuer withdrew it")
        run.add("ob2.revocation", Status.FAILED, "the issuer answers 410 Gone: it is revoked")
        return None
    except Unavailable as exc:
        run.add("ob2.hosted", Status.NOT_CHECKED, str(exc))
        return None
    if not isinstance(hosted, dict) or hosted.get("id") != url:
        run.add("ob2.hosted", Status.FAILED, f"what {url} serves is not this assertion (its id differs)")
        return None
    if hosted != given:
        run.add("ob2.hosted", Status.FAILED, f"the assertion differs from the one its issuer serves at {url}")
        return None
    return hosted


def _check_scope(run: _Run, assertion: dict[str, Any], issuer: dict[str, Any]) -> None:
    """Hosted verification: the assertion's URL must be within the issuer's policy."""
    assertion_id, issuer_id = assertion["id"], issuer.get("id", "")
    policy = issuer.get("verification")
    policy = policy if isinstance(policy, dict) else {}
    starts_with = [s for s in as_list(policy.get("startsWith")) if isinstance(s, str)]
    if starts_with and not any(assertion_id.startswith(prefix) for prefix in starts_with):
        run.add("ob2.hosted", Status.FAILED, f"{assertion_id} does not start with any prefix the "
                                             "issuer's verification policy allows")
        return
    default = urlsplit(issuer_id).netloc if isinstance(issuer_id, str) else ""
    allowed = [o for o in as_list(policy.get("allowedOrigins", default)) if isinstance(o, str) and o]
    host = urlsplit(assertion_id).netloc
    if not allowed:
        run.add("ob2.hosted", Status.FAILED, "the issuer has no web origin to host assertions from")
    elif host not in allowed:
        run.add("ob2.hosted", Status.FAILED, f"{assertion_id} is hosted at {host}, outside the "
                                             f"issuer's allowed origins ({', '.join(allowed)})")
    else:
        run.add("ob2.hosted", Status.PASSED, f"the issuer serves this assertion at {assertion_id}")


# --- badge class and issuer -----------------------------------------------------------------


def _node(run: _Run, value: Any, what: str, *, trust_embedded: bool) -> dict[str, Any]:
    """A BadgeClass or Profile: fetched when given by URL (or when an embedded copy names an
    http(s) id and must not be trusted as is). Raises Unavailable or ValueError."""
    if isinstance(value, str):
        document = run.fetch(value, what)
    elif isinstance(value, dict):
        embedded_id = value.get("id")
        fetchable = isinstance(embedded_id, str) and HTTP_URL.match(embedded_id)
        document = value if trust_embedded or not fetchable else run.fetch(embedded_id, what)
    else:
        raise ValueError(f"the {what} is neither a URL nor an object")
    if not isinstance(document, dict):
        raise ValueError(f"the {what} is not a JSON object")
    return document


def _check_badge_and_issuer(run: _Run, assertion: dict[str, Any]
                            ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    try:
        badge = _node(run, assertion["badge"], "badge class", trust_embedded=True)
    except (Unavailable, ValueError) as exc:
        status = Status.NOT_CHECKED if isinstance(exc, Unavailable) else Status.FAILED
        run.add("ob2.badge", status, str(exc))
        run.add("ob2.issuer", Status.NOT_CHECKED, "the badge class, which names the issuer, is unknown")
        return None, None
    if "BadgeClass" not in types_of(badge) or not isinstance(badge.get("name"), str):
        run.add("ob2.badge", Status.FAILED, "the badge class has no type BadgeClass or no name")
        return None, None
    badge_ref = assertion["badge"]
    if isinstance(badge_ref, str) and badge.get("id") != badge_ref:
        run.add("ob2.badge", Status.FAILED, f"what {badge_ref} serves is another badge class")
        return None, None
    run.add("ob2.badge", Status.PASSED, f"{badge['name']!r}")
    try:
        issuer = _node(run, badge.get("issuer"), "issuer profile", trust_embedded=False)
    except (Unavailable, ValueError) as exc:
        status = Status.NOT_CHECKED if isinstance(exc, Unavailable) else Status.FAILED
        run.add("ob2.issuer", status, str(exc))
        return badge, None
    issuer_ref = badge.get("issuer")
    expected = issuer_ref if isinstance(issuer_ref, str) else (issuer_ref or {}).get("id")
    if not ({"Issuer", "Profile"} & set(types_of(issuer))) or (
            isinstance(expected, str) and issuer.get("id") != expected):
        run.add("ob2.issuer", Status.FAILED, "the issuer profile has no type Issuer/Profile, or "
                                             "its id is not the one the badge class names")
        return badge, None
    name = issuer.get("name") if isinstance(issuer.get("name"), str) else issuer.get("id")
    run.add("ob2.issuer", Status.PASSED, f"{name!r} ({issuer.get('id')})")
    return badge, issuer


# --- signed ---------------------------------------------------------------------------------


def _check_signature(run: _Run, assertion: dict[str, Any], signed: SignedAssertion | None,
                     issuer: dict[str, Any] | None) -> None:
    def add(status: Status, detail: str) -> None:
        run.add("ob2.signature", status, detail)

    if signed is None:
        add(Status.FAILED, "a signed badge must be handed in as its JWS: the JSON alone "
                           "carries no signature")
        return
    if signed.header.get("alg") != "RS256":
        add(Status.FAILED, f"the JWS algorithm is {signed.header.get('alg')!r}; Open Badges 2.0 "
                           "signed badges use RS256")
        return
    verification = assertion.get("verification", assertion.get("verify"))
    creator = verification.get("creator") if isinstance(verification, dict) else None
    if not isinstance(creator, str):
        add(Status.FAILED, "verification.creator (the signing key's URL) is missing")
        return
    try:
        key_document = run.fetch(creator, "signing key")
    except Unavailable as exc:
        add(Status.NOT_CHECKED, str(exc))
        return
    pem = key_document.get("publicKeyPem") if isinstance(key_document, dict) else None
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii")) if isinstance(pem, str) else None
    except (ValueError, UnicodeEncodeError):
        key = None
    if not isinstance(key, rsa.RSAPublicKey):
        add(Status.FAILED, f"the key document at {creator} has no RSA publicKeyPem")
        return
    if key.key_size < MIN_RSA_BITS:
        add(Status.FAILED, f"the signing key has {key.key_size} bits; at least {MIN_RSA_BITS} are required")
        return
    try:
        key.verify(signed.signature, signed.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        add(Status.FAILED, "the signature does not match the assertion (it was altered, or "
                           "signed with another key)")
        return
    if issuer is None:
        add(Status.NOT_CHECKED, "the signature is valid, but whose key it is cannot be told "
                                "without the issuer profile")
        return
    owner = key_document.get("owner")
    listed = [k.get("id") if isinstance(k, dict) else k for k in as_list(issuer.get("publicKey"))]
    if owner != issuer.get("id") or creator not in listed:
        add(Status.FAILED, f"the key {creator} is not the issuer's: its owner must be "
                           f"{issuer.get('id')} and the issuer's publicKey must list it")
        return
    add(Status.PASSED, f"signed by {creator}, a key of the issuer")


# --- dates, revocation, recipient -----------------------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _check_dates(run: _Run, assertion: dict[str, Any], now: datetime) -> None:
    issued = _parse_time(assertion.get("issuedOn"))
    if issued is None:
        run.add("ob2.dates", Status.FAILED, "issuedOn is not an ISO 8601 date and time")
        return
    if issued > now + CLOCK_SKEW:
        run.add("ob2.dates", Status.FAILED, f"issued in the future ({assertion['issuedOn']})")
        return
    if "expires" in assertion:
        expires = _parse_time(assertion["expires"])
        if expires is None:
            run.add("ob2.dates", Status.FAILED, "expires is not an ISO 8601 date and time")
            return
        if expires <= now:
            run.add("ob2.dates", Status.FAILED, f"expired on {assertion['expires']}")
            return
    run.add("ob2.dates", Status.PASSED, f"issued on {assertion['issuedOn']}"
            + (f", expires {assertion['expires']}" if "expires" in assertion else ""))


def _revoked_entry(entries: Any, assertion: dict[str, Any]) -> dict[str, Any] | str | None:
    ids = {assertion.get("id"), assertion.get("uid")} - {None}
    for entry in as_list(entries):
        entry_id = entry.get("id", entry.get("uid")) if isinstance(entry, dict) else entry
        if entry_id in ids:
            return entry
    return None


def _check_revocation(run: _Run, assertion: dict[str, Any], issuer: dict[str, Any] | None, *,
                      hosted: bool) -> None:
    if hosted and assertion.get("revoked") is True:
        reason = assertion.get("revocationReason")
        run.add("ob2.revocation", Status.FAILED, "the issuer marks it revoked"
                + (f": {reason}" if isinstance(reason, str) else ""))
        return
    if issuer is None:
        run.add("ob2.revocation", Status.NOT_CHECKED, "the issuer profile, which names the "
                                                      "revocation list, is unknown")
        return
    list_url = issuer.get("revocationList")
    if list_url is None:
        run.add("ob2.revocation", Status.PASSED, "not revoked: the issuer keeps no revocation list"
                if not hosted else "the issuer's hosted copy is not marked revoked")
        return
    try:
        revocation_list = run.fetch(list_url, "revocation list")
    except Unavailable as exc:
        run.add("ob2.revocation", Status.NOT_CHECKED, str(exc))
        return
    if not isinstance(revocation_list, dict) or "RevocationList" not in types_of(revocation_list):
        run.add("ob2.revocation", Status.FAILED, f"{list_url} is not a RevocationList")
        return
    entry = _revoked_entry(revocation_list.get("revokedAssertions"), assertion)
    if entry is not None:
        reason = entry.get("revocationReason") if isinstance(entry, dict) else None
        run.add("ob2.revocation", Status.FAILED, f"revoked in the issuer's revocation list {list_url}"
                + (f": {reason}" if isinstance(reason, str) else ""))
        return
    run.add("ob2.revocation", Status.PASSED, f"not in the issuer's revocation list {list_url}")


def identity_hash(identity: str, salt: str, algorithm: str) -> str:
    """``sha256$<hex>`` (or md5) of identity + salt, as OB 2.0 IdentityObjects carry."""
    digest = HASHES[algorithm]((identity + salt).encode("utf-8")).hexdigest()
    return f"{algorithm}${digest}"


def _check_recipient(run: _Run, assertion: dict[str, Any], email: str | None) -> None:
    recipient = assertion.get("recipient")
    if email is None:
        run.add("ob2.recipient", Status.NOT_APPLICABLE, "no email address was given to match")
        return
    if not isinstance(recipient, dict) or not isinstance(recipient.get("identity"), str):
        run.add("ob2.recipient", Status.FAILED, "the assertion's recipient has no identity")
        return
    if recipient.get("type") != "email":
        run.add("ob2.recipient", Status.NOT_APPLICABLE,
                f"the recipient is identified by {recipient.get('type')!r}, not by email")
        return
    identity, salt = recipient["identity"], recipient.get("salt") or ""
    candidates = {email, email.lower()}
    if recipient.get("hashed"):
        algorithm = identity.split("$", 1)[0].lower()
        if algorithm not in HASHES:
            run.add("ob2.recipient", Status.FAILED, f"unknown identity hash {algorithm!r}")
            return
        matched = any(hmac.compare_digest(identity_hash(c, salt, algorithm), identity.lower())
                      for c in candidates)
    else:
        matched = identity.lower() == email.lower()
    if matched:
        run.add("ob2.recipient", Status.PASSED, f"awarded to {email}")
    else:
        run.add("ob2.recipient", Status.FAILED, f"not awarded to {email}")
