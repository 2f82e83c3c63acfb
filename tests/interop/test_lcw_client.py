"""A client that behaves as Learner Credential Wallet 2.x does (tests/interop/lcw.mjs: Digital
Bazaar's Ed25519Signature2020 suite and @digitalbazaar/vc) against a real running server: the
deep link of the claim page's button and the VCALM interaction URL end with a stored
holder-bound credential that Digital Bazaar's verifier accepts; every replay and bad
presentation is refused; revoking the award fails verification of the copy on both stacks."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.exchange_models import HolderCopy
from issuer.models import IssuedCredential
from issuer.services import offers, profiles, status
from issuer.services.keystore import FileKeyStore
from tests.interop.conftest import NODE_MODULES
from tests.service_fixtures import issue_credential, make_achievement, make_profile
from tests.web.test_browser import live_server  # noqa: F401  (the running server fixture)

LCW = Path(__file__).with_name("lcw.mjs")
SEED = "42" * 32
OTHER_SEED = "43" * 32


@pytest.fixture
def lcw(dbvc):  # dbvc: skips (or fails in CI) like the other interop tests without node
    assert NODE_MODULES.is_dir()

    def call(request):
        process = subprocess.run(["node", str(LCW)], input=json.dumps(request),
                                 capture_output=True, text=True, timeout=120, check=False)
        assert process.returncode == 0, process.stdout + process.stderr
        return json.loads(process.stdout)

    return call


@pytest.fixture
def award(app, live_server):  # noqa: F811
    make_profile(app)  # after the server set BASE_URL: the ids carry its address
    return issue_credential(app, make_achievement(app))


def _offer(app, award_id, protocol, *, now=None):
    with app.app_context():
        session = db.get_session()
        return offers.make_offer(session, session.get(IssuedCredential, award_id),
                                 protocol=protocol, actor=status.CLI,
                                 base_url=app.config["BASE_URL"], now=now or utc_now(),
                                 lifetime_seconds=900).url


def _copies(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(HolderCopy))


def _post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _theirs(app, dbvc, credential):
    """Digital Bazaar's verdict, with the issuer's DID document and the status lists as the
    running server serves them."""
    documents = {}
    with app.app_context():
        profile = profiles.all_profiles(db.get_session())[0]
        did_document = profiles.did_document(profile, app.config["BASE_URL"])
        documents[did_document["id"]] = did_document
    entries = credential["credentialStatus"]
    for entry in entries if isinstance(entries, list) else [entries]:
        url = entry["statusListCredential"]
        with urllib.request.urlopen(url, timeout=30) as response:
            documents[url] = json.loads(response.read())
    return dbvc({"op": "verify", "credential": credential, "documents": documents,
                 "checkStatus": True})


def test_the_lcw_deep_link_ends_with_a_stored_holder_bound_credential(app, award, lcw, dbvc):
    link = _offer(app, award, "lcw")
    got = lcw({"op": "deepLink", "link": link, "seed": SEED})
    assert got["status"] == 200, got["body"]
    [credential] = got["credentials"]
    assert credential["credentialSubject"]["id"] == got["holder"]
    assert credential["credentialSubject"]["identifier"][0]["hashed"] is True
    verdict = _theirs(app, dbvc, credential)
    assert verdict["verified"] is True, verdict["error"]
    with app.app_context():
        [copy] = db.get_session().scalars(select(HolderCopy)).all()
        assert (copy.credential_id, copy.holder_did) == (award, got["holder"])

    again = lcw({"op": "deepLink", "link": link, "seed": OTHER_SEED})  # replayed link
    assert again["status"] == 409 and again["credentials"] is None
    assert _copies(app) == 1

    with app.app_context():
        session = db.get_session()
        status.revoke(session, session.get(IssuedCredential, award), reason="in error",
                      actor=status.CLI, keystore=FileKeyStore(app.config["KEYS_DIR"]),
                      base_url=app.config["BASE_URL"], now=utc_now())
    revoked = _theirs(app, dbvc, credential)
    assert revoked["verified"] is False and 'status "revocation" is set' in revoked["error"]


@pytest.mark.parametrize("version", [1, 2])
def test_the_vcalm_interaction_url_delivers_the_same(app, award, lcw, dbvc, version):
    url = _offer(app, award, "vcapi")
    got = lcw({"op": "interaction", "url": url, "seed": SEED, "version": version})
    assert got["status"] == 200, got["body"]
    assert got["request"]["query"][0]["type"] == "DIDAuthentication"
    [credential] = got["credentials"]
    assert credential["credentialSubject"]["id"] == got["holder"]
    assert _theirs(app, dbvc, credential)["verified"] is True


def _started(url):
    exchange = urlsplit(url)._replace(query="").geturl()
    status_code, body = _post(exchange, {})
    assert status_code == 200
    return exchange, body["verifiablePresentationRequest"]


@pytest.mark.parametrize("case", ["replay", "wrong_domain", "random_challenge", "no_domain"])
def test_bad_presentations_are_refused_on_the_wire(app, award, lcw, case):
    exchange, request = _started(_offer(app, award, "vcapi"))
    sign = {"op": "sign", "seed": SEED, "challenge": request["challenge"],
            "domain": request["domain"]}
    if case == "wrong_domain":
        sign["domain"] = "https://evil.example"
    elif case == "random_challenge":
        sign.pop("challenge")  # as LCW's createVerifiablePresentation: a random uuid
    elif case == "no_domain":
        sign.pop("domain")
    presentation = lcw(sign)["presentation"]
    if case == "replay":
        assert _post(exchange, {"verifiablePresentation": presentation})[0] == 200
        code, problem = _post(exchange, {"verifiablePresentation": presentation})
        assert code == 409 and problem["type"].endswith("exchange-used")
        assert _copies(app) == 1
        return
    code, problem = _post(exchange, {"verifiablePresentation": presentation})
    assert 400 <= code < 500 and problem["detail"], problem
    assert _copies(app) == 0


def test_an_expired_link_is_refused(app, award, lcw):
    link = _offer(app, award, "lcw", now=utc_now() - timedelta(minutes=16))
    got = lcw({"op": "deepLink", "link": link, "seed": SEED})
    assert got["status"] == 410 and got["body"]["type"].endswith("exchange-expired")
    assert _copies(app) == 0


def test_the_lcw_link_carries_what_lcw_needs(app, award):
    params = parse_qs(urlsplit(_offer(app, award, "lcw")).query)
    assert set(params) == {"issuer", "vc_request_url", "challenge", "auth_type"}
