"""The relatedResource check of the verifier: present only when the credential lists related
resources; vendored contexts compared from their bytes, the others through the injected
fetcher; a mismatch fails, a resource that cannot be retrieved is "not checked"."""

import base64
import hashlib

from issuer.dataintegrity.document_loader import context_bytes
from issuer.services.fetch import FetchError
from issuer.verification import problem_types as pt
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW
from tests.unit.verification.test_proof_check import CONTROLLER, ED, sign
from tests.unit.verification.test_verifier import ISSUER, unsigned

V2 = "https://www.w3.org/ns/credentials/v2"
IMAGE = "https://badges.example.org/achievements/first-post/image.png"


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def with_resources(entries):
    return sign({**unsigned(), "relatedResource": entries}, ED)


def verify(document, fetch_resource=None):
    return verify_credential(document, now=NOW, resolve_controller={ISSUER: CONTROLLER}.get,
                             fetch_resource=fetch_resource)


def test_no_related_resources_no_check():
    result = verify(sign(unsigned(), ED))
    assert "relatedResource" not in [check.id for check in result.checks]


def test_matching_resources_pass():
    seen = []

    def fetch(url, media_type):
        seen.append((url, media_type))
        return b"image bytes"

    document = with_resources([{"id": V2, "digestSRI": sri(context_bytes(V2))},
                               {"id": IMAGE, "mediaType": "image/png",
                                "digestSRI": sri(b"image bytes")}])
    result = verify(document, fetch)
    assert result.verified, result.to_dict()["errors"]
    check = result.check("relatedResource")
    assert (check.status, check.detail) == (Status.PASSED,
                                            "2 related resources match their digests")
    assert seen == [(IMAGE, "image/png")]  # the vendored context is not fetched


def test_a_digest_that_does_not_match_fails():
    document = with_resources([{"id": IMAGE, "digestSRI": sri(b"the real image")}])
    result = verify(document, lambda url, media_type: b"another image")
    assert not result.verified
    check = result.check("relatedResource")
    assert check.status is Status.FAILED
    assert [p.type for p in check.problems] == [pt.RELATED_RESOURCE_MISMATCH]
    assert check.detail == f"the digestSRI (sha384) of {IMAGE} does not match the resource"


def test_a_resource_that_cannot_be_retrieved_is_not_checked_never_passed():
    def unreachable(url, media_type):
        raise FetchError(f"{url} answered HTTP 404")

    document = with_resources([{"id": IMAGE, "digestSRI": sri(b"x")}])
    for fetch in (None, unreachable):
        result = verify(document, fetch)
        check = result.check("relatedResource")
        assert check.status is Status.NOT_CHECKED
        assert result.verified and result.verdict.value == "incomplete"
    assert "answered HTTP 404" in verify(document, unreachable).check("relatedResource").detail


def test_malformed_entries_fail_with_malformed_value_error():
    document = with_resources([{"id": IMAGE, "digestSRI": sri(b"x")},
                               {"id": IMAGE, "digestMultibase": "uAAAA"}])
    check = verify(document).check("relatedResource")
    assert check.status is Status.FAILED
    assert [p.type for p in check.problems] == [pt.MALFORMED_VALUE_ERROR]
    assert "listed twice" in check.detail and "multihash" in check.detail


def test_fetching_stops_when_its_time_budget_is_spent(monkeypatch):
    from issuer.verification import related_check
    monkeypatch.setattr(related_check, "FETCH_BUDGET_SECONDS", -1.0)
    calls = []
    document = with_resources([{"id": IMAGE, "digestSRI": sri(b"x")}])
    check = verify(document, lambda url, media_type: calls.append(url) or b"x") \
        .check("relatedResource")
    assert calls == [] and check.status is Status.NOT_CHECKED
    assert "s spent fetching the others" in check.detail
