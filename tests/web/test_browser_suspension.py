"""The suspension setting in headless Chromium: a credential of a profile as created offers
Revoke only; ticking *Offer suspension* on the profile page gives the next credential a
suspension entry, and its page offers Suspend. Screenshots go to the test's tmp_path (run
with --basetemp DIR to look at them)."""

from __future__ import annotations

import json
from pathlib import Path

from issuer import db
from issuer.models import IssuedCredential, IssuerProfile
from tests.service_fixtures import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    issue_credential,
    make_achievement,
    make_admin,
    make_profile,
)
from tests.web.test_browser import browser, live_server, pytestmark  # noqa: F401


def _shot(browser, tmp_path: Path, name: str) -> Path:  # noqa: F811
    path = tmp_path / f"{name}.png"
    assert browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    return path


def test_suspension_follows_the_profile_setting(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(condition):
        return WebDriverWait(browser, 15).until(condition)

    make_profile(app, name="Browser Academy")
    make_admin(app)
    achievement_id = make_achievement(app)
    plain = issue_credential(app, achievement_id, email="plain@example.org")

    browser.get(live_server + "/admin/login")
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait(EC.url_to_be(live_server + "/admin/"))

    browser.get(f"{live_server}/admin/credentials/{plain}")
    note = browser.find_element(By.ID, "no-suspension")
    assert "can be revoked but not suspended" in note.text
    assert browser.find_elements(By.ID, "suspend-form") == []
    assert browser.find_element(By.ID, "revoke-form").is_displayed()
    _shot(browser, tmp_path, "credential-revocation-only")

    browser.get(f"{live_server}/admin/profiles/main")
    box = browser.find_element(By.ID, "offers_suspension")
    assert not box.is_selected()
    help_text = browser.find_element(By.ID, "offers-suspension-help").text
    assert "1EdTech Open Badges 3.0 schema" in help_text
    browser.find_element(By.CSS_SELECTOR, 'label[for="offers_suspension"]').click()
    assert box.is_selected()
    _shot(browser, tmp_path, "profile-offers-suspension")
    browser.find_element(By.CSS_SELECTOR, 'form.stack button[type="submit"]').click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "is saved"))
    assert browser.find_element(By.ID, "offers_suspension").is_selected()
    with app.app_context():
        session = db.get_session()
        assert session.query(IssuerProfile).one().offers_suspension is True

    both = issue_credential(app, achievement_id, email="both@example.org")
    with app.app_context():
        session = db.get_session()
        entries = json.loads(session.get(IssuedCredential, both).document)["credentialStatus"]
        plain_status = json.loads(session.get(IssuedCredential, plain).document)[
            "credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    assert plain_status["statusPurpose"] == "revocation"  # the earlier one is unchanged

    browser.get(f"{live_server}/admin/credentials/{both}")
    browser.find_element(By.ID, "suspend-reason").send_keys("Exam under review")
    browser.find_element(By.ID, "suspend-confirm-check").click()
    browser.find_element(By.CSS_SELECTOR, "#suspend-form button").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "is suspended"))
    assert browser.find_element(By.ID, "credential-status").get_attribute(
        "data-state") == "suspended"
    _shot(browser, tmp_path, "credential-suspended")
