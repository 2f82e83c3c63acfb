"""What embedded endorsements cost a verification: a signed Open Badge (did:key issuer)
carrying 0, 1, 3 and 10 endorsements (did:key endorsers) in its achievement, verified with
issuer.verification.verifier.verify_credential, each endorsement as its own result.

Usage: python benchmarks/endorsements.py [--seconds N]

Prints, per count, verifications per second and the median wall and CPU milliseconds of one
verification (time.process_time), with the load average. Nothing touches the network.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone

import nacl.signing

from benchmarks.sign_verify import parse_seconds
from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import add_proof
from issuer.openbadges.credential import Achievement, Profile, Recipient, build_credential
from issuer.openbadges.endorsement import build_endorsement
from issuer.verification.results import Verdict
from issuer.verification.verifier import verify_credential

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
ACHIEVEMENT_ID = "https://badges.example.edu/achievements/data-integrity-101"


def _signed(document: dict, key: nacl.signing.SigningKey) -> dict:
    public = multikey.encode_public_key(bytes(key.verify_key))
    return add_proof(document, signing_key=key,
                     verification_method=multikey.did_key_verification_method(public),
                     created=NOW)


def _did(key: nacl.signing.SigningKey) -> str:
    return multikey.did_key(multikey.encode_public_key(bytes(key.verify_key)))


def badge(count: int) -> dict:
    endorsements = []
    for index in range(count):
        key = nacl.signing.SigningKey(bytes([index + 1]) * 32)
        endorsements.append(_signed(build_endorsement(
            credential_id=f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
            issuer=Profile(id=_did(key), name=f"Partner {index}"), subject_id=ACHIEVEMENT_ID,
            name="Endorsement", comment="Rigorous and fair.", valid_from=NOW), key))
    issuer_key = nacl.signing.SigningKey(b"\x2a" * 32)
    document = build_credential(
        credential_id="urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
        issuer=Profile(id=_did(issuer_key), name="Example University"),
        achievement=Achievement(id=ACHIEVEMENT_ID, name="Data Integrity 101",
                                description="Understands Data Integrity proofs.",
                                criteria_narrative="Pass the quiz.",
                                endorsements=tuple(endorsements)),
        recipient=Recipient(email="ada@example.org", salt="s4lt"), valid_from=NOW)
    return _signed(document, issuer_key)


def main(argv: list[str] | None = None) -> int:
    args = parse_seconds(__doc__.splitlines()[0], argv)
    print(f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f} | python {sys.version.split()[0]} | "
          f"{args.seconds:g} s per count")
    print(f"{'endorsements':>12} {'verif/s':>9} {'wall ms p50':>12} {'cpu ms p50':>11}")
    for count in (0, 1, 3, 10):
        document = badge(count)
        result = verify_credential(document, now=NOW)  # warm-up, and a sanity check
        assert result.verdict is Verdict.VERIFIED, result.to_dict()
        assert [item.verdict for item in result.endorsements] == [Verdict.VERIFIED] * count
        walls, cpus = [], []
        deadline = time.perf_counter() + args.seconds
        while time.perf_counter() < deadline:
            start, start_cpu = time.perf_counter(), time.process_time()
            verify_credential(document, now=NOW)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - start_cpu)
        print(f"{count:>12} {len(walls) / sum(walls):>9.1f} "
              f"{statistics.median(walls) * 1000:>12.1f} {statistics.median(cpus) * 1000:>11.1f}")
    print(f"load afterwards {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
