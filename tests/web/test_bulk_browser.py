"""The bulk page in headless Chromium: upload a CSV, see the preview, start, and watch the
live progress bar (our script under the page's CSP) reach the end while a real `issuer
worker` process issues the rows."""

from __future__ import annotations

import signal

import pytest

from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, make_achievement, make_admin
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401
from tests.web.test_bulk_e2e import environment, people_csv, start_worker, stop

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}"}


def test_live_progress_bar(app, live_server, browser, profile, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    make_admin(app)
    achievement = make_achievement(app, name="Bulk Badge")
    people = tmp_path / "people.csv"
    people.write_bytes(people_csv(60))

    def wait(condition, seconds=15):
        return WebDriverWait(browser, seconds).until(condition)

    browser.get(live_server + "/admin/login")
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait(EC.url_to_be(live_server + "/admin/"))
    browser.find_element(By.LINK_TEXT, "Bulk issue").click()
    Select(browser.find_element(By.ID, "achievement")).select_by_value(achievement)
    browser.find_element(By.ID, "file").send_keys(str(people))
    browser.find_element(By.ID, "check-file").click()
    preview = wait(EC.presence_of_element_located((By.ID, "preview-ok")))
    assert "60 to issue" in preview.text
    browser.find_element(By.ID, "start-issuing").click()
    bar = wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#bulk-progress progress")))
    assert bar.get_attribute("value") == "0"  # nothing runs before a worker is there

    worker = start_worker(environment(app), tmp_path / "worker.log", "--workers", "2")
    try:
        # No reload: the page's script polls the progress endpoint and moves the bar.
        wait(lambda _: browser.find_element(By.ID, "bulk-progress")
             .get_attribute("data-status") == "done", seconds=120)
    finally:
        stop(worker, signal.SIGINT)
    assert bar.get_attribute("value") == "60" and bar.get_attribute("max") == "60"
    text = browser.find_element(By.CSS_SELECTOR, "#bulk-progress .progress-text").text
    assert text == "60 of 60 rows done (60 issued, 0 skipped, 0 failed) — done"
    errors = [entry for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]]
    assert errors == []  # no CSP violation, no script error
