"""Headless Chromium: an app registered through the OB 3.0 API sends a member to the consent
page; they sign in by their emailed link, land back on it, allow it, and the browser goes to
the app's redirect URI with a code the app exchanges (authlib's OAuth2Session). After the app
stores a credential from elsewhere, the member's page lists it as held."""

from __future__ import annotations

import requests
from authlib.integrations.requests_client import OAuth2Session

from issuer.community import members
from tests.obapi.helpers import ALL_SCOPES, MEMBER_EMAIL, make_member, registration_request
from tests.obapi.helpers import sign_in_token
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401
from tests.web.verify_helpers import signed

pytestmark = BROWSER_MARKS


def test_member_consents_in_the_browser(app, live_server, browser, http_server,  # noqa: F811
                                        profile, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(condition):
        return WebDriverWait(browser, 30).until(condition)

    slug = make_member(app)
    callback = http_server.serve("/callback", b"<p>Back at the app</p>", "text/html")
    registered = requests.post(f"{live_server}/ob/oauth/register", timeout=30,
                               json=registration_request(redirect_uris=[callback])).json()
    app_client = OAuth2Session(registered["client_id"], registered["client_secret"],
                               scope=ALL_SCOPES, redirect_uri=callback,
                               code_challenge_method="S256")
    verifier = "browser-" + "v" * 50
    url, state = app_client.create_authorization_url(f"{live_server}/ob/oauth/authorize",
                                                     code_verifier=verifier)

    browser.get(url)
    wait(EC.url_to_be(f"{live_server}/members/sign-in"))
    browser.get(members.sign_in_url(live_server, sign_in_token(app, slug)))
    button = wait(EC.element_to_be_clickable((By.ID, "confirm-sign-in")))
    assert wait(lambda driver: "#" not in driver.current_url)
    button.click()
    wait(EC.presence_of_element_located((By.ID, "allow")))
    assert browser.find_element(By.ID, "client-name").text == "Faraway Backpack"
    scopes = browser.find_element(By.ID, "scopes").text
    assert "See your badges" in scopes and "Change your profile" in scopes
    assert browser.find_element(By.ID, "redirect-host").text == callback.split("/")[2]
    browser.save_screenshot(str(tmp_path / "consent.png"))

    browser.find_element(By.ID, "allow").click()
    wait(lambda driver: driver.current_url.startswith(callback + "?"))
    landed = browser.current_url
    assert f"state={state}" in landed

    app_client.fetch_token(f"{live_server}/ob/oauth/token", authorization_response=landed,
                           code_verifier=verifier)
    stored = app_client.post(f"{live_server}/ims/ob/v3p0/credentials", timeout=60,
                             json=signed(email=MEMBER_EMAIL))
    assert stored.status_code == 201, stored.text

    browser.get(f"{live_server}/members/me")
    section = browser.find_element(By.ID, "held-credentials")
    browser.execute_script("arguments[0].scrollIntoView()", section)
    held = section.text
    assert "Far Badge" in held and "held" in held and "Faraway College" in held
    browser.save_screenshot(str(tmp_path / "member-held.png"))
