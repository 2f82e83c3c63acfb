"""Helpers for the community tests: rules, achievements, events through the real API, and a
member's sign-in by emailed link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from issuer import db
from issuer.clock import format_datetime, utc_now
from issuer.community import services
from issuer.community.models import Award, Member
from issuer.models import Achievement, IssuedCredential, Recipient
from issuer.services import achievements
from issuer.services.tx import atomic
from tests.api_helpers import bearer, make_token
from tests.community.conftest import drain
from tests.service_fixtures import csrf_token, make_achievement


def achievement_with_rule(app, name: str, kind: str, *, action: str | None = None,
                          threshold: int | None = None, required: tuple[str, ...] = (),
                          window_from: datetime | None = None,
                          window_until: datetime | None = None) -> str:
    achievement_id = make_achievement(app, name=name, description=f"{name} badge.",
                                      criteria_narrative=f"Earn {name}.")
    set_rule(app, achievement_id, kind, action=action, threshold=threshold, required=required,
             window_from=window_from, window_until=window_until)
    return achievement_id


def set_rule(app, achievement_id: str, kind: str, **fields: Any) -> None:
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            services.set_rule(session, achievements.get_achievement(session, achievement_id),
                              services.RuleInput(kind=kind, **fields), now=utc_now())


def events_token(app) -> str:
    return make_token(app, scopes=("events",), name="forum")


def event(event_id: str, *, email: str = "ada@example.org", action: str = "forum.post",
          occurred_at: datetime | None = None, name: str | None = "Ada Lovelace",
          external_id: str | None = None, data: dict | None = None) -> dict[str, Any]:
    member: dict[str, Any] = {"email": email}
    if name is not None:
        member["name"] = name
    if external_id is not None:
        member["externalId"] = external_id
    body: dict[str, Any] = {
        "id": event_id, "member": member, "action": action,
        "occurredAt": format_datetime(occurred_at or utc_now() - timedelta(minutes=1)),
    }
    if data is not None:
        body["data"] = data
    return body


def post(client, token: str, body: Any, **headers: str):
    return client.post("/api/v1/events", json=body, headers=bearer(token, **headers))


def award_names(app, email: str) -> list[str]:
    """The achievements awarded to the member with this email, sorted by name."""
    with app.app_context():
        session = db.get_session()
        rows = session.execute(
            select(Achievement.name).join(Award, Award.achievement_id == Achievement.id)
            .join(Member, Member.id == Award.member_id).join(Recipient)
            .where(Recipient.email == email)).scalars().all()
        return sorted(rows)


def credential_names(app, email: str) -> list[str]:
    """Every credential issued to this email (its achievement's name), sorted."""
    with app.app_context():
        session = db.get_session()
        return sorted(session.scalars(
            select(Achievement.name).join(IssuedCredential,
                                          IssuedCredential.achievement_id == Achievement.id)
            .join(Recipient).where(Recipient.email == email)).all())


def verify_issued(app, credential_id: str, email: str):
    """Verify a stored credential as any verifier would (our did:web and status lists
    resolved locally), also matching the recipient's email; returns the result."""
    import json

    from issuer.services.fetch import FetchPolicy
    from issuer.services.verification import verify_document

    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        return verify_document(session, json.loads(row.document), base_url=app.config["BASE_URL"],
                               now=utc_now(), policy=FetchPolicy(), recipient_email=email,
                               network=False)


def awards(app, email: str) -> list[Award]:
    with app.app_context():
        session = db.get_session()
        rows = session.scalars(select(Award).join(Member).join(Recipient)
                               .where(Recipient.email == email)).all()
        for row in rows:
            _ = row.achievement.name, row.credential.document  # loaded before the session ends
        return list(rows)


def parts(message) -> tuple[str, str]:
    """(text, html) bodies of a delivered message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def link(html: str, element_id: str) -> str:
    """The href of the <a id=element_id> in an email's HTML."""
    import html as html_lib
    import re

    match = re.search(rf'<a id="{element_id}" href="([^"]+)"', html)
    assert match, f"no link #{element_id}"
    return html_lib.unescape(match.group(1))


def fragment_token(url: str) -> str:
    _path, _, token = url.partition("#")
    assert token and "?" not in url, url
    return token


def sign_in_member(app, client, smtp_server, email: str = "ada@example.org") -> str:
    """Ask for a link, deliver it through the queue and SMTP, use it; the link's token."""
    before = len(smtp_server.delivered)
    token = csrf_token(client, "/members/sign-in")
    response = client.post("/members/sign-in", data={"csrf_token": token, "email": email})
    assert response.status_code == 200 and 'id="link-sent"' in response.get_data(as_text=True)
    drain(app)
    delivered = smtp_server.wait_for(before + 1)[-1]
    assert delivered.rcpt_tos == [email]
    _, html = parts(delivered.message)
    url = link(html, "sign-in-link")
    assert url.startswith("http://localhost:5000/members/sign-in/continue#")
    secret = fragment_token(url)
    page = client.get("/members/sign-in/continue")
    assert secret not in page.get_data(as_text=True)
    response = client.post("/members/sign-in/continue", data={
        "csrf_token": csrf_token(client, "/members/sign-in/continue"), "token": secret})
    assert response.status_code == 302 and response.headers["Location"] == "/members/me"
    return secret
