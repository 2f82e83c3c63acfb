"""The admin dashboard in headless Chromium against a real local server: the issuance
chart's SVG bars match the credentials issued (count and relative height), the chart has
accessible labels, and neither the dashboard nor the credential list overflows a 390 px
wide phone screen. Screenshots go to the test's tmp_path (and ISSUER_SCREENSHOT_DIR)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from issuer import db
from issuer.clock import utc_now
from issuer.services import issuance
from issuer.services.keystore import FileKeyStore
from tests.helpers import save_screenshot as _shot
from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, make_achievement, make_admin, \
    make_profile
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401

pytestmark = BROWSER_MARKS


def _issue_at(app, achievement_id, email, at):
    with app.app_context():
        issuance.issue(db.get_session(),
                       issuance.IssueRequest(achievement_id=achievement_id, email=email),
                       keystore=FileKeyStore(app.config["KEYS_DIR"]),
                       base_url=app.config["BASE_URL"], now=at, via="cli")


def _overflow(browser) -> tuple[int, int]:
    return tuple(browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"))


def test_dashboard_chart_matches_the_counts(app, live_server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    make_profile(app, name="Chart Academy", slug="main")
    make_admin(app)
    python = make_achievement(app, name="Python Basics")
    sql = make_achievement(app, name="SQL Basics")
    now = utc_now()
    # This month 4, the month before 2 (issued on day 1 of it, so it is the previous month
    # whatever today's date), and 1 in the month before that.
    this_month = now.replace(day=1, hour=0, minute=0, second=1, microsecond=0)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    before = (last_month - timedelta(days=1)).replace(day=1)
    for n in range(4):
        _issue_at(app, python if n else sql, f"now{n}@example.org", min(now, this_month
                                                                         + timedelta(minutes=n)))
    for n in range(2):
        _issue_at(app, python, f"last{n}@example.org", last_month + timedelta(hours=n))
    _issue_at(app, sql, "before@example.org", before)
    expected = {this_month.strftime("%Y-%m"): 4, last_month.strftime("%Y-%m"): 2,
                before.strftime("%Y-%m"): 1}

    browser.get(live_server + "/admin/")
    browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
    browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 15).until(EC.url_to_be(live_server + "/admin/"))

    bars = browser.find_elements(By.CSS_SELECTOR, "#issuance-chart svg g.bar")
    assert len(bars) == 12
    drawn = {bar.get_attribute("data-period"): int(bar.get_attribute("data-count"))
             for bar in bars}
    assert {period: count for period, count in drawn.items() if count} == expected
    # The rectangles as the browser lays them out: heights proportional to the counts.
    heights = browser.execute_script("""
        return Array.from(document.querySelectorAll('#issuance-chart g.bar')).map(
            g => [g.dataset.period, g.querySelector('rect').getBoundingClientRect().height]);
    """)
    heights = dict(heights)
    unit = heights[this_month.strftime("%Y-%m")] / 4
    assert unit > 5
    for period, count in drawn.items():
        assert heights[period] == pytest.approx(count * unit, abs=1.0), period
    # Accessible: the SVG is an image labelled by its title and description; each bar has
    # a title with its numbers; the numbers are in a table too.
    svg = browser.find_element(By.CSS_SELECTOR, "#issuance-chart svg")
    assert svg.get_attribute("role") == "img"
    title = browser.find_element(By.ID, "issuance-chart-title").get_attribute("textContent")
    assert title.startswith("Credentials issued per month")
    assert "7 credentials" in browser.find_element(
        By.ID, "issuance-chart-desc").get_attribute("textContent")
    bar_titles = [t.get_attribute("textContent") for t in
                  browser.find_elements(By.CSS_SELECTOR, "#issuance-chart g.bar title")]
    assert f"{this_month.strftime('%Y-%m')}: 4 issued" in bar_titles
    assert browser.find_element(By.CSS_SELECTOR, "#stat-issued .number").text == "7"
    top = browser.find_element(By.ID, "top-achievements").text
    assert top.index("Python Basics") < top.index("SQL Basics")
    width, inner = _overflow(browser)
    assert width <= inner
    browser.set_window_size(1280, 2000)  # the whole dashboard in one screenshot
    _shot(browser, tmp_path, "dashboard-1280.png")

    browser.set_window_size(390, 844)
    browser.get(live_server + "/admin/")
    width, inner = _overflow(browser)
    assert width <= inner, f"dashboard overflows at 390 px: {width} > {inner}"
    _shot(browser, tmp_path, "dashboard-390.png")

    browser.get(live_server + "/admin/credentials?status=active&sort=recipient")
    rows = browser.find_elements(By.CSS_SELECTOR, "#credential-table tbody tr[data-status]")
    assert len(rows) == 7
    width, inner = _overflow(browser)
    assert width <= inner, f"credential list overflows at 390 px: {width} > {inner}"
    _shot(browser, tmp_path, "credentials-390.png")
    browser.set_window_size(1280, 1000)
    browser.get(live_server + "/admin/credentials?status=active&sort=recipient")
    _shot(browser, tmp_path, "credentials-1280.png")
