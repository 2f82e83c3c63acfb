"""OpenID4VCI offers for integrators and admins: ``POST /api/v1/credentials/<id>/offers``
``{"protocol": "oid4vci"}`` and ``issuer offer CREDENTIAL --protocol oid4vci [--tx-code]``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from issuer import db
from issuer.cli import main
from issuer.community.models import OutboxMessage
from issuer.exchange_models import Exchange
from issuer.oid4vci_models import Oid4vciGrant
from tests.api_helpers import bearer, make_token
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, make_profile


@pytest.fixture
def award_id(app):
    make_profile(app)
    return issue_credential(app, make_achievement(app))


def _offer_uri(url: str) -> str:
    assert url.startswith("openid-credential-offer://?")
    [uri] = parse_qs(urlsplit(url).query)["credential_offer_uri"]
    return uri


def test_the_api_offers_an_openid4vci_offer_the_wallet_can_fetch(app, client, award_id):
    token = make_token(app, scopes=("issue",))
    answer = client.post(f"/api/v1/credentials/{award_id}/offers",
                         json={"protocol": "oid4vci", "tx_code": True}, headers=bearer(token))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    uri = _offer_uri(body["url"])
    offer = client.get(uri.removeprefix(BASE_URL)).get_json()
    grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert grant["tx_code"] == {"input_mode": "numeric", "length": 6,
                                "description": "The code we emailed you"}
    assert body["links"]["oid4vci_by_value"].startswith(
        "openid-credential-offer://?credential_offer=")
    with app.app_context():
        session = db.get_session()
        assert session.get(Exchange, body["exchange"]).protocol == "oid4vci"
        assert session.get(Oid4vciGrant, body["exchange"]).tx_code_required
        [mail] = session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "oid4vci_tx_code")).all()
        assert mail.exchange_id == body["exchange"]


@pytest.mark.parametrize("body", [{"protocol": "oid4vci", "tx_code": "yes"},
                                  {"protocol": "vcapi", "tx_code": True}])
def test_the_api_refuses_a_bad_tx_code_option(app, client, award_id, body):
    token = make_token(app, scopes=("issue",))
    answer = client.post(f"/api/v1/credentials/{award_id}/offers", json=body,
                         headers=bearer(token))
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"


@pytest.fixture
def env(app, tmp_path) -> dict[str, str]:
    return {"ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
            "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
            "ISSUER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
            "ISSUER_BASE_URL": app.config["BASE_URL"]}


@pytest.mark.parametrize("flags", [[], ["--tx-code"]])
def test_the_cli_prints_the_offer_uri_alone(app, client, env, award_id, flags):
    result = CliRunner().invoke(main, ["offer", award_id, "--protocol", "oid4vci", *flags],
                                env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert client.get(_offer_uri(line).removeprefix(BASE_URL)).status_code == 200
    with app.app_context():
        [row] = db.get_session().scalars(select(Oid4vciGrant)).all()
        assert row.tx_code_required is bool(flags)
        assert row.exchange.created_by == "cli"


def test_the_cli_refuses_tx_code_for_other_protocols(env, award_id):
    result = CliRunner().invoke(main, ["offer", award_id, "--protocol", "lcw", "--tx-code"],
                                env=env)
    assert result.exit_code == 1 and "tx_code" in result.output
