"""Offers for integrators and admins: ``POST /api/v1/credentials/<id>/offers`` and
``issuer offer CREDENTIAL --protocol vcapi|lcw`` (the URL alone on stdout)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from issuer import db
from issuer.cli import main
from issuer.exchange_models import Exchange
from tests.api_helpers import bearer, make_token
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, make_profile


@pytest.fixture
def award_id(app):
    make_profile(app)
    return issue_credential(app, make_achievement(app))


def test_the_api_offers_a_vcapi_exchange(app, client, award_id):
    token = make_token(app, scopes=("issue",))
    answer = client.post(f"/api/v1/credentials/{award_id}/offers", json={"protocol": "vcapi"},
                         headers=bearer(token))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["url"] == f"{BASE_URL}/exchanges/{body['exchange']}?iuv=1"
    assert body["protocol"] == "vcapi" and body["expiresAt"].endswith("Z")
    with app.app_context():
        row = db.get_session().get(Exchange, body["exchange"])
        assert (row.credential_id, row.protocol, row.created_by) == (award_id, "vcapi",
                                                                     row.created_by)
        assert row.created_by.startswith("token:")


def test_the_api_offers_an_lcw_link(app, client, award_id):
    token = make_token(app, scopes=("issue",))
    answer = client.post(f"/api/v1/credentials/{award_id}/offers", json={"protocol": "lcw"},
                         headers=bearer(token))
    assert answer.status_code == 201
    params = parse_qs(urlsplit(answer.get_json()["url"]).query)
    assert params["auth_type"] == ["bearer"] and params["challenge"][0]


@pytest.mark.parametrize("body, status", [({"protocol": "carrier-pigeon"}, 422), ({}, 422),
                                          ({"protocol": "lcw", "txCode": "1"}, 400), ([], 400)])
def test_the_api_refuses_bad_requests(app, client, award_id, body, status):
    token = make_token(app, scopes=("issue",))
    answer = client.post(f"/api/v1/credentials/{award_id}/offers", json=body,
                         headers=bearer(token))
    assert answer.status_code == status and answer.mimetype == "application/problem+json"


def test_the_api_needs_the_issue_scope_and_the_profile(app, client, award_id):
    reader = make_token(app, scopes=("read",))
    assert client.post(f"/api/v1/credentials/{award_id}/offers", json={"protocol": "lcw"},
                       headers=bearer(reader)).status_code == 403
    assert client.post(f"/api/v1/credentials/{award_id}/offers",
                       json={"protocol": "lcw"}).status_code == 401
    with app.app_context():
        assert db.get_session().scalars(select(Exchange)).all() == []


@pytest.fixture
def env(app, tmp_path) -> dict[str, str]:
    return {
        "ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
        "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
        "ISSUER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
        "ISSUER_BASE_URL": app.config["BASE_URL"],
    }


@pytest.mark.parametrize("protocol, start", [("vcapi", f"{BASE_URL}/exchanges/"),
                                              ("lcw", "https://lcw.app/request?issuer=")])
def test_the_cli_prints_the_url_alone(app, env, award_id, protocol, start):
    result = CliRunner().invoke(main, ["offer", f"{BASE_URL}/credentials/{award_id}",
                                       "--protocol", protocol], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(start)
    with app.app_context():
        [row] = db.get_session().scalars(select(Exchange)).all()
        assert (row.protocol, row.created_by) == (protocol, "cli")


def test_the_cli_refuses_an_unknown_protocol(env, award_id):
    result = CliRunner().invoke(main, ["offer", award_id, "--protocol", "fax"], env=env)
    assert result.exit_code == 1 and "unknown protocol" in result.output
