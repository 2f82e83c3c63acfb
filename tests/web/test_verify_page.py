"""The /verify page: upload (JSON, baked PNG/SVG), paste or URL; the verdict and every check;
clear messages for bad input; the URL fetcher refuses private addresses."""

from __future__ import annotations

import io
import json
import re

import pytest

from issuer.openbadges import baking
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, png_bytes
from tests.web.example_verdicts import EXAMPLES, IDS, JWT, OK, UNREADABLE
from tests.web.verify_helpers import (
    as_json_bytes,
    checks,
    csrf_of,
    form_error,
    signed,
    verdict,
)

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def submit(client, *, token=None, file=None, filename="credential.json", json_text="", url="",
           email=""):
    if token is None:
        token = csrf_of(client.get("/verify").get_data(as_text=True))
    data = {"csrf_token": token, "json_text": json_text, "url": url, "email": email}
    if file is not None:
        data["file"] = (io.BytesIO(file), filename)
    return client.post("/verify", data=data, content_type="multipart/form-data", headers=BROWSER)


# -- every shared example gets its verdict ------------------------------------------------------


@pytest.fixture(scope="module")
def page_client(offline_app):
    client = offline_app.test_client()
    client.token = csrf_of(client.get("/verify").get_data(as_text=True))
    return client


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_verdict(page_client, example):
    response = submit(page_client, token=page_client.token, file=example.file.read_bytes(),
                      filename=example.file.name)
    html = response.get_data(as_text=True)
    if example.verdict == UNREADABLE:
        assert response.status_code == 422
        assert verdict(html) is None
        assert form_error(html) == "The file is empty."
        return
    assert response.status_code == 200
    assert verdict(html) == (example.verdict == OK, set(example.failed))
    shown = checks(html)
    assert set(shown) <= {"context", "schema", "proof", "jwt-claims", "issuer", "validity",
                          "status", "recipient"}
    if example.verdict == JWT:
        assert "jwt-claims" in shown
        for check_id in example.failed:
            assert shown[check_id] in ("failed", "not_checked")
    else:
        assert shown["recipient"] == "not_applicable"  # no email given
        for check_id in example.failed:
            assert shown[check_id] in ("failed", "not_checked")


# -- the form -----------------------------------------------------------------------------------


def test_the_form_has_a_csrf_token_and_every_input(client):
    response = client.get("/verify", headers=BROWSER)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    for name in ("csrf_token", "file", "json_text", "url", "email"):
        assert f'name="{name}"' in html
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]


def test_a_post_without_the_csrf_token_is_refused(client, offline):
    response = client.post("/verify", data={"json_text": json.dumps(signed())},
                           content_type="multipart/form-data", headers=BROWSER)
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)


