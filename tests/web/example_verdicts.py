"""The expected verdict of every public OB 3.0 example (tests/vectors/examples), one row per
file, checked through the verification API, the /verify page and ``issuer verify``.

Semantics (see tests/vectors/examples/README.md and tests/unit/verification/test_verifier.py):
- OK: verified. FAILS: not verified, and the second column lists exactly the checks that
  failed (or, for ``proof``, could not be made: a credential none of whose signatures could
  be checked is not verified). JWT: a VC-JWT, verified as such (issuer.verification.vcjwt);
  the 1EdTech ones carry their key in a ``jwk`` header that their (unreachable) issuers do not
  confirm, so ``issuer`` is "not checked", which for a VC-JWT is required.
  UNREADABLE: not a credential file at all.
- The remote issuers (example.com, 1edtech.edu, the DCC's did:web hosts) are unreachable in
  the tests (:func:`offline_dns`), so keys come from the verification method's ``z6Mk…``
  fragment with a warning, and status lists cannot be fetched: ``status`` is "not checked",
  which does not fail a credential. So the revoked DCC fixtures verify here; expired ones fail
  ``validity``.
- The fourth column of a verified row lists the checks that could not be made (``issuer``:
  the key came from the fragment, nobody confirmed it is the issuer's; ``status``: the list
  could not be fetched, or is of a kind we do not support; ``schema``: a VC 1.1 Open Badge,
  which the OB 3.0 schemas do not describe). The API and the page call such a credential
  verified with warnings; ``issuer verify`` fails closed and says NOT FULLY VERIFIED (exit 3).
- Time is frozen at tests.helpers.NOW.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.helpers import NOW, OB3_EXAMPLES

OK, FAILS, JWT, UNREADABLE = "verified", "not verified", "VC-JWT", "unreadable"


class Example(NamedTuple):
    path: str
    verdict: str
    failed: frozenset[str]
    not_checked: frozenset[str] = frozenset()  # of a verified row

    @property
    def file(self) -> Path:
        return OB3_EXAMPLES / self.path


_ROWS = [
    # 1edtech-impl-guide-test-vector
    ("1edtech-impl-guide-test-vector/key.json", FAILS, "context proof schema"),  # a key pair, not a credential
    ("1edtech-impl-guide-test-vector/signed-credential.json", OK, "", "issuer"),
    ("1edtech-impl-guide-test-vector/unsigned-credential.json", FAILS, "proof"),
    # 1edtech-spec-rendered-20240403
    ("1edtech-spec-rendered-20240403/00-sample-openbadgecredential-file-contents.eddsa-rdfc-2022.json", OK, "", "issuer"),
    ("1edtech-spec-rendered-20240403/00-sample-openbadgecredential-file-contents.unsigned.json", FAILS, "proof"),
    ("1edtech-spec-rendered-20240403/00-sample-openbadgecredential-file-contents.vc-jwt.jws", JWT, "issuer"),
    ("1edtech-spec-rendered-20240403/01-sample-openbadgecredential.eddsa-rdfc-2022.json", OK, "", "issuer"),
    ("1edtech-spec-rendered-20240403/01-sample-openbadgecredential.unsigned.json", FAILS, "proof"),
    ("1edtech-spec-rendered-20240403/01-sample-openbadgecredential.vc-jwt.jws", JWT, "issuer"),
    ("1edtech-spec-rendered-20240403/02-complete-openbadgecredential.eddsa-rdfc-2022.json", OK, "", "issuer status"),
    ("1edtech-spec-rendered-20240403/02-complete-openbadgecredential.unsigned.json", FAILS, "proof"),
    ("1edtech-spec-rendered-20240403/02-complete-openbadgecredential.vc-jwt.jws", JWT, "issuer"),
    ("1edtech-spec-rendered-20240403/03-sample-endorsementcredential.eddsa-rdfc-2022.json", OK, "", "issuer status"),
    ("1edtech-spec-rendered-20240403/03-sample-endorsementcredential.unsigned.json", FAILS, "proof"),
    ("1edtech-spec-rendered-20240403/03-sample-endorsementcredential.vc-jwt.jws", JWT, "issuer"),
    ("1edtech-spec-rendered-20240403/04-achievement-alignment-case.eddsa-rdfc-2022.json", OK, "", "issuer"),
    ("1edtech-spec-rendered-20240403/04-achievement-alignment-case.unsigned.json", FAILS, "proof"),
    ("1edtech-spec-rendered-20240403/04-achievement-alignment-case.vc-jwt.jws", JWT, "issuer"),
    ("1edtech-spec-rendered-20240403/05-achievement-alignment-credential-engine.eddsa-rdfc-2022.json", OK, "", "issuer"),
    ("1edtech-spec-rendered-20240403/05-achievement-alignment-credential-engine.unsigned.json", FAILS, "proof"),
    ("1edtech-spec-rendered-20240403/05-achievement-alignment-credential-engine.vc-jwt.jws", JWT, "issuer"),
    ("1edtech-spec-rendered-20240403/06-skill-assertion-case.eddsa-rdfc-2022.json", OK, "", "issuer"),
    ("1edtech-spec-rendered-20240403/06-skill-assertion-case.unsigned.json", FAILS, "proof"),
    ("1edtech-spec-rendered-20240403/06-skill-assertion-case.vc-jwt.jws", JWT, "issuer"),
    ("1edtech-spec-rendered-20240403/07-skill-assertion-credential-registry.eddsa-rdfc-2022.json", OK, "", "issuer"),
    ("1edtech-spec-rendered-20240403/07-skill-assertion-credential-registry.unsigned.json", FAILS, "proof"),
    ("1edtech-spec-rendered-20240403/07-skill-assertion-credential-registry.vc-jwt.jws", JWT, "issuer"),
    # 1edtech-validator-ob30
    ("1edtech-validator-ob30/bit-string-list/credential-status-revoked-blank-nodes.json", OK, "", "issuer status"),
    ("1edtech-validator-ob30/bit-string-list/credential-status-revoked.json", OK, "", "issuer status"),
    ("1edtech-validator-ob30/bit-string-list/testlist", OK, "", "issuer"),  # the status list credential itself
    ("1edtech-validator-ob30/complete.json", OK, "", "issuer status"),
    ("1edtech-validator-ob30/complete_v1.json", FAILS, "context proof validity"),  # VC 1.1 with 1EdTech* types but no extensions context; vm #key-1 needs a key document; expired 2020
    ("1edtech-validator-ob30/credential-status-revoked.json", OK, "", "schema issuer status"),
    ("1edtech-validator-ob30/endorsement-err-schema-status-refresh.json", FAILS, "proof"),  # negative fixture: edited after signing
    ("1edtech-validator-ob30/endorsement-valid.json", OK, "", "issuer"),
    ("1edtech-validator-ob30/sd/derivedcredential.json", FAILS, "proof"),  # ecdsa-sd-2023: no proof we can check
    ("1edtech-validator-ob30/simple-context-alias.json", OK, "", "issuer"),
    ("1edtech-validator-ob30/simple-context-version.json", OK, "", "issuer"),
    ("1edtech-validator-ob30/simple-did-key-method.json", FAILS, "issuer"),  # did:key vm, urn:uuid issuer: nothing binds the key to the issuer (refused by design)
    ("1edtech-validator-ob30/simple-did-web-method.json", OK, "", "issuer"),
    ("1edtech-validator-ob30/simple-eddsa-2022.json", OK, "", "schema issuer"),
    ("1edtech-validator-ob30/simple-err-context.json", FAILS, "context proof schema"),
    ("1edtech-validator-ob30/simple-err-credential-subject-achievement-result-description-type.json", FAILS, "context proof"),
    ("1edtech-validator-ob30/simple-err-credential-subject-identifier-type.json", FAILS, "context proof schema"),
    ("1edtech-validator-ob30/simple-err-credential-subject-profile-type.json", FAILS, "context proof"),
    ("1edtech-validator-ob30/simple-err-credential-subject-result-type.json", FAILS, "context proof schema"),
    ("1edtech-validator-ob30/simple-err-credential-subject-type.json", FAILS, "context proof schema"),
    ("1edtech-validator-ob30/simple-err-evidence-type.json", FAILS, "context proof"),
    ("1edtech-validator-ob30/simple-err-expired.json", FAILS, "validity"),  # signature valid, validUntil past
    ("1edtech-validator-ob30/simple-err-issued.json", FAILS, "schema validity"),  # signature valid, validFrom in the future, and schema
    ("1edtech-validator-ob30/simple-err-issuer-otheridentifier-type.json", FAILS, "context proof schema"),
    ("1edtech-validator-ob30/simple-err-issuer-parentorg-type.json", FAILS, "context proof schema"),
    ("1edtech-validator-ob30/simple-err-issuer-type.json", FAILS, "context proof schema"),
    ("1edtech-validator-ob30/simple-err-issuer.json", FAILS, "issuer schema"),  # signature valid, achievement missing; issuer mismatch
    ("1edtech-validator-ob30/simple-err-proof-method-no-scheme.json", FAILS, "proof"),
    ("1edtech-validator-ob30/simple-err-proof-method-unknown-did-method.json", FAILS, "proof"),
    ("1edtech-validator-ob30/simple-err-proof-method-unknown-scheme.json", FAILS, "proof"),
    ("1edtech-validator-ob30/simple-err-proof-method.json", FAILS, "proof"),
    ("1edtech-validator-ob30/simple-err-proof-value.json", FAILS, "proof"),
    ("1edtech-validator-ob30/simple-err-type.json", FAILS, "context proof"),
    ("1edtech-validator-ob30/simple-json.png", OK, "", "issuer"),
    ("1edtech-validator-ob30/simple-json.svg", OK, "", "issuer"),
    ("1edtech-validator-ob30/simple-jwt.png", JWT, "issuer"),
    ("1edtech-validator-ob30/simple-jwt.svg", JWT, "issuer"),
    ("1edtech-validator-ob30/simple-jwt_v1.png", JWT, "issuer"),
    ("1edtech-validator-ob30/simple-jwt_v1.svg", JWT, "issuer"),
    ("1edtech-validator-ob30/simple-multiple-proofs.json", OK, "", "issuer"),
    ("1edtech-validator-ob30/simple-noproof.json", FAILS, "proof"),  # unsigned
    ("1edtech-validator-ob30/simple.1ob", OK, "", "issuer"),
    ("1edtech-validator-ob30/simple.json", OK, "", "issuer"),
    ("1edtech-validator-ob30/simple.jwt", JWT, "proof issuer"),  # no key in the header
    ("1edtech-validator-ob30/simple_v1.json", OK, "", "schema issuer"),
    ("1edtech-validator-ob30/velocity.jwt", JWT, "context proof issuer"),  # did:velocity; a Velocity context
    # dcc-vc-test-fixtures
    ("dcc-vc-test-fixtures/dids/legacy/did.json", FAILS, "context proof schema"),
    ("dcc-vc-test-fixtures/dids/oidf/did.json", FAILS, "context proof schema"),
    ("dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj", OK, ""),
    ("dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020/expired", FAILS, "validity"),
    ("dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020/missingBitStringType", OK, ""),
    ("dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020/notYetValid", FAILS, "validity"),
    ("dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020/tampered", FAILS, "proof"),
    # dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey/fourRegistry-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey/legacy-noStatus-noExpiry-basicOBv3.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey/legacy-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey/mixedRegistry-validStatus-noExpiry.json", OK, "", "schema status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey/noRegistry-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey/oidf-noStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey/oidf-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didKey/oidf-revokedStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didWeb/legacy-noStatus-noExpiry.json", OK, "", "schema issuer"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didWeb/legacy-revokedStaus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didWeb/legacy-validStatus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didWeb/oidf-noStatus-noExpiry.json", OK, "", "schema issuer"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didWeb/oidf-revokedStatus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/didWeb/oidf-validStatus-noExpiry.json", OK, "", "schema issuer status"),
    # dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/fourRegistry-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/legacy-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-OBSpecExample.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-oldDCCExample.json", FAILS, "context proof"),  # needs https://w3id.org/dcc/v1 (not vendored)
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/mixedRegistry-validStatus-noExpiry.json", OK, "", "schema status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/noRegistry-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/oidf-noStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/oidf-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didKey/oidf-revokedStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didWeb/legacy-noStatus-noExpiry.json", OK, "", "schema issuer"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didWeb/legacy-revokedStatus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didWeb/legacy-validStatus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didWeb/oidf-noStatus-noExpiry.json", OK, "", "schema issuer"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didWeb/oidf-revokedStatus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/dataIntegrityProof/didWeb/oidf-validStatus-noExpiry.json", OK, "", "schema issuer status"),
    # dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/fourRegistry-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/legacy-noStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/legacy-noStatus-noExpiry-stringIssuerId.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/legacy-noStatus-noExpiry.json", UNREADABLE, ""),  # an empty file upstream
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/legacyRegistry-noStatus-noExpiry-issuerImageId.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/mixedRegistry-validStatus-noExpiry.json", OK, "", "schema status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/noRegistry-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/oidf-noStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/oidf-noStatus-noExpiry.json", OK, "", "schema"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didKey/oidf-revokedStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didWeb/legacy-noStatus-noExpiry.json", OK, "", "schema issuer"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didWeb/legacy-revokedStatus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didWeb/legacy-validStatus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didWeb/oidf-noStatus-noExpiry.json", OK, "", "schema issuer"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didWeb/oidf-revokedStatus-noExpiry.json", OK, "", "schema issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v1/ed25519/didWeb/oidf-validStatus-noExpiry.json", OK, "", "schema issuer status"),
    # dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/legacy-noStatus-noExpiry-nonOBWithOBContext.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/legacy-noStatus-noExpiry.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/legacy-noStatus-notExpired-endorsement-withSchema.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/legacy-noStatus-notExpired-endorsement.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/noRegistry-revokedStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/noRegistry-revokedStatus-notExpired.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/oidf-revokedStatus-noExpiry.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didweb/legacy-revokedStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didweb/legacy-revokedStatus-noExpiry.json", OK, "", "issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didweb/oidf-noStatus-notExpired.json", OK, "", "issuer"),
    # dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-OBSpecExample.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-achievementTypeExample.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-alignments.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-basicOBv3.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-credName.json", FAILS, "schema"),  # achievementType "Program" is not in the OB 3.0 enumeration
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-credSubjName.json", FAILS, "schema"),  # achievementType "Program" is not in the OB 3.0 enumeration
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-identityHash.json", FAILS, "schema"),  # achievementType "Program" is not in the OB 3.0 enumeration
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-minimal.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-notExpired-withSchema.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/noRegistry-revokedStatus-noExpiry.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/noRegsitry-revokedStatus-notExpired.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/oidf-noStatus-notExpired-complexIssuer.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/oidf-noStatus-notExpired-notYetValid.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/oidf-revokedStatus-noExpiry.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/twoOIDF-revoked-notExpired-badSchema.json", FAILS, "schema"),  # schema violation (intended)
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/twoOIDF-validStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didweb/legacy-revokedStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didweb/legacy-revokedStatus-noExpiry.json", OK, "", "issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didweb/oidf-noStatus-notExpired.json", OK, "", "issuer"),
    # dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-expiredStatus-noExpiry.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-missingTypeStatus-noExpiry.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-noStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-noStatus-noExpiry-lcwExperience.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-noStatus-noExpiry-stringIssuerId.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-noStatus-noExpiry-tampered.json", FAILS, "proof"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-noStatus-noExpiry.json", OK, ""),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-notYetValidStatus-noExpiry.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-tamperedStatus-noExpiry.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/noRegistry-revokedStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/noRegistry-revokedStatus-notExpired.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/oidf-revokedStatus-noExpiry.json", OK, "", "status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didWeb/badDidWeb.json", OK, "", "issuer"),  # did:web cannot be resolved: key from the fragment, with a warning
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didWeb/legacy-revokedStatus-expired.json", FAILS, "validity"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didWeb/legacy-revokedStatus-noExpiry.json", OK, "", "issuer status"),
    ("dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didWeb/oidf-noStatus-notExpired.json", OK, "", "issuer"),
    # misc
    ("misc/1edtech-api-profile-example.json", FAILS, "context proof schema"),  # a Profile, not a credential
    ("misc/educredentials-minimal_valid_obv3.json", FAILS, "proof"),  # unsigned
    # w3c-vc-di-eddsa-testvectors
    ("w3c-vc-di-eddsa-testvectors/credentials-examples-v2.jsonld", FAILS, "context proof schema"),
    ("w3c-vc-di-eddsa-testvectors/eddsa-rdfc-2022/proofConfigDataInt.json", FAILS, "proof schema"),  # a proof configuration, not a credential
    ("w3c-vc-di-eddsa-testvectors/eddsa-rdfc-2022/signedDataInt.json", FAILS, "issuer"),  # the signature verifies, but the did:key is not the issuer https://vc.example/issuers/5678
    ("w3c-vc-di-eddsa-testvectors/keyPair.json", FAILS, "context proof schema"),
    ("w3c-vc-di-eddsa-testvectors/unsigned.json", FAILS, "proof"),  # unsigned
]

EXAMPLES = [Example(path, verdict, frozenset(failed.split()), frozenset(" ".join(rest).split()))
            for path, verdict, failed, *rest in _ROWS]
IDS = [example.path for example in EXAMPLES]


def discovered() -> set[str]:
    """Every example file the table must cover: all JSON (and JWS) files, and the baked PNG
    and SVG images of the 1EdTech validator (the DCC PNGs are QR codes, not baked badges)."""
    found = set()
    for path in OB3_EXAMPLES.rglob("*"):
        relative = path.relative_to(OB3_EXAMPLES)
        if not path.is_file() or path.suffix in (".md", ".txt"):
            continue
        if path.suffix in (".png", ".svg") and relative.parts[0] != "1edtech-validator-ob30":
            continue
        found.add(relative.as_posix())
    return found


def failing_ids(checks: list[dict]) -> set[str]:
    """Check ids that count against a verdict, from a VC-API ``checks`` list."""
    required = {"proof", "issuer"} if any(c["id"] == "jwt-claims" for c in checks) else {"proof"}
    return {check["id"] for check in checks
            if check["status"] == "failed" or (check["id"] in required and check["status"] != "passed")}


_LOCAL_NAMES = {"localhost", "localhost.localdomain"}


def _local(host: str) -> bool:
    if host in _LOCAL_NAMES:
        return True
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def offline_dns() -> Iterator[None]:
    """Outside host names do not resolve (as in a sandbox without DNS), instantly: the tests
    never reach the real network, and a slow or hanging resolver cannot slow them down. IP
    literals and localhost still resolve, so the safe fetcher's own address checks run."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if not _local(name):
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: no outside DNS in the tests")
        return real(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", guarded)
        yield


@contextlib.contextmanager
def frozen_clock() -> Iterator[None]:
    """The web layer's clock (issuer.clock.utc_now, read through issuer.web.core.deps) at NOW."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("issuer.clock.utc_now", lambda: NOW)
        yield
