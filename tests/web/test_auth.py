"""Admin sign-in, sign-out, CSRF and the sign-in wall."""

from __future__ import annotations

import pytest

from issuer import db
from issuer.services import users
from issuer.services.tx import atomic
from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, sign_in

ADMIN_PAGES = ["/admin/", "/admin/issue", "/admin/achievements/new", "/admin/credentials",
               "/admin/profiles/main"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_send_strangers_to_sign_in(client, profile, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


def test_sign_in_with_the_right_password(client, admin, profile):
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only
    assert ADMIN_PASSWORD not in cookie.value


def test_sign_in_goes_back_to_a_local_next_page_only(client, admin, profile):
    token = csrf_token(client, "/admin/login")
    data = {"csrf_token": token, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    response = client.post("/admin/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/admin/"
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    token = csrf_token(client, "/admin/login")
    response = client.post("/admin/login?next=/admin/issue", data={**data, "csrf_token": token})
    assert response.headers["Location"] == "/admin/issue"


@pytest.mark.parametrize(("email", "password"), [(ADMIN_EMAIL, "wrong password!"),
                                                  ("nobody@example.org", ADMIN_PASSWORD)])
def test_wrong_credentials_get_one_message(client, admin, email, password):
    response = sign_in(client, email=email, password=password)
    assert response.status_code == 401
    assert "email address or password is not correct" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_empty_sign_in_form_names_the_fields(client, admin):
    token = csrf_token(client, "/admin/login")
    response = client.post("/admin/login", data={"csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address." in page and "Enter your password." in page


def test_forms_without_csrf_token_are_refused(client, admin):
    response = client.post("/admin/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_sign_out_needs_the_token_and_ends_the_session(admin_client):
    assert admin_client.post("/admin/logout").status_code == 400
    assert admin_client.get("/admin/").status_code == 200
    token = csrf_token(admin_client, "/admin/")
    response = admin_client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert admin_client.get("/admin/").status_code == 302


def test_password_change_signs_out_other_sessions(app, admin_client):
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            users.set_password(session, users.admin_by_email(session, ADMIN_EMAIL),
                               "a brand new password")
    assert admin_client.get("/admin/").status_code == 302
