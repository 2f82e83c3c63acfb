"""Headless Chromium against a real local server: a member signs in by an emailed link, adds
a second email address and confirms it by the link the real SMTP server received, then sees
the badges sent to both addresses on their one public page, with share links that work
(Mastodon's through the instance form) and an Open Graph card; a private badge stays off
it. The pages are photographed at desktop width and at 390 px (no horizontal overflow).

Set ISSUER_SCREENSHOTS=<dir> to keep the screenshots."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from issuer import db
from issuer.clock import utc_now
from issuer.community import members
from issuer.models import Achievement
from issuer.services import images
from issuer.services.tx import atomic
from tests.community.conftest import drain
from tests.community.helpers import link, parts
from tests.service_fixtures import issue_credential, make_achievement, png_bytes
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401

pytestmark = BROWSER_MARKS

HOME = "ada@example.org"
WORK = "ada@work.example.com"


def _badge(app, name: str, color: str | None = None, **fields) -> str:
    achievement_id = make_achievement(app, name=name, **fields)
    if color:
        with app.app_context():
            session = db.get_session()
            with atomic(session):
                image = images.store_image(session, png_bytes((160, 160), color),
                                           max_bytes=1 << 20, now=utc_now())
                session.get(Achievement, achievement_id).image = image
    return achievement_id


def _photo(tmp_path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 450), (230, 236, 245))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 60, 400, 260), fill=(120, 80, 60))
    draw.rectangle((150, 280, 450, 450), fill=(40, 70, 140))
    path = tmp_path / "ada.jpg"
    image.save(path, format="JPEG", quality=90)
    return path


def test_member_with_two_addresses_sees_all_badges_on_one_page_and_shares_it(  # noqa: PLR0915
        app, live_server, browser, smtp_server, profile, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    shots = Path(os.environ.get("ISSUER_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    def wait(condition):
        return WebDriverWait(browser, 30).until(condition)

    def no_overflow(name: str) -> None:
        """Photograph the whole page at 1280 and 390 px wide; at 390 nothing scrolls
        sideways."""
        height = "return document.documentElement.scrollHeight;"
        browser.set_window_size(1280, 1000)
        browser.set_window_size(1280, min(browser.execute_script(height) + 100, 4000))
        browser.save_screenshot(str(shots / f"{name}-1280.png"))
        browser.set_window_size(390, 844)
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];")
        browser.set_window_size(390, min(browser.execute_script(height) + 100, 6000))
        browser.save_screenshot(str(shots / f"{name}-390.png"))
        browser.set_window_size(1280, 1000)
        assert widths[0] <= widths[1], f"{name}: {widths[0]} px wide in a {widths[1]} px window"

    def follow_email_link(element_id: str, to: str, count: int) -> None:
        drain(app)
        delivered = smtp_server.wait_for(count)[-1]
        assert delivered.rcpt_tos == [to]
        url = link(parts(delivered.message)[1], element_id)
        browser.get(url)
        assert wait(lambda driver: "#" not in driver.current_url)  # the token left the bar

    with app.app_context():
        slug = members.ensure_member(db.get_session(),
                                     members.Identity(email=HOME, name="Ada Lovelace"),
                                     now=utc_now()).slug
    home_badge = issue_credential(app, _badge(app, "Analytical Engine", "teal"), email=HOME)
    work_badge = issue_credential(app, _badge(app, "Difference Engine", "darkorange"),
                                  email=WORK)
    work_second = issue_credential(app, _badge(app, "Bernoulli Numbers"), email=WORK)
    private = issue_credential(app, _badge(app, "Upgrade Notice", "purple", private=True),
                               email=HOME)
    drain(app)
    sent = len(smtp_server.wait_for(4))  # the four badge announcements

    # Sign in by the emailed link.
    browser.get(f"{live_server}/members/sign-in")
    browser.find_element(By.ID, "email").send_keys(HOME)
    browser.find_element(By.ID, "send-link").click()
    wait(EC.presence_of_element_located((By.ID, "link-sent")))
    follow_email_link("sign-in-link", HOME, sent + 1)
    wait(EC.element_to_be_clickable((By.ID, "confirm-sign-in"))).click()
    wait(EC.url_to_be(f"{live_server}/members/me"))

    # A persona: headline, bio, interests, links, and a photo (re-encoded by the server).
    browser.find_element(By.ID, "headline").send_keys("Analyst of engines, poet of science")
    browser.find_element(By.ID, "bio").send_keys(
        "I write the *first* programs for Mr Babbage's **Analytical Engine**.")
    browser.find_element(By.ID, "interests").send_keys("mathematics, looms, poetry")
    browser.find_element(By.ID, "links").send_keys(
        "Notes | https://ada.example.org/notes\nhttps://mastodon.example/@ada")
    browser.find_element(By.ID, "avatar").send_keys(str(_photo(tmp_path)))
    browser.find_element(By.ID, "save-page").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "Your page is saved."))
    assert browser.find_element(By.ID, f"private-{private}").text == "private"
    no_overflow("member-edit")

    # The second address: add it, confirm it by the link emailed to it.
    browser.find_element(By.ID, "manage-addresses").click()
    wait(EC.presence_of_element_located((By.ID, "add-address")))
    browser.find_element(By.ID, "email").send_keys(WORK)
    browser.find_element(By.ID, "add-address").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"),
                                          f"We sent a confirmation link to {WORK}"))
    assert "waiting for confirmation" in browser.find_element(By.ID, "addresses").text
    follow_email_link("verify-link", WORK, sent + 2)
    wait(EC.element_to_be_clickable((By.ID, "confirm-address"))).click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), f"{WORK} is confirmed"))
    listed = browser.find_element(By.ID, "addresses").text
    assert HOME in listed and WORK in listed and "primary" in listed
    assert "waiting for confirmation" not in listed
    no_overflow("member-addresses")

    # One public page: the badges of both addresses, not the private one.
    browser.get(f"{live_server}/members/{slug}")
    grid = browser.find_element(By.ID, "badges")
    shown = {tile.get_attribute("data-credential")
             for tile in grid.find_elements(By.CSS_SELECTOR, "li.badge-tile")}
    assert shown == {home_badge, work_badge, work_second}
    assert "Upgrade Notice" not in grid.text
    assert browser.find_element(By.ID, "badge-count").text == "3 badges"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ada Lovelace"
    assert HOME not in browser.page_source and WORK not in browser.page_source
    images_loaded = browser.execute_script(
        "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0);")
    assert images_loaded
    no_overflow("member-page")

    # Share links: each network's own intent with this page's URL.
    page_url = f"{live_server}/members/{slug}"
    hrefs = {network: browser.find_element(By.ID, f"share-{network}").get_attribute("href")
             for network in ("linkedin", "x", "bluesky", "facebook", "email")}
    assert parse_qs(urlsplit(hrefs["linkedin"]).query)["url"] == [page_url]
    assert parse_qs(urlsplit(hrefs["x"]).query)["url"] == [page_url]
    assert page_url in parse_qs(urlsplit(hrefs["bluesky"]).query)["text"][0]
    assert parse_qs(urlsplit(hrefs["facebook"]).query)["u"] == [page_url]
    assert hrefs["email"].startswith("mailto:?") and page_url in parse_qs(
        urlsplit(hrefs["email"]).query)["body"][0]
    for network in ("linkedin", "x", "bluesky", "facebook"):
        anchor = browser.find_element(By.ID, f"share-{network}")
        assert anchor.get_attribute("target") == "_blank"
        assert "noopener" in anchor.get_attribute("rel")
    # Mastodon: a bad instance name is refused in place; a good one opens its share intent.
    instance = browser.find_element(By.ID, "mastodon-instance")
    instance.send_keys("not an instance")
    browser.find_element(By.ID, "share-mastodon").click()
    assert browser.find_element(By.ID, "mastodon-error").is_displayed()
    before = set(browser.window_handles)
    instance.clear()
    instance.send_keys("@ada@Mastodon.Example")
    browser.execute_script(  # the new tab would reach for the network: look, don't go
        "HTMLAnchorElement.prototype.click = function () { window.__opened = this.href; };")
    browser.find_element(By.ID, "share-mastodon").click()
    opened = browser.execute_script("return window.__opened;")
    assert opened.startswith("https://mastodon.example/share?text=")
    assert page_url in parse_qs(urlsplit(opened).query)["text"][0]
    assert not browser.find_element(By.ID, "mastodon-error").is_displayed()
    assert set(browser.window_handles) == before
    browser.refresh()  # the instance is remembered in this browser
    wait(EC.presence_of_element_located((By.ID, "mastodon-instance")))
    assert browser.find_element(By.ID, "mastodon-instance").get_attribute(
        "value") == "mastodon.example"

    # The Open Graph card the page names is a real 1200×630 PNG.
    card = browser.find_element(By.CSS_SELECTOR, 'meta[property="og:image"]').get_attribute(
        "content")
    assert card == f"{page_url}/card.png"
    with urllib.request.urlopen(card, timeout=10) as response:
        data = response.read()
    (shots / "member-card.png").write_bytes(data)
    from PIL import Image
    import io

    with Image.open(io.BytesIO(data)) as picture:
        assert picture.size == (1200, 630)

    # A credential page carries the same share links; the private one is the holder's alone.
    browser.get(f"{live_server}/credentials/{work_badge}")
    wait(EC.presence_of_element_located((By.ID, "share-bluesky")))
    credential_url = f"{live_server}/credentials/{work_badge}"
    assert parse_qs(urlsplit(browser.find_element(By.ID, "share-facebook").get_attribute(
        "href")).query)["u"] == [credential_url]
    no_overflow("credential-page")
    browser.get(f"{live_server}/credentials/{private}")
    assert browser.find_element(By.ID, "private-notice").is_displayed()
    no_overflow("private-credential")
    browser.delete_all_cookies()
    browser.get(f"{live_server}/credentials/{private}")
    assert "Upgrade Notice" not in browser.page_source
    assert browser.find_element(By.TAG_NAME, "h1").text != "Upgrade Notice"
