"""Helpers for the API tests: real tokens and OAuth clients made through the services."""

from __future__ import annotations

from typing import Any

from issuer import db
from issuer.clock import utc_now
from issuer.services import apiauth, profiles
from issuer.services.tx import atomic

ISSUER_DID = "did:web:localhost%3A5000"  # the default profile under BASE_URL


def make_token(app, *, issuer: str = "main", scopes: tuple[str, ...] = ("issue",),
               name: str | None = "test") -> str:
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            created = apiauth.create_api_token(
                session, profile=profiles.profile_by_slug(session, issuer), scopes=scopes,
                name=name, now=utc_now(),
            )
        return created.secret


def make_client(app, *, issuer: str = "main", scopes: tuple[str, ...] = ("issue", "read"),
                name: str = "LMS") -> tuple[str, str]:
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            created = apiauth.create_oauth_client(
                session, profile=profiles.profile_by_slug(session, issuer), scopes=scopes,
                name=name, now=utc_now(),
            )
        return created.client_id, created.secret


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def minimal_vc(**changes: Any) -> dict[str, Any]:
    """A well-formed VC 2.0 credential for the default issuer (no OB terms)."""
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER_DID,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    for key, value in changes.items():
        key = {"context": "@context"}.get(key, key)
        if value is KeyError:
            document.pop(key, None)
        else:
            document[key] = value
    return document
