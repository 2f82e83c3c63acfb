"""API tokens and OAuth clients: the admin pages (secret shown once, stored hashed, revoked)
and the `issuer tokens` commands."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import select

from issuer import db
from issuer.cli import main
from issuer.models import ApiToken, OAuthClient
from tests.api_helpers import bearer, minimal_vc
from tests.service_fixtures import csrf_token


def test_admin_creates_uses_and_revokes_a_token(app, admin_client):
    page = admin_client.get("/admin/api-access/")
    assert page.status_code == 200 and "No API tokens yet." in page.get_data(as_text=True)
    created = admin_client.post("/admin/api-access/tokens", data={
        "csrf_token": csrf_token(admin_client, "/admin/api-access/"), "token-issuer": "main",
        "token-name": "LMS", "token-scopes": ["issue", "read"]})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    token = re.search(r'<code id="secret">(obi_[^<]+)</code>', created.get_data(as_text=True))[1]
    answer = admin_client.post("/credentials/issue", headers=bearer(token),
                               json={"credential": minimal_vc()})
    assert answer.status_code == 201
    listing = admin_client.get("/admin/api-access/").get_data(as_text=True)
    assert token not in listing and token.split("_")[1] in listing  # only the id part
    with app.app_context():
        row = db.get_session().scalar(select(ApiToken))
        assert row.scopes == ["issue", "read"] and token not in row.token_hash
    unconfirmed = admin_client.post(f"/admin/api-access/tokens/{row.id}/revoke",
                                    data={"csrf_token": csrf_token(admin_client,
                                                                   "/admin/api-access/")})
    assert unconfirmed.status_code == 302
    still = admin_client.post("/credentials/issue", headers=bearer(token),
                              json={"credential": minimal_vc()})
    assert still.status_code == 201  # nothing changed without the confirmation box
    listing = admin_client.get("/admin/api-access/").get_data(as_text=True)
    assert "Nothing was changed: tick the confirmation box first." in listing
    revoked = admin_client.post(f"/admin/api-access/tokens/{row.id}/revoke",
                                data={"csrf_token": csrf_token(admin_client,
                                                               "/admin/api-access/"),
                                      "confirm": "yes"})
    assert revoked.status_code == 302
    refused = admin_client.post("/credentials/issue", headers=bearer(token),
                                json={"credential": minimal_vc()})
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]


def test_admin_form_errors_and_clients(app, admin_client):
    bad = admin_client.post("/admin/api-access/tokens", data={
        "csrf_token": csrf_token(admin_client, "/admin/api-access/"), "token-issuer": "main"})
    assert bad.status_code == 422 and "Choose at least one scope." in bad.get_data(as_text=True)
    no_csrf = admin_client.post("/admin/api-access/clients", data={
        "client-issuer": "main", "client-name": "X", "client-scopes": ["issue"]})
    assert no_csrf.status_code == 400  # the app-wide CSRF check
    created = admin_client.post("/admin/api-access/clients", data={
        "csrf_token": csrf_token(admin_client, "/admin/api-access/"), "client-issuer": "main",
        "client-name": "Moodle", "client-scopes": ["issue"]})
    html = created.get_data(as_text=True)
    client_id = re.search(r'<code id="client-id">([^<]+)</code>', html)[1]
    secret = re.search(r'<code id="secret">([^<]+)</code>', html)[1]
    grant = admin_client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    assert grant.status_code == 200
    with app.app_context():
        client = db.get_session().scalar(select(OAuthClient))
        assert secret not in client.secret_hash and client.scopes == ["issue"]
    listing = admin_client.get("/admin/api-access/").get_data(as_text=True)
    assert client_id in listing and secret not in listing


def test_cli_tokens_create_list_revoke(app, profile, tmp_path):
    env = {"ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
           "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
           "ISSUER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
           "ISSUER_BASE_URL": app.config["BASE_URL"]}
    runner = CliRunner()
    created = runner.invoke(main, ["tokens", "create", "--issuer", "main", "--scope", "issue",
                                   "--scope", "read", "--name", "CI"], env=env)
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert re.fullmatch(r"obi_[0-9a-f]{16}_[\w-]{43}", token)
    listed = runner.invoke(main, ["tokens", "list"], env=env)
    token_id, prefix, issuer, scopes, *_, state, name = listed.stdout.strip().split("\t")
    assert (prefix, issuer, scopes, state, name) == (
        f"obi_{token.split('_')[1]}_…", "main", "issue,read", "active", "CI")
    assert token not in listed.stdout
    client = app.test_client()
    assert client.post("/credentials/issue", headers=bearer(token),
                       json={"credential": minimal_vc()}).status_code == 201
    revoked = runner.invoke(main, ["tokens", "revoke", token_id], env=env)
    assert revoked.exit_code == 0 and revoked.stdout == ""
    assert client.post("/credentials/issue", headers=bearer(token),
                       json={"credential": minimal_vc()}).status_code == 401
    bad = runner.invoke(main, ["tokens", "create", "--issuer", "main", "--scope", "fly"],
                        env=env)
    assert bad.exit_code == 1 and "Unknown scope fly" in bad.stderr
