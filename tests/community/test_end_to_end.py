"""The "done when" scenario, end to end: a real HTTP server, the real events API with a real
token, a real `issuer worker` process consuming the queue, a real SMTP server, and an admin
signing in to the real admin pages to assign a project badge by hand.

Posting a member's first forum post and five research sessions awards exactly First Post,
Contributor (3 sessions) and Rock Star (5 sessions), each once; with the hand-assigned
Project Badge, each is a verifiable credential, listed on the member's page and announced by
email."""

from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from issuer import db
from issuer.clock import format_datetime, utc_now
from issuer.community.models import Award, Member
from tests.api_helpers import make_token
from tests.community.conftest import MAIL_FROM, drain
from tests.community.helpers import achievement_with_rule, award_names, parts, verify_issued
from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, CSRF_RE, make_achievement
from tests.web.test_bulk_e2e import environment, start_worker, stop, wait_until

ADA = "ada@example.org"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


class Browser:
    """A cookie-keeping HTTP client (urllib), for the admin pages."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post_form(self, path: str, fields: dict[str, str], *, action: str | None = None) -> str:
        """Submit the form on ``path`` (to ``action``, default the same path), with its CSRF
        token; the page the redirect leads to."""
        token = next(group for group in CSRF_RE.search(self.get(path)).groups() if group)
        data = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        with self.opener.open(self.base + (action or path), data=data, timeout=60) as response:
            return response.read().decode()


def _post_event(base: str, token: str, body: dict) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        base + "/api/v1/events", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read()), dict(response.headers)


def test_events_and_a_hand_award_end_to_end(app, live_server, smtp_server, admin, profile,
                                             tmp_path):
    first_post = achievement_with_rule(app, "First Post", "first", action="forum.post")
    contributor = achievement_with_rule(app, "Contributor", "count",
                                        action="research.session", threshold=3)
    rock_star = achievement_with_rule(app, "Rock Star", "count", action="research.session",
                                      threshold=5)
    project = make_achievement(app, name="Project Badge")
    token = make_token(app, scopes=("events",), name="community platform")
    env = environment(app, ISSUER_SMTP_URL=app.config["SMTP_URL"], ISSUER_MAIL_FROM=MAIL_FROM,
                      ISSUER_MAIL_RETRY_DELAY="1")

    start = utc_now() - timedelta(hours=1)
    member = {"externalId": "forum-1815", "email": ADA, "name": "Ada Lovelace"}
    bodies = [{"id": "post-1", "member": member, "action": "forum.post",
               "occurredAt": format_datetime(start), "data": {"thread": "intro"}}]
    bodies += [{"id": f"session-{n}", "member": {"externalId": "forum-1815"},
                "action": "research.session",
                "occurredAt": format_datetime(start + timedelta(minutes=n))}
               for n in range(1, 6)]
    worker = start_worker(env, tmp_path / "worker.log", "--workers", "2")
    try:
        for body in bodies:
            status, answer, _ = _post_event(live_server, token, body)
            assert status == 202 and answer["status"] == "accepted"
        # A retry of the same event (a network hiccup on the sender's side) changes nothing.
        status, answer, headers = _post_event(live_server, token, bodies[3])
        assert status == 202 and headers["Idempotent-Replayed"] == "true"

        wait_until(lambda: award_names(app, ADA) == ["Contributor", "First Post", "Rock Star"]
                   and len(smtp_server.delivered) >= 3, seconds=120, what="the rule awards")

        admin_browser = Browser(live_server)  # an admin signs in and awards by hand
        dashboard = admin_browser.post_form("/admin/login", {"email": ADMIN_EMAIL,
                                                             "password": ADMIN_PASSWORD})
        assert "<h1>Admin</h1>" in dashboard
        with app.app_context():
            member_id = db.get_session().scalar(select(Member.id))
        path = f"/admin/community/members/{member_id}"
        assert "Ada Lovelace" in admin_browser.get(path)
        page = admin_browser.post_form(path, {"achievement": project,
                                              "note": "Built the archive importer"},
                                       action=f"{path}/award")
        assert "“Project Badge” is awarded to Ada Lovelace." in page

        wait_until(lambda: len(smtp_server.delivered) >= 4, seconds=120,
                   what="the project badge email")
    finally:
        stop(worker)
    assert drain(app) == 0  # the worker left nothing in the queue

    assert award_names(app, ADA) == ["Contributor", "First Post", "Project Badge", "Rock Star"]
    with app.app_context():
        rows = db.get_session().execute(select(Award.achievement_id, Award.credential_id,
                                               Award.source)).all()
    assert sorted(achievement for achievement, _, _ in rows) == sorted(
        [first_post, contributor, rock_star, project])
    sources = {achievement: source for achievement, _, source in rows}
    assert sources[project] == "admin" and sources[rock_star] == "rule"

    public = urllib.request.urlopen(f"{live_server}/members/ada-lovelace", timeout=30).read()
    public = public.decode()
    for _, credential_id, _ in rows:
        result = verify_issued(app, credential_id, ADA)
        assert result.verified, result.to_dict()
        assert f'href="/credentials/{credential_id}"' in public  # listed on the member page
        request = urllib.request.Request(f"{live_server}/credentials/{credential_id}",
                                         headers={"Accept": "application/ld+json"})
        served = json.loads(urllib.request.urlopen(request, timeout=30).read())
        assert served["credentialSubject"]["achievement"]["id"].startswith(live_server)

    subjects = sorted(item.message["Subject"] for item in smtp_server.to(ADA))
    assert subjects == ["You have earned Contributor", "You have earned First Post",
                        "You have earned Project Badge", "You have earned Rock Star"]
    for item in smtp_server.to(ADA):
        text, html = parts(item.message)
        assert re.search(rf"{re.escape(live_server)}/credentials/[0-9a-f-]{{36}}", text)
        assert ADA not in text and ADA not in html
