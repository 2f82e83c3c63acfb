"""Presentations signed with real keys for the web and CLI tests: a holder's did:key signs
(Data Integrity ``authentication`` proofs, or a ``vp+jwt``) credentials of
tests.web.verify_helpers.signed."""

from __future__ import annotations

import copy
from typing import Any

import nacl.signing

from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import add_proof, unsecured
from issuer.vcjose import envelope
from issuer.vcjose.issue import JoseSigner, secure_credential, secure_presentation
from tests.web.verify_helpers import KEY, VALID_FROM, signed

HOLDER_KEY = nacl.signing.SigningKey(b"\x33" * 32)
OTHER_KEY = nacl.signing.SigningKey(b"\x34" * 32)
CHALLENGE = "b0c8c5e2-4a47-4a5e-9f0e-6f3f2f9a5d11"
DOMAIN = "verifier.example.com"


def did_of(key: nacl.signing.SigningKey) -> str:
    return multikey.did_key(multikey.encode_public_key(bytes(key.verify_key)))


def vm_of(key: nacl.signing.SigningKey) -> str:
    return multikey.did_key_verification_method(
        multikey.encode_public_key(bytes(key.verify_key)))


def unsigned_presentation(credentials: list[Any], *, holder: str | None = None) -> dict:
    document: dict[str, Any] = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                "type": ["VerifiablePresentation"],
                                "verifiableCredential": copy.deepcopy(credentials)}
    if holder:
        document["holder"] = holder
    return document


def signed_presentation(credentials: list[Any] | None = None, *,
                        key: nacl.signing.SigningKey = HOLDER_KEY, holder: str | None = None,
                        challenge: str | None = CHALLENGE,
                        domain: str | list[str] | None = DOMAIN) -> dict:
    credentials = [signed()] if credentials is None else credentials
    return add_proof(unsigned_presentation(credentials, holder=holder or did_of(key)),
                     signing_key=key, verification_method=vm_of(key), created=VALID_FROM,
                     proof_purpose="authentication", challenge=challenge, domain=domain)


def enveloped_credential() -> dict:
    """signed()'s credential as an EnvelopedVerifiableCredential (vc+jwt, the issuer's key)."""
    signer = JoseSigner.from_nacl(KEY, kid=vm_of(KEY))
    return envelope.enveloped_credential(
        secure_credential(unsecured(signed()), signer=signer, now=VALID_FROM))


def vp_jwt(credentials: list[Any] | None = None, *, key: nacl.signing.SigningKey = HOLDER_KEY,
           challenge: str | None = CHALLENGE, domain: str | None = DOMAIN) -> str:
    credentials = [enveloped_credential()] if credentials is None else credentials
    signer = JoseSigner.from_nacl(key, kid=vm_of(key))
    return secure_presentation(unsigned_presentation(credentials, holder=did_of(key)),
                               signer=signer, now=VALID_FROM, challenge=challenge,
                               domain=domain)
