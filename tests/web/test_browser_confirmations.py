"""Confirmations in headless Chromium (issue 14, items 3 and 8): the Revoke button is a danger
action next to its consequence; clicking it without ticking the box changes nothing (the
browser refuses the required box, and with the check removed from the page the server refuses
too); once ticked, the credential is revoked. Screenshots go to the test's tmp_path (run with
--basetemp DIR to look at them)."""

from __future__ import annotations

from issuer import db
from issuer.models import StatusEvent
from tests.service_fixtures import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    issue_credential,
    make_achievement,
    make_admin,
    make_profile,
)
from tests.web.test_browser import browser, live_server, pytestmark  # noqa: F401
from tests.web.test_browser_suspension import _shot


def _events(app) -> int:
    with app.app_context():
        return db.get_session().query(StatusEvent).count()


def test_revoke_asks_first(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(condition):
        return WebDriverWait(browser, 15).until(condition)

    make_profile(app, name="Browser Academy")
    make_admin(app)
    credential = issue_credential(app, make_achievement(app), email="ada@example.org")

    browser.get(live_server + "/admin/login")
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait(EC.url_to_be(live_server + "/admin/"))

    page = f"{live_server}/admin/credentials/{credential}"
    browser.get(page)
    button = browser.find_element(By.CSS_SELECTOR, "#revoke-form button")
    assert "danger" in button.get_attribute("class")
    assert button.value_of_css_property("background-color") == "rgba(179, 38, 30, 1)"
    consequence = browser.find_element(By.CSS_SELECTOR, "#revoke-confirm .consequence").text
    assert "Revoking is permanent" in consequence and "recipient is not emailed" in consequence
    browser.find_element(By.ID, "revoke-reason").send_keys("Issued by mistake")
    button.click()  # the box is not ticked: the browser does not send the form
    box = browser.find_element(By.ID, "revoke-confirm-check")
    assert browser.execute_script("return arguments[0].validity.valueMissing", box)
    assert browser.current_url == page and _events(app) == 0
    _shot(browser, tmp_path, "revoke-asks-first")

    # Without the browser's check (an old browser, a script) the server refuses as well.
    browser.execute_script("arguments[0].removeAttribute('required')", box)
    browser.find_element(By.CSS_SELECTOR, "#revoke-form button").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "Nothing was changed"))
    assert browser.find_element(By.ID, "credential-status").get_attribute(
        "data-state") == "active"
    assert _events(app) == 0
    _shot(browser, tmp_path, "revoke-refused-by-server")

    browser.find_element(By.ID, "revoke-reason").send_keys("Issued by mistake")
    browser.find_element(By.ID, "revoke-confirm-check").click()
    browser.find_element(By.CSS_SELECTOR, "#revoke-form button").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "is revoked"))
    assert browser.find_element(By.ID, "credential-status").get_attribute(
        "data-state") == "revoked"
    assert _events(app) == 1
    _shot(browser, tmp_path, "revoked")
