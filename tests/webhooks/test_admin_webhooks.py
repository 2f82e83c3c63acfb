"""The webhook admin pages: register (secret shown once), validation messages, edit, rotate
(both secrets sign for a while), disable and enable, the delivery log and its 404s."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from issuer import db
from issuer.clock import utc_now
from issuer.community import outbox
from issuer.services.tx import atomic
from issuer.webhooks import delivery, signing
from issuer.webhooks.models import WebhookDelivery, WebhookEndpoint
from issuer.webhooks.tasks import settings_of
from tests.service_fixtures import csrf_token, issue_credential, make_achievement
from tests.webhooks.conftest import make_endpoint


def post(client, path, form_page, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **data})


def endpoint_count(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(WebhookEndpoint))


def test_the_pages_need_an_admin(client, app):
    assert client.get("/admin/webhooks/").status_code == 302
    assert client.post("/admin/webhooks/", data={}).status_code in (302, 400)


def test_bad_fields_come_back_with_messages_and_nothing_is_saved(app, admin_client):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    page = post(admin_client, "/admin/webhooks/", "/admin/webhooks/", issuer="main",
                url="http://127.0.0.1:8080/in", owner_email="nobody", events=[])
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Enter the https:// address of your receiver." in html
    assert "Choose at least one event." in html and "Enter a valid email address." in html
    page = post(admin_client, "/admin/webhooks/", "/admin/webhooks/", issuer="main",
                url="https://10.0.0.7/in", owner_email="ops@example.org",
                events=["credential.issued"])
    assert "The address must be on the public internet." in page.get_data(as_text=True)
    page = post(admin_client, "/admin/webhooks/", "/admin/webhooks/", issuer="main",
                url="https://user:pw@hooks.example.com/in", owner_email="ops@example.org",
                events=["credential.issued"])
    assert "Leave user names and passwords out" in page.get_data(as_text=True)
    page = post(admin_client, "/admin/webhooks/", "/admin/webhooks/", issuer="nope",
                url="https://hooks.example.com/in", owner_email="ops@example.org",
                events=["credential.issued"])
    assert "Choose an issuer profile." in page.get_data(as_text=True)
    assert endpoint_count(app) == 0
    missing_csrf = admin_client.post("/admin/webhooks/", data={
        "issuer": "main", "url": "https://hooks.example.com/in",
        "owner_email": "ops@example.org", "events": ["credential.issued"]})
    assert missing_csrf.status_code in (400, 422) and endpoint_count(app) == 0


def test_register_shows_the_secret_once_then_edit_disable_enable(app, admin_client):
    page = post(admin_client, "/admin/webhooks/", "/admin/webhooks/", issuer="main",
                url="https://hooks.example.com/in", owner_email="ops@example.org",
                description="CRM", events=["credential.issued", "member.created"])
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="secret">(whsec_[^<]+)<', page.get_data(as_text=True)).group(1)
    with app.app_context():
        row = db.get_session().scalars(select(WebhookEndpoint)).one()
        endpoint_id = row.id
        assert row.events == ["credential.issued", "member.created"]
        assert row.owner_email == "ops@example.org"
        assert signing.Secret.parse(secret).key not in row.secret_ciphertext
    index = admin_client.get("/admin/webhooks/").get_data(as_text=True)
    assert "https://hooks.example.com/in" in index and secret not in index
    detail_url = f"/admin/webhooks/{endpoint_id}"
    assert secret not in admin_client.get(detail_url).get_data(as_text=True)

    saved = post(admin_client, detail_url, detail_url, issuer="main",
                 url="https://hooks.example.com/v2", owner_email="team@example.org",
                 events=["credential.revoked"])
    assert saved.status_code == 302
    bad = post(admin_client, detail_url, detail_url, issuer="main", url="ftp://x",
               owner_email="team@example.org", events=["credential.revoked"])
    assert bad.status_code == 422
    with app.app_context():
        row = db.get_session().get(WebhookEndpoint, endpoint_id)
        assert (row.url, row.events, row.owner_email) == (
            "https://hooks.example.com/v2", ["credential.revoked"], "team@example.org")

    assert post(admin_client, detail_url + "/disable", detail_url, confirm="yes").status_code == 302
    html = admin_client.get(detail_url).get_data(as_text=True)
    assert "<strong>disabled</strong>" in html and "disabled by admin@example.org" in html
    assert post(admin_client, detail_url + "/enable", detail_url).status_code == 302
    assert 'id="endpoint-state">enabled' in admin_client.get(detail_url).get_data(as_text=True)
    assert admin_client.get("/admin/webhooks/not-an-endpoint").status_code == 404


def test_rotation_signs_with_both_secrets_for_a_day(app, admin_client, receiver):
    endpoint_id, old = make_endpoint(app, receiver.url)
    detail_url = f"/admin/webhooks/{endpoint_id}"
    page = post(admin_client, detail_url + "/rotate", detail_url, confirm="yes")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    new = re.search(r'id="secret">(whsec_[^<]+)<', page.get_data(as_text=True)).group(1)
    assert new != old and "still signs too for 24 hours" in page.get_data(as_text=True)
    issue_credential(app, make_achievement(app))
    with app.app_context():
        session = db.get_session()
        [row] = session.scalars(select(WebhookDelivery)).all()
        assert delivery.deliver(session, row.id, settings=settings_of(app),
                                now=utc_now()).status == "delivered"
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        grace_end = endpoint.previous_secret_expires_at
    [got] = receiver.wait_for(1)
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(got.body, got.headers) and Webhook(old).verify(got.body, got.headers)
    assert abs((grace_end - utc_now()).total_seconds() - 86400) < 120
    # After the grace period only the new secret signs.
    with app.app_context():
        session = db.get_session()
        from issuer.webhooks import endpoints

        assert len(endpoints.signing_secrets(session.get(WebhookEndpoint, endpoint_id),
                                             secret_key=app.config["SECRET_KEY"],
                                             now=grace_end)) == 1


def test_the_delivery_log_shows_failures_and_redeliver_needs_an_enabled_endpoint(
        app, admin_client, receiver):
    endpoint_id, _ = make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    receiver.default = (500, b"<h1>Internal Server Error</h1>" + b"x" * 5000, {})
    with app.app_context():
        session = db.get_session()
        [row] = session.scalars(select(WebhookDelivery)).all()
        delivery.deliver(session, row.id, settings=settings_of(app), now=utc_now())
        delivery_id = row.id
    detail_url = f"/admin/webhooks/{endpoint_id}"
    log = admin_client.get(detail_url).get_data(as_text=True)
    assert 'class="status">retrying' in log and "HTTP 500" in log
    assert "30 s, 2 min, 8 min, 32 min, 2 h 8 min, 8 h, 8 h, 8 h (±10 %)" in log
    page_url = f"{detail_url}/deliveries/{delivery_id}"
    page = admin_client.get(page_url).get_data(as_text=True)
    assert "&lt;h1&gt;Internal Server Error&lt;/h1&gt;" in page  # escaped, never markup
    assert "x" * 1000 not in page  # the answer's start only
    assert 'id="redeliver"' in page
    post(admin_client, detail_url + "/disable", detail_url, confirm="yes")
    refused = post(admin_client, page_url + "/redeliver", page_url)
    assert refused.status_code == 302
    assert "Enable the endpoint before redelivering" in admin_client.get(page_url).get_data(
        as_text=True)
    other_id, _ = make_endpoint(app, receiver.url + "/other")
    assert admin_client.get(f"/admin/webhooks/{other_id}/deliveries/{delivery_id}"
                            ).status_code == 404


def test_the_outbox_page_names_the_disabled_endpoint(app, admin_client, receiver):
    endpoint_id, _ = make_endpoint(app, receiver.url)
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            outbox.webhook_disabled_mail(session, session.get(WebhookEndpoint, endpoint_id),
                                         now=utc_now())
    html = admin_client.get("/admin/community/outbox").get_data(as_text=True)
    assert f'webhook disabled: <a href="/admin/webhooks/{endpoint_id}">{receiver.url}</a>' in html
    assert "owner@example.org" in html

