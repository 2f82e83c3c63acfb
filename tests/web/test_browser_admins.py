"""Several admins in headless Chromium (issue 14, item 6): an owner invites a colleague as
viewer (no SMTP here: the link is shown once, with the warning), the colleague opens it,
chooses a password and lands signed in on the dashboard, without the owner-only links; the
audit log shows both steps. Screenshots of the new pages, at 1280 and 390 px (where no page
may scroll sideways)."""

from __future__ import annotations

from tests.helpers import save_screenshot as _shot
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401
from tests.web.test_browser_responsive import seed, sign_in

pytestmark = BROWSER_MARKS


def _fits(browser) -> bool:
    width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];")
    return width <= inner


def test_invite_accept_sign_in_and_the_new_pages(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    seed(app)
    sign_in(browser, live_server)
    browser.get(live_server + "/admin/admins/")
    assert browser.find_element(By.ID, "invite-no-smtp").is_displayed()
    _shot(browser, tmp_path, "admins.png")
    browser.find_element(By.ID, "email").send_keys("colleague@example.org")
    Select(browser.find_element(By.ID, "role")).select_by_value("viewer")
    browser.find_element(By.CSS_SELECTOR, "#invite-form button[type=submit]").click()
    box = WebDriverWait(browser, 15).until(
        EC.visibility_of_element_located((By.ID, "invitation-link-box")))
    assert "Email is not configured" in box.text
    link = browser.find_element(By.ID, "invitation-link").text
    assert link.startswith(live_server + "/admin/join/")
    assert browser.find_element(By.ID, "copy-link").is_displayed()  # copy.js shows it
    _shot(browser, tmp_path, "admins-invited.png")

    browser.find_element(By.ID, "sign-out").click()
    WebDriverWait(browser, 15).until(EC.url_to_be(live_server + "/"))
    browser.get(link)
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.ID, "join-form")))
    assert "Join Northwind" in browser.find_element(By.TAG_NAME, "h1").text
    _shot(browser, tmp_path, "join.png")
    browser.find_element(By.ID, "password").send_keys("colleague password")
    browser.find_element(By.ID, "repeat_password").send_keys("colleague password")
    browser.find_element(By.CSS_SELECTOR, "#join-form button[type=submit]").click()
    WebDriverWait(browser, 15).until(EC.url_to_be(live_server + "/admin/"))
    nav = browser.find_element(By.ID, "site-nav").get_attribute("innerHTML")
    assert "/admin/credentials" in nav and "/admin/issue" not in nav
    assert "/admin/api-access/" not in nav and "/admin/audit/" not in nav
    assert "you are viewer of" in browser.page_source
    browser.get(link)  # used up
    assert "Invitation not valid" in browser.page_source

    browser.find_element(By.ID, "sign-out").click()
    WebDriverWait(browser, 15).until(EC.url_to_be(live_server + "/"))
    sign_in(browser, live_server)
    browser.get(live_server + "/admin/audit/")
    rows = browser.find_elements(By.CSS_SELECTOR, "#audit-log tbody tr[data-action]")
    assert [row.get_attribute("data-action") for row in rows] == ["admin.join", "admin.invite"]
    _shot(browser, tmp_path, "audit.png")
    browser.get(live_server + "/admin/admins/")
    browser.execute_script("document.getElementById('admins-main').scrollIntoView();")
    assert "colleague@example.org" in browser.find_element(By.ID, "admins-main").text
    _shot(browser, tmp_path, "admins-table.png")

    browser.set_window_size(390, 844)
    for name, path in (("admins", "/admin/admins/"), ("audit", "/admin/audit/")):
        browser.get(live_server + path)
        assert _fits(browser), name
        _shot(browser, tmp_path, f"{name}-390.png")
    browser.get(link)
    assert _fits(browser)
