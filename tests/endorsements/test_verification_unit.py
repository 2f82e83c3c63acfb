"""issuer.verification.endorsements without a database: where endorsements are found, what a
malformed entry gives, the per-credential limit, and a VC-JWT badge's endorsements."""

from __future__ import annotations

import nacl.signing

from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import add_proof
from issuer.openbadges.credential import Achievement, Profile, Recipient, build_credential
from issuer.openbadges.endorsement import build_endorsement, describe
from issuer.vcjose.issue import SHAPE_OB, JoseSigner, secure_credential
from issuer.verification import endorsements
from issuer.verification.results import Status, Verdict
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW

ACHIEVEMENT = "https://badges.example.org/achievements/1"
PARTNER = nacl.signing.SigningKey(b"\x07" * 32)
ISSUER = nacl.signing.SigningKey(b"\x2a" * 32)


def _did(key) -> str:
    return multikey.did_key(multikey.encode_public_key(bytes(key.verify_key)))


def _sign(document, key):
    public = multikey.encode_public_key(bytes(key.verify_key))
    return add_proof(document, signing_key=key, created=NOW,
                     verification_method=multikey.did_key_verification_method(public))


def endorsement(subject=ACHIEVEMENT, **changes):
    return _sign(build_endorsement(
        credential_id="urn:uuid:2f0e9c1a-0000-4000-8000-000000000001",
        issuer=Profile(id=_did(PARTNER), name="Partner", url="https://partner.example/"),
        subject_id=subject, name="Endorsement", comment="Good.", valid_from=NOW, **changes),
        PARTNER)


def badge(achievement_endorsements=(), issuer_endorsements=()):
    return build_credential(
        credential_id="urn:uuid:2f0e9c1a-0000-4000-8000-000000000002",
        issuer=Profile(id=_did(ISSUER), name="Issuer", endorsements=issuer_endorsements),
        achievement=Achievement(id=ACHIEVEMENT, name="A", description="B",
                                criteria_narrative="C", endorsements=achievement_endorsements),
        recipient=Recipient(email="ada@example.org", salt="x"), valid_from=NOW)


def test_endorsements_are_found_where_ob_puts_them():
    document = badge([endorsement()], [endorsement(_did(ISSUER))])
    document["endorsement"] = [endorsement("urn:uuid:2f0e9c1a-0000-4000-8000-000000000002")]
    found = [(where, path, owner) for where, path, owner, _, _ in
             endorsements.embedded(document)]
    assert found == [
        ("credential", "$.endorsement[0]", document["id"]),
        ("issuer", "$.issuer.endorsement[0]", _did(ISSUER)),
        ("achievement", "$.credentialSubject.achievement.endorsement[0]", ACHIEVEMENT)]
    results = verify_credential(_sign(document, ISSUER), now=NOW).endorsements
    assert [item.verdict for item in results] == [Verdict.VERIFIED] * 3


def test_malformed_entries_fail_each_on_their_own():
    document = badge()
    achievement = document["credentialSubject"]["achievement"]
    achievement["endorsement"] = ["not an object"]
    achievement["endorsementJwt"] = [42, "abc.def"]
    document["@context"].append({"endorsementJwt": {
        "@id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt",
        "@container": "@set"}})
    result = verify_credential(_sign(document, ISSUER), now=NOW)
    assert result.check("schema").failed  # the badge's own schema check names them
    assert result.check("proof").status is Status.PASSED
    verdicts = [(item.form, item.verdict) for item in result.endorsements]
    assert verdicts == [("ldp", Verdict.NOT_VERIFIED), ("jwt", Verdict.NOT_VERIFIED),
                        ("jwt", Verdict.NOT_VERIFIED)]


def test_only_the_first_endorsements_are_verified():
    many = [endorsement()] * (endorsements.MAX_VERIFIED + 2)
    results = endorsements.verify_embedded(
        badge(many), lambda one: verify_credential(one, now=NOW, check_endorsements=False))
    assert len(results) == endorsements.MAX_VERIFIED + 2
    assert results[0].verdict is Verdict.VERIFIED
    assert all(item.verdict is Verdict.INCOMPLETE for item in results[-2:])
    assert results[-1].result.checks[0].status is Status.NOT_CHECKED


def test_endorsements_inside_an_endorsement_are_not_followed():
    inner = endorsement()
    outer = endorsement()
    outer_unsigned = {key: value for key, value in outer.items() if key != "proof"}
    outer_unsigned["endorsement"] = [inner]
    [result] = endorsements.verify_embedded(
        badge([_sign(outer_unsigned, PARTNER)]),
        lambda one: verify_credential(one, now=NOW, check_endorsements=False))
    assert result.result.endorsements == ()


def test_a_vc_jwt_badge_reports_its_endorsements():
    signer = JoseSigner.from_nacl(ISSUER, kid=multikey.did_key_verification_method(
        multikey.encode_public_key(bytes(ISSUER.verify_key))))
    token = secure_credential(badge([endorsement()]), signer=signer, now=NOW, shape=SHAPE_OB)
    result = verify_credential(token, now=NOW)
    [found] = result.endorsements
    assert found.verdict is Verdict.VERIFIED and found.where == "achievement"
    assert describe(token).is_endorsement is False
