"""The admin app through its real forms (CSRF tokens included)."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.models import Achievement, IssuedCredential, IssuerProfile, Recipient, StoredImage
from issuer.services.keystore import FileKeyStore
from tests.service_fixtures import (
    SAFE_SVG,
    csrf_token,
    issue_credential,
    make_achievement,
    png_bytes,
)

EVIL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def _count(app, model) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(model))


def _post(client, path, data, *, form_path=None):
    data = {"csrf_token": csrf_token(client, form_path or path), **data}
    return client.post(path, data=data, content_type="multipart/form-data")


ACHIEVEMENT = {
    "name": "Data Wrangler",
    "description": "Cleans data sets.",
    "criteria_narrative": "1. Clean a data set\n2. **Explain** it",
    "achievement_type": "Badge",
    "tags": "data, python, data",
    "alignments": "ESCO data | https://esco.example/data | ESCO | D1",
}


def test_dashboard_lists_profiles_and_achievements(app, admin_client):
    achievement_id = make_achievement(app)
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert "Example University" in page
    assert f"/admin/achievements/{achievement_id}" in page


def test_create_achievement_with_png(app, admin_client):
    response = _post(admin_client, "/admin/achievements/new",
                     {**ACHIEVEMENT, "image": (io.BytesIO(png_bytes()), "badge.png")})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        achievement = db.get_session().scalar(select(Achievement))
        assert achievement.tags == ["data", "python"]
        assert achievement.alignments == [{"target_name": "ESCO data",
                                           "target_url": "https://esco.example/data",
                                           "target_framework": "ESCO", "target_code": "D1"}]
        assert achievement.image.content_type == "image/png"
        achievement_id = achievement.id
    assert response.headers["Location"] == f"/admin/achievements/{achievement_id}"
    document = admin_client.get(f"/achievements/{achievement_id}",
                                headers={"Accept": "application/ld+json"}).get_json(force=True)
    assert document["image"]["id"].startswith("http://localhost:5000/images/")
    assert document["alignment"][0]["targetFramework"] == "ESCO"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter a name."),
    ({"description": " "}, "description", "Enter a description."),
    ({"criteria_narrative": ""}, "criteria_narrative", "Describe what earns"),
    ({"achievement_type": "Wizardry"}, "achievement_type", "achievement types"),
    ({"alignments": "no url here"}, "alignments", "Alignment 1"),
    ({"image": (io.BytesIO(EVIL_SVG), "x.svg")}, "image", "event handlers"),
    ({"image": (io.BytesIO(b"GIF89a...."), "x.gif")}, "image", "Only PNG and SVG"),
])
def test_bad_achievement_input_is_shown_and_nothing_saved(
    app, admin_client, changes, field, message
):
    response = _post(admin_client, "/admin/achievements/new", {**ACHIEVEMENT, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    assert _count(app, Achievement) == 0
    assert _count(app, StoredImage) == 0


def test_edit_achievement_keeps_image_and_updates_fields(app, admin_client):
    _post(admin_client, "/admin/achievements/new",
          {**ACHIEVEMENT, "image": (io.BytesIO(SAFE_SVG), "badge.svg")})
    with app.app_context():
        achievement_id = db.get_session().scalar(select(Achievement.id))
    path = f"/admin/achievements/{achievement_id}"
    form = admin_client.get(path).get_data(as_text=True)
    assert "ESCO data | https://esco.example/data | ESCO | D1" in form
    response = _post(admin_client, path, {**ACHIEVEMENT, "name": "Data Wrangler II", "tags": ""})
    assert response.status_code == 302
    with app.app_context():
        achievement = db.get_session().get(Achievement, achievement_id)
        assert achievement.name == "Data Wrangler II"
        assert achievement.tags == []
        assert achievement.image.content_type == "image/svg+xml"
    bad = _post(admin_client, path, {**ACHIEVEMENT, "name": ""})
    assert bad.status_code == 422
    with app.app_context():
        assert db.get_session().get(Achievement, achievement_id).name == "Data Wrangler II"


def test_unknown_achievement_is_404(admin_client):
    assert admin_client.get("/admin/achievements/nope").status_code == 404


def test_edit_profile(app, admin_client):
    response = _post(admin_client, "/admin/profiles/main", {
        "name": "Example College", "url": "https://college.example",
        "email": "Badges@College.example",
        "description": "We teach.", "image": (io.BytesIO(png_bytes()), "logo.png")})
    assert response.status_code == 302
    document = admin_client.get("/issuers/main", headers={"Accept": "application/json"}).get_json()
    assert document["name"] == "Example College"
    assert document["email"] == "badges@college.example"
    assert document["image"]["id"].endswith(".png")


def test_the_suspension_setting_on_the_profile_forms(app, admin_client):
    page = admin_client.get("/admin/profiles/main").get_data(as_text=True)
    assert 'id="offers_suspension"' in page and "checked" not in page
    assert "1EdTech Open Badges 3.0 schema" in page  # the cost is stated where it is chosen
    created = _post(admin_client, "/admin/profiles/new", {
        "slug": "hr", "name": "HR", "did_method": "web", "offers_suspension": "y"})
    assert created.status_code == 302, created.get_data(as_text=True)
    page = admin_client.get("/admin/profiles/hr").get_data(as_text=True)
    assert re.search(r'<input [^>]*\bchecked\b[^>]*id="offers_suspension"', page)

    def offers(slug):
        with app.app_context():
            return db.get_session().scalar(
                select(IssuerProfile.offers_suspension).where(IssuerProfile.slug == slug))

    assert (offers("main"), offers("hr")) == (False, True)
    turned_on = _post(admin_client, "/admin/profiles/main", {"name": "Example University",
                                                             "offers_suspension": "y"})
    assert turned_on.status_code == 302 and offers("main") is True
    # Saving the form with the box unticked (other edits) turns it off again.
    turned_off = _post(admin_client, "/admin/profiles/hr", {"name": "Human Resources"})
    assert turned_off.status_code == 302 and offers("hr") is False


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"), ({"url": "college.example"}, "url"), ({"email": "x@"}, "email"),
    ({"image": (io.BytesIO(EVIL_SVG), "x.svg")}, "image"),
])
def test_bad_profile_input_is_shown_and_nothing_saved(app, admin_client, changes, field):
    data = {"name": "Example College", "url": "", "email": "", "description": "", **changes}
    response = _post(admin_client, "/admin/profiles/main", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.get_session().scalar(select(IssuerProfile.name)) == "Example University"
    assert _count(app, StoredImage) == 0


def test_rotate_key_keeps_old_key_in_did_document(admin_client):
    before = admin_client.get("/.well-known/did.json").get_json(force=True)
    refused = _post(admin_client, "/admin/profiles/main/rotate-key", {},
                    form_path="/admin/profiles/main")
    assert refused.status_code == 302
    assert admin_client.get("/.well-known/did.json").get_json(force=True) == before
    response = _post(admin_client, "/admin/profiles/main/rotate-key", {"confirm": "yes"},
                     form_path="/admin/profiles/main")
    assert response.status_code == 302
    after = admin_client.get("/.well-known/did.json").get_json(force=True)
    assert len(after["verificationMethod"]) == 2
    assert after["verificationMethod"][0] == before["verificationMethod"][0]


def test_issue_credential_through_the_form(app, admin_client):
    achievement_id = make_achievement(app)
    assert f'<option selected value="{achievement_id}">' in admin_client.get(
        f"/admin/issue?achievement={achievement_id}").get_data(as_text=True)
    until = date.today() + timedelta(days=365)
    response = _post(admin_client, "/admin/issue", {
        "achievement": achievement_id, "email": "Bob@Example.org", "name": "Bob",
        "did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "valid_until": until.isoformat(), "evidence_url": "https://example.org/bob",
        "evidence_narrative": "Great work."})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        row = db.get_session().scalar(select(IssuedCredential))
        assert row.issued_by_id is not None
        document = json.loads(row.document)
    assert response.headers["Location"] == f"/admin/credentials/{row.id}"
    assert document["validUntil"] == f"{until.isoformat()}T23:59:59Z"
    assert document["credentialSubject"]["name"] == "Bob"
    detail = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"http://localhost:5000/credentials/{row.id}" in detail


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": "bob"}, "email", "valid email"),
    ({"achievement": ""}, "achievement", "existing achievement"),
    ({"did": "bob"}, "did", "Enter a DID"),
    ({"valid_until": "2001-01-01"}, "valid_until", "in the future"),
    ({"valid_until": "31/12/2099"}, "valid_until", "Not a valid date"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "web address"),
])
def test_bad_issue_input_is_shown_and_nothing_saved(app, admin_client, changes, field, message):
    achievement_id = make_achievement(app)
    data = {"achievement": achievement_id, "email": "bob@example.org", "name": "Bob", **changes}
    response = _post(admin_client, "/admin/issue", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    assert _count(app, IssuedCredential) == 0
    assert _count(app, Recipient) == 0


def test_credential_list_and_search(app, admin_client):
    achievement_id = make_achievement(app, name="Chemistry 101")
    issue_credential(app, achievement_id, email="carol@example.org", name="Carol")
    issue_credential(app, achievement_id, email="dave@example.org", name="Dave")
    everything = admin_client.get("/admin/credentials").get_data(as_text=True)
    assert "carol@example.org" in everything and "dave@example.org" in everything
    found = admin_client.get("/admin/credentials?q=carol").get_data(as_text=True)
    assert "carol@example.org" in found and "dave@example.org" not in found
    none = admin_client.get("/admin/credentials?q=%25%25&page=x").get_data(as_text=True)
    assert "No credentials." in none
    missing = "/admin/credentials/00000000-0000-0000-0000-000000000000"
    assert admin_client.get(missing).status_code == 404


def test_nul_characters_are_a_400_not_a_500(app, admin_client):
    response = _post(admin_client, "/admin/achievements/new", {**ACHIEVEMENT, "name": "a\x00b"})
    assert response.status_code == 400
    assert "NUL characters" in response.get_data(as_text=True)
    assert admin_client.get("/admin/credentials?q=%00").status_code == 400
    assert _count(app, Achievement) == 0


def test_create_another_issuer_profile(app, admin_client):
    response = _post(admin_client, "/admin/profiles/new", {
        "slug": "physics", "name": "Physics Dept", "did_method": "web", "url": "", "email": "",
        "description": "", "image": (io.BytesIO(SAFE_SVG), "logo.svg")})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/admin/profiles/physics"
    document = admin_client.get("/issuers/physics/did.json").get_json(force=True)
    assert document["id"] == "did:web:localhost%3A5000:issuers:physics"
    profile = admin_client.get("/issuers/physics",
                               headers={"Accept": "application/json"}).get_json()
    assert profile["image"]["id"].endswith(".svg")
    # New achievements can now be filed under either profile.
    assert 'name="issuer"' in admin_client.get("/admin/achievements/new").get_data(as_text=True)
    created = _post(admin_client, "/admin/achievements/new", {**ACHIEVEMENT, "issuer": "physics"},
                    form_path="/admin/achievements/new")
    assert created.status_code == 302
    with app.app_context():
        assert db.get_session().scalar(select(Achievement)).profile.slug == "physics"


@pytest.mark.parametrize(("changes", "field", "status"), [
    ({"slug": "Has Spaces"}, "slug", 422),
    ({"slug": "main"}, "slug", 409),
    ({"name": ""}, "name", 422),
    ({"image": (io.BytesIO(EVIL_SVG), "x.svg")}, "image", 422),
])
def test_bad_new_profile_is_shown_and_nothing_saved(app, admin_client, changes, field, status):
    data = {"slug": "physics", "name": "Physics", "did_method": "key", "url": "", "email": "",
            "description": "", **changes}
    response = _post(admin_client, "/admin/profiles/new", data)
    assert response.status_code == status
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(app, IssuerProfile) == 1
    assert len(FileKeyStore(app.config["KEYS_DIR"]).list()) == 1  # no orphan key file
