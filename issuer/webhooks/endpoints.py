"""Webhook endpoints of an issuer profile: register, change, rotate the secret, disable and
enable again.

A new secret is returned once (as ``Registered.secret``) and stored only encrypted
(issuer.webhooks.vault). Rotating keeps the previous secret signing too for ROTATION_GRACE,
so receivers can switch over without dropping deliveries (every delivery then carries both
signatures, as Standard Webhooks allows).

URLs: ``https://`` to a public host. With ISSUER_WEBHOOK_ALLOW_PRIVATE (development and tests)
``http://`` and private or loopback addresses are allowed too. Every delivery checks the
address again (issuer.services.fetch), since a name may resolve elsewhere later.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.models import AdminUser, IssuerProfile
from issuer.services.users import check_email
from issuer.webhooks import vault
from issuer.webhooks.events import EVENT_TYPES
from issuer.webhooks.models import WebhookEndpoint
from issuer.webhooks.signing import Secret

ROTATION_GRACE = timedelta(hours=24)
MAX_URL = 2000
MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class Registered:
    endpoint: WebhookEndpoint
    secret: str = field(repr=False)  # whsec_…, shown to the admin once


def check_url(value: str | None, *, allow_private: bool) -> str:
    url = (value or "").strip()
    error = ("Enter the https:// address of your receiver." if not allow_private else
             "Enter the http(s):// address of your receiver.")
    if not url or len(url) > MAX_URL or any(ch.isspace() for ch in url):
        raise ValidationFailed({"url": error})
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValidationFailed({"url": error}) from None
    allowed = ("http", "https") if allow_private else ("https",)
    if parts.scheme not in allowed or not parts.hostname or parts.fragment:
        raise ValidationFailed({"url": error})
    if parts.username or parts.password:
        raise ValidationFailed({"url": "Leave user names and passwords out of the address."})
    if not allow_private:
        host = parts.hostname
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if (address is not None and not address.is_global) or host == "localhost" \
                or host.endswith((".localhost", ".local", ".internal")):
            raise ValidationFailed({"url": "The address must be on the public internet."})
    return url


def check_events(values: list[str] | None) -> list[str]:
    chosen = [value for value in EVENT_TYPES if value in set(values or ())]
    unknown = sorted(set(values or ()) - set(EVENT_TYPES))
    if unknown or not chosen:
        raise ValidationFailed({"events": "Choose at least one event."})
    return chosen


def register(session: Session, *, profile: IssuerProfile, url: str, events: list[str],
             owner_email: str, description: str | None, secret_key: str, allow_private: bool,
             now: datetime, created_by: AdminUser | None = None) -> Registered:
    """Add an endpoint (the caller commits); its secret is in the result, once."""
    checked = _check_fields(url=url, events=events, owner_email=owner_email,
                            description=description, allow_private=allow_private)
    endpoint_id = str(uuid.uuid4())
    secret = Secret.generate()
    endpoint = WebhookEndpoint(
        id=endpoint_id, profile=profile, url=checked["url"], events=checked["events"],
        owner_email=checked["owner_email"], description=checked["description"],
        secret_ciphertext=vault.seal(secret, secret_key=secret_key, endpoint_id=endpoint_id),
        secret_created_at=now, enabled=True, consecutive_failures=0, created_at=now,
        updated_at=now, created_by=created_by)
    session.add(endpoint)
    return Registered(endpoint, str(secret))


def _description(value: str | None) -> str | None:
    text = (value or "").strip() or None
    if text is not None and len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(
            {"description": f"The description may have at most {MAX_DESCRIPTION} characters."})
    return text


def _check_fields(*, url, events, owner_email, description, allow_private) -> dict[str, object]:
    """The checked fields of an endpoint form; ValidationFailed names every bad one."""
    errors: dict[str, str] = {}
    checked: dict[str, object] = {}
    for name, check in (("url", lambda: check_url(url, allow_private=allow_private)),
                        ("events", lambda: check_events(events)),
                        ("owner_email", lambda: check_email((owner_email or "").strip(),
                                                            "owner_email")),
                        ("description", lambda: _description(description))):
        try:
            checked[name] = check()
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return checked


def update(session: Session, endpoint: WebhookEndpoint, *, url: str, events: list[str],
           owner_email: str, description: str | None, allow_private: bool, now: datetime
           ) -> WebhookEndpoint:
    values = _check_fields(url=url, events=events, owner_email=owner_email,
                           description=description, allow_private=allow_private)
    for name, value in values.items():
        setattr(endpoint, name, value)
    endpoint.updated_at = now
    return endpoint


def rotate_secret(session: Session, endpoint: WebhookEndpoint, *, secret_key: str,
                  now: datetime) -> str:
    """A new secret (returned once); the old one keeps signing for ROTATION_GRACE."""
    endpoint.previous_secret_ciphertext = endpoint.secret_ciphertext
    endpoint.previous_secret_expires_at = now + ROTATION_GRACE
    try:
        vault.open_(endpoint.secret_ciphertext, secret_key=secret_key, endpoint_id=endpoint.id)
    except vault.SecretUnreadable:  # nothing to keep signing with
        endpoint.previous_secret_ciphertext = endpoint.previous_secret_expires_at = None
    secret = Secret.generate()
    endpoint.secret_ciphertext = vault.seal(secret, secret_key=secret_key,
                                            endpoint_id=endpoint.id)
    endpoint.secret_created_at = endpoint.updated_at = now
    return str(secret)


def signing_secrets(endpoint: WebhookEndpoint, *, secret_key: str, now: datetime
                    ) -> list[Secret]:
    """The secrets a delivery is signed with now: the current one, and the previous one
    during its grace period. Raises vault.SecretUnreadable."""
    found = [vault.open_(endpoint.secret_ciphertext, secret_key=secret_key,
                         endpoint_id=endpoint.id)]
    if (endpoint.previous_secret_ciphertext and endpoint.previous_secret_expires_at
            and endpoint.previous_secret_expires_at > now):
        try:
            found.append(vault.open_(endpoint.previous_secret_ciphertext,
                                     secret_key=secret_key, endpoint_id=endpoint.id))
        except vault.SecretUnreadable:
            pass
    return found


def disable(endpoint: WebhookEndpoint, *, reason: str, now: datetime) -> None:
    endpoint.enabled = False
    endpoint.disabled_at = endpoint.updated_at = now
    endpoint.disabled_reason = reason[:1000]


def enable(endpoint: WebhookEndpoint, *, now: datetime) -> None:
    if endpoint.enabled:
        raise Conflict("The endpoint is enabled already.")
    endpoint.enabled = True
    endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
    endpoint.consecutive_failures = 0
    endpoint.updated_at = now


def get_endpoint(session: Session, endpoint_id: str) -> WebhookEndpoint:
    row = session.get(WebhookEndpoint, endpoint_id) if isinstance(endpoint_id, str) else None
    if row is None:
        raise NotFound("no such webhook endpoint")
    return row


def list_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at,
                                                                 WebhookEndpoint.id)))
