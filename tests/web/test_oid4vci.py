"""OpenID4VCI 1.0 pre-authorized code flow over HTTP (issuer.web.wallet.oid4vci): metadata,
offers, token, nonce and credential endpoints, with real wallet keys (jwcrypto) and the
spec's error codes for every refusal."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, unquote, urlsplit

import nacl.signing
import pytest
from jwcrypto import jws
from sqlalchemy import select

from issuer.clock import utc_now
from issuer.dataintegrity import multikey
from issuer.exchange_models import Exchange, HolderCopy
from issuer.models import IssuedCredential
from issuer.oid4vci_models import Oid4vciGrant, Oid4vciNonce
from issuer.services import oid4vci, status
from issuer.services.fetch import FetchPolicy
from issuer.services.keystore import FileKeyStore
from issuer.services.verification import verify_document
from issuer.vcjose import compact, jwks
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, make_profile

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
TOKEN_PATH = "/ob/oauth/token"  # the one token endpoint (the OB 3.0 API's authorization server)


class Wallet:
    """A holder key: a did:key (Ed25519) that signs openid4vci-proof+jwt key proofs."""

    def __init__(self):
        self.signing_key = nacl.signing.SigningKey.generate()
        self.multibase = multikey.encode_public_key(bytes(self.signing_key.verify_key))
        self.did = multikey.did_key(self.multibase)
        self.jwk = jwks.private_jwk_from_nacl(self.signing_key)

    def proof(self, nonce, *, aud=BASE_URL, iat=None, typ="openid4vci-proof+jwt",
              header=None):
        protected = header or {"alg": "EdDSA", "typ": typ, "kid": f"{self.did}#{self.multibase}"}
        claims = {"aud": aud, "iat": int(time.time()) if iat is None else iat}
        if nonce is not None:
            claims["nonce"] = nonce
        token = jws.JWS(json.dumps(claims).encode())
        token.add_signature(self.jwk, None, json.dumps(protected))
        return token.serialize(compact=True)


@pytest.fixture
def award(app, session):
    make_profile(app)
    return session.get(IssuedCredential, issue_credential(app, make_achievement(app)))


def _offer(session, award, *, tx_code=False, lifetime=900):
    return oid4vci.create_offer(session, award, actor=status.CLI, base_url=BASE_URL,
                                now=utc_now(), lifetime_seconds=lifetime, tx_code=tx_code)


def _code(offer):
    return offer.offer["grants"][PRE_AUTH]["pre-authorized_code"]


def _token(client, code, **extra):
    return client.post(TOKEN_PATH, data={"grant_type": PRE_AUTH,
                                               "pre-authorized_code": code, **extra})


def _nonce(client):
    response = client.post("/oid4vci/nonce")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()["c_nonce"]


def _credential(client, token, proof, configuration=oid4vci.LDP_VC):
    return client.post("/oid4vci/credential", json={
        "credential_configuration_id": configuration, "proofs": {"jwt": [proof]}},
        headers={"Authorization": f"Bearer {token}"})


def _access_token(client, session, award, **offer_options):
    response = _token(client, _code(_offer(session, award, **offer_options)))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def _error(response, status_code, code):
    assert response.status_code == status_code, response.get_json()
    assert response.get_json()["error"] == code, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["error_description"]


def _verify(session, document):
    return verify_document(session, document, base_url=BASE_URL, now=utc_now(),
                           policy=FetchPolicy(), network=False)


# --- metadata ------------------------------------------------------------------------------


def test_credential_issuer_metadata_names_one_configuration_per_format(client, award):
    metadata = client.get("/.well-known/openid-credential-issuer").get_json()
    assert metadata["credential_issuer"] == BASE_URL
    assert metadata["credential_endpoint"] == BASE_URL + "/oid4vci/credential"
    assert metadata["nonce_endpoint"] == BASE_URL + "/oid4vci/nonce"
    configurations = metadata["credential_configurations_supported"]
    assert {c["format"] for c in configurations.values()} == {"ldp_vc", "jwt_vc_json"}
    ldp = configurations[oid4vci.LDP_VC]
    assert ldp["credential_signing_alg_values_supported"] == ["eddsa-rdfc-2022"]
    assert "OpenBadgeCredential" in ldp["credential_definition"]["type"]
    assert configurations[oid4vci.JWT_VC_JSON]["proof_types_supported"]["jwt"][
        "proof_signing_alg_values_supported"] == ["EdDSA", "ES256"]


def test_one_authorization_server_document_names_the_pre_authorized_grant(client):
    metadata = client.get("/.well-known/oauth-authorization-server").get_json()
    assert metadata["issuer"] == BASE_URL
    assert metadata["token_endpoint"] == BASE_URL + TOKEN_PATH
    assert PRE_AUTH in metadata["grant_types_supported"]
    assert "authorization_code" in metadata["grant_types_supported"]  # the OB 3.0 API's
    assert metadata["pre-authorized_grant_anonymous_access_supported"] is True


# --- offers --------------------------------------------------------------------------------


def test_an_offer_by_reference_serves_the_same_offer_as_by_value(client, session, award):
    offer = _offer(session, award)
    query = parse_qs(urlsplit(offer.offer_uri).query)
    assert offer.offer_uri.startswith("openid-credential-offer://?")
    uri = query["credential_offer_uri"][0]
    assert uri.startswith(BASE_URL + "/oid4vci/offers/")
    fetched = client.get(uri.removeprefix(BASE_URL))
    assert fetched.status_code == 200 and fetched.headers["Cache-Control"] == "no-store"
    by_value = json.loads(unquote(offer.by_value_uri.partition("credential_offer=")[2]))
    assert fetched.get_json() == by_value == offer.offer
    assert by_value["credential_configuration_ids"] == list(oid4vci.CONFIGURATION_IDS)
    grant = session.get(Oid4vciGrant, offer.exchange.id)
    ref = uri.rpartition("/")[2]
    assert ref not in (grant.offer_ref_hash, grant.code_hash) and _code(offer) != grant.code_hash
    assert session.get(Exchange, offer.exchange.id).protocol == "oid4vci"
    assert client.get("/oid4vci/offers/unknown").status_code == 404


# --- the whole flow, both formats ----------------------------------------------------------


def test_ldp_vc_is_a_holder_bound_copy_that_verifies(client, session, award):
    wallet = Wallet()
    token = _access_token(client, session, award)
    response = _credential(client, token, wallet.proof(_nonce(client)))
    assert response.status_code == 200, response.get_json()
    credential = response.get_json()["credentials"][0]["credential"]
    assert credential["credentialSubject"]["id"] == wallet.did
    assert credential["id"] != json.loads(award.document)["id"]
    assert [proof["cryptosuite"] for proof in credential["proof"]] == ["eddsa-rdfc-2022"]
    assert _verify(session, credential).verified
    copy = session.scalars(select(HolderCopy)).one()
    assert (copy.holder_did, copy.protocol, copy.credential_id) == (wallet.did, "oid4vci", award.id)


def test_jwt_vc_json_is_the_vc_jwt_of_the_copy_and_verifies(client, session, award):
    wallet = Wallet()
    token = _access_token(client, session, award)
    response = _credential(client, token, wallet.proof(_nonce(client)), oid4vci.JWT_VC_JSON)
    assert response.status_code == 200, response.get_json()
    token_text = response.get_json()["credentials"][0]["credential"]
    parsed = compact.parse(token_text)
    assert parsed.header["typ"] == "JWT" and parsed.payload["sub"] == wallet.did
    assert parsed.payload["credentialSubject"]["id"] == wallet.did
    assert _verify(session, token_text).verified


def test_a_jwk_header_binds_the_credential_to_its_did_jwk(client, session, award):
    wallet = Wallet()
    public = json.loads(wallet.jwk.export_public())
    proof = wallet.proof(_nonce(client), header={"alg": "EdDSA", "typ": "openid4vci-proof+jwt",
                                                 "jwk": public})
    response = _credential(client, _access_token(client, session, award), proof)
    assert response.status_code == 200, response.get_json()
    subject = response.get_json()["credentials"][0]["credential"]["credentialSubject"]["id"]
    assert subject.startswith("did:jwk:")
    decoded = json.loads(compact.b64url_decode(subject.removeprefix("did:jwk:"), "did"))
    assert decoded == {key: public[key] for key in ("crv", "kty", "x")}


def test_revoking_the_award_fails_the_copy(app, client, session, award):
    response = _credential(client, _access_token(client, session, award),
                           Wallet().proof(_nonce(client)))
    credential = response.get_json()["credentials"][0]["credential"]
    status.revoke(session, award, reason="test", actor=status.CLI, now=utc_now(),
                  keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=BASE_URL)
    assert not _verify(session, credential).verified


# --- token endpoint refusals -----------------------------------------------------------------


def test_a_reused_pre_authorized_code_is_invalid_grant(client, session, award):
    code = _code(_offer(session, award))
    assert _token(client, code).status_code == 200
    _error(_token(client, code), 400, "invalid_grant")


def test_an_unknown_code_and_grant_type_are_refused(client, session, award):
    _error(_token(client, "nope"), 400, "invalid_grant")
    _error(client.post(TOKEN_PATH, data={"grant_type": PRE_AUTH}), 400, "invalid_request")


def test_an_expired_offer_is_invalid_grant(client, session, award):
    offer = oid4vci.create_offer(session, award, actor=status.CLI, base_url=BASE_URL,
                                 now=utc_now().replace(year=2020), lifetime_seconds=60)
    _error(_token(client, _code(offer)), 400, "invalid_grant")


def test_tx_code_is_required_and_five_wrong_ones_spend_the_code(app, client, session, award):
    offer = _offer(session, award, tx_code=True)
    assert offer.offer["grants"][PRE_AUTH]["tx_code"]["length"] == 6
    right = oid4vci.tx_code_of(app.config["SECRET_KEY"], offer.exchange.id)
    wrong = str((int(right) + 1) % 1_000_000).zfill(6)
    _error(_token(client, _code(offer)), 400, "invalid_request")
    for _ in range(5):
        _error(_token(client, _code(offer), tx_code=wrong), 400, "invalid_grant")
    _error(_token(client, _code(offer), tx_code=right), 400, "invalid_grant")
    other = _offer(session, award, tx_code=True)
    right = oid4vci.tx_code_of(app.config["SECRET_KEY"], other.exchange.id)
    assert _token(client, _code(other), tx_code=right).status_code == 200


# --- credential endpoint refusals ------------------------------------------------------------


def test_the_access_token_is_single_use(client, session, award):
    wallet = Wallet()
    token = _access_token(client, session, award)
    assert _credential(client, token, wallet.proof(_nonce(client))).status_code == 200
    response = _credential(client, token, wallet.proof(_nonce(client)))
    _error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    _error(_credential(client, "made-up", wallet.proof(_nonce(client))), 401, "invalid_token")
    assert len(session.scalars(select(HolderCopy)).all()) == 1


def test_a_used_unknown_or_missing_nonce_is_invalid_nonce(client, session, award):
    wallet = Wallet()
    nonce = _nonce(client)
    assert _credential(client, _access_token(client, session, award),
                       wallet.proof(nonce)).status_code == 200
    token = _access_token(client, session, award)
    _error(_credential(client, token, wallet.proof(nonce)), 400, "invalid_nonce")
    _error(_credential(client, token, wallet.proof("not-ours")), 400, "invalid_nonce")
    _error(_credential(client, token, wallet.proof(None)), 400, "invalid_nonce")
    assert _credential(client, token, wallet.proof(_nonce(client))).status_code == 200
    assert all(len(row.nonce_hash) == 64 for row in session.scalars(select(Oid4vciNonce)))


@pytest.mark.parametrize("scenario", ["wrong_aud", "stale_iat", "future_iat", "wrong_typ",
                                      "tampered", "two_keys", "wrong_key"])
def test_a_bad_key_proof_is_invalid_proof_and_issues_nothing(client, session, award, scenario):
    wallet, other = Wallet(), Wallet()
    token = _access_token(client, session, award)
    nonce = _nonce(client)
    proof = {
        "wrong_aud": lambda: wallet.proof(nonce, aud="https://elsewhere.example"),
        "stale_iat": lambda: wallet.proof(nonce, iat=int(time.time()) - 3600),
        "future_iat": lambda: wallet.proof(nonce, iat=int(time.time()) + 3600),
        "wrong_typ": lambda: wallet.proof(nonce, typ="JWT"),
        "tampered": lambda: wallet.proof(nonce)[:-4] + "AAAA",
        "two_keys": lambda: wallet.proof(nonce, header={
            "alg": "EdDSA", "typ": "openid4vci-proof+jwt", "kid": f"{wallet.did}#{wallet.multibase}",
            "jwk": json.loads(wallet.jwk.export_public())}),
        "wrong_key": lambda: wallet.proof(nonce, header={
            "alg": "EdDSA", "typ": "openid4vci-proof+jwt", "kid": f"{other.did}#{other.multibase}"}),
    }[scenario]()
    _error(_credential(client, token, proof), 400, "invalid_proof")
    assert session.scalars(select(HolderCopy)).all() == []
    [exchange] = session.scalars(select(Exchange)).all()
    steps = [(e.step, e.detail) for e in oid4vci.exchanges.events(session, exchange.id)]
    assert [step for step, _ in steps] == ["created", "offered", "token", "refused"]
    assert steps[-1][1].startswith("invalid_proof: ")
    # the token was not spent by the refusal
    assert _credential(client, token, wallet.proof(_nonce(client))).status_code == 200


def test_unknown_configuration_and_malformed_requests(client, session, award):
    wallet = Wallet()
    token = _access_token(client, session, award)
    _error(_credential(client, token, wallet.proof(_nonce(client)), "mso_mdoc"), 400,
           "unknown_credential_configuration")
    response = client.post("/oid4vci/credential", data="not json",
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json"})
    _error(response, 400, "invalid_credential_request")
    response = client.post("/oid4vci/credential", json={
        "credential_configuration_id": oid4vci.LDP_VC}, headers={"Authorization": f"Bearer {token}"})
    _error(response, 400, "invalid_proof")
    _error(client.post("/oid4vci/credential", json={}), 401, "invalid_token")


def test_a_revoked_award_is_credential_request_denied(app, client, session, award):
    token = _access_token(client, session, award)
    status.revoke(session, award, reason="test", actor=status.CLI, now=utc_now(),
                  keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=BASE_URL)
    _error(_credential(client, token, Wallet().proof(_nonce(client))), 400,
           "credential_request_denied")


def test_secrets_are_stored_hashed(client, session, award):
    offer = _offer(session, award)
    token = _token(client, _code(offer)).get_json()["access_token"]
    grant = session.get(Oid4vciGrant, offer.exchange.id)
    session.refresh(grant)
    row = json.dumps({c.name: str(getattr(grant, c.name)) for c in Oid4vciGrant.__table__.c})
    assert _code(offer) not in row and token not in row
    assert grant.token_hash == oid4vci.exchanges.hash_secret(token)


def test_the_offer_dispatch_makes_oid4vci_offers(client, session, award):
    from issuer.services import offers

    made = offers.make_offer(session, award, protocol="oid4vci", actor=status.CLI,
                             base_url=BASE_URL, now=utc_now(), lifetime_seconds=900,
                             options={"tx_code": True})
    assert made.url.startswith("openid-credential-offer://?credential_offer_uri=")
    assert made.exchange.protocol == "oid4vci"
    assert session.get(Oid4vciGrant, made.exchange.id).tx_code_required
    assert made.links["oid4vci_by_value"].startswith("openid-credential-offer://?credential_offer=")


def test_expired_nonces_are_deleted_after_a_day(client, session):
    from datetime import timedelta

    old = utc_now() - timedelta(days=2)
    oid4vci.new_nonce(session, now=old)
    assert len(session.scalars(select(Oid4vciNonce)).all()) == 1
    _nonce(client)
    [kept] = session.scalars(select(Oid4vciNonce)).all()
    assert kept.expires_at > utc_now()


def test_the_nonce_endpoint_is_rate_limited_per_address(app):
    import secrets

    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    app.config.update(RATE_LIMIT_REDIS_URL=url)
    client = app.test_client()
    me = {"REMOTE_ADDR": f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"}
    try:
        for _ in range(120):
            assert client.post("/oid4vci/nonce", environ_base=me).status_code == 200
        refused = client.post("/oid4vci/nonce", environ_base=me)
        _error(refused, 429, "slow_down")
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    finally:
        app.extensions["issuer_ratelimit"].close()


def test_concurrent_redemptions_of_one_code_give_one_token(app, session, award):
    from concurrent.futures import ThreadPoolExecutor

    code = _code(_offer(session, award))

    def redeem(_):
        return _token(app.test_client(), code).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = sorted(pool.map(redeem, range(6)))
    assert answers == [200] + [400] * 5, answers
