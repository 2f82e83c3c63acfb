"""The badge designer end to end in headless Chromium: design a badge in the achievement
form, watch the preview follow each change, save, issue, then download the baked PNG and SVG
from the credential page and take the credential back out of both."""

from __future__ import annotations

import io
import os
import re
import urllib.request
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from PIL import Image

from issuer import db
from issuer.models import Achievement, IssuedCredential
from issuer.openbadges import baking
from tests.service_fixtures import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    issue_credential,
    make_achievement,
    make_admin,
    make_profile,
)
from tests.web.test_browser import browser, live_server, pytestmark  # noqa: F401 (fixtures)

SVG = "{http://www.w3.org/2000/svg}"


def _get(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers["Content-Type"]


def _shot(browser, tmp_path: Path, name: str) -> None:
    """A screenshot to look at (ISSUER_SCREENSHOTS=dir keeps them)."""
    folder = Path(os.environ.get("ISSUER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / f"{name}.png"))


def test_design_preview_save_issue_and_bake(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(condition, timeout=15):
        return WebDriverWait(browser, timeout).until(condition)

    make_profile(app, name="Browser Academy")
    make_admin(app)
    browser.get(live_server + "/admin/login")
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait(EC.url_to_be(live_server + "/admin/"))

    browser.get(live_server + "/admin/achievements/new")
    designer = browser.find_element(By.ID, "badge-designer")
    preview = browser.find_element(By.ID, "badge-preview")
    wait(lambda _: designer.get_attribute("data-preview") == "ready")
    first = preview.get_attribute("src")
    assert "/admin/designer/preview.svg?" in first and "shape=circle" in first
    assert browser.find_element(By.ID, "image").is_displayed() is False  # upload is hidden

    browser.find_element(By.ID, "name").send_keys("Rocket Scientist")
    browser.find_element(By.ID, "description").send_keys("Launched a model rocket.")
    browser.find_element(By.ID, "criteria_narrative").send_keys("Launch **one** rocket.")
    browser.find_element(By.CSS_SELECTOR, 'label[title="Shield"]').click()
    browser.find_element(By.CSS_SELECTOR, 'label[title="Rocket"]').click()
    for field, colour in (("design_background", "#0f766e"), ("design_accent", "#e2e8f0")):
        browser.execute_script(  # a colour picker has no keyboard text entry
            "const f = document.getElementById(arguments[0]); f.value = arguments[1];"
            "f.dispatchEvent(new Event('input', {bubbles: true}));", field, colour)
    browser.find_element(By.ID, "design_ribbon").send_keys("Level 2")

    def preview_shows(_):
        src = preview.get_attribute("src")
        return (designer.get_attribute("data-preview") == "ready" and "shape=shield" in src
                and "icon=rocket" in src and "ribbon=Level+2" in src
                and "background=%230f766e" in src and "title=Rocket+Scientist" in src)

    wait(preview_shows)
    assert browser.execute_script("return arguments[0].naturalWidth", preview) == 512
    designer.location_once_scrolled_into_view
    _shot(browser, tmp_path, "designer-form")
    browser.set_window_size(390, 900)  # a phone: the designer fits, the preview comes first
    assert browser.execute_script(
        "const box = arguments[0].getBoundingClientRect();"
        "return box.right <= window.innerWidth && arguments[0].scrollWidth <= "
        "arguments[0].clientWidth", designer)
    preview_box, controls_box = (browser.execute_script(
        "return arguments[0].getBoundingClientRect().top", element) for element in (
        preview, browser.find_element(By.CSS_SELECTOR, ".designer-controls")))
    assert preview_box < controls_box
    designer.location_once_scrolled_into_view
    _shot(browser, tmp_path, "designer-phone")
    browser.set_window_size(1280, 1000)

    browser.find_element(By.ID, "save-achievement").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "is created"))
    achievement_id = re.search(r"/achievements/([0-9a-f-]{36})", browser.current_url).group(1)
    # The edit page shows the saved design again.
    assert browser.find_element(By.ID, "design_shape-shield").is_selected()
    assert browser.find_element(By.ID, "design_icon-rocket").is_selected()
    assert browser.find_element(By.ID, "design_ribbon").get_attribute("value") == "Level 2"
    with app.app_context():
        saved = db.get_session().get(Achievement, achievement_id)
        assert saved.design["shape"] == "shield" and saved.design["background"] == "#0f766e"
        assert saved.image.content_type == "image/png"
        assert saved.design_svg.content_type == "image/svg+xml"

    credential_id = issue_credential(app, achievement_id, email="ada@example.org",
                                     name="Ada Lovelace")
    browser.get(f"{live_server}/credentials/{credential_id}")
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "lead"), "Awarded to Ada Lovelace"))
    badge = browser.find_element(By.CSS_SELECTOR, "img.badge")
    assert browser.execute_script("return arguments[0].naturalWidth", badge) == 512
    _shot(browser, tmp_path, "credential-page")
    with app.app_context():
        stored = db.get_session().get(IssuedCredential, credential_id).document

    png_url = browser.find_element(By.ID, "download-baked-png").get_attribute("href")
    png, content_type = _get(png_url)
    assert content_type == "image/png"
    assert baking.extract_credential(png).text == stored  # byte for byte
    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGBA")
        assert image.size == (512, 512)
        red, green, blue, alpha = image.getpixel((170, 250))  # the designed background
        assert alpha == 255 and abs(red - 0x0f) < 40 and abs(green - 0x76) < 40

    svg_url = browser.find_element(By.ID, "download-baked-svg").get_attribute("href")
    svg, content_type = _get(svg_url)
    assert content_type.startswith("image/svg+xml")
    assert baking.extract_credential(svg).text == stored
    root = SafeET.fromstring(svg)
    assert "Rocket Scientist" in "".join(root.itertext())
    assert any(el.get("fill") == "#0f766e" for el in root.iter(f"{SVG}path"))
    browser.get(svg_url)  # the baked SVG displays as the badge
    _shot(browser, tmp_path, "baked-svg")

    # No blank slots: an achievement without an image shows its designed default.
    make_achievement(app, name="Open Data Champion")
    browser.get(live_server + "/")
    pictures = browser.find_elements(By.CSS_SELECTOR, "main img")
    assert len(pictures) >= 2
    assert all(browser.execute_script("return arguments[0].naturalWidth", img) > 0
               for img in pictures)
    _shot(browser, tmp_path, "landing")
