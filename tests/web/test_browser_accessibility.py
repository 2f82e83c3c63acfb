"""Accessibility: axe-core (pinned in tests/interop/package.json, installed by
``npm ci --prefix tests/interop``) injected with selenium's execute_script into every public
page (landing, issuer profile, achievement, credential, verify, member page, claim page,
the admin and member sign-in) and the main admin pages, in headless Chromium against a real
local server. No violation of impact "serious" or "critical" is allowed (WCAG 2.x A/AA rules,
colour contrast included). Outside CI the test skips when axe-core is not installed; in CI it
fails instead."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from issuer import db
from issuer.clock import utc_now
from issuer.community import claims, members
from issuer.models import IssuedCredential
from tests.web.test_browser import BROWSER_MARKS, browser, live_server  # noqa: F401
from tests.web.test_browser_responsive import admin_pages, seed, sign_in

pytestmark = BROWSER_MARKS

AXE = Path(__file__).resolve().parents[1] / "interop" / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = {"serious", "critical"}


def _axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("axe-core not installed: run npm ci --prefix tests/interop")
        pytest.skip("axe-core missing (npm ci --prefix tests/interop)")
    return AXE.read_text(encoding="utf-8")


def _severe_violations(browser, axe: str) -> list[str]:
    browser.execute_script(axe)  # defines window.axe in the page (a script we send, not CSP'd)
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values:
                 ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
           .then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify({error: String(e)})));
    """)
    violations = json.loads(result)
    assert isinstance(violations, list), violations  # axe ran: a check not made never passes
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5])
            for v in violations if v.get("impact") in SEVERE]


def test_no_serious_accessibility_violations(app, live_server, browser):  # noqa: F811
    axe = _axe_source()
    achievement, credential = seed(app)
    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential)
        member = members.ensure_member(
            session, members.Identity(email="a.very.long.recipient.address@example.org",
                                      name="Ada Lovelace"), now=utc_now())
        session.commit()
        slug = member.slug
        token = claims.make_token(app.config["SECRET_KEY"], credential_id=row.id,
                                  recipient_id=row.recipient_id)
    browser.set_script_timeout(60)
    browser.set_window_size(1280, 1000)
    public = {
        "landing": "/",
        "issuer-profile": "/issuers/main",
        "achievement": f"/achievements/{achievement}",
        "credential": f"/credentials/{credential}",
        "verify": "/verify",
        "member-page": f"/members/{slug}",
        "admin-sign-in": "/admin/login",
        "member-sign-in": "/members/sign-in",
        "claim": f"/claim#{token}",
    }
    found: dict[str, list[str]] = {}
    for name, path in public.items():
        browser.get(live_server + path)
        if name == "claim":
            from selenium.webdriver.support.ui import WebDriverWait
            WebDriverWait(browser, 15).until(
                lambda b: b.current_url.endswith("/claim/credential"))
        assert "Not Found" not in browser.title and "Error" not in browser.title, name
        severe = _severe_violations(browser, axe)
        if severe:
            found[name] = severe
    sign_in(browser, live_server)
    for name, path in admin_pages(achievement, credential).items():
        browser.get(live_server + path)
        severe = _severe_violations(browser, axe)
        if severe:
            found[f"admin {name}"] = severe
    # On a phone the menu toggle shows: it is labelled and its opened menu passes too.
    browser.set_window_size(390, 844)
    for path in ("/admin/", f"/credentials/{credential}"):
        browser.get(live_server + path)
        browser.find_element("css selector", "label.nav-toggle-label").click()
        severe = _severe_violations(browser, axe)
        if severe:
            found[f"390 px {path}"] = severe
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
