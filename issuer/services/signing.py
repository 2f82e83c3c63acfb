"""Sign credentials with a key from the key store, choosing the verification method: a Data
Integrity proof, or a compact JWS (VC-JOSE-COSE)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from issuer.dataintegrity import multikey
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.proofs import add_proof
from issuer.errors import SigningError
from issuer.services.keystore import FileKeyStore, KeyInfo
from issuer.vcjose.issue import SHAPE_VC_JOSE_COSE, JoseSigner, Shape, secure_credential


def issuer_id_of(document: dict[str, Any]) -> str:
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise SigningError("the credential has no issuer id")
    return issuer_id


def verification_method_for(issuer_id: str, key: KeyInfo) -> str:
    """``did:key:z6Mk..#z6Mk..`` when the issuer is that did:key, else ``<issuer id>#<z6Mk..>``."""
    if issuer_id.startswith("did:key:"):
        if issuer_id != key.did_key:
            raise SigningError(f"issuer {issuer_id} is a did:key of another key than {key.did_key}")
        return multikey.did_key_verification_method(key.public_key_multibase)
    return f"{issuer_id}#{key.public_key_multibase}"


def sign_credential(
    document: dict[str, Any],
    *,
    keystore: FileKeyStore,
    key: KeyInfo,
    created: datetime | None,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
) -> dict[str, Any]:
    """The credential with a proof by ``key`` for its issuer: eddsa-rdfc-2022 for an Ed25519
    key, ecdsa-rdfc-2019 for a P-256 / P-384 key."""
    method = verification_method_for(issuer_id_of(document), key)
    return add_proof(
        document,
        signing_key=keystore.signing_key(key.public_key_multibase),
        verification_method=method,
        created=created,
        loader=loader,
    )


def sign_credential_jwt(
    document: dict[str, Any], *, keystore: FileKeyStore, key: KeyInfo, now: datetime,
    shape: Shape = SHAPE_VC_JOSE_COSE,
) -> str:
    """The credential as a compact JWS (VC-JOSE-COSE ``vc+jwt``, or the OB 3.0 VC-JWT) signed
    by ``key`` (EdDSA), ``kid`` the verification method :func:`verification_method_for`
    names. Deterministic: the same document, key and ``now`` give the same bytes."""
    signer = JoseSigner.from_nacl(keystore.signing_key(key.public_key_multibase),
                                  kid=verification_method_for(issuer_id_of(document), key))
    return secure_credential(document, signer=signer, now=now, shape=shape)