def test_pasted_json_is_verified(client, offline):
    html = submit(client, json_text=json.dumps(signed())).get_data(as_text=True)
    assert verdict(html) == (True, set())
    assert 'id="badge-name">Far Badge<' in html
    assert "Faraway College" in html
    assert 'id="badge-recipient">Ann<' in html
    assert "2026-01-02 03:04 UTC" in html  # validFrom, readable


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "Upload a file, paste the credential's JSON or enter its address"),
    ({"json_text": "{}", "url": "https://example.org/c"}, "one way only"),
    ({"json_text": "not json at all"}, "The pasted text is not a credential"),
    ({"json_text": "[1, 2]"}, "The pasted text is not a credential"),
    ({"json_text": '{"a": '}, "not valid JSON"),
    ({"json_text": "{" * 5000 + "}" * 5000}, "not valid JSON"),
    ({"json_text": '{"a":' * 50000 + "1" + "}" * 50000}, "not valid JSON"),
    ({"file": b"[1, 2]"}, "not a PNG or SVG image, a JSON credential or a compact JWS"),
    ({"file": png_bytes()}, "carries no Open Badges 3.0 credential"),
    ({"file": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}, "carries no Open Badges 3.0"),
    ({"file": b"<svg><!DOCTYPE"}, "not an SVG image"),
    ({"file": b"\x89PNG\r\n\x1a\nbroken"}, "corrupt PNG"),
    ({"file": b"\xff\xfe\x00garbage"}, "not UTF-8 text"),
    ({"url": "ftp://example.org/badge.json"}, "Only web addresses starting with https://"),
    ({"url": "file:///etc/passwd"}, "Only web addresses starting with https://"),
    ({"url": "javascript:alert(1)"}, "Only web addresses starting with https://"),
    ({"url": "https://" + "a" * 3000 + ".example/"}, "longer than 2048 characters"),
])
def test_bad_input_gets_a_clear_message(client, fields, message):
    response = submit(client, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert verdict(html) is None
    assert message.lower() in form_error(html).lower()
    assert 'name="csrf_token"' in html  # the form is back, ready to try again


def test_nul_characters_get_a_form_message(client):
    response = submit(client, json_text='{"name": "a\x00b"}')
    assert response.status_code == 400
    assert form_error(response.get_data(as_text=True)) == (
        "Text fields may not contain NUL characters.")


def test_an_open_badges_2_bake_without_an_assertion_is_not_verified(client):
    """An ``openbadges`` iTXt whose JSON is no OB 2.0 assertion (no context) is read, and
    fails verification: tests/web/test_ob2_verification.py verifies real OB 2.0 badges."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", '{"type": "Assertion"}')
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)
    html = submit(client, file=buffer.getvalue(), filename="ob2.png").get_data(as_text=True)
    assert verdict(html)[0] is False


def test_an_invalid_email_is_a_field_error(client):
    html = submit(client, json_text="{}", email="not-an-email").get_data(as_text=True)
    assert "Enter a valid email address, or leave it empty." in html
    assert verdict(html) is None


def test_recipient_email_is_checked_and_never_shown(client, offline):
    credential = signed(email="ann@example.org")
    digest = credential["credentialSubject"]["identifier"][0]["identityHash"]
    match = submit(client, json_text=json.dumps(credential), email="Ann@Example.org")
    html = match.get_data(as_text=True)
    assert verdict(html) == (True, set())
    assert checks(html)["recipient"] == "passed"
    miss = submit(client, json_text=json.dumps(credential), email="bob@example.org")
    html = miss.get_data(as_text=True)
    assert verdict(html) == (False, {"recipient"})
    assert "not awarded to the given email address" in html
    for page in (match.get_data(as_text=True), html):
        assert digest not in page and digest.split("$")[1] not in page
        assert "ann@example.org" not in page.lower()
        assert 'value="bob@example.org"' not in page  # not echoed back into the form either


def test_a_file_larger_than_the_cap_gets_a_form_message(client):
    # A raw multipart body (the test client would spool a dict body to an unclosed temp file).
    token = csrf_of(client.get("/verify").get_data(as_text=True))
    boundary = "b0undary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}'
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.json"\r\nContent-Type: application/json\r\n\r\n').encode()
    body += b"{" + b" " * (3 * 1024 * 1024) + f"}}\r\n--{boundary}--\r\n".encode()
    response = client.post("/verify", data=body, headers=BROWSER,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "too large" in form_error(response.get_data(as_text=True))


def test_untrusted_values_are_escaped_and_unsafe_images_dropped(client, offline):
    credential = signed()
    credential["credentialSubject"]["achievement"]["name"] = "<script>alert(1)</script>"
    credential["credentialSubject"]["achievement"]["image"] = {"id": "javascript:alert(1)",
                                                               "type": "Image"}
    html = submit(client, json_text=json.dumps(credential)).get_data(as_text=True)
    assert verdict(html) == (False, {"proof"})  # tampered after signing
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html


def test_result_page_may_show_other_issuers_https_images(client, offline):
    response = submit(client, json_text=json.dumps(signed()))
    assert 'src="https://faraway.example/badge.png"' in response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https:" in csp and "script-src 'none'" in csp


# -- credentials of this server -----------------------------------------------------------------


@pytest.fixture
def our_credential_id(app, profile):
    achievement = make_achievement(app, name="Baking 101")
    return issue_credential(app, achievement, email="grace@example.org", name="Grace Hopper")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_our_baked_badge_uploaded_is_shown_valid(client, our_credential_id, fmt):
    baked = client.get(f"/credentials/{our_credential_id}/baked.{fmt}")
    assert baked.status_code == 200
    response = submit(client, file=baked.data, filename=f"badge.{fmt}", email="grace@example.org")
    html = response.get_data(as_text=True)
    assert verdict(html) == (True, set()), html
    assert checks(html)["issuer"] == checks(html)["recipient"] == "passed"
    assert 'id="badge-name">Baking 101<' in html
    assert 'id="badge-recipient">Grace Hopper<' in html
    assert "Example University" in html


@pytest.mark.parametrize("suffix", ["", "/download", "/baked.png", "?utm=x#top"])
def test_url_of_our_credential_is_read_from_the_database(client, our_credential_id, suffix):
    # Any URL of the credential works, its HTML page included; ours are never fetched.
    url = f"{BASE_URL}/credentials/{our_credential_id}{suffix}"
    html = submit(client, url=url).get_data(as_text=True)
    assert verdict(html) == (True, set())
    assert 'id="badge-name">Baking 101<' in html


def test_url_of_an_unknown_credential_of_ours(client, our_credential_id):
    url = f"{BASE_URL}/credentials/00000000-0000-4000-8000-000000000000"
    html = submit(client, url=url).get_data(as_text=True)
    assert "no credential at this address" in form_error(html)


# -- URLs of other servers ----------------------------------------------------------------------


@pytest.fixture
def fetch_private(app):
    app.config["VERIFY_FETCH_PRIVATE"] = True  # the "other server" is on 127.0.0.1


def test_url_serving_json_is_fetched_asking_for_the_credential(client, http_server, fetch_private,
                                                               offline):
    url = http_server.serve("/c/1", as_json_bytes(signed()), "application/vc+ld+json")
    html = submit(client, url=url).get_data(as_text=True)
    assert verdict(html) == (True, set())
    accept = dict(http_server.seen)["/c/1"]
    assert accept.startswith("application/vc+ld+json")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_url_serving_a_baked_image(client, http_server, fetch_private, offline, fmt):
    text = json.dumps(signed(), indent=1)
    image = png_bytes() if fmt == "png" else (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    url = http_server.serve(f"/badge.{fmt}", baking.bake(image, text),
                            "image/png" if fmt == "png" else "image/svg+xml")
    html = submit(client, url=url).get_data(as_text=True)
    assert verdict(html) == (True, set())


def test_url_serving_an_html_page_says_so(client, http_server, fetch_private):
    url = http_server.serve("/page", b"<!doctype html><p>hi</p>", "text/html; charset=utf-8")
    assert "returned a web page, not a credential" in form_error(
        submit(client, url=url).get_data(as_text=True))


def test_url_redirects_are_followed_at_most_three_times(client, http_server, fetch_private,
                                                          offline):
    target = http_server.serve("/r/final", as_json_bytes(signed()))
    for hop in range(3, 0, -1):
        http_server.serve(f"/r/{hop}", b"", status=302,
                          headers={"Location": f"/r/{hop + 1}" if hop < 3 else "/r/final"})
    assert target
    html = submit(client, url=http_server.base + "/r/1").get_data(as_text=True)
    assert verdict(html) == (True, set())  # three redirects: fine
    http_server.serve("/r/0", b"", status=302, headers={"Location": "/r/1"})
    html = submit(client, url=http_server.base + "/r/0").get_data(as_text=True)
    assert "redirected more than 3 times" in form_error(html)


def test_url_too_large_is_refused(client, http_server, fetch_private):
    url = http_server.serve("/huge", b"{" + b" " * (3 * 1024 * 1024) + b"}")
    assert "larger than" in form_error(submit(client, url=url).get_data(as_text=True))


def test_url_not_found_is_reported(client, http_server, fetch_private):
    assert "answered HTTP 404" in form_error(
        submit(client, url=http_server.base + "/missing").get_data(as_text=True))


@pytest.mark.parametrize("host", ["127.0.0.1", "169.254.169.254", "10.1.2.3", "[::1]", "localhost",
                                  "0.0.0.0", "[::ffff:127.0.0.1]"])
def test_private_addresses_are_refused_by_default(client, http_server, host):
    port = http_server.base.rsplit(":", 1)[1]
    seen = len(http_server.seen)
    url = f"http://{host}:{port}/c/1"
    html = submit(client, url=url).get_data(as_text=True)
    error = form_error(html)
    assert error.startswith("Could not fetch the credential: Refusing to fetch")
    assert "private, loopback or reserved address" in error
    assert verdict(html) is None
    assert len(http_server.seen) == seen  # nothing was requested


def test_a_redirect_to_a_file_url_is_refused(client, http_server, fetch_private):
    # Every hop is checked (a redirect to a private address is refused like a first hop:
    # tests/unit/services/test_fetch_and_resolver.py); here, a redirect off the web.
    http_server.serve("/to-file", b"", status=302, headers={"Location": "file:///etc/passwd"})
    error = form_error(submit(client, url=http_server.base + "/to-file").get_data(as_text=True))
    assert "only http(s) URLs are fetched" in error


def test_the_prefilled_url_is_not_fetched_on_get(client, http_server):
    seen = len(http_server.seen)
    url = http_server.base + "/c/never"
    html = client.get("/verify", query_string={"url": url}, headers=BROWSER).get_data(as_text=True)
    assert re.search(r'name="url"[^>]*value="' + re.escape(url) + '"', html)
    assert len(http_server.seen) == seen
