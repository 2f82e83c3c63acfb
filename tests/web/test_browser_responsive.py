"""The admin at 390 px wide (a phone) in headless Chromium against a real local server:
no page scrolls sideways (``document.documentElement.scrollWidth <= window.innerWidth``),
the navigation collapses behind a CSS-only "Menu" toggle that opens it, and the public
credential page puts the badge above the title instead of wrapping the title around it.
Screenshots go to the test's tmp_path (and ISSUER_SCREENSHOT_DIR)."""

from __future__ import annotations

from tests.helpers import save_screenshot as _shot
from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, issue_credential, \
    make_achievement, make_admin, make_profile
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401

pytestmark = BROWSER_MARKS


def admin_pages(achievement_id: str, credential_id: str) -> dict[str, str]:
    return {
        "dashboard": "/admin/",
        "credentials": "/admin/credentials",
        "credential": f"/admin/credentials/{credential_id}",
        "profile": "/admin/profiles/main",
        "new-profile": "/admin/profiles/new",
        "achievement": f"/admin/achievements/{achievement_id}",
        "achievement-form": "/admin/achievements/new",
        "issue": "/admin/issue",
        "api-access": "/admin/api-access/",
        "community": "/admin/community/",
        "community-members": "/admin/community/members",
        "community-rules": "/admin/community/rules",
        "community-events": "/admin/community/events",
        "community-outbox": "/admin/community/outbox",
        "webhooks": "/admin/webhooks/",
        "endorsements": "/admin/endorsements/main",
        "bulk": "/admin/bulk/",
        "account": "/admin/account/",
        "admins": "/admin/admins/",  # issue 14, item 6
        "audit": "/admin/audit/",
    }


def sign_in(browser, live_server) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_server + "/admin/login")
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 15).until(EC.url_to_be(live_server + "/admin/"))


def seed(app) -> tuple[str, str]:
    make_profile(app, name="Northwind Community College of Applied Sciences", slug="main")
    make_admin(app)
    achievement = make_achievement(
        app, name="Advanced Data Engineering with Very Long Achievement Names")
    credential = issue_credential(app, achievement,
                                  email="a.very.long.recipient.address@example.org")
    return achievement, credential


def test_every_admin_page_fits_390_px(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    achievement, credential = seed(app)
    browser.set_window_size(390, 844)
    sign_in(browser, live_server)
    overflowing = {}
    for name, path in admin_pages(achievement, credential).items():
        browser.get(live_server + path)
        assert "Internal Server Error" not in browser.page_source, path
        width, inner = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];")
        if width > inner:
            overflowing[name] = (width, inner)
        _shot(browser, tmp_path, f"admin-390-{name}.png")
    assert not overflowing, f"pages wider than the screen: {overflowing}"

    # The navigation is collapsed behind "Menu" and opens when it is pressed.
    browser.get(live_server + "/admin/")
    nav = browser.find_element(By.ID, "site-nav")
    assert not nav.is_displayed()
    toggle = browser.find_element(By.CSS_SELECTOR, "label.nav-toggle-label")
    assert toggle.is_displayed() and toggle.text == "Menu"
    toggle.click()
    assert nav.is_displayed()
    assert browser.find_element(By.ID, "account-link").is_displayed()
    width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];")
    assert width <= inner
    _shot(browser, tmp_path, "admin-390-menu-open.png")

    # On a wide screen the navigation is simply there, and the toggle is not.
    browser.set_window_size(1280, 900)
    browser.get(live_server + "/admin/")
    assert browser.find_element(By.ID, "site-nav").is_displayed()
    assert not browser.find_element(By.CSS_SELECTOR, "label.nav-toggle-label").is_displayed()
    assert "Northwind Community College" in browser.find_element(By.ID, "brand").text


def test_credential_page_badge_above_title_on_phones(app, live_server, browser,  # noqa: F811
                                                     tmp_path):
    from selenium.webdriver.common.by import By

    _, credential = seed(app)
    browser.set_window_size(390, 844)
    browser.get(f"{live_server}/credentials/{credential}")
    badge = browser.find_element(By.CSS_SELECTOR, "img.badge")
    title = browser.find_element(By.TAG_NAME, "h1")
    badge_box = browser.execute_script(
        "return arguments[0].getBoundingClientRect().toJSON();", badge)
    title_box = browser.execute_script(
        "return arguments[0].getBoundingClientRect().toJSON();", title)
    assert badge_box["bottom"] <= title_box["top"] + 1 or title_box["bottom"] <= badge_box["top"]
    assert title_box["width"] > 300  # the title takes the whole line, not a sliver beside
    width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];")
    assert width <= inner
    _shot(browser, tmp_path, "credential-390.png")


def test_scope_checkboxes_line_up_and_a_new_token_can_be_copied(app, live_server,  # noqa: F811
                                                                browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    seed(app)
    browser.set_window_size(1280, 1000)
    sign_in(browser, live_server)
    browser.get(live_server + "/admin/api-access/")
    form = browser.find_element(By.ID, "new-token")
    boxes = form.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
    assert boxes
    for box in boxes:
        label = form.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
        box_rect, label_rect = browser.execute_script(
            "return [arguments[0].getBoundingClientRect().toJSON(),"
            " arguments[1].getBoundingClientRect().toJSON()];", box, label)
        # Side by side on one line: the box just left of its label, vertically overlapping.
        assert box_rect["right"] <= label_rect["left"] <= box_rect["right"] + 16
        assert box_rect["top"] < label_rect["bottom"] and label_rect["top"] < box_rect["bottom"]
    _shot(browser, tmp_path, "api-access-scopes.png")

    form.find_element(By.ID, "token-name").send_keys("CI")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    secret = browser.find_element(By.ID, "secret").text
    assert secret.startswith("obi_")
    button = browser.find_element(By.ID, "copy-secret")
    assert button.is_displayed()  # the script ran under the page's CSP and showed it
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": live_server, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    button.click()
    WebDriverWait(browser, 5).until(
        lambda b: b.find_element(By.ID, "copy-status").text == "Copied.")
    copied = browser.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('ERR ' + e));")
    assert copied == secret
    _shot(browser, tmp_path, "api-token-copy.png")
