"""The public credential page: badge, live verification status, link previews, downloads
(JSON, baked PNG/SVG), LinkedIn, embed snippet and QR code."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image as PilImage

from issuer import db
from issuer.clock import utc_now
from issuer.models import IssuedCredential
from issuer.openbadges import baking
from issuer.services import status
from issuer.services.keystore import FileKeyStore
from issuer.verification import status as status_check
from issuer.verification.results import CheckResult, Problem, Status, VerificationResult
from issuer.web.public.share import page_status
from tests.service_fixtures import (
    BASE_URL,
    SAFE_SVG,
    issue_credential,
    make_achievement,
    png_bytes,
)

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _page(client, credential_id: str):
    response = client.get(f"/credentials/{credential_id}", headers=BROWSER)
    assert response.status_code == 200
    return response, response.get_data(as_text=True)


def _meta(html: str) -> dict[str, str]:
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html)
    return {key: unescape(value) for key, value in found}


def _href(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}" href="([^"]+)"', html)
    assert match, f"no #{element_id}"
    return unescape(match.group(1))


def _state(html: str) -> str:
    return re.search(r'id="verification-status"\s+data-state="([^"]+)"', html).group(1)


def _stored(app, credential_id: str) -> str:
    with app.app_context():
        return db.get_session().get(IssuedCredential, credential_id).document


def _upload_image(app, data: bytes):
    from issuer.services import images
    from issuer.services.tx import atomic

    with app.app_context():
        session = db.get_session()
        with atomic(session):
            stored = images.store_image(session, data, max_bytes=1 << 20, now=utc_now())
        return stored


@pytest.fixture
def achievement_id(app, profile):
    return make_achievement(
        app, name="Data Wrangler", description="Cleans & reshapes data.",
        criteria_narrative="Clean **three** data sets.\n\n<script>alert(1)</script>"
                           "[x](javascript:alert(2))")


@pytest.fixture
def credential_id(app, achievement_id):
    return issue_credential(app, achievement_id, email="grace@example.org", name="Grace Hopper",
                            valid_until=utc_now() + timedelta(days=400))


def test_the_page_shows_the_badge_and_never_the_email(app, client, credential_id):
    _response, html = _page(client, credential_id)
    assert "<h1>Data Wrangler</h1>" in html
    assert "Awarded to <strong>Grace Hopper</strong>" in html
    assert "by <strong>Example University</strong>" in html
    assert "Valid until" in html
    assert "Clean <strong>three</strong> data sets." in html  # Markdown, sanitised
    assert "<script>alert" not in html and "javascript:" not in html
    document = json.loads(_stored(app, credential_id))
    identity = document["credentialSubject"]["identifier"][0]
    assert "grace@example.org" not in html.lower()
    assert identity["identityHash"] not in html and identity["salt"] not in html
    # No image uploaded for the achievement: a generated badge is shown.
    assert f'class="badge" src="{BASE_URL}/credentials/{credential_id}/baked.svg"' in html


def test_live_status_is_verified_and_linkedin_offered(client, credential_id):
    response, html = _page(client, credential_id)
    assert _state(html) == "verified"
    assert 'data-verified="true"' in html
    assert response.headers["Cache-Control"] == "no-cache"
    add = urlsplit(_href(html, "linkedin-add"))
    assert (add.scheme, add.netloc, add.path) == ("https", "www.linkedin.com", "/profile/add")
    fields = {key: values[0] for key, values in parse_qs(add.query).items()}
    now, expires = utc_now(), utc_now() + timedelta(days=400)
    assert fields == {
        "startTask": "CERTIFICATION_NAME", "name": "Data Wrangler",
        "organizationName": "Example University",
        "issueYear": str(now.year), "issueMonth": str(now.month),
        "expirationYear": str(expires.year), "expirationMonth": str(expires.month),
        "certUrl": f"{BASE_URL}/credentials/{credential_id}", "certId": credential_id,
    }
    share = urlsplit(_href(html, "linkedin-share"))
    assert share.netloc == "www.linkedin.com" and share.path == "/sharing/share-offsite/"
    assert parse_qs(share.query) == {"url": [f"{BASE_URL}/credentials/{credential_id}"]}


def test_linkedin_organization_id_setting(app, client, credential_id):
    app.config["LINKEDIN_ORGANIZATION_ID"] = "1337"
    _response, html = _page(client, credential_id)
    fields = parse_qs(urlsplit(_href(html, "linkedin-add")).query)
    assert fields["organizationId"] == ["1337"]
    assert "organizationName" not in fields


def test_link_preview_tags(app, client, achievement_id):
    image = _upload_image(app, png_bytes((64, 64), "gold"))
    with app.app_context():
        from issuer.models import Achievement

        session = db.get_session()
        session.get(Achievement, achievement_id).image_id = image.id
        session.commit()
    credential_id = issue_credential(app, achievement_id, name="Grace Hopper")
    _response, html = _page(client, credential_id)
    meta = _meta(html)
    page_url = f"{BASE_URL}/credentials/{credential_id}"
    assert meta["og:title"] == "Data Wrangler — Grace Hopper"
    assert meta["og:description"] == "Cleans & reshapes data."
    assert meta["og:url"] == page_url
    assert meta["og:image"] == f"{BASE_URL}/images/{image.id}.png"  # absolute
    assert meta["twitter:card"] == "summary"
    assert meta["twitter:image"] == meta["og:image"]
    assert f'class="badge" src="{BASE_URL}/images/{image.id}.png"' in html


def test_link_preview_of_an_svg_badge_is_a_png(app, client, achievement_id):
    image = _upload_image(app, SAFE_SVG)
    with app.app_context():
        from issuer.models import Achievement

        session = db.get_session()
        session.get(Achievement, achievement_id).image_id = image.id
        session.commit()
    credential_id = issue_credential(app, achievement_id)
    meta = _meta(_page(client, credential_id)[1])
    assert meta["og:image"] == f"{BASE_URL}/credentials/{credential_id}/baked.png"
    assert client.get(urlsplit(meta["og:image"]).path).mimetype == "image/png"


def test_embed_snippet_and_copy_button_under_the_csp(client, credential_id):
    response, html = _page(client, credential_id)
    snippet = unescape(re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', html,
                                 re.DOTALL).group(1))
    page_url = f"{BASE_URL}/credentials/{credential_id}"
    assert f'<a href="{page_url}"' in snippet
    assert f'<img src="{page_url}/baked.png"' in snippet
    assert "Data Wrangler" in snippet and "<script" not in snippet
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert '<script src="/static/share.js" defer></script>' in html
    assert 'data-copy="embed-code"' in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    script = client.get("/static/share.js")
    assert script.status_code == 200 and b"addEventListener" in script.data
    script.close()


def test_download_links(client, credential_id):
    _response, html = _page(client, credential_id)
    for element_id, suffix in (("download-baked-png", "baked.png"),
                               ("download-baked-svg", "baked.svg")):
        assert _href(html, element_id) == f"{BASE_URL}/credentials/{credential_id}/{suffix}"
    assert f'href="/credentials/{credential_id}/download"' in html
    assert f'src="{BASE_URL}/credentials/{credential_id}/qr.svg"' in html


# -- baked downloads --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_baked_badges_carry_the_stored_credential_byte_for_byte(app, client, credential_id, fmt):
    response = client.get(f"/credentials/{credential_id}/baked.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == ("image/png" if fmt == "png" else "image/svg+xml")
    assert "public" in response.headers["Cache-Control"]
    found = baking.extract_credential(response.data)
    assert (found.kind, found.container) == ("json", fmt)
    assert found.text == _stored(app, credential_id)  # byte for byte
    if fmt == "svg":
        assert "sandbox" in response.headers["Content-Security-Policy"]
    again = client.get(f"/credentials/{credential_id}/baked.{fmt}",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(("upload", "fmt", "same_image"), [
    ("png", "png", True), ("svg", "svg", True), ("png", "svg", True), ("svg", "png", False),
])
def test_baked_badge_is_the_uploaded_image(app, client, achievement_id, upload, fmt,
                                           same_image):
    """In its own format, or a PNG wrapped in SVG; an uploaded SVG is never rasterised (the
    PNG is the designed default)."""
    data = png_bytes((32, 32), "teal") if upload == "png" else SAFE_SVG
    image = _upload_image(app, data)
    with app.app_context():
        from issuer.models import Achievement

        session = db.get_session()
        session.get(Achievement, achievement_id).image_id = image.id
        session.commit()
    credential_id = issue_credential(app, achievement_id)
    baked = client.get(f"/credentials/{credential_id}/baked.{fmt}").data
    if fmt == "png":  # the uploaded PNG is 32×32; the generated badge is larger
        with PilImage.open(io.BytesIO(baked)) as opened:
            assert (opened.size == (32, 32)) is same_image
    elif upload == "png":  # the PNG itself, embedded in an SVG wrapper
        assert base64.b64encode(data) in baked and b"<image href=\"data:image/png;base64," in baked
    else:  # the uploaded SVG draws a gold circle
        assert (b'fill="gold"' in baked) is same_image
    assert baking.extract_credential(baked).text == _stored(app, credential_id)


def test_baked_routes_404_for_unknown_credentials(client, profile):
    for suffix in ("baked.png", "baked.svg", "qr.png", "qr.svg"):
        response = client.get(f"/credentials/00000000-0000-4000-8000-000000000000/{suffix}")
        assert response.status_code == 404
        assert client.get(f"/credentials/not-a-uuid/{suffix}").status_code == 404


# -- revoked, suspended, expired ----------------------------------------------------------------


def _change(app, credential_id: str, action: str):
    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        getattr(status, action)(session, row, reason="Issued in error", actor=status.CLI,
                                keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                base_url=app.config["BASE_URL"], now=utc_now())


@pytest.mark.parametrize(("action", "state", "words"), [
    ("revoke", "revoked", "has revoked this credential"),
    ("suspend", "suspended", "has suspended this credential"),
])
def test_revoked_or_suspended_is_shown_and_sharing_hidden(app, client, credential_id, action,
                                                          state, words):
    _change(app, credential_id, action)
    _response, html = _page(client, credential_id)
    assert _state(html) == state
    assert words in html
    assert 'data-check="status"' in html
    assert "linkedin.com" not in html
    assert 'id="no-sharing"' in html
    # The downloads stay: the holder keeps their copy; verifiers will see the status.
    assert 'id="download-baked-png"' in html


def test_expired_is_shown_and_sharing_hidden(app, client, achievement_id, monkeypatch):
    credential_id = issue_credential(app, achievement_id, name="Grace Hopper",
                                     valid_until=utc_now() + timedelta(days=1))
    later = utc_now() + timedelta(days=3)
    monkeypatch.setattr("issuer.clock.utc_now", lambda: later)
    _response, html = _page(client, credential_id)
    assert _state(html) == "expired"
    assert "This credential has expired" in html
    assert 'data-check="validity"' in html
    assert "linkedin.com" not in html


def test_page_status_mapping():
    def result(*failed: CheckResult) -> VerificationResult:
        passed = CheckResult("proof", "Signature", Status.PASSED)
        return VerificationResult((passed, *failed))

    revoked = CheckResult("status", "Status", Status.FAILED, "revoked",
                          problems=(Problem(status_check.REVOKED, "Revoked", "x"),))
    assert page_status(result()).state == "verified"
    assert page_status(result(revoked)).state == "revoked"
    suspended = CheckResult("status", "Status", Status.FAILED, "suspended",
                            problems=(Problem(status_check.SUSPENDED, "Suspended", "x"),))
    assert page_status(result(suspended)).state == "suspended"
    expired = CheckResult("validity", "Validity", Status.FAILED, "expired on 2020-01-01")
    assert page_status(result(expired)).state == "expired"
    early = CheckResult("validity", "Validity", Status.FAILED, "not valid until 2099-01-01")
    assert page_status(result(early)).state == "not_yet_valid"
    bad = CheckResult("issuer", "Issuer", Status.FAILED, "signed by a stranger")
    assert page_status(result(bad)).state == "not_verified"
    assert not page_status(result(bad)).shareable
