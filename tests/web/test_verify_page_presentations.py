"""The /verify page takes a presentation (pasted or uploaded JSON, or a vp+jwt) with the
challenge and domain the verifier gave the holder, and shows its checks and each credential's."""

from __future__ import annotations

import io
import re

import pytest

from issuer.vcjose import envelope
from tests.web.presentation_helpers import (
    CHALLENGE,
    DOMAIN,
    signed_presentation,
    unsigned_presentation,
    vp_jwt,
)
from tests.web.verify_helpers import (  # noqa: F401 (offline_app: fixture)
    as_json_bytes,
    checks,
    csrf_of,
    form_error,
    offline_app,
    signed,
    verdict,
)

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def client(offline_app):  # noqa: F811
    client = offline_app.test_client()
    client.token = csrf_of(client.get("/verify").get_data(as_text=True))
    return client


def submit(client, *, json_text="", file=None, challenge="", domain="", unsigned=False,
           email=""):
    data = {"csrf_token": client.token, "json_text": json_text, "url": "", "email": email,
            "challenge": challenge, "domain": domain}
    if unsigned:
        data["unsigned"] = "y"
    if file is not None:
        data["file"] = (io.BytesIO(file), "presentation.json")
    response = client.post("/verify", data=data, content_type="multipart/form-data",
                           headers=BROWSER)
    return response.status_code, response.get_data(as_text=True)


def credential_verdicts(html):
    return re.findall(r'id="credential-(\d+)" data-verified="(true|false)"', html)


def test_the_form_has_the_presentation_fields(client):
    html = client.get("/verify").get_data(as_text=True)
    for name in ("challenge", "domain", "unsigned"):
        assert f'name="{name}"' in html


def test_a_pasted_presentation_shows_its_checks_and_each_credential(client):
    document = signed_presentation([signed(), signed(name="Bo")])
    status, html = submit(client, json_text=as_json_bytes(document).decode(),
                          challenge=CHALLENGE, domain=DOMAIN)
    assert status == 200
    assert verdict(html) == (True, set())
    assert "Presentation verified" in html
    shown = checks(html)
    assert {shown[c] for c in ("presentation", "proof", "challenge", "domain", "holder",
                               "credentials")} == {"passed"}
    assert credential_verdicts(html) == [("1", "true"), ("2", "true")]
    assert "Credential 1: Far Badge" in html


def test_a_wrong_challenge_fails_on_the_page(client):
    document = signed_presentation()
    status, html = submit(client, file=as_json_bytes(document), challenge="not-the-one")
    assert status == 200
    assert verdict(html) == (False, {"challenge"})
    assert "Presentation not verified" in html


def test_a_tampered_credential_is_shown_as_such(client):
    tampered = signed()
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    _, html = submit(client, json_text=as_json_bytes(
        signed_presentation([signed(), tampered])).decode(), challenge=CHALLENGE)
    assert verdict(html) == (False, {"credentials"})
    assert credential_verdicts(html) == [("1", "true"), ("2", "false")]


def test_a_vp_jwt_pasted_or_enveloped(client):
    token = vp_jwt()
    for text in (token, as_json_bytes(envelope.enveloped_presentation(token)).decode()):
        _, html = submit(client, json_text=text, challenge=CHALLENGE, domain=DOMAIN)
        assert verdict(html) == (True, set()), html
        assert credential_verdicts(html) == [("1", "true")]
        assert "Credential 1: Far Badge" in html


def test_unsigned_only_when_ticked(client):
    text = as_json_bytes(unsigned_presentation([signed()])).decode()
    assert verdict(submit(client, json_text=text)[1]) == (False, {"proof"})
    assert verdict(submit(client, json_text=text, unsigned=True)[1]) == (True, set())


def test_presentation_options_on_a_credential_are_a_form_message(client):
    status, html = submit(client, json_text=as_json_bytes(signed()).decode(),
                          challenge=CHALLENGE)
    assert status == 422
    assert "apply to a presentation" in form_error(html)
    status, html = submit(client, json_text=as_json_bytes(signed_presentation()).decode(),
                          email="ann@example.org")
    assert status == 422
    assert verdict(html) is None


def test_an_over_long_challenge_is_a_field_error(client):
    status, html = submit(client, json_text="{}", challenge="x" * 1001)
    assert status == 422
    assert "At most 1000 characters." in html
