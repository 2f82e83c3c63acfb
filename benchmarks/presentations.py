"""Throughput of verifying presentations of 1, 4 and 8 realistic Open Badges 3.0 credentials.

Usage: python -m benchmarks.presentations [--seconds N]   (from the repository root)

Prints presentations/second for issuer.verification.presentation.verify_presentation on
  di-N     a presentation of N embedded credentials with an eddsa-rdfc-2022 authentication
           proof (challenge and domain), each credential verified with every check
  jwt-N    the same credentials as EnvelopedVerifiableCredentials (vc+jwt) in a vp+jwt
and, for comparison, one credential verified alone. Nothing touches the network: the keys are
a did:web issuer's (its controller document in memory) and a did:key holder's.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import nacl.signing

from benchmarks.sign_verify import (
    ISSUER_ID,
    NOW,
    SEED,
    environment_line,
    measure,
    parse_seconds,
    realistic_credential,
)
from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import add_proof
from issuer.vcjose import envelope
from issuer.vcjose.issue import JoseSigner, secure_credential, secure_presentation
from issuer.verification.presentation import PresentationOptions, verify_presentation
from issuer.verification.verifier import verify_credential

HOLDER_SEED = bytes(range(32, 64))
CHALLENGE, DOMAIN = "c0ffee00-1234-4abc-8def-000000000001", "verifier.example.com"


def main(argv: list[str] | None = None) -> int:
    args = parse_seconds(__doc__.splitlines()[0], argv)
    issuer_key = nacl.signing.SigningKey(SEED)
    issuer_public = multikey.encode_public_key(bytes(issuer_key.verify_key))
    method = f"{ISSUER_ID}#{issuer_public}"
    controller = multikey.controller_document(ISSUER_ID, [issuer_public])
    holder_key = nacl.signing.SigningKey(HOLDER_SEED)
    holder_public = multikey.encode_public_key(bytes(holder_key.verify_key))
    holder = multikey.did_key(holder_public)
    holder_method = multikey.did_key_verification_method(holder_public)
    later = NOW + timedelta(days=1)
    unsigned = realistic_credential()
    credential = add_proof(unsigned, signing_key=issuer_key, verification_method=method,
                           created=NOW)
    enveloped = envelope.enveloped_credential(secure_credential(
        unsigned, signer=JoseSigner.from_nacl(issuer_key, kid=method), now=NOW))
    options = PresentationOptions(challenge=CHALLENGE, domain=DOMAIN)

    def one(document):
        return verify_credential(document, now=later,
                                 resolve_controller={ISSUER_ID: controller}.get)

    def presentation(entries):
        return {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"], "holder": holder,
                "verifiableCredential": entries}

    cases = [("credential", lambda: one(credential))]
    for count in (1, 4, 8):
        di = add_proof(presentation([credential] * count), signing_key=holder_key,
                       verification_method=holder_method, created=NOW,
                       proof_purpose="authentication", challenge=CHALLENGE, domain=DOMAIN)
        jwt = secure_presentation(presentation([enveloped] * count),
                                  signer=JoseSigner.from_nacl(holder_key, kid=holder_method),
                                  now=NOW, challenge=CHALLENGE, domain=DOMAIN)
        for name, document in ((f"di-{count}", di), (f"jwt-{count}", jwt)):
            def run(document=document):
                return verify_presentation(document, now=later, verify_credential=one,
                                           options=options)
            result = run()
            if not result.verified:  # a failing path would measure the wrong thing
                print(f"error: {name} does not verify: {result.to_dict()['errors']}",
                      file=sys.stderr)
                return 1
            cases.append((name, run))
    print(environment_line())
    print(f"{args.seconds:g} s per measurement")
    for name, function in cases:
        rate, calls = measure(function, args.seconds)
        print(f"{name:<11} {rate:8.1f} /s  ({calls} calls, {1000 / rate:.1f} ms each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
