"""The claim page's "Add to wallet (OpenID4VCI)" in headless Chromium: a QR code on a desktop
that decodes to an offer an OpenID4VCI wallet can fetch, a button with the offer link on a
phone; the HTML itself carries no pre-authorized code."""

from __future__ import annotations

import html
import io
import json
import re
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from issuer import db
from issuer.community import claims
from issuer.models import IssuedCredential
from tests.service_fixtures import issue_credential, make_achievement, make_profile
from tests.web.test_browser import browser, live_server  # noqa: F401  (the fixtures)

zxingcpp = pytest.importorskip("zxingcpp")


def _claim_link(app, award_id: str) -> str:
    with app.app_context():
        row = db.get_session().get(IssuedCredential, award_id)
        token = claims.make_token(app.config["SECRET_KEY"], credential_id=row.id,
                                  recipient_id=row.recipient_id)
    return claims.claim_url(app.config["BASE_URL"], token)


def _fetch_offer(offer_link: str) -> dict:
    assert offer_link.startswith("openid-credential-offer://?credential_offer_uri=")
    [uri] = parse_qs(urlsplit(offer_link).query)["credential_offer_uri"]
    with urllib.request.urlopen(uri, timeout=10) as response:
        return json.load(response)


def test_the_claim_page_shows_an_openid4vci_qr_code_that_decodes_to_a_working_offer(
        app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    make_profile(app)
    award_id = issue_credential(app, make_achievement(app, name="Workshop"))
    browser.get(_claim_link(app, award_id))
    qr_image = browser.find_element(By.ID, "oid4vci-qr")
    browser.execute_script("arguments[0].scrollIntoView()", qr_image)
    browser.save_screenshot(str(tmp_path / "claim-desktop.png"))
    assert qr_image.is_displayed()
    assert not browser.find_element(By.ID, "add-to-oid4vci").is_displayed()  # phones only
    assert browser.find_element(By.ID, "lcw-qr").is_displayed()  # both QR codes
    with Image.open(io.BytesIO(qr_image.screenshot_as_png)) as picture:
        decoded = [code.text for code in zxingcpp.read_barcodes(
            picture.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]
    assert len(decoded) == 1, decoded
    offer = _fetch_offer(decoded[0])
    assert offer["credential_issuer"] == live_server
    assert set(offer["credential_configuration_ids"]) == {
        "OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"}
    code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
        "pre-authorized_code"]
    assert code not in browser.page_source


def test_on_a_phone_the_claim_page_shows_the_offer_button(
        app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    make_profile(app)
    award_id = issue_credential(app, make_achievement(app, name="Workshop"))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
    browser.execute_cdp_cmd("Emulation.setEmitTouchEventsForMouse", {"enabled": True,
                                                                     "configuration": "mobile"})
    browser.get(_claim_link(app, award_id))
    button = browser.find_element(By.ID, "add-to-oid4vci")
    browser.execute_script("arguments[0].scrollIntoView()", button)
    browser.save_screenshot(str(tmp_path / "claim-phone.png"))
    if not button.is_displayed():
        pytest.fail("the OpenID4VCI button is hidden on a phone-sized touch screen")
    assert not browser.find_element(By.ID, "oid4vci-qr").is_displayed()
    link = html.unescape(re.search(r'id="add-to-oid4vci" href="([^"]+)"',
                                   browser.page_source).group(1))
    assert _fetch_offer(link)["credential_issuer"] == live_server
