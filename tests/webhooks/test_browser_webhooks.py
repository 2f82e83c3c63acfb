"""The webhook admin pages in headless Chromium: register an endpoint, copy the secret once,
see a delivery to a REAL local receiver in the log, open it and redeliver (screenshots in
the test's tmp folder)."""

from __future__ import annotations

from standardwebhooks.webhooks import Webhook

from tests.community.conftest import drain
from tests.service_fixtures import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    issue_credential,
    make_achievement,
    make_admin,
)
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401

pytestmark = BROWSER_MARKS


def test_register_watch_the_log_and_redeliver(app, live_server, browser, profile, receiver,  # noqa: F811
                                              tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(condition, seconds=15):
        return WebDriverWait(browser, seconds).until(condition)

    make_admin(app)
    browser.get(live_server + "/admin/login")
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait(EC.url_to_be(live_server + "/admin/"))
    browser.find_element(By.LINK_TEXT, "Webhooks").click()
    browser.find_element(By.ID, "url").send_keys(receiver.url)
    browser.find_element(By.ID, "description").send_keys("Our CRM")
    browser.find_element(By.CSS_SELECTOR, 'input[value="credential.revoked"]').click()
    browser.save_screenshot(str(tmp_path / "1-new-endpoint.png"))
    browser.find_element(By.CSS_SELECTOR, "#new-endpoint button[type=submit]").click()
    secret = wait(EC.presence_of_element_located((By.ID, "secret"))).text
    assert secret.startswith("whsec_")
    browser.save_screenshot(str(tmp_path / "2-secret-once.png"))
    browser.find_element(By.LINK_TEXT, "Done").click()
    assert secret not in browser.page_source

    issue_credential(app, make_achievement(app))
    drain(app)  # the app's real queue, in this process
    [got] = receiver.wait_for(1)
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "credential.issued"
    browser.refresh()
    row = wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#deliveries tr.status-delivered")))
    assert "HTTP 200" in row.text and got.headers["webhook-id"] in row.text
    browser.save_screenshot(str(tmp_path / "3-delivery-log.png"))
    row.find_element(By.LINK_TEXT, "Details").click()
    assert "ms" in browser.find_element(By.CSS_SELECTOR, "#attempts td.duration").text
    browser.find_element(By.ID, "redeliver").click()
    # The click submits a form: wait for the page it redirects to, with its message.
    wait(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "is queued again"))
    drain(app)
    assert receiver.wait_for(2)[1].headers["webhook-id"] == got.headers["webhook-id"]
    browser.refresh()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#attempts tbody tr")) == 2
    browser.save_screenshot(str(tmp_path / "4-delivery-redelivered.png"))
    errors = [entry for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]]
    assert errors == []
