"""Headless Chromium against a real server: the claim page's Learner Credential Wallet QR
code decodes (zxing-cpp) to the deep link, and that link works: a DIDAuth presentation posted
to its vc_request_url gets the holder-bound credential."""

from __future__ import annotations

import io
import json
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from issuer import db
from issuer.community import claims
from issuer.models import IssuedCredential
from tests.service_fixtures import issue_credential, make_achievement, make_profile
from tests.web.presentation_helpers import HOLDER_KEY, did_of, signed_presentation
from tests.web.test_browser import browser, live_server, pytestmark  # noqa: F401

zxingcpp = pytest.importorskip("zxingcpp")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


def test_the_claim_page_lcw_qr_code_decodes_to_a_working_link(
        app, live_server, browser):  # noqa: F811
    from PIL import Image
    from selenium.webdriver.common.by import By

    make_profile(app)
    award = issue_credential(app, make_achievement(app, name="Workshop"))
    with app.app_context():
        row = db.get_session().get(IssuedCredential, award)
        token = claims.make_token(app.config["SECRET_KEY"], credential_id=row.id,
                                  recipient_id=row.recipient_id)
    browser.get(f"{live_server}/claim#{token}")
    qr = browser.find_element(By.ID, "lcw-qr")
    assert qr.is_displayed()
    assert not browser.find_element(By.ID, "add-to-lcw").is_displayed()  # a desktop: QR only
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "claim_wallet.png"))
    image = Image.open(io.BytesIO(qr.screenshot_as_png)).convert("L")
    [code] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    link = code.text
    assert link.startswith("https://lcw.app/request?")
    params = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    assert params["vc_request_url"].startswith(live_server)
    presentation = signed_presentation([], key=HOLDER_KEY, challenge=params["challenge"],
                                       domain=None)
    request = urllib.request.Request(params["vc_request_url"], method="POST",
                                     data=json.dumps(presentation).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        credential = json.loads(answer.read())
    assert credential["credentialSubject"]["id"] == did_of(HOLDER_KEY)
