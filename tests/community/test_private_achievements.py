"""Achievements visible only to their holder: left off public member pages and listings;
their credentials' pages, JSON, downloads, images and QR codes are 404 to everyone but the
signed-in holder and the browser of the claim link; a shared copy still verifies and the
status lists stay public."""

from __future__ import annotations

import json

from sqlalchemy import select

from issuer import db
from issuer.clock import utc_now
from issuer.community import members
from issuer.models import Achievement, IssuedCredential, StatusEntry
from tests.community.conftest import drain
from tests.community.helpers import fragment_token, link, parts, sign_in_member
from tests.service_fixtures import csrf_token, issue_credential, make_achievement

ADA = "ada@example.org"
PATHS = ("", "/download", "/baked.png", "/baked.svg", "/qr.png", "/qr.svg")


def _member(app, email=ADA, name="Ada Lovelace") -> str:
    with app.app_context():
        return members.ensure_member(db.get_session(), members.Identity(email=email, name=name),
                                     now=utc_now()).slug


def _statuses(client, credential_id, **kwargs) -> dict[str, int]:
    return {path: client.get(f"/credentials/{credential_id}{path}", **kwargs).status_code
            for path in PATHS}


def test_private_credentials_are_the_holders_alone(app, client, smtp_server, profile):
    slug = _member(app)
    _member(app, email="bob@example.org", name="Bob")
    private_id = make_achievement(app, name="Upgrade Notice", private=True)
    public = issue_credential(app, make_achievement(app, name="Open Badge"), email=ADA)
    secret = issue_credential(app, private_id, email=ADA)

    stranger = app.test_client()
    assert set(_statuses(stranger, secret).values()) == {404}
    assert stranger.get(f"/credentials/{secret}",
                        headers={"Accept": "application/vc+ld+json"}).status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    for path in PATHS:  # nothing tells it exists
        missing = stranger.get(f"/credentials/{unknown}{path}").get_data(as_text=True)
        refused = stranger.get(f"/credentials/{secret}{path}").get_data(as_text=True)
        assert refused == missing.replace(unknown, secret)
    assert set(_statuses(stranger, public).values()) == {200}
    page = stranger.get(f"/members/{slug}").get_data(as_text=True)
    assert "Open Badge" in page and "Upgrade Notice" not in page and secret not in page
    assert "Upgrade Notice" not in stranger.get("/").get_data(as_text=True)
    assert "Upgrade Notice" not in stranger.get("/issuers/main").get_data(as_text=True)

    bob = app.test_client()  # another member, signed in: still nothing
    sign_in_member(app, bob, smtp_server, email="bob@example.org")
    assert set(_statuses(bob, secret).values()) == {404}

    sign_in_member(app, client, smtp_server)  # the holder sees everything, never cached
    assert set(_statuses(client, secret).values()) == {200}
    json_answer = client.get(f"/credentials/{secret}", headers={"Accept": "application/json"})
    assert json_answer.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in json_answer.headers["Vary"]
    assert "ETag" not in json_answer.headers  # nothing a cache could revalidate
    html = client.get(f"/credentials/{secret}").get_data(as_text=True)
    assert 'id="private-notice"' in html and "linkedin.com" not in html
    assert client.get(f"/credentials/{secret}/baked.png").headers["Cache-Control"] == \
        "private, no-store"
    me = client.get("/members/me").get_data(as_text=True)
    assert "Upgrade Notice" in me  # on the holder's own list, marked private
    assert f'id="private-{secret}"' in me

    # The copy the holder shares verifies for anyone, with the public status list.
    document = json.loads(json_answer.get_data(as_text=True))
    verified = stranger.post("/credentials/verify", json={"verifiableCredential": document})
    assert verified.status_code == 200 and verified.get_json()["verified"] is True
    with app.app_context():
        entry = db.get_session().scalar(select(StatusEntry).where(
            StatusEntry.credential_id == secret))
        list_id = entry.list_id
    assert stranger.get(f"/status/{list_id}").status_code == 200


def test_the_claim_link_opens_a_private_credential(app, smtp_server, profile):
    secret = issue_credential(app, make_achievement(app, name="Certification", private=True),
                              email="grace@example.org", name="Grace Hopper")
    drain(app)
    _, html = parts(smtp_server.wait_for(1)[0].message)
    token = fragment_token(link(html, "claim"))
    visitor = app.test_client()
    assert set(_statuses(visitor, secret).values()) == {404}
    visitor.post("/claim", data={"csrf_token": csrf_token(visitor, "/claim"), "token": token})
    assert set(_statuses(visitor, secret).values()) == {200}
    assert "Certification" in visitor.get("/claim/credential").get_data(as_text=True)
    assert set(_statuses(app.test_client(), secret).values()) == {404}


def test_admins_mark_an_achievement_private(app, admin_client):
    form = {"csrf_token": csrf_token(admin_client, "/admin/achievements/new"),
            "name": "Upgrade", "description": "An upgrade notice.",
            "criteria_narrative": "Be upgraded.", "achievement_type": "Badge", "tags": "",
            "alignments": "", "private": "y"}
    response = admin_client.post("/admin/achievements/new", data=form,
                                 content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        row = db.get_session().scalar(select(Achievement))
        assert row.private is True
        achievement_id = row.id
    edit = admin_client.get(f"/admin/achievements/{achievement_id}").get_data(as_text=True)
    assert 'id="private" name="private" type="checkbox" value="y" checked' in edit or \
        ('id="private"' in edit and "checked" in edit)
    # Admins still see its credentials (the admin app is not a public page).
    credential_id = issue_credential(app, achievement_id, email="ann@example.org")
    assert admin_client.get(f"/admin/credentials/{credential_id}").status_code == 200
    with app.app_context():
        assert db.get_session().get(IssuedCredential, credential_id).achievement.private
