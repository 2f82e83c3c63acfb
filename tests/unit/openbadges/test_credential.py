"""build_credential and its dataclasses: OB 3.0 shape, both schema generations, hashing, signing."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from issuer.dataintegrity import multikey
from issuer.dataintegrity.canonicalize import find_undefined_terms
from issuer.openbadges import schema_validation, vocab
from issuer.openbadges.credential import (
    Achievement,
    Alignment,
    Evidence,
    Image,
    Profile,
    Recipient,
    Result,
    build_credential,
    email_identity,
    identity_hash,
    normalize_email,
)
from issuer.services.keystore import FileKeyStore
from issuer.services.signing import sign_credential
from issuer.verification.results import Status, Verdict
from issuer.verification.verifier import verify_credential

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
ISSUER_ID = "https://badges.example.edu/issuers/565049"
RECIPIENT_DID = "did:example:ebfeb1f712ebc6f1c276e12ec21"
RECIPIENT_EMAIL = "Alice.Learner@Example.edu"
CREDENTIAL_ID = "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002"
DATETIMEZ = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BOTH_SCHEMAS = [schema_validation.ACHIEVEMENT_CREDENTIAL,
                schema_validation.ACHIEVEMENT_CREDENTIAL_STRICT]


# --- small factories (the lead may move them to tests/factories.py) ----------------------------


def make_profile(**overrides: Any) -> Profile:
    values: dict[str, Any] = dict(
        id=ISSUER_ID,
        name="Example University",
        url="https://www.example.edu/",
        email="badges@example.edu",
        description="The badge office of Example University.",
        image=Image("https://www.example.edu/logo.png", caption="Example University logo"),
        phone="+1 555 0100",
    )
    return Profile(**{**values, **overrides})


def make_achievement(**overrides: Any) -> Achievement:
    values: dict[str, Any] = dict(
        id="https://badges.example.edu/achievements/data-integrity-101",
        name="Data Integrity 101",
        description="Understands how Data Integrity proofs protect a credential.",
        criteria_narrative="Sign and verify a credential with **eddsa-rdfc-2022**.",
        criteria_id="https://badges.example.edu/achievements/data-integrity-101/criteria",
        achievement_type="Badge",
        image=Image("https://badges.example.edu/images/di-101.png", caption="DI 101 badge"),
        tags=("cryptography", "verifiable credentials"),
        alignments=(
            Alignment(
                target_name="Digital signatures",
                target_url="https://example.org/frameworks/security/signatures",
                target_description="Creates and checks digital signatures.",
                target_code="SEC-SIG-1",
                target_framework="Example security framework",
                target_type="CFItem",
            ),
        ),
        creator=make_profile(),
        human_code="DI-101",
        field_of_study="Computer security",
        version="1.0",
        in_language="en",
    )
    return Achievement(**{**values, **overrides})


def make_recipient(**overrides: Any) -> Recipient:
    values: dict[str, Any] = dict(did=RECIPIENT_DID, email=RECIPIENT_EMAIL, name="Alice Learner")
    return Recipient(**{**values, **overrides})


def make_credential(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(
        credential_id=CREDENTIAL_ID,
        issuer=make_profile(),
        achievement=make_achievement(),
        recipient=make_recipient(),
        valid_from=NOW,
        valid_until=NOW + timedelta(days=365),
        awarded_date=NOW,
        description="Awarded for completing Data Integrity 101.",
        image=Image("https://badges.example.edu/images/di-101-baked.png"),
        evidence=[
            Evidence(
                id="https://portfolio.example.edu/alice/di-101",
                name="Signed credential",
                narrative="Alice signed and verified a credential in class.",
                description="A portfolio entry.",
                genre="Project",
                audience="Instructors",
            )
        ],
        results=[Result(value="92", status="Completed")],
        narrative="Completed all exercises.",
    )
    return build_credential(**{**values, **overrides})


def walk(node: Any, path: str = "$"):
    """Every (path, value) in a JSON tree, containers included."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")


def signed_credential(tmp_path, **overrides: Any) -> tuple[dict[str, Any], FileKeyStore]:
    store = FileKeyStore(tmp_path / "keys")
    key = store.generate(controller=ISSUER_ID, now=NOW)
    signed = sign_credential(make_credential(**overrides), keystore=store, key=key, created=NOW)
    return signed, store


# --- shape and schemas -------------------------------------------------------------------------


