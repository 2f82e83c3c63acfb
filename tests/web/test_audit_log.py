"""The audit log (issue 14, item 6): each admin action writes its entry in the action's own
transaction (none when the action fails or is not confirmed), entries hold no secret, and
the page filters by profile, actor and action, a page at a time, for owners only, showing
only the profiles they own."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from issuer import db
from issuer.admin_models import AuditEntry
from issuer.clock import utc_now
from issuer.services import audit, profiles
from issuer.services.tx import atomic
from tests.service_fixtures import (
    csrf_token,
    issue_credential,
    make_achievement,
    make_profile,
    offer_suspension,
)
from tests.web.roles_helpers import client_as


def _entries(app) -> list[AuditEntry]:
    with app.app_context():
        session = db.get_session()
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        session.expunge_all()
        return rows


def _post(client, path, form_path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, form_path), **data})


def test_each_action_writes_one_entry_without_secrets(app, admin_client):
    offer_suspension(app)
    achievement = make_achievement(app)
    response = _post(admin_client, "/admin/issue", "/admin/issue", achievement=achievement,
                     email="ann@example.org", name="Ann")
    credential = response.headers["Location"].rsplit("/", 1)[-1]
    page = f"/admin/credentials/{credential}"
    _post(admin_client, f"{page}/suspend", page, confirm="yes", reason="checking")
    _post(admin_client, f"{page}/reinstate", page)
    _post(admin_client, f"{page}/revoke", page, confirm="yes", reason="mistake")
    _post(admin_client, "/admin/profiles/main/rotate-key", "/admin/profiles/main", confirm="yes")
    _post(admin_client, "/admin/profiles/main", "/admin/profiles/main", name="Renamed U")
    created = _post(admin_client, "/admin/api-access/tokens", "/admin/api-access/", **{
        "token-issuer": "main", "token-name": "ci", "token-scopes": "issue"})
    secret = re.search(r'id="secret">([^<]+)<', created.get_data(as_text=True)).group(1)
    client_page = _post(admin_client, "/admin/api-access/clients", "/admin/api-access/", **{
        "client-issuer": "main", "client-name": "app", "client-scopes": "issue"})
    client_secret = re.search(r'id="secret">([^<]+)<',
                              client_page.get_data(as_text=True)).group(1)
    with app.app_context():
        from issuer.models import ApiToken

        token_id = db.get_session().scalar(select(ApiToken.id).where(ApiToken.name == "ci"))
    _post(admin_client, f"/admin/api-access/tokens/{token_id}/revoke", "/admin/api-access/",
          confirm="yes")
    _post(admin_client, f"/admin/achievements/{achievement}/archive",
          f"/admin/achievements/{achievement}", confirm="yes")
    _post(admin_client, f"/admin/achievements/{achievement}/restore",
          f"/admin/achievements/{achievement}")
    entries = _entries(app)
    assert [e.action for e in entries] == [
        "credential.issue", "credential.suspend", "credential.reinstate", "credential.revoke",
        "key.rotate", "profile.update", "api_token.create", "oauth_client.create",
        "api_token.revoke", "achievement.archive", "achievement.restore"]
    with app.app_context():
        main_id = profiles.profile_by_slug(db.get_session(), "main").id
    assert {e.profile_id for e in entries} == {main_id}
    assert {e.actor_email for e in entries} == {"admin@example.org"}
    assert entries[0].subject == "ann@example.org"
    assert entries[3].subject == credential and entries[3].details == {"reason": "mistake"}
    dumped = json.dumps([[e.subject, e.details] for e in entries])
    assert secret not in dumped and client_secret not in dumped


def test_failed_or_unconfirmed_actions_leave_no_entry(app, admin_client):
    credential = issue_credential(app, make_achievement(app))
    page = f"/admin/credentials/{credential}"
    assert _post(admin_client, f"{page}/revoke", page, reason="x").status_code == 303  # no box
    assert _entries(app) == []
    _post(admin_client, f"{page}/revoke", page, confirm="yes", reason="first")
    _post(admin_client, f"{page}/revoke", page, confirm="yes", reason="again")  # Conflict
    assert [e.details for e in _entries(app)] == [{"reason": "first"}]
    _post(admin_client, "/admin/issue", "/admin/issue", achievement=make_achievement(app),
          email="not an email")  # refused: rolled back
    _post(admin_client, "/admin/profiles/main", "/admin/profiles/main", name="")
    assert len(_entries(app)) == 1


def test_an_entry_is_rolled_back_with_its_failing_action(app, profile):
    with app.app_context():
        session = db.get_session()
        try:
            with atomic(session):
                audit.record(session, actor=None, actor_email="cli", action="key.rotate",
                             now=utc_now(), subject="main")
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
        audit.stage(session, actor=None, actor_email="cli", action="key.rotate", now=utc_now())
        session.rollback()  # a failing action drops what was staged
        with atomic(session):
            pass  # a later commit writes nothing
    assert [(e.subject, e.actor_email) for e in _entries(app)] == []


def test_the_page_filters_paginates_and_shows_owners_their_profiles(app, admin_client):
    make_profile(app, slug="other", name="Other Org")
    with app.app_context():
        session = db.get_session()
        main = profiles.profile_by_slug(session, "main").id
        other = profiles.profile_by_slug(session, "other").id
        with atomic(session):
            for number in range(60):
                audit.record(session, actor=None, actor_email=f"a{number % 2}@example.org",
                             action="key.rotate" if number % 3 else "credential.revoke",
                             now=utc_now(), profile_id=main, subject=f"s{number}")
            audit.record(session, actor=None, actor_email="b@example.org",
                         action="key.rotate", now=utc_now(), profile_id=other,
                         subject="other-thing")
    page = admin_client.get("/admin/audit/").get_data(as_text=True)
    assert "61 entries, page 1 of 2" in page and page.count('<tr data-action=') == 50
    assert "Older" in page
    second = admin_client.get("/admin/audit/?page=2").get_data(as_text=True)
    assert second.count('<tr data-action=') == 11
    only = admin_client.get("/admin/audit/?profile=main&action=credential.revoke"
                            "&actor=a0@example.org").get_data(as_text=True)
    assert "10 entries" in only and 'data-action="key.rotate"' not in only
    assert admin_client.get("/admin/audit/?page=zzz&action=<script>").status_code == 200
    # an owner of "other" only sees its entries; an issuer sees no log
    owner = client_as(app, "o@example.org", {"other": "owner", "main": "viewer"})
    theirs = owner.get("/admin/audit/").get_data(as_text=True)
    assert "1 entry" in theirs and "other-thing" in theirs and "s1<" not in theirs
    issuer = client_as(app, "i@example.org", {"main": "issuer"})
    assert issuer.get("/admin/audit/").status_code == 403


def test_admin_changes_are_audited(app, admin_client):
    response = _post(admin_client, "/admin/admins/invite", "/admin/admins/",
                     email="new@example.org", profile="main", role="viewer")
    link = re.search(r'id="invitation-link">([^<]+)<', response.get_data(as_text=True)).group(1)
    client_as(app, "peer@example.org", {"main": "viewer"})
    with app.app_context():
        from issuer.services import users

        peer = users.admin_by_email(db.get_session(), "peer@example.org").id
    _post(admin_client, f"/admin/admins/main/{peer}/role", "/admin/admins/", role="issuer")
    _post(admin_client, f"/admin/admins/main/{peer}/remove", "/admin/admins/", confirm="yes")
    entries = _entries(app)
    assert [(e.action, e.subject) for e in entries] == [
        ("admin.invite", "new@example.org"), ("admin.role", "peer@example.org"),
        ("admin.remove", "peer@example.org")]
    assert entries[1].details == {"from": "viewer", "to": "issuer"}
    token = link.rsplit("/", 1)[1]
    assert token not in json.dumps([[e.subject, e.details] for e in entries])
