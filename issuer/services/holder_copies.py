"""Holder-bound copies of an award (issue 12, item 4): what a wallet receives.

A copy is the award's Open Badge re-signed for one holder: ``credentialSubject.id`` is the
holder's DID, next to the recipient's hashed email (``identifier``) the award already
carries; it has its own ``id`` (``urn:uuid:…``), its own revocation and suspension entries,
and is stored as a :class:`~issuer.models.SignedCredential` linked to the award by a
:class:`~issuer.exchange_models.HolderCopy` row. Revoking, suspending or reinstating the award
does the same to every copy (issuer.services.status).

Stable interface (used by the VC-API / LCW exchanges and by OpenID4VCI):

- :func:`issue_copy` ``(session, award, *, holder_did, keystore, base_url, now,
  exchange=None, protocol=None) -> SignedCredential`` adds the rows in the **caller's**
  transaction and flushes; it never commits (wrap it with ``issuer.services.tx.atomic``,
  together with the exchange's state change, so both are saved or neither).
  InvalidRequest for a malformed DID; Conflict when the award is revoked, suspended or
  expired (nothing is issued for it).
- :func:`copy_document` ``(copy) -> dict``: the signed copy as a dict.
- :func:`copies_of` ``(session, award) -> list[HolderCopy]``: newest first.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer import jsontext
from issuer.errors import Conflict, InvalidRequest
from issuer.exchange_models import PROTOCOLS, Exchange, HolderCopy
from issuer.models import IssuedCredential, SignedCredential
from issuer.services import profiles, status
from issuer.services.issuance import DID_RE, check_schema
from issuer.services.keystore import FileKeyStore
from issuer.services.signing import sign_credential

MAX_DID_LENGTH = 500
ISSUED_VIA = "holder-copy"


def check_holder_did(holder_did: Any) -> str:
    """The holder's DID, or InvalidRequest saying what is wrong with it."""
    if not isinstance(holder_did, str) or not holder_did:
        raise InvalidRequest("the holder has no DID")
    if len(holder_did) > MAX_DID_LENGTH or not DID_RE.match(holder_did):
        raise InvalidRequest(f"the holder's id is not a DID (at most {MAX_DID_LENGTH} "
                             "characters, such as did:key:z6Mk…)")
    return holder_did


def issue_copy(
    session: Session,
    award: IssuedCredential,
    *,
    holder_did: str,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    exchange: Exchange | None = None,
    protocol: str | None = None,
    status_list_size: int = status.LIST_SIZE,
) -> SignedCredential:
    """Sign and store a copy of ``award`` bound to ``holder_did`` (see the module docstring).
    In the caller's transaction; flushed, not committed."""
    holder_did = check_holder_did(holder_did)
    protocol = protocol or (exchange.protocol if exchange is not None else None)
    if protocol is not None and protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}")
    state = status.credential_state(session, award)
    if not state.is_active:
        raise Conflict(f"the credential is {state.state}; no copy is issued for it")
    if award.valid_until is not None and award.valid_until <= now:
        raise Conflict("the credential has expired; no copy is issued for it")

    original = json.loads(award.document)
    original.pop("proof", None)
    copy_uuid = str(uuid.uuid4())
    subject = {key: value for key, value in original["credentialSubject"].items()
               if key != "id"}
    # The copy has the award's status purposes (revocation, and suspension when the award has
    # it), so every change to the award can reach it; one entry is a single object, as issued.
    allocations = status.reserve(session, award.profile, keystore=keystore, base_url=base_url,
                                 now=now, list_size=status_list_size,
                                 purposes=_status_purposes(original))
    entries = [allocation.entry() for allocation in allocations]
    document = {
        **original,
        "id": f"urn:uuid:{copy_uuid}",
        "credentialSubject": {"id": holder_did, **subject},
        "credentialStatus": entries[0] if len(entries) == 1 else entries,
    }
    check_schema(document)
    key = profiles.active_key(award.profile, keystore)
    signed = sign_credential(document, keystore=keystore, key=key, created=now)
    row = SignedCredential(
        id=copy_uuid,
        credential_id=document["id"],
        hosted=False,
        profile=award.profile,
        document=jsontext.document_text(signed),
        verification_method=signed["proof"][-1]["verificationMethod"],
        issued_at=now,
        issued_via=ISSUED_VIA,
    )
    session.add(row)
    status.record_signed(session, allocations, row)
    session.add(HolderCopy(signed_credential=row, credential_id=award.id, holder_did=holder_did,
                           exchange_id=exchange.id if exchange is not None else None,
                           protocol=protocol, created_at=now))
    session.flush()
    return row


def copy_document(copy: SignedCredential) -> dict[str, Any]:
    return json.loads(copy.document)


def copies_of(session: Session, award: IssuedCredential) -> list[HolderCopy]:
    """Every holder-bound copy of the award (which wallets it went to), newest first."""
    return list(session.scalars(
        select(HolderCopy).where(HolderCopy.credential_id == award.id)
        .order_by(HolderCopy.created_at.desc(), HolderCopy.signed_credential_id)))


def _status_purposes(document: dict) -> tuple[str, ...]:
    """The ``statusPurpose``s of a credential's ``credentialStatus`` (an object or an array),
    in status.PURPOSES order; revocation at least."""
    found = document.get("credentialStatus")
    entries = found if isinstance(found, list) else [found]
    named = {entry.get("statusPurpose") for entry in entries if isinstance(entry, dict)}
    return tuple(purpose for purpose in status.PURPOSES
                 if purpose in named or purpose == "revocation")
