"""Every issuing path gives credentials that pass the vendored 1EdTech OB 3.0 JSON Schemas
literally (issue 11): one ``credentialStatus`` object (revocation), ``proof`` an array. A
profile that offers suspension gives the array of two entries instead, which the schema
refuses at ``$.credentialStatus`` and nowhere else (the cost the README states)."""

from __future__ import annotations

from issuer import db
from issuer.clock import utc_now
from issuer.openbadges import schema_validation
from issuer.services.fetch import FetchPolicy
from issuer.services.verification import verify_document
from issuer.verification.results import Status
from tests.issuing_paths import PATHS, issue_by_every_path
from tests.service_fixtures import make_profile

SCHEMAS = (schema_validation.ACHIEVEMENT_CREDENTIAL,
           schema_validation.ACHIEVEMENT_CREDENTIAL_STRICT)


def _errors(document, schema):
    """Every violation of ``schema`` by the document as it is (no adjustment)."""
    return list(schema_validation.validator(schema).iter_errors(document))


def _verify(app, document):
    with app.app_context():
        return verify_document(db.get_session(), document, base_url=app.config["BASE_URL"],
                               now=utc_now(), policy=FetchPolicy(), network=False)


def test_every_path_passes_the_1edtech_schemas_literally(app, client):
    make_profile(app)
    issued = issue_by_every_path(app, client)
    assert sorted(issued) == sorted(PATHS)
    for path, document in issued.items():
        entry = document["credentialStatus"]
        assert isinstance(entry, dict), path
        assert entry["type"] == "BitstringStatusListEntry", path
        assert entry["statusPurpose"] == "revocation", path
        assert entry["statusListCredential"].startswith(app.config["BASE_URL"] + "/status/")
        assert isinstance(document["proof"], list) and len(document["proof"]) == 1, path
        for schema in SCHEMAS:
            assert _errors(document, schema) == [], (path, schema)
        result = _verify(app, document)
        assert result.verified, (path, result.to_dict())
        schema_check = result.check("schema")
        assert schema_check.status is Status.PASSED, (path, schema_check)
        assert "array" not in (schema_check.detail or ""), path
        assert result.check("status").detail == "not revoked", path


def test_a_profile_offering_suspension_gives_both_entries_and_the_schema_says_so(app, client):
    make_profile(app, offers_suspension=True)
    issued = issue_by_every_path(app, client)
    for path, document in issued.items():
        entries = document["credentialStatus"]
        if path == "vcapi":  # the caller asked for one (revocation) entry: exactly that
            assert entries["statusPurpose"] == "revocation"
            assert _errors(document, schema_validation.ACHIEVEMENT_CREDENTIAL) == []
            continue
        assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
        for schema in SCHEMAS:
            errors = _errors(document, schema)
            assert errors, (path, schema)
            assert {tuple(error.absolute_path) for error in errors} == {("credentialStatus",)}
            for entry in entries:  # each entry, in the schema's one slot, is fine
                assert _errors({**document, "credentialStatus": entry}, schema) == []
        result = _verify(app, document)
        assert result.verified, (path, result.to_dict())
        assert result.check("status").detail == "not revoked; not suspended", path
