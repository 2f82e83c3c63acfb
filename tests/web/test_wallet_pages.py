"""Where recipients and admins meet wallet delivery: the claim page's "Add to Learner
Credential Wallet" button and QR code, and the admin credential page's exchanges and copies."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from issuer import db
from issuer.clock import utc_now
from issuer.community import claims
from issuer.exchange_models import Exchange
from issuer.models import IssuedCredential
from issuer.services import status
from issuer.services.keystore import FileKeyStore
from tests.service_fixtures import (
    BASE_URL,
    csrf_token,
    issue_credential,
    make_achievement,
    make_profile,
)
from tests.web.presentation_helpers import HOLDER_KEY, did_of, signed_presentation


@pytest.fixture
def award_id(app):
    make_profile(app)
    return issue_credential(app, make_achievement(app, name="Workshop"))


def open_claim(app, client, award_id):
    with app.app_context():
        row = db.get_session().get(IssuedCredential, award_id)
        token = claims.make_token(app.config["SECRET_KEY"], credential_id=row.id,
                                  recipient_id=row.recipient_id)
    client.post("/claim", data={"csrf_token": csrf_token(client, "/claim"), "token": token})
    return client.get("/claim/credential")


def lcw_link(page_html: str) -> str:
    found = re.search(r'id="add-to-lcw" href="([^"]+)"', page_html)
    assert found, "no Add to Learner Credential Wallet button"
    return html.unescape(found.group(1))


def test_the_claim_page_offers_a_working_lcw_link_and_qr_code(app, client, award_id):
    page = open_claim(app, client, award_id)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Add to Learner Credential Wallet" in text
    assert 'id="lcw-qr" src="data:image/svg+xml;base64,' in text
    params = {k: v[0] for k, v in parse_qs(urlsplit(lcw_link(text)).query).items()}
    presentation = signed_presentation([], key=HOLDER_KEY, challenge=params["challenge"],
                                       domain=None)
    answer = client.post(urlsplit(params["vc_request_url"]).path, json=presentation)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["credentialSubject"]["id"] == did_of(HOLDER_KEY)
    with app.app_context():
        [exchange] = db.get_session().scalars(
            select(Exchange).where(Exchange.protocol == "lcw")).all()
        assert (exchange.protocol, exchange.created_by, exchange.state) == (
            "lcw", "recipient", "completed")


def test_a_revoked_credential_is_not_offered_to_wallets(app, client, award_id):
    with app.app_context():
        session = db.get_session()
        status.revoke(session, session.get(IssuedCredential, award_id), reason="error",
                      actor=status.CLI, keystore=FileKeyStore(app.config["KEYS_DIR"]),
                      base_url=BASE_URL, now=utc_now())
    text = open_claim(app, client, award_id).get_data(as_text=True)
    assert "add-to-lcw" not in text
    with app.app_context():
        assert db.get_session().scalars(select(Exchange)).all() == []


def test_the_admin_credential_page_lists_exchanges_and_wallets(app, admin_client):
    award = issue_credential(app, make_achievement(app, name="Workshop"))
    empty = admin_client.get(f"/admin/credentials/{award}").get_data(as_text=True)
    assert 'id="no-copies"' in empty and 'id="no-exchanges"' in empty
    visitor = app.test_client()
    text = open_claim(app, visitor, award).get_data(as_text=True)
    params = {k: v[0] for k, v in parse_qs(urlsplit(lcw_link(text)).query).items()}
    visitor.post(urlsplit(params["vc_request_url"]).path,
                 json=signed_presentation([], key=HOLDER_KEY, challenge=params["challenge"],
                                          domain=None))
    page = admin_client.get(f"/admin/credentials/{award}").get_data(as_text=True)
    assert 'id="holder-copies"' in page and did_of(HOLDER_KEY) in page
    assert 'id="exchanges"' in page and "completed" in page and "recipient" in page
