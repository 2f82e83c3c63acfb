"""Hosted status lists (GET /status/<id>) and the admin's revoke / suspend / reinstate forms."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import event, select

from issuer import create_app, db
from issuer.clock import utc_now
from issuer.models import IssuedCredential, StatusEntry, StatusEvent, StatusList
from issuer.services import status
from issuer.services.keystore import FileKeyStore
from issuer.statuslist import bitstring
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential
from tests.service_fixtures import (
    BASE_URL,
    csrf_token,
    issue_credential,
    make_achievement,
    offer_suspension,
)


@pytest.fixture
def credential_id(app, profile) -> str:
    """A credential of a profile that offers suspension (both entries)."""
    offer_suspension(app)
    return issue_credential(app, make_achievement(app))


@pytest.fixture
def plain_credential_id(app, profile) -> str:
    """A credential of a profile as created: one revocation entry."""
    return issue_credential(app, make_achievement(app))


def _document(app, credential_id) -> dict:
    with app.app_context():
        return json.loads(db.get_session().get(IssuedCredential, credential_id).document)


def _entry(app, credential_id, purpose) -> dict:
    entries = _document(app, credential_id)["credentialStatus"]
    return next(entry for entry in (entries if isinstance(entries, list) else [entries])
                if entry["statusPurpose"] == purpose)


def _path(url: str) -> str:
    return url.removeprefix(BASE_URL)


# --- GET /status/<id> ------------------------------------------------------------------------


def test_list_is_served_byte_exact_with_etag_and_cache_headers(app, client, credential_id):
    url = _entry(app, credential_id, "revocation")["statusListCredential"]
    response = client.get(_path(url))
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    with app.app_context():
        stored = db.get_session().get(StatusList, url.rsplit("/", 1)[1]).document
    assert response.get_data() == stored.encode("utf-8")
    assert response.headers["ETag"] == f'"{hashlib.sha256(stored.encode()).hexdigest()}"'
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Accept" in response.headers["Vary"]
    document = response.get_json(force=True)
    assert document["id"] == url
    assert document["credentialSubject"]["statusPurpose"] == "revocation"


def test_if_none_match_gets_304_until_the_list_changes(app, client, credential_id):
    url = _path(_entry(app, credential_id, "suspension")["statusListCredential"])
    etag = client.get(url).headers["ETag"]
    cached = client.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.get_data() == b""
    with app.app_context():
        session = db.get_session()
        status.suspend(session, session.get(IssuedCredential, credential_id), actor=status.CLI,
                       keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=BASE_URL,
                       now=utc_now())
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    bits = bitstring.decode_list(fresh.get_json(force=True)["credentialSubject"]["encodedList"])
    index = int(_entry(app, credential_id, "suspension")["statusListIndex"])
    assert bitstring.get_bit(bits, index)


@pytest.mark.parametrize(("accept", "media_type"), [
    ("application/json", "application/json"),
    ("application/ld+json", "application/ld+json"),
    ("text/html,*/*;q=0.8", "application/vc+ld+json"),
    ("*/*", "application/vc+ld+json"),
])
def test_media_type_follows_accept(app, client, credential_id, accept, media_type):
    url = _path(_entry(app, credential_id, "revocation")["statusListCredential"])
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media_type


def test_cors_lets_any_origin_read_lists(app, client, credential_id):
    url = _path(_entry(app, credential_id, "revocation")["statusListCredential"])
    response = client.get(url, headers={"Origin": "https://verifier.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_serving_is_one_read_and_signs_nothing(app, client, credential_id):
    url = _path(_entry(app, credential_id, "revocation")["statusListCredential"])
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine_of(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("SELECT")
    assert "status_lists.document" in statements[0] and "bits" not in statements[0]


@pytest.mark.parametrize("list_id", ["00000000-0000-4000-8000-000000000000", "nope", "1%20or%201"])
@pytest.mark.parametrize("accept", ["application/json", "text/html", "*/*", None])
def test_unknown_lists_are_404_problems(client, list_id, accept):
    """A list is a document, never a page: JSON whatever Accept says (as /openapi.json has
    it)."""
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/status/{list_id}", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_served_list_verifies_against_the_published_did_document(app, client, credential_id):
    url = _path(_entry(app, credential_id, "revocation")["statusListCredential"])
    document = client.get(url).get_json(force=True)
    did_document = client.get("/.well-known/did.json").get_json(force=True)
    result = verify_credential(document, now=utc_now(),
                               resolve_controller={did_document["id"]: did_document}.get)
    assert result.verified, result.to_dict()
    assert result.check("issuer").status is Status.PASSED


# --- admin forms -----------------------------------------------------------------------------


def _post(client, credential_id, action, confirm="yes", **data):
    """Post a status form as the page does, its confirmation box ticked unless confirm=None."""
    token = csrf_token(client, f"/admin/credentials/{credential_id}")
    if confirm is not None:
        data["confirm"] = confirm
    return client.post(f"/admin/credentials/{credential_id}/{action}",
                       data={"csrf_token": token, **data})


@pytest.mark.parametrize("action", ["revoke", "suspend"])
@pytest.mark.parametrize("confirm", [None, "", "no"])
def test_revoke_and_suspend_refuse_without_confirmation(app, admin_client, credential_id,
                                                        action, confirm):
    """Nothing changes (no event, the list unchanged) until the box is ticked; the admin is
    told the consequence."""
    with app.app_context():
        before = db.get_session().scalars(select(StatusList.document_sha256)).all()
    response = _post(admin_client, credential_id, action, confirm=confirm, reason="mistake")
    assert response.status_code == 303
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was changed: tick the confirmation box first." in page
    assert 'data-state="active"' in page
    with app.app_context():
        assert db.get_session().scalar(select(StatusEvent)) is None
        assert db.get_session().scalars(select(StatusList.document_sha256)).all() == before
    done = _post(admin_client, credential_id, action, reason="mistake")
    page = admin_client.get(done.headers["Location"]).get_data(as_text=True)
    assert f'data-state="{action}d"' in page or f'data-state="{action}ed"' in page


def test_the_status_forms_explain_and_require_confirmation(admin_client, credential_id):
    page = admin_client.get(f"/admin/credentials/{credential_id}").get_data(as_text=True)
    assert "Revoking is permanent" in page and "the recipient is not emailed" in page
    assert page.count('name="confirm" value="yes" required') == 2
    assert '<button type="submit" class="danger">Revoke</button>' in page


def test_admin_page_shows_active_status_and_the_forms(admin_client, credential_id):
    page = admin_client.get(f"/admin/credentials/{credential_id}").get_data(as_text=True)
    assert 'data-state="active"' in page
    assert f'action="/admin/credentials/{credential_id}/revoke"' in page
    assert f'action="/admin/credentials/{credential_id}/suspend"' in page
    assert "/reinstate" not in page


def test_a_credential_without_a_suspension_entry_offers_revocation_only(app, admin_client,
                                                                        plain_credential_id):
    path = f"/admin/credentials/{plain_credential_id}"
    page = admin_client.get(path).get_data(as_text=True)
    assert 'data-state="active"' in page and "not revoked." in page
    assert 'id="no-suspension"' in page and "can be revoked but not suspended" in page
    assert 'id="suspend-form"' not in page and 'id="revoke-form"' in page
    with app.app_context():
        before = db.get_session().scalars(select(StatusList.document_sha256)).all()
    for action in ("suspend", "reinstate"):  # a stale page or a hand-made request
        response = _post(admin_client, plain_credential_id, action)
        assert response.status_code == 303
        page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "without a suspension status entry" in page, action
        assert 'data-state="active"' in page
    with app.app_context():
        assert db.get_session().scalars(select(StatusList.document_sha256)).all() == before
        assert db.get_session().scalar(select(StatusEvent)) is None
    assert _post(admin_client, plain_credential_id, "revoke", reason="Wrong person") \
        .status_code == 303
    page = admin_client.get(path).get_data(as_text=True)
    assert 'data-state="revoked"' in page and "Wrong person" in page


def test_admin_revokes_with_a_reason(app, admin_client, credential_id):
    response = _post(admin_client, credential_id, "revoke", reason="Issued <by mistake>")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/credentials/{credential_id}"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The credential is revoked." in page
    assert 'data-state="revoked"' in page
    assert "Issued &lt;by mistake&gt;" in page and "<by mistake>" not in page
    assert "admin@example.org" in page
    assert 'id="revoke-form"' not in page and 'id="suspend-form"' not in page
    with app.app_context():
        recorded = db.get_session().scalar(select(StatusEvent))
        assert (recorded.action, recorded.actor, recorded.reason) == (
            "revoke", "admin@example.org", "Issued <by mistake>")
        assert recorded.admin_user_id is not None


def test_admin_suspends_and_reinstates(app, admin_client, credential_id):
    assert _post(admin_client, credential_id, "suspend").status_code == 303
    page = admin_client.get(f"/admin/credentials/{credential_id}").get_data(as_text=True)
    assert 'data-state="suspended"' in page and 'id="reinstate-form"' in page
    assert 'id="revoke-form"' in page  # a suspended credential may still be revoked
    assert _post(admin_client, credential_id, "reinstate").status_code == 303
    page = admin_client.get(f"/admin/credentials/{credential_id}").get_data(as_text=True)
    assert "The credential is reinstated." in page and 'data-state="active"' in page
    assert page.count("<td>suspend</td>") == 1 and page.count("<td>reinstate</td>") == 1


@pytest.mark.parametrize(("setup", "action", "data", "message"), [
    (None, "revoke", {"reason": ""}, "Give a reason for the revocation."),
    (None, "reinstate", {}, "The credential is not suspended."),
    ("revoke", "reinstate", {}, "A revoked credential cannot be reinstated"),
    ("revoke", "revoke", {"reason": "again"}, "The credential is already revoked."),
])
def test_refusals_are_form_messages(app, admin_client, credential_id, setup, action, data,
                                    message):
    if setup:
        _post(admin_client, credential_id, setup, reason="first")
    with app.app_context():
        before = db.get_session().scalars(select(StatusList.document_sha256)).all()
    response = _post(admin_client, credential_id, action, **data)
    assert response.status_code == 303
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert db.get_session().scalars(select(StatusList.document_sha256)).all() == before


def test_status_changes_need_csrf(app, admin_client, credential_id):
    response = admin_client.post(f"/admin/credentials/{credential_id}/revoke",
                                 data={"reason": "x"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    with app.app_context():
        assert db.get_session().scalar(select(StatusEvent)) is None


def test_status_changes_need_sign_in(app, client, credential_id):
    token = csrf_token(client, "/admin/login")  # a valid token, but nobody signed in
    response = client.post(f"/admin/credentials/{credential_id}/suspend",
                           data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
    with app.app_context():
        assert db.get_session().scalar(select(StatusEvent)) is None


def test_unknown_credential_is_404(admin_client):
    token = csrf_token(admin_client, "/admin/")
    response = admin_client.post("/admin/credentials/00000000-0000-4000-8000-000000000000/revoke",
                                 data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 404


def test_the_public_page_follows_the_status(app, admin_client, credential_id):
    """The public credential page (issue 4) renders verify_document's result, which now
    carries the status: revoked/suspended pages say so, with the reason, and offer no sharing."""
    page = admin_client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert 'data-state="revoked"' not in page and 'id="linkedin-add"' in page
    _post(admin_client, credential_id, "suspend", reason="Exam under review")
    page = admin_client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert 'data-state="suspended"' in page and "Exam under review" in page
    assert 'id="linkedin-add"' not in page
    _post(admin_client, credential_id, "reinstate")
    page = admin_client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert 'data-verified="true"' in page and 'id="linkedin-add"' in page
    _post(admin_client, credential_id, "revoke", reason="Awarded in error")
    page = admin_client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert 'data-state="revoked"' in page and "Awarded in error" in page
    assert 'id="linkedin-add"' not in page


def test_a_database_outage_is_a_503_to_retry_not_a_500(app_config, tmp_path):
    broken = create_app({**app_config,
                         "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/none.sqlite3"})
    response = broken.test_client().get("/status/00000000-0000-4000-8000-000000000000",
                                        headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["title"] == "Service Unavailable"
    db.engine_of(broken).dispose()


def test_admin_page_of_a_credential_without_status_entries(app, admin_client, credential_id):
    with app.app_context():
        session = db.get_session()
        session.query(StatusEntry).delete()
        session.commit()
    page = admin_client.get(f"/admin/credentials/{credential_id}").get_data(as_text=True)
    assert "cannot be revoked or suspended" in page
    assert 'id="revoke-form"' not in page and 'id="suspend-form"' not in page
