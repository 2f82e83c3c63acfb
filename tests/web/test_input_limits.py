"""Hostile credentials on the web: a fast answer naming the processing limit, never a hung
worker. Through the Flask test client; tests/web/test_input_limits_live.py runs the same
clique against real gunicorn workers."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from issuer import create_app, db
from issuer.dataintegrity import limits as lim
from issuer.errors import InputTooComplex
from issuer.models import SignedCredential
from tests.api_helpers import ISSUER_DID, bearer, make_token
from tests.hostile import (
    blank_nodes_credential,
    clique_credential,
    long_array_credential,
    without_proof,
)
from tests.web.verify_helpers import checks, csrf_of, verdict

VERIFY = "/credentials/verify"
BROWSER = {"Accept": "text/html"}


def timed_post(client, path, body, **kwargs):
    started = time.perf_counter()
    response = client.post(path, data=json.dumps(body), content_type="application/json",
                           **kwargs)
    return response, time.perf_counter() - started


def test_the_8_clique_gets_a_failed_check_within_a_second(client):
    response, seconds = timed_post(client, VERIFY, {"verifiableCredential": clique_credential()})
    assert seconds < 1  # the issue's bound; before the limits a worker spent 42 s on it
    assert response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False
    [error] = body["errors"]
    assert error["check"] == "proof"
    assert error["problems"][0]["type"] == lim.BLANK_NODE_HASHING_LIMIT


@pytest.mark.parametrize("build", [long_array_credential, blank_nodes_credential],
                         ids=["100000-strings", "20000-blank-nodes"])
def test_huge_credentials_get_a_failed_context_check_at_once(client, build):
    response, seconds = timed_post(client, VERIFY, {"verifiableCredential": build()})
    assert seconds < 2  # most of it is sending and parsing ~1 MB of JSON
    assert response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False
    assert body["errors"][0]["check"] == "context"
    assert body["errors"][0]["problems"][0]["type"] == lim.ARRAY_LENGTH_LIMIT


def test_the_verify_page_shows_the_clique_as_failed(client):
    token = csrf_of(client.get("/verify").get_data(as_text=True))
    started = time.perf_counter()
    response = client.post("/verify", headers=BROWSER, data={
        "csrf_token": token, "json_text": json.dumps(clique_credential()), "url": "",
        "email": ""})
    assert time.perf_counter() - started < 1
    html = response.get_data(as_text=True)
    assert verdict(html) == (False, {"proof"})
    assert checks(html)["proof"] == "failed"


# -- issuing -----------------------------------------------------------------------------------


@pytest.fixture
def token(app, profile) -> str:
    return make_token(app, scopes=("issue",))


def stored(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(SignedCredential))


def test_issuing_the_clique_is_a_422_problem_naming_the_limit(app, client, token):
    credential = without_proof(clique_credential(issuer=ISSUER_DID))
    response, seconds = timed_post(client, "/credentials/issue", {"credential": credential},
                                   headers=bearer(token))
    assert seconds < 1
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == lim.BLANK_NODE_HASHING_LIMIT
    assert problem["status"] == 422
    assert [error["rule"] for error in problem["errors"]] == ["blank-node-hashing-limit"]
    assert "blank-node hashing" in problem["detail"]
    assert stored(app) == 0


def test_issuing_a_long_array_is_refused_before_any_other_check(app, client, token):
    # (100,000 strings are over the request size limit already: 413.)
    credential = without_proof(long_array_credential(1_000, issuer=ISSUER_DID))
    response, seconds = timed_post(client, "/credentials/issue", {"credential": credential},
                                   headers=bearer(token))
    assert seconds < 1
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["type"] == lim.ARRAY_LENGTH_LIMIT
    assert problem["errors"][0]["rule"] == "array-length-limit"
    assert stored(app) == 0


def test_any_issuer_error_renders_its_problem_type(app_config):
    app = create_app(app_config)

    @app.get("/_too_complex")
    def _too_complex():
        raise InputTooComplex("too much", limit="max_quads", maximum=1,
                              problem_type=lim.QUAD_COUNT_LIMIT)

    response = app.test_client().get("/_too_complex", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.get_json() == {"type": lim.QUAD_COUNT_LIMIT, "title": "Input too complex",
                                   "status": 422, "detail": "too much"}
    # Errors without a type of their own keep RFC 9457's default.
    missing = app.test_client().get("/credentials/not-a-uuid",
                                    headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.get_json()["type"] == "about:blank"
