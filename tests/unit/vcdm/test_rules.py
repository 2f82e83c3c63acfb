"""VC Data Model 2.0 well-formedness: one test per rule (issuer.vcdm.rules)."""

import copy

import pytest

from issuer.vcdm.rules import VC_V1, VC_V2, is_url, validate
from tests.helpers import IMPL_GUIDE, load_json


def base():
    return load_json(IMPL_GUIDE / "unsigned-credential.json")


def rules_of(document):
    return [violation.rule for violation in validate(document)]


def with_changes(**changes):
    document = base()
    for key, value in changes.items():
        key = {"context": "@context"}.get(key, key)
        if value is KeyError:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def test_a_well_formed_ob_credential_has_no_violations():
    assert validate(base()) == []


def test_a_minimal_vc_2_credential_is_well_formed():
    assert validate({"@context": [VC_V2], "type": ["VerifiableCredential"],
                     "issuer": "did:example:issuer",
                     "credentialSubject": {"id": "did:example:subject"}}) == []


def test_not_an_object():
    assert rules_of([]) == ["credential-object"]


def test_context_required():
    assert rules_of(with_changes(context=KeyError)) == ["context-required"]


def test_context_must_be_an_array():
    assert rules_of(with_changes(context=VC_V2)) == ["context-array"]


def test_context_must_start_with_vc_v2():
    reordered = list(reversed(base()["@context"]))
    assert rules_of(with_changes(context=reordered)) == ["context-first"]


def test_context_base_missing():
    assert rules_of(with_changes(context=["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"])) == ["context-first"]


def test_context_mixed_versions():
    assert "context-mixed" in rules_of(with_changes(context=[VC_V2, VC_V1]))


def test_context_entries_are_urls_or_objects():
    assert rules_of(with_changes(context=[VC_V2, "not a url"])) == ["context-url"]
    assert rules_of(with_changes(context=[VC_V2, 5])) == ["context-item"]


def test_type_required():
    assert rules_of(with_changes(type=KeyError)) == ["type-required"]


def test_type_must_include_verifiable_credential():
    assert rules_of(with_changes(type=["OpenBadgeCredential"])) == ["type-vc"]


def test_type_values_are_strings():
    assert rules_of(with_changes(type=["VerifiableCredential", 3])) == ["type-strings"]
    assert rules_of(with_changes(type=[])) == ["type-strings"]


def test_type_values_are_unique():
    assert rules_of(with_changes(type=["VerifiableCredential", "VerifiableCredential"])) == ["type-duplicate"]


def test_id_must_be_a_url():
    assert rules_of(with_changes(id="3527")) == ["id-url"]
    assert rules_of(with_changes(id=["urn:a", "urn:b"])) == ["id-url"]


def test_issuer_required():
    assert rules_of(with_changes(issuer=KeyError)) == ["issuer-required"]


def test_issuer_must_be_a_url():
    assert rules_of(with_changes(issuer="Example Corp")) == ["issuer-url"]


def test_issuer_object_needs_an_id():
    assert rules_of(with_changes(issuer={"type": ["Profile"], "name": "Example"})) == ["issuer-id"]


def test_subject_required():
    assert rules_of(with_changes(credentialSubject=KeyError)) == ["subject-required"]


def test_subject_must_be_an_object():
    assert rules_of(with_changes(credentialSubject="did:example:1")) == ["subject-object"]


def test_subject_array_must_not_be_empty():
    assert rules_of(with_changes(credentialSubject=[])) == ["subject-empty"]


def test_subject_must_claim_something():
    assert rules_of(with_changes(credentialSubject={})) == ["subject-claims"]


def test_subject_id_must_be_a_url():
    subject = dict(base()["credentialSubject"], id="ann")
    assert rules_of(with_changes(credentialSubject=subject)) == ["subject-id"]


@pytest.mark.parametrize("value", ["2010-01-01", "2010-01-01T00:00:00", "01/01/2010",
                                   "2010-13-01T00:00:00Z", 20100101])
def test_dates_are_datetime_stamps(value):
    assert rules_of(with_changes(validFrom=value)) == ["date-format"]


def test_valid_until_after_valid_from():
    assert rules_of(with_changes(validUntil="2009-01-01T00:00:00Z")) == ["date-order"]


def test_vc_1_1_date_terms_are_not_vc_2():
    assert rules_of(with_changes(issuanceDate="2010-01-01T00:00:00Z")) == ["date-v1-term"]


def test_vc_1_1_requires_issuance_date():
    document = with_changes(context=[VC_V1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"])
    del document["validFrom"]
    assert rules_of(document) == ["date-issuance-required"]
    document["issuanceDate"] = "2010-01-01T00:00:00Z"
    assert rules_of(document) == []


@pytest.mark.parametrize("key", ["credentialStatus", "refreshService", "termsOfUse", "evidence"])
def test_related_objects_need_a_type(key):
    assert rules_of(with_changes(**{key: {"id": "https://example.org/x"}})) == [f"{key}-type"]


@pytest.mark.parametrize("key", ["credentialStatus", "credentialSchema", "evidence"])
def test_related_objects_must_be_objects(key):
    assert rules_of(with_changes(**{key: ["https://example.org/x"]})) == [f"{key}-object"]


def test_credential_schema_needs_an_id():
    assert rules_of(with_changes(credentialSchema={"type": "JsonSchema"})) == ["credentialSchema-id"]


def test_related_object_ids_are_urls():
    assert rules_of(with_changes(evidence=[{"id": "photo 1", "type": ["Evidence"]}])) == ["evidence-id"]


def test_related_objects_not_empty_arrays():
    assert rules_of(with_changes(evidence=[])) == ["evidence-empty"]


def test_name_and_description_are_strings_or_language_values():
    assert rules_of(with_changes(name=5)) == ["name-value"]
    assert rules_of(with_changes(description={"@value": "Hi", "@language": "en"})) == []
    assert rules_of(with_changes(description={"text": "Hi"})) == ["description-value"]


def test_input_must_not_be_signed_already():
    assert rules_of(with_changes(proof=[{"type": "DataIntegrityProof"}])) == ["proof-present"]


def test_nulls_are_refused_with_their_path():
    document = base()
    document["credentialSubject"]["achievement"]["image"] = None
    violations = validate(document)
    assert [v.rule for v in violations] == ["null-value"]
    assert violations[0].path == "$.credentialSubject.achievement.image"


def test_every_violation_names_a_path_and_a_reason():
    document = with_changes(context=KeyError, type=KeyError, issuer=KeyError)
    for violation in validate(document):
        assert violation.path.startswith("$") and violation.detail


@pytest.mark.parametrize("value,ok", [
    ("https://example.org/a", True), ("urn:uuid:5d1c", True), ("did:key:z6Mk", True),
    ("mailto:a@example.org", True), ("example.org", False), ("/relative", False),
    ("has space:x", False), ("", False), (None, False), ("http://", False)])
def test_is_url(value, ok):
    assert is_url(value) is ok


def test_validate_does_not_modify_its_input():
    document = base()
    before = copy.deepcopy(document)
    validate(document)
    assert document == before
