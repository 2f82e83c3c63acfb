"""VC-API exchanges with DIDAuth and LCW's vc_request_url flow, through the Flask test client
(issuer.web.wallet); presentations signed with real keys (eddsa-rdfc-2022 here; Digital
Bazaar's Ed25519Signature2020 in tests/interop)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from issuer.clock import utc_now
from issuer.exchange_models import HolderCopy
from issuer.models import IssuedCredential
from issuer.services import offers, status
from issuer.services.fetch import FetchPolicy
from issuer.services.verification import verify_document
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, make_profile
from tests.web.presentation_helpers import HOLDER_KEY, OTHER_KEY, did_of, signed_presentation

ORIGIN = "http://localhost:5000"


@pytest.fixture
def award_id(app):
    make_profile(app)
    return issue_credential(app, make_achievement(app))


def _offer(app, award_id, protocol, *, lifetime=900):
    from issuer import db

    with app.app_context():
        session = db.get_session()
        return offers.make_offer(session, session.get(IssuedCredential, award_id),
                                 protocol=protocol, actor=status.CLI, base_url=BASE_URL,
                                 now=utc_now(), lifetime_seconds=lifetime)


def _path(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _didauth(challenge, *, domain=ORIGIN, key=HOLDER_KEY, holder=None):
    return signed_presentation([], key=key, holder=holder, challenge=challenge, domain=domain)


def _copies(app):
    from issuer import db

    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(HolderCopy))


def _start(client, exchange_path):
    answer = client.post(exchange_path, json={})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["verifiablePresentationRequest"]


# --- the interaction URL ---------------------------------------------------------------------


def test_the_interaction_url_names_the_vcapi_exchange_for_wallets(app, client, award_id):
    offer = _offer(app, award_id, "vcapi")
    assert offer.url == f"{BASE_URL}/exchanges/{offer.exchange.id}?iuv=1"
    answer = client.get(_path(offer.url), headers={"Accept": "application/json"})
    assert answer.status_code == 200
    exchange_url = f"{BASE_URL}/exchanges/{offer.exchange.id}"
    assert answer.get_json() == {"protocols": {"vcapi": exchange_url}}


def test_people_get_a_page_telling_them_to_use_their_wallet(app, client, award_id):
    offer = _offer(app, award_id, "vcapi")
    page = client.get(_path(offer.url), headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "Open this with your digital wallet" in text and 'id="exchange-qr"' in text
    link = offers.lcw_vcalm_link(BASE_URL, offer.exchange.id).replace("&", "&amp;")
    assert link in text


def test_the_vcalm_deep_link_carries_the_invitation(app, award_id):
    offer = _offer(app, award_id, "vcapi")
    link = offer.links["lcw"]
    assert link.startswith("https://lcw.app/request?request=")
    invitation = json.loads(parse_qs(urlsplit(link).query)["request"][0])
    assert invitation == {"credentialRequestOrigin": BASE_URL,
                          "protocols": {"vcapi": f"{BASE_URL}/exchanges/{offer.exchange.id}"}}


# --- the VC-API exchange ---------------------------------------------------------------------


def test_the_vcapi_exchange_delivers_a_holder_bound_copy(app, client, award_id, session):
    offer = _offer(app, award_id, "vcapi")
    path = f"/exchanges/{offer.exchange.id}"
    request = _start(client, path)
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert request["domain"] == ORIGIN and len(request["challenge"]) >= 20
    assert request["interact"]["service"] == [{"type": "UnmediatedPresentationService2021",
                                               "serviceEndpoint": BASE_URL + path}]
    answer = client.post(path, json={"verifiablePresentation": _didauth(request["challenge"])})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["verifiablePresentation"]["type"] == ["VerifiablePresentation"]
    [credential] = body["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == did_of(HOLDER_KEY)
    assert credential["credentialSubject"]["identifier"][0]["hashed"] is True
    assert verify_document(session, credential, base_url=BASE_URL, now=utc_now(),
                           policy=FetchPolicy(), network=False).verified
    replay = client.post(path, json={"verifiablePresentation": _didauth(request["challenge"])})
    assert replay.status_code == 409
    assert replay.mimetype == "application/problem+json"
    assert replay.get_json()["type"] == "urn:issuer:problem:exchange-used"
    assert _copies(app) == 1


@pytest.mark.parametrize("case", ["wrong_domain", "missing_domain", "missing_challenge",
                                  "wrong_challenge", "other_signer", "unsigned", "not_vp"])
def test_bad_presentations_are_refused_and_nothing_is_issued(app, client, award_id, case):
    offer = _offer(app, award_id, "vcapi")
    path = f"/exchanges/{offer.exchange.id}"
    challenge = _start(client, path)["challenge"]
    presentation = {
        "wrong_domain": lambda: _didauth(challenge, domain="https://evil.example"),
        "missing_domain": lambda: _didauth(challenge, domain=None),
        "missing_challenge": lambda: _didauth(None),
        "wrong_challenge": lambda: _didauth("another-challenge"),
        "other_signer": lambda: _didauth(challenge, key=OTHER_KEY, holder=did_of(HOLDER_KEY)),
        "unsigned": lambda: {"@context": ["https://www.w3.org/ns/credentials/v2"],
                             "type": ["VerifiablePresentation"], "holder": did_of(HOLDER_KEY)},
        "not_vp": lambda: "a string",
    }[case]()
    answer = client.post(path, json={"verifiablePresentation": presentation})
    assert 400 <= answer.status_code < 500, answer.get_json()
    problem = answer.get_json()
    assert answer.mimetype == "application/problem+json" and problem["detail"]
    assert _copies(app) == 0
    # the exchange is still usable with a good presentation
    good = client.post(path, json={"verifiablePresentation": _didauth(challenge)})
    assert good.status_code == 200, good.get_json()


def test_an_expired_exchange_is_refused(app, client, award_id, clock):
    offer = _offer(app, award_id, "vcapi", lifetime=60)
    path = f"/exchanges/{offer.exchange.id}"
    challenge = _start(client, path)["challenge"]
    clock.advance(seconds=61)
    answer = client.post(path, json={"verifiablePresentation": _didauth(challenge)})
    assert answer.status_code == 410
    assert answer.get_json()["type"] == "urn:issuer:problem:exchange-expired"
    assert _copies(app) == 0
    assert client.post(path, json={}).status_code == 410


def test_unknown_exchanges_and_wrong_protocols_are_404(app, client, award_id):
    lcw = _offer(app, award_id, "lcw")
    assert client.post(f"/exchanges/{lcw.exchange.id}", json={}).status_code == 404
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.post(f"/exchanges/{missing}", json={}).status_code == 404
    assert client.get(f"/exchanges/{missing}?iuv=1").status_code == 404


# --- LCW's vc_request_url flow ---------------------------------------------------------------


def test_the_lcw_deep_link_flow_delivers_the_copy_itself(app, client, award_id):
    offer = _offer(app, award_id, "lcw")
    parts = urlsplit(offer.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "lcw.app", "/request")
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert params["auth_type"] == "bearer"
    assert params["vc_request_url"] == f"{BASE_URL}/exchanges/{offer.exchange.id}/lcw"
    assert params["issuer"].startswith("did:") or params["issuer"].startswith("http")
    # LCW posts the signed presentation itself, with the link's challenge and no domain.
    presentation = _didauth(params["challenge"], domain=None)
    answer = client.post(_path(params["vc_request_url"]), json=presentation)
    assert answer.status_code == 200, answer.get_json()
    credential = answer.get_json()
    assert "VerifiableCredential" in credential["type"]
    assert credential["credentialSubject"]["id"] == did_of(HOLDER_KEY)
    again = client.post(_path(params["vc_request_url"]), json=presentation)
    assert again.status_code == 409 and _copies(app) == 1


def test_the_lcw_flow_refuses_a_foreign_domain(app, client, award_id):
    offer = _offer(app, award_id, "lcw")
    params = {key: values[0] for key, values in parse_qs(urlsplit(offer.url).query).items()}
    answer = client.post(_path(params["vc_request_url"]),
                         json=_didauth(params["challenge"], domain="https://evil.example"))
    assert answer.status_code == 400 and _copies(app) == 0
