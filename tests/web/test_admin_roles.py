"""Roles per issuer profile (issue 14, item 6), enforced on the server: a viewer is refused
every admin POST, an issuer issues and revokes but does not touch keys, API access or
webhooks, an owner does everything; a role on one profile gives nothing on another; the
last owner stays; every admin endpoint of the URL map says what it needs."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.models import ApiToken, IssuedCredential, SigningKey
from issuer.services import admins
from issuer.web.admin import guard
from tests.service_fixtures import csrf_token, issue_credential, make_achievement, make_profile
from tests.web.roles_helpers import client_as, make_role_admin, role_of

NOT_GUARDED = ("auth.", "admin_join.", "static")


def _admin_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") and not rule.endpoint.startswith(NOT_GUARDED):
            yield rule


def test_every_admin_endpoint_names_its_rule(app):
    missing = sorted({rule.endpoint for rule in _admin_routes(app)} - set(guard.RULES))
    assert missing == []
    stale = sorted(set(guard.RULES) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert stale == []


def _world(app):
    """A credential, an achievement, an API token: real ids for the URLs."""
    from issuer.clock import utc_now
    from issuer.services import apiauth, profiles
    from issuer.services.tx import atomic

    achievement = make_achievement(app)
    credential = issue_credential(app, achievement)
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            apiauth.create_api_token(
                session, profile=profiles.profile_by_slug(session, "main"), scopes=["issue"],
                name="ci", now=utc_now(), created_by=None)
        token_id = session.scalar(select(ApiToken.id))
    return {"credential_id": credential, "achievement_id": achievement, "slug": "main",
            "token_id": token_id, "client_pk": 999, "endpoint_id": "nope",
            "job_id": str(uuid.uuid4()), "award_id": 999, "message_id": 999,
            "member_id": 999, "user_id": 1, "invitation_id": 999, "delivery_id": 999,
            "endorsement_id": 999, "row_id": 999}


def _url(rule, values) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(r"<(?:[^:<>]+:)?%s>" % name, str(values[name]), path)
    return path


def _state(app) -> tuple:
    with app.app_context():
        session = db.get_session()
        return (session.scalar(select(func.count()).select_from(SigningKey)),
                session.scalar(select(func.count()).select_from(IssuedCredential)),
                tuple(session.scalars(select(IssuedCredential.status_state))),
                tuple(session.scalars(select(ApiToken.revoked_at))))


def test_viewer_is_refused_every_admin_post(app, admin_client):
    values = _world(app)
    viewer = client_as(app, "viewer@example.org", {"main": "viewer"})
    token = csrf_token(viewer, "/admin/")
    before = _state(app)
    posts = [rule for rule in _admin_routes(app) if "POST" in rule.methods
             and not rule.endpoint.startswith("account.")]
    assert len(posts) > 30
    for rule in posts:
        response = viewer.post(_url(rule, values), data={
            "csrf_token": token, "confirm": "yes", "achievement": values["achievement_id"],
            "token-issuer": "main", "client-issuer": "main", "issuer": "main",
            "profile": "main", "email": "x@example.org", "role": "owner", "reason": "no"})
        assert response.status_code == 403, (rule.rule, response.status_code)
    assert _state(app) == before  # nothing changed
    # and reading stays open to them
    for path in ("/admin/", "/admin/credentials", f"/admin/credentials/{values['credential_id']}",
                 "/admin/credentials.csv", "/admin/community/"):
        assert viewer.get(path).status_code == 200, path
    for path in ("/admin/api-access/", "/admin/webhooks/", "/admin/admins/", "/admin/audit/",
                 "/admin/issue", "/admin/bulk/", "/admin/achievements/new"):
        assert viewer.get(path).status_code == 403, path


def _post(client, path, form_path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, form_path), **data})


def test_issuer_issues_and_revokes_but_does_not_rotate_keys_or_open_api_access(app,
                                                                               admin_client):
    achievement = make_achievement(app)
    issuer = client_as(app, "issuer@example.org", {"main": "issuer"})
    response = _post(issuer, "/admin/issue", "/admin/issue", achievement=achievement,
                     email="bob@example.org", name="Bob")
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    credential = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    page = f"/admin/credentials/{credential}"
    assert _post(issuer, f"{page}/revoke", page, confirm="yes",
                 reason="wrong person").status_code == 303
    with app.app_context():
        assert db.get_session().get(IssuedCredential, credential).status_state == "revoked"
    keys = _state(app)[0]
    assert _post(issuer, "/admin/profiles/main/rotate-key", "/admin/",
                 confirm="yes").status_code == 403
    assert _state(app)[0] == keys
    assert issuer.get("/admin/api-access/").status_code == 403
    assert _post(issuer, "/admin/api-access/tokens", "/admin/", **{
        "token-issuer": "main", "token-name": "x", "token-scopes": "issue"}).status_code == 403
    assert _post(issuer, "/admin/profiles/main", "/admin/", name="Renamed").status_code == 403
    assert _post(issuer, f"/admin/achievements/{achievement}/archive", "/admin/",
                 confirm="yes").status_code == 403
    nav = issuer.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/issue"' in nav and 'href="/admin/api-access/"' not in nav


def test_owner_does_everything(app, admin_client):
    make_achievement(app)
    keys = _state(app)[0]
    assert _post(admin_client, "/admin/profiles/main/rotate-key", "/admin/profiles/main",
                 confirm="yes").status_code == 302
    assert _state(app)[0] == keys + 1
    assert admin_client.get("/admin/api-access/").status_code == 200
    response = _post(admin_client, "/admin/api-access/tokens", "/admin/api-access/", **{
        "token-issuer": "main", "token-name": "ci", "token-scopes": "issue"})
    assert response.status_code == 200 and 'id="secret"' in response.get_data(as_text=True)
    for path in ("/admin/webhooks/", "/admin/admins/", "/admin/audit/", "/admin/issue"):
        assert admin_client.get(path).status_code == 200, path


def test_a_role_on_one_profile_gives_nothing_on_another(app, admin_client):
    make_profile(app, slug="other", name="Other Org")
    mine = make_achievement(app)
    theirs = make_achievement(app, issuer="other", name="Other badge")
    theirs_credential = issue_credential(app, theirs)
    client = client_as(app, "split@example.org", {"main": "issuer", "other": "viewer"})
    page = f"/admin/credentials/{theirs_credential}"
    assert client.get(page).status_code == 200  # viewer there: may read
    assert _post(client, f"{page}/revoke", page, confirm="yes",
                 reason="x").status_code == 403
    response = _post(client, "/admin/issue", "/admin/issue", achievement=theirs,
                     email="eve@example.org")
    assert response.status_code == 403
    response = _post(client, "/admin/issue", "/admin/issue", achievement=mine,
                     email="eve@example.org")
    assert response.status_code in (302, 303)
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(IssuedCredential)
                                       .where(IssuedCredential.achievement_id == theirs)) == 1


def test_the_last_owner_is_neither_demoted_nor_removed(app, admin_client):
    with app.app_context():
        from issuer.services import users

        me = users.admin_by_email(db.get_session(), "admin@example.org").id
    response = _post(admin_client, f"/admin/admins/main/{me}/role", "/admin/admins/",
                     role="viewer")
    assert "last owner" in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert role_of(app, "admin@example.org") == "owner"
    response = _post(admin_client, f"/admin/admins/main/{me}/remove", "/admin/admins/",
                     confirm="yes")
    assert "last owner" in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert role_of(app, "admin@example.org") == "owner"
    # with a second owner, the first can step down
    make_role_admin(app, "second@example.org", {"main": "owner"})
    assert _post(admin_client, f"/admin/admins/main/{me}/role", "/admin/admins/",
                 role="viewer").status_code == 303
    assert role_of(app, "admin@example.org") == "viewer"
    assert admin_client.get("/admin/admins/").status_code == 403  # no longer an owner


def test_last_owner_rule_in_the_service(app, profile, session):
    from issuer.clock import utc_now
    from issuer.services import profiles, users

    user = users.create_admin(session, email="solo@example.org", password="x" * 12,
                              now=utc_now())
    session.commit()
    pid = profiles.profile_by_slug(session, "main").id
    assert admins.role_on(session, user.id, pid) == "owner"  # made by the operator
    with pytest.raises(admins.LastOwner):
        admins.remove(session, profile_id=pid, user_id=user.id)
    session.rollback()
    with pytest.raises(admins.LastOwner):
        admins.set_role(session, profile_id=pid, user_id=user.id, role="issuer", now=utc_now())
    session.rollback()
    assert admins.role_on(session, user.id, pid) == "owner"


def test_new_profiles_belong_to_their_creator_and_the_instance_owners(app, admin_client):
    make_role_admin(app, "viewer@example.org", {"main": "viewer"})
    response = _post(admin_client, "/admin/profiles/new", "/admin/profiles/new",
                     slug="second", name="Second Org", did_method="web")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert role_of(app, "admin@example.org", "second") == "owner"
    assert role_of(app, "viewer@example.org", "second") is None
    viewer = client_as(app, "viewer2@example.org", {"main": "viewer"})
    assert viewer.get("/admin/profiles/new").status_code == 403


def test_cli_lists_sets_and_removes_roles(app, admin_client, tmp_path):
    from click.testing import CliRunner

    from issuer.cli import main

    env = {"ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
           "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
           "ISSUER_INSTANCE_PATH": str(tmp_path / "cli"), "ISSUER_BASE_URL": app.config["BASE_URL"]}

    def run(*args):
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    result = run("admins", "invite", "--email", "Carol@Example.org", "--role", "viewer",
                 "--by", "admin@example.org")
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith("http://localhost:5000/admin/join/")
    assert admin_client.get(link.removeprefix("http://localhost:5000")).status_code == 200
    make_role_admin(app, "dan@example.org", {"main": "viewer"})
    assert run("admins", "set-role", "--email", "dan@example.org",
               "--role", "issuer").stdout == "dan@example.org\tmain\tissuer\n"
    assert "dan@example.org\tmain\tissuer" in run("admins", "list").stdout
    assert run("admins", "remove", "--email", "dan@example.org").exit_code == 0
    assert role_of(app, "dan@example.org") is None
    refused = CliRunner().invoke(main, ["admins", "remove", "--email", "admin@example.org"],
                                 env=env)
    assert refused.exit_code == 1 and "last owner" in refused.output
    refused = CliRunner().invoke(main, ["admins", "invite", "--email", "e@example.org",
                                        "--by", "dan@example.org"], env=env)
    assert refused.exit_code == 1 and "not an owner" in refused.output


def test_lists_show_only_the_profiles_of_the_reader(app, admin_client):
    make_profile(app, slug="other", name="Other Org")
    issue_credential(app, make_achievement(app), email="main-only@example.org")
    issue_credential(app, make_achievement(app, issuer="other", name="Other badge"),
                     email="other-only@example.org")
    _post(admin_client, "/admin/api-access/tokens", "/admin/api-access/", **{
        "token-issuer": "main", "token-name": "main-token", "token-scopes": "issue"})
    client = client_as(app, "them@example.org", {"other": "owner"})
    listing = client.get("/admin/credentials").get_data(as_text=True)
    assert "other-only@example.org" in listing and "main-only@example.org" not in listing
    csv = client.get("/admin/credentials.csv").get_data(as_text=True)
    assert "other-only@example.org" in csv and "main-only@example.org" not in csv
    access = client.get("/admin/api-access/").get_data(as_text=True)
    assert "main-token" not in access and 'value="main"' not in access
    assert "main-token" in admin_client.get("/admin/api-access/").get_data(as_text=True)
    assert 'value="main"' not in client.get("/admin/webhooks/").get_data(as_text=True)


def test_pages_hide_what_the_role_cannot_do(app, admin_client):
    credential = issue_credential(app, make_achievement(app))
    viewer = client_as(app, "look@example.org", {"main": "viewer"})
    page = viewer.get(f"/admin/credentials/{credential}").get_data(as_text=True)
    assert 'id="revoke-form"' not in page and 'id="status-read-only"' in page
    profile_page = viewer.get("/admin/profiles/main").get_data(as_text=True)
    assert "Rotate signing key" not in profile_page and 'id="profile-read-only"' in profile_page
    owner_page = admin_client.get(f"/admin/credentials/{credential}").get_data(as_text=True)
    assert 'id="revoke-form"' in owner_page
    assert "Rotate signing key" in admin_client.get("/admin/profiles/main").get_data(
        as_text=True)


def test_the_dashboard_shows_only_the_readers_profiles(app, admin_client):
    make_profile(app, slug="other", name="Other Org")
    issue_credential(app, make_achievement(app, name="Main badge"))
    issue_credential(app, make_achievement(app, issuer="other", name="Other badge"))
    client = client_as(app, "dash@example.org", {"other": "viewer"})
    page = client.get("/admin/").get_data(as_text=True)
    assert "Other badge" in page and "Main badge" not in page
    assert client.get("/admin/?issuer=main").status_code == 400  # not theirs: not listed
    everything = admin_client.get("/admin/").get_data(as_text=True)
    assert "Other badge" in everything and "Main badge" in everything


def test_an_owner_of_one_profile_creates_achievements_there_only(app, admin_client):
    from issuer.models import Achievement

    make_profile(app, slug="other", name="Other Org")
    client = client_as(app, "own-other@example.org", {"other": "owner", "main": "viewer"})
    assert client.get("/admin/achievements/new").status_code == 200
    fields = {"name": "Theirs", "description": "d", "criteria_narrative": "c",
              "achievement_type": "Badge", "image_source": "none"}
    refused = _post(client, "/admin/achievements/new", "/admin/achievements/new",
                    issuer="main", **fields)
    assert refused.status_code == 403
    made = _post(client, "/admin/achievements/new", "/admin/achievements/new",
                 issuer="other", **fields)
    assert made.status_code in (302, 303), made.get_data(as_text=True)[:2000]
    with app.app_context():
        rows = list(db.get_session().scalars(select(Achievement)))
        assert [(row.name, row.profile.slug) for row in rows] == [("Theirs", "other")]


def test_the_issue_form_offers_only_achievements_the_admin_may_issue(app, admin_client):
    ours = make_achievement(app, name="Main Badge")
    make_profile(app, slug="other", name="Other College")
    theirs = make_achievement(app, issuer="other", name="Other Badge")
    issuer = client_as(app, "issuer@example.org", {"main": "issuer"})
    form = issuer.get("/admin/issue").get_data(as_text=True)
    assert f'value="{ours}"' in form and f'value="{theirs}"' not in form
    both = admin_client.get("/admin/issue").get_data(as_text=True)  # owner of every profile
    assert f'value="{ours}"' in both and f'value="{theirs}"' in both
