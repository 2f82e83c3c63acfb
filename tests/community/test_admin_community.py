"""The community admin pages through their real forms: members, awarding by hand, ending an
award (MVP → MVP Alumni, with revocation), rules with backfill, events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from issuer import db
from issuer.clock import utc_now
from issuer.community import members, services
from issuer.community.models import Award
from issuer.models import IssuedCredential
from issuer.services import status
from tests.community.conftest import drain, pending_tasks
from tests.community.helpers import (
    achievement_with_rule,
    award_names,
    event,
    events_token,
    post,
    verify_issued,
)
from tests.service_fixtures import csrf_token, make_achievement

ADA = "ada@example.org"


def _member_id(app, email=ADA, name="Ada Lovelace") -> int:
    with app.app_context():
        return members.ensure_member(db.get_session(), members.Identity(email=email, name=name),
                                     now=utc_now()).id


def _award(client, member_id, achievement_id, note=""):
    path = f"/admin/community/members/{member_id}"
    return client.post(f"{path}/award", data={"csrf_token": csrf_token(client, path),
                                              "achievement": achievement_id, "note": note})


def test_community_pages_need_an_admin(app, client, profile):
    for path in ("/admin/community/", "/admin/community/members", "/admin/community/rules",
                 "/admin/community/outbox", "/admin/community/events"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_award_by_hand_with_a_note(app, admin_client, smtp_server):
    member_id = _member_id(app)
    project = make_achievement(app, name="Project Badge")
    response = _award(admin_client, member_id, project, note="Led the docs migration")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Project Badge” is awarded to Ada Lovelace." in page
    assert "Led the docs migration" in page and "by hand (admin@example.org)" in page
    with app.app_context():
        award = db.get_session().scalar(select(Award))
        document = json.loads(award.credential.document)
        assert document["evidence"][0]["narrative"] == "Led the docs migration"
        assert award.credential.issued_by_id == award.awarded_by_id is not None
        credential_id = award.credential_id
    assert verify_issued(app, credential_id, ADA).verified
    again = _award(admin_client, member_id, project)
    assert "already has “Project Badge”" in admin_client.get(again.headers["Location"]).get_data(
        as_text=True)
    assert award_names(app, ADA) == ["Project Badge"]
    drain(app)
    assert [item.rcpt_tos for item in smtp_server.wait_for(1)] == [[ADA]]  # announced


def test_award_form_errors_save_nothing(app, admin_client):
    member_id = _member_id(app)
    project = make_achievement(app, name="Project Badge")
    missing = _award(admin_client, member_id, "")
    assert missing.status_code == 422 and "Choose an achievement." in missing.get_data(
        as_text=True)
    long_note = _award(admin_client, member_id, project, note="x" * 1001)
    assert long_note.status_code == 422 and "at most 1000 characters" in long_note.get_data(
        as_text=True)
    assert award_names(app, ADA) == []


def test_ending_mvp_revokes_it_and_awards_the_alumni_badge(app, admin_client, client):
    member_id = _member_id(app)
    mvp = make_achievement(app, name="MVP")
    alumni = make_achievement(app, name="MVP Alumni")
    _award(admin_client, member_id, mvp, note="2026 cohort")
    with app.app_context():
        award = db.get_session().scalar(select(Award))
        award_id, mvp_credential = award.id, award.credential_id
    path = f"/admin/community/members/{member_id}"
    response = admin_client.post(f"/admin/community/awards/{award_id}/end", data={
        "csrf_token": csrf_token(admin_client, path), "end_note": "Term over",
        "revoke": "y", "successor": alumni, "confirm": "yes"})
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“MVP” has ended and its credential is revoked. “MVP Alumni” is awarded." in page
    with app.app_context():
        session = db.get_session()
        ended = session.get(Award, award_id)
        assert ended.ended_at is not None and ended.end_note == "Term over"
        state = status.credential_state(session, session.get(IssuedCredential, mvp_credential))
        assert (state.state, state.reason) == ("revoked", "Term over")
    result = verify_issued(app, mvp_credential, ADA)
    assert not result.verified
    assert {check.id: check.status.value for check in result.checks}["status"] == "failed"
    assert award_names(app, ADA) == ["MVP", "MVP Alumni"]
    public = client.get("/members/ada-lovelace").get_data(as_text=True)
    assert "MVP Alumni" in public and ">MVP</a>" not in public
    again = admin_client.post(f"/admin/community/awards/{award_id}/end", data={
        "csrf_token": csrf_token(admin_client, path), "confirm": "yes"})
    assert "already ended" in admin_client.get(again.headers["Location"]).get_data(as_text=True)


def test_ending_without_revoking_keeps_the_credential_valid(app, admin_client):
    member_id = _member_id(app)
    mvp = make_achievement(app, name="MVP")
    _award(admin_client, member_id, mvp)
    with app.app_context():
        award = db.get_session().scalar(select(Award))
        award_id, credential_id = award.id, award.credential_id
    unconfirmed = admin_client.post(f"/admin/community/awards/{award_id}/end", data={
        "csrf_token": csrf_token(admin_client, f"/admin/community/members/{member_id}")})
    page = admin_client.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    assert "Nothing was changed" in page and "Ending the award cannot be undone" in page
    with app.app_context():
        assert db.get_session().get(Award, award_id).ended_at is None
    response = admin_client.post(f"/admin/community/awards/{award_id}/end", data={
        "csrf_token": csrf_token(admin_client, f"/admin/community/members/{member_id}"),
        "confirm": "yes"})
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“MVP” has ended." in page
    assert verify_issued(app, credential_id, ADA).verified


def test_rule_form_backfill_and_removal(app, admin_client, client):
    token = events_token(app)
    for number in range(3):
        post(client, token, event(f"r{number}", action="research.session"))
    drain(app)
    contributor = make_achievement(app, name="Contributor")
    path = f"/admin/community/rules/{contributor}"
    bad = admin_client.post(path, data={"csrf_token": csrf_token(admin_client, path),
                                        "kind": "count", "action": "research.session"})
    assert bad.status_code == 422 and "Enter how many times" in bad.get_data(as_text=True)
    saved = admin_client.post(path, data={
        "csrf_token": csrf_token(admin_client, path), "kind": "count",
        "action": "research.session", "threshold": "3", "window_from": "2000-01-01",
        "window_until": "2099-12-31"})
    assert saved.status_code == 302
    with app.app_context():
        rule = services.rule_for(db.get_session(), contributor)
        assert (rule.kind, rule.threshold) == ("count", 3)
        assert rule.window_from == datetime(2000, 1, 1, tzinfo=UTC)
        assert rule.window_until == datetime(2100, 1, 1, tzinfo=UTC)  # inclusive day
    form = admin_client.get(path).get_data(as_text=True)
    assert 'value="2099-12-31"' in form and 'value="research.session"' in form
    assert award_names(app, ADA) == []  # saving a rule does not award by itself
    admin_client.post(f"{path}/backfill", data={"csrf_token": csrf_token(admin_client, path)})
    assert pending_tasks(app) == ["community.backfill"]
    drain(app)
    assert award_names(app, ADA) == ["Contributor"]
    listing = admin_client.get("/admin/community/rules").get_data(as_text=True)
    assert "3 × research.session from 2000-01-01 before 2100-01-01" in listing
    admin_client.post(f"{path}/delete", data={"csrf_token": csrf_token(admin_client, path)})
    with app.app_context():  # not confirmed: the rule stays
        assert services.rule_for(db.get_session(), contributor) is not None
    admin_client.post(f"{path}/delete", data={"csrf_token": csrf_token(admin_client, path),
                                             "confirm": "yes"})
    with app.app_context():
        assert services.rule_for(db.get_session(), contributor) is None
    assert award_names(app, ADA) == ["Contributor"]  # awards stay


def test_meta_rule_form_refuses_a_cycle(app, admin_client):
    a = make_achievement(app, name="Alpha")
    b = achievement_with_rule(app, "Beta", "all_of", required=(a,))
    path = f"/admin/community/rules/{a}"
    response = admin_client.post(path, data={"csrf_token": csrf_token(admin_client, path),
                                             "kind": "all_of", "required": [b]})
    assert response.status_code == 422
    assert "would require each other: Alpha → Beta → Alpha" in response.get_data(as_text=True)
    ok = admin_client.post(path, data={"csrf_token": csrf_token(admin_client, path),
                                       "kind": "first", "action": "forum.post"})
    assert ok.status_code == 302


def test_member_and_event_lists(app, admin_client, client):
    post(client, events_token(app), event("e-1", external_id="forum-77"))
    members_page = admin_client.get("/admin/community/members?q=forum-77").get_data(as_text=True)
    assert "Ada Lovelace" in members_page and ADA in members_page
    assert "No members." in admin_client.get("/admin/community/members?q=zzz").get_data(
        as_text=True)
    events_page = admin_client.get("/admin/community/events").get_data(as_text=True)
    assert "<code>e-1</code>" in events_page and "waiting" in events_page
    drain(app)
    assert "waiting" not in admin_client.get("/admin/community/events").get_data(as_text=True)
