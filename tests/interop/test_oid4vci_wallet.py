"""An OpenID4VCI 1.0 wallet we did not write (@openid4vc/openid4vci, driven by
tests/interop/oid4vci_wallet.mjs) receives the badge from a real running server as ``ldp_vc``
and as ``jwt_vc_json``; Digital Bazaar's verifier and panva's jose verify what it received,
bound to the wallet's key; every misbehaviour gets the spec's error and nothing is issued."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.exchange_models import HolderCopy
from issuer.models import IssuedCredential
from issuer.services import offers, oid4vci, status
from issuer.services.keystore import FileKeyStore
from issuer.vcjose import compact
from tests.interop.conftest import _caller, _need_node
from tests.service_fixtures import issue_credential, make_achievement, make_profile
from tests.web.test_browser import live_server  # noqa: F401  (the fixture)

WALLET = Path(__file__).with_name("oid4vci_wallet.mjs")


@pytest.fixture(scope="module")
def wallet():
    _need_node()
    return _caller(WALLET)


@pytest.fixture
def issued(app, live_server):  # noqa: F811
    make_profile(app, did_method="key")
    return issue_credential(app, make_achievement(app))


def _offer(app, credential_id, *, tx_code=False):
    with app.app_context():
        session = db.get_session()
        award = session.get(IssuedCredential, credential_id)
        made = offers.make_offer(session, award, protocol="oid4vci", actor=status.CLI,
                                 base_url=app.config["BASE_URL"], now=utc_now(),
                                 lifetime_seconds=900, options={"tx_code": tx_code})
        code = oid4vci.tx_code_of(app.config["SECRET_KEY"], made.exchange.id) if tx_code else None
        return made.url, code


def _copies(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(HolderCopy))


def _issuer_public_jwk(app, credential_id):
    from issuer.services import profiles
    from issuer.vcjose import jwks

    with app.app_context():
        award = db.get_session().get(IssuedCredential, credential_id)
        key = profiles.active_key(award.profile, FileKeyStore(app.config["KEYS_DIR"]))
        return json.loads(jwks.jwk_from_multikey(key.public_key_multibase).export_public())


def test_the_wallet_receives_an_ldp_vc_that_digital_bazaar_verifies(app, issued, wallet, dbvc):
    offer, _ = _offer(app, issued)
    answer = wallet({"offer": offer, "configurationId": oid4vci.LDP_VC})
    assert answer["error"] is None, answer
    credential = answer["credential"]
    assert credential["credentialSubject"]["id"] == answer["holder"]
    assert answer["holder"].startswith("did:key:z6Mk")
    verdict = dbvc({"op": "verify", "credential": credential})
    assert verdict["verified"] is True, verdict
    assert _copies(app) == 1


def test_the_wallet_receives_a_jwt_vc_json_that_jose_verifies(app, issued, wallet, jose_js):
    offer, code = _offer(app, issued, tx_code=True)
    answer = wallet({"offer": offer, "configurationId": oid4vci.JWT_VC_JSON, "txCode": code,
                     "keyMode": "jwk"})
    assert answer["error"] is None, answer
    token = answer["credential"]
    verdict = jose_js({"op": "verify", "token": token, "algorithms": ["EdDSA"],
                       "publicJwk": _issuer_public_jwk(app, issued)})
    assert verdict["verified"] is True, verdict
    holder = compact.parse(token).payload["credentialSubject"]["id"]
    decoded = json.loads(compact.b64url_decode(holder.removeprefix("did:jwk:"), "did:jwk"))
    assert decoded == {key: answer["holder"][key] for key in ("crv", "kty", "x")}
    assert compact.parse(token).payload["sub"] == holder


@pytest.mark.parametrize("attack, step, error", [
    ("reuse_code", "token", "invalid_grant"),
    ("wrong_tx_code", "token", "invalid_grant"),
    ("wrong_nonce", "credential", "invalid_nonce"),
    ("stale_proof", "credential", "invalid_proof"),
    ("wrong_aud", "credential", "invalid_proof"),
    ("replay", "credential", "invalid_token"),
])
def test_misbehaving_wallets_get_the_specs_errors(app, issued, wallet, attack, step, error):
    offer, code = _offer(app, issued, tx_code=attack == "wrong_tx_code")
    answer = wallet({"offer": offer, "configurationId": oid4vci.LDP_VC, "txCode": code,
                     "attack": attack})
    assert (answer["errorStep"], answer["error"]) == (step, error), answer
    assert _copies(app) == (1 if attack == "replay" else 0)
