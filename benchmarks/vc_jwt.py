"""Throughput of issuing and verifying a realistic Open Badges 3.0 credential as a VC-JWT.

Usage: python -m benchmarks.vc_jwt [--seconds N]   (from the repository root)

Prints credentials/second for
  jwt-sign        issuer.vcjose.issue.secure_credential (JSON serialization + EdDSA, jwcrypto)
  jwt-verify      issuer.vcjose.verify.verify_jws (parse, header rules, key from a controller
                  document, signature, JWT claims, binding, exp/nbf): the JWS alone
  verify          issuer.verification.verifier.verify_credential on the token: every check
                  (the above, then contexts and undefined terms, both JSON Schemas, validity,
                  status, recipient), as the API and the /verify page run it
Same credential, key and clock as benchmarks/sign_verify.py; nothing touches the network.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from importlib.metadata import version

import nacl.signing

from benchmarks.sign_verify import (
    ISSUER_ID, NOW, SEED, environment_line, measure, parse_seconds, realistic_credential,
)
from issuer.dataintegrity import multikey
from issuer.vcjose.issue import JoseSigner, secure_credential
from issuer.vcjose.verify import verify_jws
from issuer.verification.verifier import verify_credential


def main(argv: list[str] | None = None) -> int:
    args = parse_seconds(__doc__.splitlines()[0], argv)
    signing_key = nacl.signing.SigningKey(SEED)
    public_key_multibase = multikey.encode_public_key(bytes(signing_key.verify_key))
    signer = JoseSigner.from_nacl(signing_key, kid=f"{ISSUER_ID}#{public_key_multibase}")
    resolve = {ISSUER_ID: multikey.controller_document(ISSUER_ID, [public_key_multibase])}.get
    credential = realistic_credential()
    later = NOW + timedelta(days=1)

    def sign() -> str:
        return secure_credential(credential, signer=signer, now=NOW)

    token = sign()

    def verify_token() -> object:
        return verify_jws(token, now=later, resolve_controller=resolve, expect="vc")

    def verify_all() -> object:
        return verify_credential(token, now=later, resolve_controller=resolve,
                                 recipient_email="alice@example.edu")

    check = verify_all()
    if not check.verified:
        print(f"error: the benchmark VC-JWT does not verify: {check.to_dict()}", file=sys.stderr)
        return 1
    print(environment_line() + f" | jwcrypto {version('jwcrypto')} | "
          f"cryptography {version('cryptography')}")
    print(f"token: {len(token)} characters, {args.seconds:g} s per measurement")
    for name, function in (("jwt-sign", sign), ("jwt-verify", verify_token),
                           ("verify", verify_all)):
        rate, calls = measure(function, args.seconds)
        print(f"{name:<13} {rate:9.1f} credentials/s (%d calls, %.2f ms each)"
              % (calls, 1000 / rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
