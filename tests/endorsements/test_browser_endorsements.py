"""Endorsements in headless Chromium against a real local server: the admin page (give one,
attach a pasted partner endorsement, a tampered one refused with a message, revoke after
confirming), the public achievement and credential pages and /verify showing who endorses the
badge and whether it verified; at 1280 and 390 px. Screenshots go to the test's tmp_path (run
with --basetemp DIR to look at them)."""

from __future__ import annotations

import json

from issuer import db
from issuer.models import IssuedCredential
from tests.endorsements.helpers import PARTNER_NAME, partner_endorsement, tampered
from tests.service_fixtures import issue_credential, make_achievement, make_admin, make_profile
from tests.web.test_browser import browser, live_server, pytestmark  # noqa: F401
from tests.web.test_browser_responsive import sign_in
from tests.web.test_browser_suspension import _shot


def _fits(browser) -> bool:
    width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];")
    return width <= inner


def test_endorsements_end_to_end(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def wait(condition):
        return WebDriverWait(browser, 30).until(condition)

    def paste(element_id, text):
        browser.execute_script("document.getElementById(arguments[0]).value = arguments[1];",
                               element_id, text)

    make_profile(app, name="Browser Academy")
    make_admin(app)
    achievement = make_achievement(app, name="Data Stewardship")
    achievement_url = f"{live_server}/achievements/{achievement}"
    good = partner_endorsement(tmp_path / "partner", achievement_url,
                               comment="A **rigorous** assessment; we recognise it for hiring.")

    sign_in(browser, live_server)

    browser.get(live_server + "/admin/profiles/main")
    browser.find_element(By.ID, "profile-endorsements").click()
    wait(EC.url_to_be(live_server + "/admin/endorsements/main"))
    browser.find_element(By.ID, "subject_id").send_keys("https://partner.example/issuers/guild")
    Select(browser.find_element(By.ID, "subject_kind")).select_by_value("profile")
    browser.find_element(By.ID, "subject_name").send_keys(PARTNER_NAME)
    browser.find_element(By.ID, "comment").send_keys("A trusted partner in assessment.")
    browser.find_element(By.CSS_SELECTOR, "#give-endorsement button").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "is issued"))

    Select(browser.find_element(By.ID, "target")).select_by_value(f"achievement:{achievement}")
    paste("endorsement", json.dumps(tampered(good), indent=2))
    browser.find_element(By.CSS_SELECTOR, "#receive-endorsement button").click()
    error = wait(EC.presence_of_element_located((By.ID, "endorsement-error")))
    assert "It did not verify, so it was not attached" in error.text
    _shot(browser, tmp_path, "admin-endorsement-refused")

    Select(browser.find_element(By.ID, "target")).select_by_value(f"achievement:{achievement}")
    paste("endorsement", json.dumps(good, indent=2))
    browser.find_element(By.CSS_SELECTOR, "#receive-endorsement button").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "verified and is attached"))
    assert PARTNER_NAME in browser.find_element(By.ID, "endorsements-received").text
    _shot(browser, tmp_path, "admin-endorsements")
    browser.set_window_size(390, 844)
    browser.refresh()
    assert _fits(browser)
    browser.execute_script("document.getElementById('endorsements-received').scrollIntoView()")
    _shot(browser, tmp_path, "admin-endorsements-390")
    browser.set_window_size(1280, 1000)

    credential_id = issue_credential(app, achievement, email="ada@example.org", name="Ada")
    for page, name in ((f"/achievements/{achievement}", "achievement"),
                       (f"/credentials/{credential_id}", "credential")):
        browser.get(live_server + page)
        item = browser.find_element(By.ID, "endorsement-1")
        assert item.get_attribute("data-verdict") == "verified"
        assert PARTNER_NAME in item.text and "rigorous" in item.text
        assert item.find_element(By.CSS_SELECTOR, ".pill").text == "Verified"
        _shot(browser, tmp_path, f"public-{name}-endorsements")
        browser.set_window_size(390, 844)
        browser.refresh()
        assert _fits(browser), name
        browser.execute_script("document.getElementById('endorsements').scrollIntoView()")
        _shot(browser, tmp_path, f"public-{name}-endorsements-390")
        browser.set_window_size(1280, 1000)

    with app.app_context():
        document = db.get_session().get(IssuedCredential, credential_id).document
    browser.get(live_server + "/verify")
    paste("json_text", document)
    browser.find_element(By.ID, "verify-submit").click()
    wait(EC.presence_of_element_located((By.ID, "verdict")))
    section = browser.find_element(By.ID, "endorsements")
    section.find_element(By.TAG_NAME, "summary").click()
    assert section.find_element(
        By.CSS_SELECTOR, '[data-endorsement-check="proof"]').get_attribute(
            "data-status") == "passed"
    browser.execute_script("arguments[0].scrollIntoView()", section)
    _shot(browser, tmp_path, "verify-endorsements")

    browser.get(live_server + "/admin/endorsements/main")
    given = browser.find_element(By.ID, "endorsements-given")
    given.find_element(By.TAG_NAME, "summary").click()
    row_id = given.find_element(By.CSS_SELECTOR, "tbody tr").get_attribute("id").split("-")[1]
    browser.find_element(By.ID, f"reason-{row_id}").send_keys("Partnership ended")
    button = browser.find_element(By.ID, f"revoke-{row_id}")
    assert "danger" in button.get_attribute("class")
    button.click()  # not confirmed: the browser refuses the required box
    assert browser.execute_script("return arguments[0].validity.valueMissing",
                                  browser.find_element(By.ID, f"revoke-{row_id}-confirm-check"))
    browser.find_element(By.ID, f"revoke-{row_id}-confirm-check").click()
    browser.find_element(By.ID, f"revoke-{row_id}").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "is revoked"))
    assert "revoked" in browser.find_element(By.ID, f"given-{row_id}").text
    _shot(browser, tmp_path, "admin-endorsement-revoked")
