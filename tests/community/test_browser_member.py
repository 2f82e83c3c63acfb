"""Headless Chromium against a real local server: a member asks for a sign-in link, the link
is read from the email the real SMTP server received, the browser follows it (the page's
script moves the #token into the form), and the member hides one badge from their page."""

from __future__ import annotations

from issuer import db
from issuer.clock import utc_now
from issuer.community import members
from tests.community.conftest import drain
from tests.community.helpers import link, parts
from tests.service_fixtures import issue_credential, make_achievement
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401

pytestmark = BROWSER_MARKS

ADA = "ada@example.org"


def test_member_signs_in_by_emailed_link_and_hides_a_badge(app, live_server, browser,  # noqa: F811
                                                           smtp_server, profile):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from selenium.common.exceptions import WebDriverException

    def wait(condition):  # a node may be replaced while the page reloads: look again
        return WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(
            condition)

    with app.app_context():
        slug = members.ensure_member(db.get_session(),
                                     members.Identity(email=ADA, name="Ada Lovelace"),
                                     now=utc_now()).slug
    keep = issue_credential(app, make_achievement(app, name="Analytical Engine"), email=ADA)
    hide = issue_credential(app, make_achievement(app, name="Secret Society"), email=ADA)
    drain(app)
    assert len(smtp_server.wait_for(2)) == 2  # the two badge announcements

    browser.get(f"{live_server}/members/{slug}")
    assert "Secret Society" in browser.find_element(By.ID, "badges").text

    browser.get(f"{live_server}/members/sign-in")
    browser.find_element(By.ID, "email").send_keys(ADA)
    browser.find_element(By.ID, "send-link").click()
    wait(EC.presence_of_element_located((By.ID, "link-sent")))

    drain(app)  # the worker's turn: the sign-in email goes out
    delivered = smtp_server.wait_for(3)[-1]
    assert delivered.rcpt_tos == [ADA]
    assert delivered.message["Subject"] == "Your sign-in link for Open Badges"
    url = link(parts(delivered.message)[1], "sign-in-link")
    assert url.startswith(f"{live_server}/members/sign-in/continue#")

    browser.get(url)
    button = wait(EC.element_to_be_clickable((By.ID, "confirm-sign-in")))
    # The page's script takes the token out of the address (it may run just after the load).
    assert wait(lambda driver: "#" not in driver.current_url)
    button.click()
    wait(EC.url_to_be(f"{live_server}/members/me"))
    assert browser.find_element(By.CLASS_NAME, "flash").text == "You are signed in."

    box = browser.find_element(By.ID, f"public-{hide}")
    assert box.is_selected() and browser.find_element(By.ID, f"public-{keep}").is_selected()
    box.click()
    browser.find_element(By.ID, "save-badges").click()
    wait(EC.text_to_be_present_in_element((By.CLASS_NAME, "flash"), "badge choices are saved"))
    assert not browser.find_element(By.ID, f"public-{hide}").is_selected()

    browser.get(f"{live_server}/members/{slug}")
    badges = browser.find_element(By.ID, "badges").text
    assert "Analytical Engine" in badges and "Secret Society" not in badges

    # The link worked once: following it again does not sign anyone in.
    browser.delete_all_cookies()
    browser.get(url)
    wait(EC.element_to_be_clickable((By.ID, "confirm-sign-in"))).click()
    assert wait(EC.presence_of_element_located((By.ID, "link-invalid"))).is_displayed()
