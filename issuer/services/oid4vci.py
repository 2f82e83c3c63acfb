"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow (issue 12, item 3).

We are both the Credential Issuer and its Authorization Server; the Credential Issuer
Identifier is ISSUER_BASE_URL. The flow:

1. :func:`create_offer` makes an exchange of protocol "oid4vci" (issuer.services.exchanges)
   and its grant: an offer reference (in ``credential_offer_uri``), a pre-authorized code
   derived from it and, when asked, a 6-digit ``tx_code`` emailed to the recipient. The
   reference and the code are stored as SHA-256 hashes only; the tx_code is an HMAC of the
   exchange id under SECRET_KEY, computed by the email job and the token endpoint and never
   stored.
2. The token endpoint (:func:`redeem_code`; the authorization server's one token endpoint,
   ``/ob/oauth/token``, hands this grant here) swaps the code (and tx_code) for a short-lived
   access token, once: ``code_used_at IS NULL`` → now, in one UPDATE; the exchange moves to
   ``requested`` with the token's hash as its challenge. Five wrong tx_codes spend the code.
3. The nonce endpoint (:func:`new_nonce`) hands out a ``c_nonce`` (hashed, 5 minutes).
4. The credential endpoint (:func:`issue_credential`) checks the token, the key proof
   (issuer.vcjose.keyproof), spends the nonce (one UPDATE), and completes the exchange with
   the access token as its challenge: a holder-bound copy of the award
   (issuer.services.holder_copies) as ``ldp_vc`` (Data Integrity, eddsa-rdfc-2022) or
   ``jwt_vc_json`` (the OB 3.0 VC-JWT of the same copy). The token is then used up.

Every refusal is an :class:`issuer.services.oauth_errors.OAuthError` with the spec's code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from issuer.errors import Conflict, InvalidRequest, NotFound
from issuer.exchange_models import PENDING, REQUESTED, Exchange
from issuer.models import IssuedCredential
from issuer.oid4vci_models import Oid4vciGrant, Oid4vciNonce
from issuer.openbadges import vocab
from issuer.services import exchanges, holder_copies, profiles, status
from issuer.services import oauth_errors as oe
from issuer.services.keystore import FileKeyStore
from issuer.services.signing import sign_credential_jwt
from issuer.services.status import Actor
from issuer.services.tx import atomic
from issuer.vcjose.issue import SHAPE_OB
from issuer.vcjose.keyproof import ALGORITHMS, KeyProofError, verify_key_proof

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
LDP_VC = "OpenBadgeCredential_ldp_vc"
JWT_VC_JSON = "OpenBadgeCredential_jwt_vc_json"
CONFIGURATION_IDS = (LDP_VC, JWT_VC_JSON)
TOKEN_LIFETIME = timedelta(minutes=5)
NONCE_LIFETIME = timedelta(minutes=5)
NONCE_KEPT_EXPIRED = timedelta(days=1)
MAX_TX_CODE_FAILURES = 5
TX_CODE_LENGTH = 6
MAX_SECRET_CHARS = 200

NONCE_PATH = "/oid4vci/nonce"
CREDENTIAL_PATH = "/oid4vci/credential"
OFFER_PATH = "/oid4vci/offers/"


def _hash(value: str) -> str:
    return exchanges.hash_secret(value)


def _derive(secret_key: str, purpose: str, value: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), f"oid4vci:{purpose}:{value}".encode(),
                    hashlib.sha256).digest()


def pre_authorized_code(offer_ref: str) -> str:
    """The pre-authorized code of an offer reference (a one-way function of it: whoever holds
    the offer link may redeem it, but the code does not give the link away)."""
    return hashlib.sha256(f"oid4vci:code:{offer_ref}".encode()).hexdigest()


def tx_code_of(secret_key: str, exchange_id: str) -> str:
    """The exchange's 6-digit transaction code, an HMAC of its id under SECRET_KEY: the email
    job and the token endpoint compute it; it is never stored."""
    number = int.from_bytes(_derive(secret_key, "tx", exchange_id)[:8], "big")
    return str(number % 10**TX_CODE_LENGTH).zfill(TX_CODE_LENGTH)


# -- metadata --------------------------------------------------------------------------------


def credential_configurations() -> dict[str, Any]:
    types = [vocab.VERIFIABLE_CREDENTIAL, vocab.OPEN_BADGE_CREDENTIAL]
    common = {
        "cryptographic_binding_methods_supported": ["did:key", "jwk"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(ALGORITHMS)}},
        "credential_metadata": {"display": [{"name": "Open Badge", "locale": "en"}]},
    }
    return {
        LDP_VC: {"format": "ldp_vc", "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                 "credential_definition": {"@context": list(vocab.CREDENTIAL_CONTEXTS),
                                           "type": types},
                 **common},
        JWT_VC_JSON: {"format": "jwt_vc_json", "credential_signing_alg_values_supported": ["EdDSA"],
                      "credential_definition": {"type": types}, **common},
    }