@pytest.mark.parametrize("schema", BOTH_SCHEMAS)
def test_realistic_credential_passes_both_schema_generations(schema):
    assert schema_validation.validate(make_credential(), schema, limit=100) == []


@pytest.mark.parametrize("schema", BOTH_SCHEMAS)
def test_signed_credential_passes_both_schema_generations(tmp_path, schema):
    signed, _ = signed_credential(tmp_path)
    assert schema_validation.validate(signed, schema, limit=100) == []


def test_schema_validation_reports_a_real_problem():
    """Guards the schema tests above: the validator does find errors."""
    credential = make_credential()
    credential["issuer"]["image"] = "https://www.example.edu/logo.png"  # bare string image
    for schema in BOTH_SCHEMAS:
        errors = schema_validation.validate(credential, schema)
        assert errors, schema
        assert any(error.path.startswith("$.issuer") for error in errors), errors


def test_realistic_credential_has_the_expected_top_level_shape():
    credential = make_credential()
    assert credential["@context"] == [vocab.VC_V2_CONTEXT, vocab.OB_CONTEXT]
    assert credential["id"] == CREDENTIAL_ID
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == ISSUER_ID
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["name"] == "Data Integrity 101"  # defaults to the achievement name
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"] == RECIPIENT_DID
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Badge"
    assert achievement["criteria"] == {
        "id": "https://badges.example.edu/achievements/data-integrity-101/criteria",
        "narrative": "Sign and verify a credential with **eddsa-rdfc-2022**.",
    }
    assert achievement["tag"] == ["cryptography", "verifiable credentials"]
    assert achievement["alignment"][0]["targetType"] == "CFItem"
    assert achievement["creator"]["type"] == ["Profile"]
    assert "proof" not in credential


def test_no_none_empty_strings_or_empty_containers_anywhere():
    for credential in (make_credential(),
                       make_credential(recipient=Recipient(did=RECIPIENT_DID), evidence=(),
                                       results=(), valid_until=None, awarded_date=None,
                                       description=None, image=None, narrative=None),
                       make_credential(achievement=make_achievement(
                           criteria_id=None, image=None, tags=(), alignments=(), creator=None,
                           achievement_type=None, human_code=None))):
        for path, value in walk(credential):
            assert value is not None, path
            assert value != "", path
            assert value != [], path
            assert value != {}, path


def test_minimal_credential_omits_optional_fields():
    credential = make_credential(
        issuer=Profile(id=ISSUER_ID, name="Example University"),
        achievement=Achievement(id="https://badges.example.edu/a/1", name="A", description="B",
                                criteria_narrative="C"),
        recipient=Recipient(did=RECIPIENT_DID),
        valid_until=None, awarded_date=None, description=None, image=None, evidence=(),
        results=(), narrative=None,
    )
    assert set(credential) == {"@context", "id", "type", "issuer", "validFrom", "name",
                               "credentialSubject"}
    assert set(credential["credentialSubject"]) == {"id", "type", "achievement"}
    for schema in BOTH_SCHEMAS:
        assert schema_validation.validate(credential, schema) == []


def test_every_set_valued_field_is_an_array(tmp_path):
    signed, _ = signed_credential(tmp_path)
    subject = signed["credentialSubject"]
    achievement = subject["achievement"]
    arrays = {
        "type": signed["type"],
        "proof": signed["proof"],
        "identifier": subject["identifier"],
        "evidence": signed["evidence"],
        "alignment": achievement["alignment"],
        "tag": achievement["tag"],
        "result": subject["result"],
        "issuer.type": signed["issuer"]["type"],
        "subject.type": subject["type"],
        "achievement.type": achievement["type"],
        "evidence.type": signed["evidence"][0]["type"],
        "alignment.type": achievement["alignment"][0]["type"],
        "result.type": subject["result"][0]["type"],
    }
    for name, value in arrays.items():
        assert isinstance(value, list) and value, name
    # And wherever these keys occur in the tree, they hold arrays (except the two string types).
    set_valued = {"proof", "identifier", "evidence", "alignment", "tag", "result"}
    for path, value in walk(signed):
        key = path.rsplit(".", 1)[-1]
        if key in set_valued:
            assert isinstance(value, list), path


def test_images_are_image_objects():
    credential = make_credential()
    images = [value for path, value in walk(credential) if path.endswith(".image")]
    assert len(images) == 4  # credential, issuer, achievement, achievement.creator
    for image in images:
        assert isinstance(image, dict)
        assert image["type"] == "Image"
        assert image["id"].startswith("https://")
    assert credential["issuer"]["image"]["caption"] == "Example University logo"


