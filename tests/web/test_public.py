"""Public pages and hosted JSON-LD documents, through the Flask test client."""

from __future__ import annotations

import json

import pytest

from issuer import db
from issuer.clock import utc_now
from issuer.dataintegrity.canonicalize import find_undefined_terms
from issuer.dataintegrity.document_loader import DEFAULT_LOADER
from issuer.models import IssuedCredential
from issuer.services import images
from issuer.services.tx import atomic
from issuer.verification.verifier import verify_credential
from tests.service_fixtures import (
    BASE_URL,
    SAFE_SVG,
    issue_credential,
    make_achievement,
    make_profile,
    png_bytes,
)

LD = {"Accept": "application/ld+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
DID = "did:web:localhost%3A5000"


@pytest.fixture
def achievement_id(app, profile):
    return make_achievement(app, name="Python Basics <script>",
                            criteria_narrative="Do **this**.\n\n<script>alert(1)</script>"
                                               "[x](javascript:alert(1))")


@pytest.fixture
def credential_id(app, achievement_id):
    return issue_credential(app, achievement_id, name="Alice")


def test_landing_page_lists_the_achievements(client, achievement_id):
    page = client.get("/", headers=BROWSER).get_data(as_text=True)
    assert "Example University" in page
    assert f'href="/achievements/{achievement_id}"' in page
    assert "Python Basics &lt;script&gt;" in page


def test_landing_page_before_init_says_what_to_do(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "issuer init" in response.get_data(as_text=True)


@pytest.mark.parametrize("accept", ["application/ld+json", "application/json",
                                    "application/vc+ld+json",
                                    "application/ld+json;q=0.9, text/html;q=0.5"])
def test_profile_json_ld_by_accept(client, profile, accept):
    response = client.get("/issuers/main", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept.split(";")[0]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers["Vary"]
    document = response.get_json(force=True)
    assert document["id"] == DID and document["type"] == ["Profile"]
    assert document["name"] == "Example University"
    assert document["assertionMethod"] == [document["verificationMethod"][0]["id"]]
    assert find_undefined_terms(document, loader=DEFAULT_LOADER) == []


@pytest.mark.parametrize("headers", [BROWSER, {}, {"Accept": "*/*"},
                                     {"Accept": "text/html, application/json;q=0.5"}])
def test_profile_html_for_people(client, profile, headers):
    response = client.get("/issuers/main", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert DID in response.get_data(as_text=True)


def test_default_did_document_at_well_known(client, profile):
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.data)
    assert document["id"] == DID
    [method] = document["verificationMethod"]
    assert method["id"] == f"{DID}#{method['publicKeyMultibase']}"
    assert document["assertionMethod"] == [method["id"]]
    assert client.get("/did.json").get_json(force=True) == document


def test_other_profiles_did_documents_live_under_their_path(app, client, profile):
    make_profile(app, slug="chemistry", name="Chemistry Dept")
    document = client.get("/issuers/chemistry/did.json").get_json(force=True)
    assert document["id"] == f"{DID}:issuers:chemistry"
    assert client.get("/issuers/main/did.json").status_code == 404
    assert client.get("/issuers/nope/did.json").status_code == 404


def test_did_key_issuer_has_no_did_web_document(app, client):
    make_profile(app, did_method="key")
    response = client.get("/.well-known/did.json", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "did:key" in response.get_json()["detail"]


def test_achievement_json_ld(client, achievement_id):
    response = client.get(f"/achievements/{achievement_id}", headers=LD)
    document = response.get_json(force=True)
    assert document["id"] == f"{BASE_URL}/achievements/{achievement_id}"
    assert document["type"] == ["Achievement"]
    assert document["criteria"]["narrative"].startswith("Do **this**.")
    assert find_undefined_terms(document, loader=DEFAULT_LOADER) == []


def test_achievement_page_renders_markdown_safely(client, achievement_id):
    page = client.get(f"/achievements/{achievement_id}").get_data(as_text=True)
    assert "<strong>this</strong>" in page
    assert "<script>alert" not in page
    assert "javascript:" not in page


def test_credential_json_is_served_byte_for_byte(app, client, credential_id):
    with app.app_context():
        stored = db.get_session().get(IssuedCredential, credential_id).document.encode("utf-8")
    response = client.get(f"/credentials/{credential_id}",
                          headers={"Accept": "application/vc+ld+json"})
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    assert response.data == stored
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    download = client.get(f"/credentials/{credential_id}/download")
    assert download.data == stored
    assert "attachment" in download.headers["Content-Disposition"]


def test_served_credential_verifies_against_served_did_document(client, credential_id):
    document = json.loads(client.get(f"/credentials/{credential_id}", headers=LD).data)
    did_document = json.loads(client.get("/.well-known/did.json").data)
    result = verify_credential(document, now=utc_now(),
                               resolve_controller={did_document["id"]: did_document}.get)
    assert result.verified, result.to_dict()


def test_credential_page_for_people(client, credential_id):
    page = client.get(f"/credentials/{credential_id}", headers=BROWSER).get_data(as_text=True)
    assert "Awarded to <strong>Alice</strong>" in page
    assert "Example University" in page
    assert "<script>alert" not in page
    assert "alice@example.org" not in page  # the email is only in hashed form
    assert f'<meta property="og:url" content="{BASE_URL}/credentials/{credential_id}">' in page


@pytest.mark.parametrize("path", ["/credentials/00000000-0000-0000-0000-000000000000",
                                  "/credentials/not-a-uuid", "/achievements/x",
                                  "/issuers/nobody", "/images/abc.png", "/no/such/page"])
def test_missing_documents_are_404_problem_details_or_page(client, profile, path):
    as_json = client.get(path, headers=LD)
    assert as_json.status_code == 404
    assert as_json.mimetype == "application/problem+json"
    assert as_json.get_json()["status"] == 404
    as_html = client.get(path, headers=BROWSER)
    assert as_html.status_code == 404 and as_html.mimetype == "text/html"


def test_wrong_method_is_405_with_allow(client, profile):
    response = client.delete("/issuers/main", headers=LD)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["title"] == "Method Not Allowed"


@pytest.mark.parametrize(("data", "extension", "content_type"),
                         [(None, "png", "image/png"), (SAFE_SVG, "svg", "image/svg+xml")])
def test_images_are_served_with_a_strict_policy(app, client, data, extension, content_type):
    data = data or png_bytes()
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            image_id = images.store_image(session, data, max_bytes=10**6, now=utc_now()).id
    response = client.get(f"/images/{image_id}.{extension}")
    assert response.status_code == 200
    assert response.data == data and response.mimetype == content_type
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    other = "svg" if extension == "png" else "png"
    assert client.get(f"/images/{image_id}.{other}").status_code == 404
