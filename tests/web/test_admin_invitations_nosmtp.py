"""Without ISSUER_SMTP_URL nothing can be emailed: the inviting owner is told so, clearly,
and shown the link once to pass on; that link works once (issue 14, item 6)."""

from __future__ import annotations

import html
import re

from tests.service_fixtures import csrf_token
from tests.web.roles_helpers import role_of


def test_without_smtp_the_owner_is_shown_the_link_once(app, admin_client):
    page = admin_client.get("/admin/admins/").get_data(as_text=True)
    assert 'id="invite-no-smtp"' in page
    response = admin_client.post("/admin/admins/invite", data={
        "csrf_token": csrf_token(admin_client, "/admin/admins/"), "email": "Zoe@Example.org",
        "profile": "main", "role": "viewer"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = html.unescape(response.get_data(as_text=True))
    assert "Email is not configured" in text and "zoe@example.org" in text
    link = re.search(r'id="invitation-link">([^<]+)<', text).group(1)
    assert link not in admin_client.get("/admin/admins/").get_data(as_text=True)  # once
    path = link.removeprefix("http://localhost:5000")
    zoe = app.test_client()
    response = zoe.post(path, data={"csrf_token": csrf_token(zoe, path),
                                    "password": "zoes password!", "repeat_password":
                                    "zoes password!"})
    assert response.status_code == 303
    assert role_of(app, "zoe@example.org") == "viewer"
    assert zoe.get("/admin/").status_code == 200
    assert app.test_client().get(path).status_code == 404


def test_bad_invitations_are_form_errors(app, admin_client):
    token = csrf_token(admin_client, "/admin/admins/")
    for data, status in (({"email": "not an email", "profile": "main", "role": "viewer"}, 422),
                         ({"email": "a@example.org", "profile": "nope", "role": "viewer"}, 422),
                         ({"email": "a@example.org", "profile": "main", "role": "king"}, 422),
                         ({"email": "admin@example.org", "profile": "main", "role": "viewer"},
                          409)):
        response = admin_client.post("/admin/admins/invite", data={"csrf_token": token, **data})
        assert response.status_code in (status, 403), (data, response.status_code)