def test_identity_object_type_is_a_string():
    identifier = make_credential()["credentialSubject"]["identifier"]
    assert len(identifier) == 1
    identity = identifier[0]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    assert identity["identityHash"] == identity_hash(normalize_email(RECIPIENT_EMAIL),
                                                     identity["salt"])
    assert RECIPIENT_EMAIL.lower() not in repr(make_credential())  # never in plaintext


def test_dates_are_datetimez_in_utc():
    plus_two = timezone(timedelta(hours=2))
    credential = make_credential(
        valid_from=datetime(2026, 1, 2, 5, 4, 5, 999, tzinfo=plus_two),
        valid_until=datetime(2027, 1, 2, 5, 4, 5, tzinfo=plus_two),
        awarded_date=datetime(2026, 1, 1, 0, 0, 0, tzinfo=timezone.utc),
    )
    assert credential["validFrom"] == "2026-01-02T03:04:05Z"
    assert credential["validUntil"] == "2027-01-02T03:04:05Z"
    assert credential["awardedDate"] == "2026-01-01T00:00:00Z"
    for key in ("validFrom", "validUntil", "awardedDate"):
        assert DATETIMEZ.match(credential[key]), key


def test_naive_dates_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        make_credential(valid_from=datetime(2026, 1, 2, 3, 4, 5), valid_until=None)


def test_no_undefined_json_ld_terms():
    assert find_undefined_terms(make_credential()) == []


def test_undefined_term_detector_is_not_vacuous():
    credential = make_credential()
    credential["favouriteColour"] = "blue"
    assert find_undefined_terms(credential) == ["favouriteColour"]


# --- identity hashing ------------------------------------------------------------------------


def test_identity_hash_matches_the_spec_example():
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_identity_hash_is_sha256_of_identifier_then_salt():
    expected = hashlib.sha256(b"someone@example.orgpepper").hexdigest()
    assert identity_hash("someone@example.org", "pepper") == f"sha256${expected}"


@pytest.mark.parametrize(
    "variant", ["a@example.com", "A@EXAMPLE.COM", "A@Example.com", "  a@example.com ",
                "\ta@Example.COM\n"]
)
def test_email_normalisation_hashes_the_same(variant):
    identity = email_identity(variant, salt="Kosher")
    assert identity["identityHash"] == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )
    assert identity["salt"] == "Kosher"


def test_email_identity_uses_a_fresh_random_salt_per_call():
    identities = [email_identity("a@example.com") for _ in range(20)]
    salts = {identity["salt"] for identity in identities}
    assert len(salts) == 20
    assert all(len(salt) >= 16 for salt in salts)
    assert len({identity["identityHash"] for identity in identities}) == 20
    for identity in identities:
        assert identity["identityHash"] == identity_hash("a@example.com", identity["salt"])


def test_each_build_salts_the_email_afresh():
    first = make_credential()["credentialSubject"]["identifier"][0]
    second = make_credential()["credentialSubject"]["identifier"][0]
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


def test_a_given_salt_is_used():
    credential = make_credential(recipient=make_recipient(salt="Kosher", email="a@example.com"))
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["salt"] == "Kosher"
    assert identity["identityHash"] == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_recipient_salt_is_not_in_its_repr():
    assert "Kosher" not in repr(make_recipient(salt="Kosher"))


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("valid_until", [NOW, NOW - timedelta(seconds=1)])
def test_valid_until_not_after_valid_from_raises(valid_until):
    with pytest.raises(ValueError, match="validUntil must be after validFrom"):
        make_credential(valid_until=valid_until)


def test_recipient_needs_a_did_or_an_email():
    with pytest.raises(ValueError, match="DID or an email"):
        Recipient()
    with pytest.raises(ValueError, match="DID or an email"):
        Recipient(did="", email="", name="Nobody")


def test_recipient_with_blank_email_raises():
    with pytest.raises(ValueError):
        Recipient(email="   ")


def test_achievement_without_criteria_raises():
    with pytest.raises(ValueError, match="criteria"):
        make_achievement(criteria_narrative=None, criteria_id=None)
    with pytest.raises(ValueError, match="criteria"):
        make_achievement(criteria_narrative="", criteria_id="")


