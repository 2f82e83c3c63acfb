"""Endorsements from another issuer (a did:key partner with keys of its own, nothing shared
with our server) for the endorsement tests."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from issuer.clock import utc_now
from issuer.openbadges.credential import Profile
from issuer.openbadges.endorsement import build_endorsement
from issuer.services.keystore import FileKeyStore
from issuer.services.signing import sign_credential, sign_credential_jwt
from issuer.vcjose.issue import SHAPE_OB

PARTNER_NAME = "Partner Guild"
PARTNER_URL = "https://partner.example/"


def partner_keys(directory: Path) -> FileKeyStore:
    store = FileKeyStore(directory)
    if not store.list():
        store.generate()
    return store


def partner_endorsement(keys_dir: Path, subject_id: str, *, comment: str = "Rigorous and fair.",
                        valid_from: datetime | None = None, valid_until: datetime | None = None,
                        jwt: bool = False) -> dict | str:
    """A signed EndorsementCredential of ``subject_id`` by the partner (JSON, or an OB 3.0
    VC-JWT compact JWS)."""
    store = partner_keys(keys_dir)
    key = store.list()[0]
    now = valid_from or utc_now() - timedelta(minutes=10)
    document = build_endorsement(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=Profile(id=key.did_key, name=PARTNER_NAME, url=PARTNER_URL),
        subject_id=subject_id, name="Partner endorsement", comment=comment,
        valid_from=now, valid_until=valid_until)
    if jwt:
        return sign_credential_jwt(document, keystore=store, key=key, now=now, shape=SHAPE_OB)
    return sign_credential(document, keystore=store, key=key, created=now)


def tampered(document: dict) -> dict:
    changed = json.loads(json.dumps(document))
    changed["credentialSubject"]["endorsementComment"] = "Changed after signing."
    return changed
