"""The achievement form in headless Chromium (issue 14, item 3): the live Markdown preview,
the size check before upload, the form kept whole after a too-large image (the server's form
error), and the page for a body too large to read, with its way back. Screenshots at 1280 and
390 px (ISSUER_SCREENSHOTS=dir keeps them)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from issuer import db
from issuer.models import Achievement
from tests.service_fixtures import make_admin, make_profile, png_bytes
from tests.web.test_browser import browser, live_server, pytestmark  # noqa: F401 (fixtures)
from tests.web.test_browser_responsive import sign_in


def _shot(browser, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("ISSUER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / f"{name}.png"))


def _full_shot(browser, tmp_path: Path, name: str, width: int) -> None:
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(max(height + 120, 800), 4000))
    _shot(browser, tmp_path, name)


def _sign_in(app, live_server, browser):
    make_profile(app, name="Browser Academy")
    make_admin(app)
    sign_in(browser, live_server)


def _count(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(Achievement))


def test_markdown_preview_follows_the_typing(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _sign_in(app, live_server, browser)
    browser.get(live_server + "/admin/achievements/new")
    assert not browser.find_element(By.ID, "preview-markdown").is_displayed()  # JS: live
    browser.find_element(By.ID, "name").send_keys("Rocket Scientist")
    browser.find_element(By.ID, "criteria_narrative").send_keys(
        "Launch **one** rocket.\n\n- safely\n- <script>window.pwned = 1</script>")
    box = browser.find_element(By.ID, "criteria_narrative-preview")
    WebDriverWait(browser, 15).until(
        lambda _: box.is_displayed() and box.find_elements(By.CSS_SELECTOR, "strong"))
    assert box.find_element(By.CSS_SELECTOR, "strong").text == "one"
    assert [item.text for item in box.find_elements(By.CSS_SELECTOR, "li")][0] == "safely"
    assert not box.find_elements(By.CSS_SELECTOR, "script")
    assert browser.execute_script("return window.pwned") is None
    assert not browser.find_element(By.ID, "description-preview").is_displayed()
    browser.find_element(By.ID, "description").send_keys("Built *and* flew.")
    WebDriverWait(browser, 15).until(lambda _: browser.find_elements(
        By.CSS_SELECTOR, "#description-preview em"))
    _full_shot(browser, tmp_path, "achievement-form-preview-1280", 1280)
    _full_shot(browser, tmp_path, "achievement-form-preview-390", 390)
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")
    assert _count(app) == 0


def test_a_too_large_image_keeps_the_form(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app.config["MAX_IMAGE_BYTES"] = 64 * 1024
    big = tmp_path / "big.png"
    data = png_bytes()
    big.write_bytes(data + b"\0" * (100 * 1024 - len(data)))
    _sign_in(app, live_server, browser)
    browser.get(live_server + "/admin/achievements/new")
    browser.find_element(By.ID, "name").send_keys("Heavy Badge")
    browser.find_element(By.ID, "description").send_keys("Kept *after* the error.")
    browser.find_element(By.ID, "criteria_narrative").send_keys("1. Lift\n2. **Carry**")
    browser.find_element(By.ID, "tags").send_keys("strength, endurance")
    browser.find_element(By.ID, "remind_days").send_keys("14")
    browser.execute_script("document.querySelector('input[name=image_source][value=upload]')"
                           ".click()")
    browser.find_element(By.ID, "image").send_keys(str(big))
    warning = browser.find_element(By.ID, "image-size-warning")
    assert warning.text == "This file is 100 KiB; the limit is 64 KiB. Choose a smaller file."
    browser.find_element(By.ID, "save-achievement").click()  # refused in the browser
    assert browser.current_url == live_server + "/admin/achievements/new"
    assert _count(app) == 0
    _shot(browser, tmp_path, "achievement-form-size-warning")

    # A browser without the script sends it: the server answers with the form kept whole.
    browser.execute_script("document.getElementById('image').removeAttribute('data-max-bytes')")
    browser.find_element(By.ID, "save-achievement").click()
    error = WebDriverWait(browser, 15).until(
        lambda _: browser.find_elements(By.ID, "image-error"))[0]
    assert error.text == "The image is 100 KiB; the limit is 64 KiB. Choose a smaller file."
    assert browser.find_element(By.ID, "name").get_attribute("value") == "Heavy Badge"
    assert browser.find_element(By.ID, "description").get_attribute("value") == \
        "Kept *after* the error."
    assert browser.find_element(By.ID, "tags").get_attribute("value") == "strength, endurance"
    assert browser.find_element(By.ID, "remind_days").get_attribute("value") == "14"
    assert browser.find_element(
        By.CSS_SELECTOR, "input[name=image_source][value=upload]").is_selected()
    assert browser.find_element(By.ID, "image").is_displayed()  # the upload part stays open
    WebDriverWait(browser, 15).until(lambda _: browser.find_elements(
        By.CSS_SELECTOR, "#criteria_narrative-preview strong"))
    assert _count(app) == 0
    _full_shot(browser, tmp_path, "achievement-form-image-error-1280", 1280)
    _full_shot(browser, tmp_path, "achievement-form-image-error-390", 390)
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")


def test_a_body_too_large_to_read_has_a_page_and_a_way_back(app, live_server, browser,  # noqa: F811
                                                            tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app.config["MAX_IMAGE_BYTES"] = 64 * 1024
    app.config["UPLOAD_BODY_MAX_BYTES"] = 256 * 1024  # the body limit: 384 KiB
    huge = tmp_path / "huge.png"
    data = png_bytes()
    huge.write_bytes(data + b"\0" * (1024 * 1024 - len(data)))
    _sign_in(app, live_server, browser)
    browser.get(live_server + "/admin/profiles/main")
    browser.find_element(By.ID, "image").send_keys(str(huge))
    assert "the limit is 64 KiB" in browser.find_element(By.ID, "image-size-warning").text
    browser.execute_script("document.getElementById('image').removeAttribute('data-max-bytes')")
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    WebDriverWait(browser, 15).until(lambda _: browser.find_elements(By.ID, "too-large"))
    assert "Images may be at most 64 KiB, and a whole form at most 384 KiB" in \
        browser.find_element(By.ID, "too-large").text
    _shot(browser, tmp_path, "upload-too-large-1280")
    browser.set_window_size(390, 844)
    _shot(browser, tmp_path, "upload-too-large-390")
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")
    browser.find_element(By.ID, "back-to-form").click()
    WebDriverWait(browser, 15).until(lambda _: browser.find_elements(By.ID, "image"))
    assert browser.current_url == live_server + "/admin/profiles/main"