def test_achievement_with_only_a_criteria_url_is_fine():
    achievement = make_achievement(criteria_narrative=None).to_json()
    assert achievement["criteria"] == {
        "id": "https://badges.example.edu/achievements/data-integrity-101/criteria"
    }


def test_evidence_needs_some_content():
    with pytest.raises(ValueError, match="evidence needs"):
        Evidence(genre="Project")


@pytest.mark.parametrize("field", ["id", "name", "description"])
@pytest.mark.parametrize("blank", ["", "   "])
def test_achievement_with_blank_required_fields_raises(field, blank):
    """_compact would drop them and leave a schema-invalid credential."""
    with pytest.raises(ValueError, match=f"Achievement.{field} must be a non-empty string"):
        make_achievement(**{field: blank})


@pytest.mark.parametrize("field", ["id", "name"])
def test_profile_with_blank_required_fields_raises(field):
    with pytest.raises(ValueError, match=f"Profile.{field} must be a non-empty string"):
        make_profile(**{field: ""})


# --- recipients --------------------------------------------------------------------------------


def test_did_only_recipient_has_id_and_no_identifier():
    subject = make_credential(recipient=Recipient(did=RECIPIENT_DID))["credentialSubject"]
    assert subject["id"] == RECIPIENT_DID
    assert "identifier" not in subject


def test_email_only_recipient_has_identifier_and_no_id():
    credential = make_credential(recipient=Recipient(email=RECIPIENT_EMAIL))
    subject = credential["credentialSubject"]
    assert "id" not in subject
    assert subject["identifier"][0]["type"] == "IdentityObject"
    for schema in BOTH_SCHEMAS:
        assert schema_validation.validate(credential, schema) == []


# --- sign and verify ---------------------------------------------------------------------------


def test_signed_credential_verifies_with_every_check_passed_or_not_applicable(tmp_path):
    signed, _ = signed_credential(tmp_path)

    proof = signed["proof"]
    assert isinstance(proof, list) and len(proof) == 1
    assert proof[0]["type"] == "DataIntegrityProof"
    assert proof[0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof[0]["proofPurpose"] == "assertionMethod"
    assert proof[0]["created"] == "2026-01-02T03:04:05Z"
    assert proof[0]["verificationMethod"].startswith(f"{ISSUER_ID}#z6Mk")
    assert proof[0]["proofValue"].startswith("z")

    issuer = multikey.controller_document(
        ISSUER_ID, [proof[0]["verificationMethod"].partition("#")[2]])
    result = verify_credential(signed, now=NOW + timedelta(days=1),
                               resolve_controller={ISSUER_ID: issuer}.get,
                               recipient_email="  alice.learner@EXAMPLE.edu ")
    assert result.verified, result.to_dict()
    assert result.verdict is Verdict.VERIFIED
    assert [check.id for check in result.checks] == [
        "context", "schema", "proof", "issuer", "validity", "status", "recipient"]
    for check in result.checks:
        assert check.status in (Status.PASSED, Status.NOT_APPLICABLE), check
    assert result.check("status").status is Status.NOT_APPLICABLE  # no credentialStatus
    assert result.check("recipient").status is Status.PASSED
    # Neither the JSON-LD-adapted schema nor the strict schema has anything to say.
    assert result.check("schema").warnings == ()
    assert not [w for w in result.all_warnings if "schema" in w]


def test_signed_credential_fails_when_a_signed_field_changes(tmp_path):
    """Negative control for the test above: the verifier really checks the signature."""
    signed, _ = signed_credential(tmp_path)
    signed["credentialSubject"]["achievement"]["name"] = "Data Integrity 102"

    result = verify_credential(signed, now=NOW)
    assert not result.verified
    assert result.check("proof").status is Status.FAILED


def test_signed_credential_with_wrong_email_is_not_verified(tmp_path):
    signed, _ = signed_credential(tmp_path)
    result = verify_credential(signed, now=NOW, recipient_email="mallory@example.edu")
    assert not result.verified
    assert result.check("recipient").status is Status.FAILED
    assert result.check("proof").status is Status.PASSED


def test_signed_credential_expires_at_valid_until(tmp_path):
    signed, _ = signed_credential(tmp_path, valid_until=NOW + timedelta(days=1))
    result = verify_credential(signed, now=NOW + timedelta(days=2))
    assert not result.verified
    assert result.check("validity").status is Status.FAILED
    assert result.check("proof").status is Status.PASSED
