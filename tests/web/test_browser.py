"""End to end in headless Chromium against a real local server: sign in, create an
achievement and issue a credential through the real forms, then verify the credential with
the core verifier, resolving the issuer's did:web document from that same server."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from issuer.clock import utc_now
from issuer.verification.verifier import verify_credential
from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, make_admin, make_profile, png_bytes

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)

# Every browser test module's marks: `pytestmark = BROWSER_MARKS`.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="needs Debian's chromium and chromium-driver "
                              "(apt-get install -y chromium chromium-driver)"),
]
pytestmark = BROWSER_MARKS


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1:<free port>, its base URL (and so its did:web) set to match."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _get_json(url: str, accept: str = "application/json") -> dict:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_sign_in_create_issue_and_verify(app, live_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def wait(condition):
        """Wait for the next page: a click that submits a form returns before it loads."""
        return WebDriverWait(browser, 15).until(condition)

    make_profile(app, name="Browser Academy")
    make_admin(app)
    badge = tmp_path / "badge.png"
    badge.write_bytes(png_bytes((64, 64), "teal"))

    browser.get(live_server + "/admin/")  # the sign-in wall sends us to the form
    assert "/admin/login" in browser.current_url
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait(EC.url_to_be(live_server + "/admin/"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Admin"

    browser.get(live_server + "/admin/achievements/new")
    browser.find_element(By.ID, "name").send_keys("Browser Badge")
    browser.find_element(By.ID, "description").send_keys("Clicked through a real browser.")
    browser.find_element(By.ID, "criteria_narrative").send_keys("Use **Chromium**.")
    Select(browser.find_element(By.ID, "achievement_type")).select_by_value("Badge")
    browser.find_element(By.ID, "tags").send_keys("e2e, selenium")
    browser.find_element(By.CSS_SELECTOR, '[name="image_source"][value="upload"]').click()
    browser.find_element(By.ID, "image").send_keys(str(badge))
    browser.find_element(By.ID, "save-achievement").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "is created"))

    browser.find_element(By.LINK_TEXT, "Issue this achievement").click()
    wait(EC.url_contains("/admin/issue?achievement="))
    browser.find_element(By.ID, "email").send_keys("not-an-email")
    browser.find_element(By.ID, "issue-credential").click()
    error = wait(EC.presence_of_element_located((By.ID, "email-error")))
    assert "valid email" in error.text  # a clear message next to the field
    email = browser.find_element(By.ID, "email")
    email.clear()
    email.send_keys("Grace@Example.org")
    browser.find_element(By.ID, "name").send_keys("Grace Hopper")
    browser.find_element(By.ID, "evidence_url").send_keys("https://example.org/grace")
    browser.find_element(By.ID, "issue-credential").click()
    link = wait(EC.presence_of_element_located((By.ID, "credential-url")))
    credential_url = link.get_attribute("href")
    assert credential_url.startswith(live_server + "/credentials/")

    browser.get(credential_url)  # the page for people
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "lead"), "Awarded to Grace Hopper"))

    credential = _get_json(credential_url, accept="application/vc+ld+json")
    did_document = _get_json(live_server + "/.well-known/did.json")
    issuer_did = credential["issuer"]["id"]
    assert issuer_did == "did:web:127.0.0.1%3A" + live_server.rsplit(":", 1)[1]
    assert did_document["id"] == issuer_did
    assert credential["credentialSubject"]["achievement"]["image"]["id"].startswith(live_server)
    result = verify_credential(
        credential, now=utc_now(), recipient_email="grace@example.org",
        resolve_controller=lambda controller: did_document if controller == issuer_did else None,
    )
    assert result.verified, result.to_dict()
    statuses = {check.id: check.status.value for check in result.checks}
    assert statuses["proof"] == statuses["issuer"] == statuses["recipient"] == "passed"
