"""End to end in headless Chromium against a real local server: a holder presents one of our
credentials (fetched from its page) and another issuer's; the verifier uploads the
presentation on /verify with the challenge and domain it gave, and reads each verdict."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from tests.service_fixtures import issue_credential, make_achievement, make_profile
from tests.web import test_browser
from tests.web.presentation_helpers import CHALLENGE, DOMAIN, signed_presentation
from tests.web.verify_helpers import signed

live_server = test_browser.live_server
browser = test_browser.browser
SCREENSHOTS = os.environ.get("ISSUER_SCREENSHOTS")  # a directory, to look at the pages

pytestmark = test_browser.BROWSER_MARKS


def _wait(browser, condition):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 15).until(condition)


@pytest.fixture
def presentation_file(app, live_server, tmp_path):
    make_profile(app, name="Browser Academy")
    achievement = make_achievement(app, name="Presented Badge")
    credential_id = issue_credential(app, achievement, email="ada@example.org", name="Ada")
    request = urllib.request.Request(f"{live_server}/credentials/{credential_id}",
                                     headers={"Accept": "application/vc+ld+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        ours = json.loads(response.read())
    path = tmp_path / "presentation.json"
    path.write_text(json.dumps(signed_presentation([ours, signed()])))
    return path


def _submit(browser, live_server, path, *, challenge, domain):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    browser.get(live_server + "/verify")
    browser.find_element(By.ID, "file").send_keys(str(path))
    browser.find_element(By.ID, "challenge").send_keys(challenge)
    browser.find_element(By.ID, "domain").send_keys(domain)
    browser.find_element(By.ID, "verify-submit").click()
    return _wait(browser, EC.presence_of_element_located((By.ID, "verdict")))


def _shoot(browser, name):
    if SCREENSHOTS:
        browser.set_window_size(1000, 2600)
        browser.save_screenshot(os.path.join(SCREENSHOTS, name))


def test_upload_a_presentation_with_its_challenge_and_domain(live_server, browser,
                                                             presentation_file):
    from selenium.webdriver.common.by import By

    verdict = _submit(browser, live_server, presentation_file, challenge=CHALLENGE,
                      domain=DOMAIN)
    _shoot(browser, "presentation-verified.png")
    assert verdict.get_attribute("data-verified") == "true"
    assert verdict.find_element(By.TAG_NAME, "h2").text == "Presentation verified"
    cards = browser.find_elements(By.CSS_SELECTOR, "section.presented")
    assert [c.get_attribute("data-verified") for c in cards] == ["true", "true"]
    assert cards[0].find_element(By.TAG_NAME, "h2").text.startswith(
        "Credential 1: Presented Badge")
    ours = {item.get_attribute("data-check"): item.get_attribute("data-status")
            for item in cards[0].find_elements(By.CSS_SELECTOR, "li.check")}
    assert ours["status"] == "passed"  # our own status list, read locally


def test_a_presentation_made_for_another_domain_fails(live_server, browser, presentation_file):
    from selenium.webdriver.common.by import By

    verdict = _submit(browser, live_server, presentation_file, challenge=CHALLENGE,
                      domain="another-verifier.example")
    _shoot(browser, "presentation-replayed.png")
    assert verdict.get_attribute("data-verified") == "false"
    assert verdict.get_attribute("data-failed") == "domain"
    failed = browser.find_element(By.CSS_SELECTOR, 'li.check[data-check="domain"]')
    assert failed.get_attribute("data-status") == "failed"
    assert "another-verifier.example" in failed.text
