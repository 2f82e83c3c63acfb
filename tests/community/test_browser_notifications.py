"""The notification loop in headless Chromium against a real local server and real SMTP
(issue 14): the email preview on the issue form, then the credential's page showing it
queued, notified, and queued again after Resend. Screenshots go to tmp_path (and
ISSUER_SCREENSHOT_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.community.conftest import drain
from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, make_achievement, make_admin, \
    make_profile
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401

pytestmark = BROWSER_MARKS


def _shot(browser, tmp_path: Path, name: str) -> None:
    browser.save_screenshot(str(tmp_path / name))
    keep = os.environ.get("ISSUER_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(keep) / name))


def test_preview_issue_and_resend(app, live_server, browser, smtp_server, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    make_profile(app, name="Preview Academy", slug="main")
    make_admin(app)
    achievement = make_achievement(app, name="Data Wrangler")
    wait = WebDriverWait(browser, 20)
    browser.set_window_size(1200, 1600)
    browser.get(live_server + "/admin/issue")
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.ID, "issue-credential")))
    Select(browser.find_element(By.ID, "achievement")).select_by_value(achievement)
    browser.find_element(By.ID, "email").send_keys("carol@example.org")
    browser.find_element(By.ID, "name").send_keys("Carol Shaw")
    browser.find_element(By.ID, "preview-email").click()
    wait.until(EC.presence_of_element_located((By.ID, "email-preview")))
    assert browser.find_element(By.ID, "preview-subject").text == "You have earned Data Wrangler"
    frame = browser.find_element(By.ID, "preview-html")
    browser.execute_script("arguments[0].scrollIntoView();", frame)
    _shot(browser, tmp_path, "issue-email-preview.png")
    browser.switch_to.frame(frame)
    assert "Carol Shaw" in browser.find_element(By.TAG_NAME, "body").text
    width = browser.execute_script("return document.querySelector('img').naturalWidth")
    assert width > 0  # the inline badge image shows
    browser.switch_to.default_content()
    assert smtp_server.delivered == []
    # The form kept its data: issue it.
    browser.find_element(By.ID, "issue-credential").click()
    wait.until(EC.presence_of_element_located((By.ID, "credential-notification")))
    section = browser.find_element(By.ID, "credential-notification")
    assert section.get_attribute("data-state") == "queued"
    drain(app)
    assert [item.rcpt_tos for item in smtp_server.wait_for(1)] == [["carol@example.org"]]
    browser.refresh()
    section = wait.until(EC.presence_of_element_located((By.ID, "credential-notification")))
    assert section.get_attribute("data-state") == "sent"
    browser.execute_script("arguments[0].scrollIntoView();", section)
    _shot(browser, tmp_path, "credential-notified.png")
    browser.find_element(By.CSS_SELECTOR, "#resend-form button").click()
    section = wait.until(EC.presence_of_element_located((By.ID, "credential-notification")))
    assert section.get_attribute("data-state") == "queued"
    _shot(browser, tmp_path, "credential-resent.png")
    drain(app)
    assert len(smtp_server.wait_for(2)) == 2
