"""End to end in headless Chromium against a real local server: download a credential's baked
PNG, upload it on /verify and read the verdict; on the credential page the copy button's
script runs under the page's Content-Security-Policy."""

from __future__ import annotations

import urllib.request

import pytest

from tests.service_fixtures import issue_credential, make_achievement, make_profile
from tests.web import test_browser

live_server = test_browser.live_server  # the same fixtures as the sign-in/issue e2e test
browser = test_browser.browser

pytestmark = test_browser.BROWSER_MARKS


def _wait(browser, condition):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 15).until(condition)


@pytest.fixture
def credential_url(app, live_server):
    make_profile(app, name="Browser Academy")
    achievement = make_achievement(app, name="Chromium Verifier")
    credential_id = issue_credential(app, achievement, email="ada@example.org",
                                     name="Ada Lovelace")
    return f"{live_server}/credentials/{credential_id}"


def test_upload_a_baked_png_on_the_verify_page(live_server, browser, credential_url, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    with urllib.request.urlopen(credential_url + "/baked.png", timeout=10) as response:
        (tmp_path / "badge.png").write_bytes(response.read())

    browser.get(live_server + "/verify")
    browser.find_element(By.ID, "file").send_keys(str(tmp_path / "badge.png"))
    browser.find_element(By.ID, "email").send_keys("ada@example.org")
    browser.find_element(By.ID, "verify-submit").click()
    verdict = _wait(browser, EC.presence_of_element_located((By.ID, "verdict")))
    assert verdict.get_attribute("data-verified") == "true"
    assert verdict.find_element(By.TAG_NAME, "h2").text == "Verified"
    assert browser.find_element(By.ID, "badge-name").text == "Chromium Verifier"
    assert browser.find_element(By.ID, "badge-recipient").text == "Ada Lovelace"
    statuses = {item.get_attribute("data-check"): item.get_attribute("data-status")
                for item in browser.find_elements(By.CSS_SELECTOR, "li.check")}
    assert statuses["proof"] == statuses["issuer"] == statuses["recipient"] == "passed"
    assert "ada@example.org" not in browser.page_source.lower()


def test_upload_something_that_is_not_a_badge(live_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    (tmp_path / "notes.json").write_text('["not", "a", "credential"]')
    browser.get(live_server + "/verify")
    browser.find_element(By.ID, "file").send_keys(str(tmp_path / "notes.json"))
    browser.find_element(By.ID, "verify-submit").click()
    error = _wait(browser, EC.presence_of_element_located((By.ID, "form-error")))
    assert "Not a PNG or SVG image, a JSON credential or a compact JWS." == error.text


def test_credential_page_copy_button_runs_under_the_csp(browser, credential_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    browser.get(credential_url)
    status = _wait(browser, EC.presence_of_element_located((By.ID, "verification-status")))
    assert status.get_attribute("data-state") == "verified"
    # share.js un-hides the button: proof that the script ran (CSP script-src 'self').
    button = _wait(browser, EC.visibility_of_element_located((By.ID, "copy-embed")))
    button.click()
    _wait(browser, EC.visibility_of_element_located((By.ID, "copy-embed-done")))
    # The LinkedIn button goes through our counted redirect (tests/web/test_dashboard.py).
    assert browser.find_element(By.ID, "linkedin-add").get_attribute("href") == (
        credential_url + "/share/linkedin-add")
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not [e for e in errors if "Content Security Policy" in e["message"]], errors
