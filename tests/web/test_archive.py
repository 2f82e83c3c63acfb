"""Archived achievements (issue 14, item 3): nothing new is issued by any path (the one check
in issuance.check_request, through the admin form, the API, bulk, the CLI and award rules);
what was issued still verifies and its pages work; archived ones leave the issuing choices
for an Archived list, and can be restored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.errors import ValidationFailed
from issuer.models import Achievement, IssuedCredential
from issuer.services import issuance
from issuer.services.keystore import FileKeyStore
from tests.api_helpers import bearer, make_token
from tests.community.helpers import verify_issued
from tests.service_fixtures import csrf_token, issue_credential, make_achievement


def _count(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(IssuedCredential))


def _archive(admin_client, achievement_id, action="archive"):
    path = f"/admin/achievements/{achievement_id}"
    return admin_client.post(f"{path}/{action}", data={"csrf_token": csrf_token(admin_client, path)})


def test_archive_stops_issuing_everywhere_and_restore_resumes(app, admin_client, client):
    achievement_id = make_achievement(app, name="Old Course")
    issued = issue_credential(app, achievement_id, email="ada@example.org")
    response = _archive(admin_client, achievement_id)
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is archived: nothing new is issued for it" in page and 'id="archived-note"' in page
    with app.app_context():
        assert db.get_session().get(Achievement, achievement_id).archived_at is not None

    # the service every path goes through (CLI, bulk, award rules, the APIs, the admin form)
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        issuance.issue(db.get_session(),
                       issuance.IssueRequest(achievement_id=achievement_id, email="b@example.org"),
                       keystore=FileKeyStore(app.config["KEYS_DIR"]),
                       base_url=app.config["BASE_URL"], now=utc_now())
    assert "“Old Course” is archived" in refused.value.errors["achievement"]

    api = client.post("/api/v1/credentials", headers=bearer(make_token(app)),
                      json={"achievement": achievement_id, "recipient": {"email": "b@example.org"}})
    assert api.status_code == 422 and "is archived" in api.get_data(as_text=True)

    form = admin_client.post("/admin/issue", data={
        "csrf_token": csrf_token(admin_client, "/admin/issue"), "achievement": achievement_id,
        "email": "b@example.org"})
    assert form.status_code == 422
    assert _count(app) == 1

    # left out of the issuing choices, shown in the Archived list
    assert f'value="{achievement_id}"' not in admin_client.get("/admin/issue").get_data(as_text=True)
    bulk = admin_client.get("/admin/bulk/")
    assert bulk.status_code == 200 and f'value="{achievement_id}"' not in bulk.get_data(as_text=True)
    dashboard = admin_client.get("/admin/").get_data(as_text=True)
    archived_list = dashboard.split('id="archived-achievements"')[1]
    assert "Old Course" in archived_list

    # what was issued still verifies, and its pages work
    assert verify_issued(app, issued, "ada@example.org").verified
    assert client.get(f"/credentials/{issued}").status_code == 200
    assert client.get(f"/achievements/{achievement_id}").status_code == 200

    restored = _archive(admin_client, achievement_id, "restore")
    assert "is restored" in admin_client.get(restored.headers["Location"]).get_data(as_text=True)
    issue_credential(app, achievement_id, email="b@example.org")
    assert _count(app) == 2
    assert 'id="archived-achievements"' not in admin_client.get("/admin/").get_data(as_text=True)


def test_archiving_needs_csrf(app, admin_client):
    achievement_id = make_achievement(app)
    response = admin_client.post(f"/admin/achievements/{achievement_id}/archive")
    assert response.status_code == 400
    with app.app_context():
        assert db.get_session().get(Achievement, achievement_id).archived_at is None