def issuer_metadata(base_url: str, *, site_name: str) -> dict[str, Any]:
    """Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)."""
    return {
        "credential_issuer": base_url,
        "credential_endpoint": base_url + CREDENTIAL_PATH,
        "nonce_endpoint": base_url + NONCE_PATH,
        "display": [{"name": site_name, "locale": "en"}],
        "credential_configurations_supported": credential_configurations(),
    }


def with_pre_authorized_grant(metadata: dict[str, Any]) -> dict[str, Any]:
    """Our RFC 8414 authorization-server metadata (the OB 3.0 API's, issuer.web.obapi) with
    the OpenID4VCI pre-authorized grant added: one document, one token endpoint, which
    hands this grant to :func:`redeem_code`."""
    grants = [grant for grant in metadata.get("grant_types_supported", [])
              if grant != PRE_AUTHORIZED_GRANT]
    return {**metadata, "grant_types_supported": [*grants, PRE_AUTHORIZED_GRANT],
            "pre-authorized_grant_anonymous_access_supported": True}


# -- offers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A new offer: its exchange, the offer link by reference (what to show or mail) and by
    value, and the offer document."""

    exchange: Exchange
    offer_uri: str
    by_value_uri: str
    offer: dict[str, Any] = field(repr=False)


def _offer_document(base_url: str, code: str, *, tx_code: bool,
                    configuration_ids: list[str]) -> dict[str, Any]:
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if tx_code:
        grant["tx_code"] = {"input_mode": "numeric", "length": TX_CODE_LENGTH,
                            "description": "The code we emailed you"}
    return {"credential_issuer": base_url, "credential_configuration_ids": configuration_ids,
            "grants": {PRE_AUTHORIZED_GRANT: grant}}


def create_offer(session: Session, award: IssuedCredential, *, actor: Actor, base_url: str,
                 now: datetime, lifetime_seconds: int, tx_code: bool = False) -> Offer:
    """An OpenID4VCI offer of ``award`` (committed)."""
    state = status.credential_state(session, award)
    if not state.is_active:
        raise Conflict(f"the credential is {state.state}; it cannot be offered to a wallet")
    exchange = exchanges.create(session, award, protocol="oid4vci", actor=actor, now=now,
                                lifetime_seconds=lifetime_seconds)
    ref = secrets.token_urlsafe(32)
    code = pre_authorized_code(ref)
    ids = list(CONFIGURATION_IDS)
    with atomic(session):
        session.add(Oid4vciGrant(
            exchange_id=exchange.id, offer_ref_hash=_hash(ref), code_hash=_hash(code),
            tx_code_required=tx_code, tx_code_failures=0,
            configuration_ids=" ".join(ids), created_at=now))
        exchanges.audit(session, exchange.id, "offered",
                        "offer with tx_code" if tx_code else "offer", now=now)
    document = _offer_document(base_url, code, tx_code=tx_code, configuration_ids=ids)
    by_reference = OFFER_SCHEME + "?" + urlencode(
        {"credential_offer_uri": base_url + OFFER_PATH + ref})
    by_value = OFFER_SCHEME + "?credential_offer=" + quote(
        json.dumps(document, separators=(",", ":")), safe="")
    return Offer(exchange, by_reference, by_value, document)


def _grant_by(session: Session, column: Any, secret: Any) -> Oid4vciGrant | None:
    if not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET_CHARS:
        return None
    return session.scalars(select(Oid4vciGrant).where(column == _hash(secret))).first()


def offer_by_reference(session: Session, ref: str, *, base_url: str, now: datetime
                       ) -> dict[str, Any]:
    """The offer document behind ``credential_offer_uri`` (NotFound when unknown, spent or
    expired)."""
    grant = _grant_by(session, Oid4vciGrant.offer_ref_hash, ref)
    if grant is None or grant.code_used_at is not None or grant.exchange.expires_at <= now:
        raise NotFound("no such credential offer (it may have been used or expired)")
    return _offer_document(base_url, pre_authorized_code(ref), tx_code=grant.tx_code_required,
                           configuration_ids=grant.configuration_ids.split())


# -- token endpoint --------------------------------------------------------------------------


def _count_tx_failure(session: Session, grant: Oid4vciGrant, *, now: datetime) -> None:
    table = Oid4vciGrant.__table__
    with atomic(session):
        session.execute(update(table).where(table.c.exchange_id == grant.exchange_id)
                        .values(tx_code_failures=table.c.tx_code_failures + 1))
        session.execute(update(table).where(
            table.c.exchange_id == grant.exchange_id, table.c.code_used_at.is_(None),
            table.c.tx_code_failures >= MAX_TX_CODE_FAILURES).values(code_used_at=now))
        exchanges.audit(session, grant.exchange_id, "refused", "wrong tx_code", now=now)


def redeem_code(session: Session, form: Any, *, secret_key: str, now: datetime
                ) -> dict[str, Any]:
    """The token response for a pre-authorized code (RFC 6749 §5.1), or OAuthError."""
    grant_type = form.get("grant_type")
    if not grant_type:
        raise oe.OAuthError(oe.INVALID_REQUEST, "grant_type is missing")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise oe.OAuthError(oe.UNSUPPORTED_GRANT_TYPE,
                            f"only the {PRE_AUTHORIZED_GRANT} grant is supported")
    code = form.get("pre-authorized_code")
    if not code:
        raise oe.OAuthError(oe.INVALID_REQUEST, "pre-authorized_code is missing")
    grant = _grant_by(session, Oid4vciGrant.code_hash, code)
    if grant is None:
        raise oe.OAuthError(oe.INVALID_GRANT, "the pre-authorized code is not known")
    exchange = grant.exchange
    if grant.code_used_at is not None or exchange.state != PENDING:
        raise oe.OAuthError(oe.INVALID_GRANT, "the pre-authorized code has been used")
    if exchange.expires_at <= now:
        raise oe.OAuthError(oe.INVALID_GRANT, "the pre-authorized code has expired")
    tx_code = form.get("tx_code")
    if grant.tx_code_required:
        if not tx_code:
            raise oe.OAuthError(oe.INVALID_REQUEST, "this offer needs the tx_code we emailed")
        if not hmac.compare_digest(tx_code.encode("utf-8")[:MAX_SECRET_CHARS],
                                   tx_code_of(secret_key, grant.exchange_id).encode("ascii")):
            _count_tx_failure(session, grant, now=now)
            raise oe.OAuthError(oe.INVALID_GRANT, "the tx_code is wrong")
    elif tx_code:
        raise oe.OAuthError(oe.INVALID_REQUEST, "this offer takes no tx_code")
    token = secrets.token_urlsafe(32)
    expires = min(now + TOKEN_LIFETIME, exchange.expires_at)
    table = Oid4vciGrant.__table__
    with atomic(session):
        won = session.execute(update(table).where(
            table.c.exchange_id == grant.exchange_id, table.c.code_used_at.is_(None)
        ).values(code_used_at=now, token_hash=_hash(token), token_expires_at=expires)).rowcount
        if won != 1 or not exchanges.transition(
                session, grant.exchange_id, from_states=(PENDING,), to_state=REQUESTED, now=now,
                challenge_hash=_hash(token)):
            session.rollback()
            raise oe.OAuthError(oe.INVALID_GRANT, "the pre-authorized code has been used")
        exchanges.audit(session, grant.exchange_id, "token", "access token issued", now=now)
    return {"access_token": token, "token_type": "Bearer",
            "expires_in": max(1, int((expires - now).total_seconds()))}


# -- nonce endpoint ----------------------------------------------------------------------------


def new_nonce(session: Session, *, now: datetime) -> dict[str, Any]:
    """A fresh ``c_nonce`` (its hash stored); nonces expired for a day are deleted."""
    nonce = secrets.token_urlsafe(32)
    table = Oid4vciNonce.__table__
    with atomic(session):
        session.execute(delete(table).where(table.c.expires_at < now - NONCE_KEPT_EXPIRED))
        session.add(Oid4vciNonce(nonce_hash=_hash(nonce), created_at=now,
                                 expires_at=now + NONCE_LIFETIME))
    return {"c_nonce": nonce}


def _spend_nonce(session: Session, nonce: str, *, now: datetime) -> bool:
    table = Oid4vciNonce.__table__
    with atomic(session):
        return session.execute(update(table).where(
            table.c.nonce_hash == _hash(nonce), table.c.used_at.is_(None),
            table.c.expires_at > now).values(used_at=now)).rowcount == 1


# -- credential endpoint -----------------------------------------------------------------------


def _bearer_grant(session: Session, token: Any, *, now: datetime) -> Oid4vciGrant:
    grant = _grant_by(session, Oid4vciGrant.token_hash, token)
    if grant is None:
        raise oe.OAuthError(oe.INVALID_TOKEN, "the access token is not known")
    if grant.token_used_at is not None or grant.exchange.state != REQUESTED:
        raise oe.OAuthError(oe.INVALID_TOKEN, "the access token has been used")
    if grant.token_expires_at is None or grant.token_expires_at <= now:
        raise oe.OAuthError(oe.INVALID_TOKEN, "the access token has expired")
    return grant


def _requested_configuration(body: Any, grant: Oid4vciGrant) -> str:
    if not isinstance(body, dict):
        raise oe.OAuthError(oe.INVALID_CREDENTIAL_REQUEST, "the request must be a JSON object")
    if "credential_identifier" in body:
        raise oe.OAuthError(oe.UNKNOWN_CREDENTIAL_IDENTIFIER,
                            "we issue no credential identifiers; send credential_configuration_id")
    configuration = body.get("credential_configuration_id")
    if not isinstance(configuration, str) or not configuration:
        raise oe.OAuthError(oe.INVALID_CREDENTIAL_REQUEST,
                            "credential_configuration_id is missing")
    if configuration not in grant.configuration_ids.split():
        raise oe.OAuthError(oe.UNKNOWN_CREDENTIAL_CONFIGURATION,
                            f"{configuration[:80]!r} is not offered (offered: "
                            f"{', '.join(grant.configuration_ids.split())})")
    return configuration


def _proof_jwt(body: dict[str, Any]) -> str:
    proofs = body.get("proofs")
    if "proof" in body and proofs is None:
        raise oe.OAuthError(oe.INVALID_CREDENTIAL_REQUEST,
                            "send the key proof in proofs: {\"jwt\": [...]} (OpenID4VCI 1.0)")
    if not isinstance(proofs, dict) or not proofs:
        raise oe.OAuthError(oe.INVALID_PROOF, "the request has no key proof (proofs.jwt)")
    if set(proofs) != {"jwt"}:
        raise oe.OAuthError(oe.INVALID_PROOF, "only key proofs of type jwt are supported")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1:
        raise oe.OAuthError(oe.INVALID_PROOF, "proofs.jwt must hold exactly one key proof "
                            "(we issue one credential per request)")
    return jwts[0]


def _issue_copy(session: Session, grant: Oid4vciGrant, *, token: str, body: Any,
                base_url: str, keystore: FileKeyStore, now: datetime) -> Any:
    """Check the request and the key proof, spend the nonce, and complete the exchange with
    the holder-bound copy (OAuthError for any refusal)."""
    _requested_configuration(body, grant)
    try:
        proof = verify_key_proof(_proof_jwt(body), audience=base_url, now=now)
    except KeyProofError as exc:
        code = oe.INVALID_NONCE if exc.missing_nonce else oe.INVALID_PROOF
        raise oe.OAuthError(code, str(exc)) from None
    if not _spend_nonce(session, proof.nonce, now=now):
        raise oe.OAuthError(oe.INVALID_NONCE, "the proof's nonce is unknown, used or expired; "
                            "get a new one from the nonce endpoint")
    try:
        return exchanges.complete(session, grant.exchange_id, challenge=token,
                                  holder_did=proof.holder_did, keystore=keystore,
                                  base_url=base_url, now=now)
    except exchanges.ExchangeRefused as exc:
        raise oe.OAuthError(oe.INVALID_TOKEN, f"the access token cannot be used: {exc}") from None
    except (Conflict, InvalidRequest) as exc:
        raise oe.OAuthError(oe.CREDENTIAL_REQUEST_DENIED, str(exc)) from None


def issue_credential(session: Session, *, token: Any, body: Any, base_url: str,
                     keystore: FileKeyStore, now: datetime) -> dict[str, Any]:
    """The credential response (OpenID4VCI 1.0 §8.3), or OAuthError."""
    grant = _bearer_grant(session, token, now=now)
    exchange_id = grant.exchange_id
    try:
        copy = _issue_copy(session, grant, token=token, body=body, base_url=base_url,
                           keystore=keystore, now=now)
    except oe.OAuthError as error:
        with atomic(session):  # the refusal, for the exchange's audit trail
            exchanges.audit(session, exchange_id, "refused", f"{error.code}: {error}", now=now)
        raise
    configuration = body["credential_configuration_id"]
    table = Oid4vciGrant.__table__
    with atomic(session):
        session.execute(update(table).where(table.c.exchange_id == exchange_id)
                        .values(token_used_at=now))
    document = holder_copies.copy_document(copy)
    if configuration == JWT_VC_JSON:
        unsigned = {key: value for key, value in document.items() if key != "proof"}
        key = profiles.active_key(copy.profile, keystore)
        credential: Any = sign_credential_jwt(unsigned, keystore=keystore, key=key, now=now,
                                              shape=SHAPE_OB)
    else:
        credential = document
    return {"credentials": [{"credential": credential}]}

