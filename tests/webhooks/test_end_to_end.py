"""Webhooks end to end: an admin registers an endpoint on the admin pages, a credential is
issued on the admin form, and a REAL `issuer worker` process delivers a correctly signed
``credential.issued`` to a REAL local receiver within seconds; the delivery log shows it and
*Redeliver* sends it again under the same webhook-id. The CLI lists and requeues."""

from __future__ import annotations

import re
import subprocess
import time

from standardwebhooks.webhooks import Webhook

from tests.helpers import REPO
from tests.service_fixtures import csrf_token, make_achievement
from tests.web.test_bulk_e2e import CLI, environment, start_worker, stop, wait_until

EVENTS = ["credential.issued", "credential.revoked"]


def register(admin_client, url: str) -> tuple[str, str]:
    token = csrf_token(admin_client, "/admin/webhooks/")
    page = admin_client.post("/admin/webhooks/", data={
        "csrf_token": token, "issuer": "main", "url": url, "owner_email": "ops@example.org",
        "description": "CRM", "events": EVENTS})
    assert page.status_code == 200, page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    secret = re.search(r'<code id="secret">(whsec_[A-Za-z0-9+/=]+)</code>', html).group(1)
    endpoint_id = re.search(r'/admin/webhooks/([0-9a-f-]{36})"', html).group(1)
    return endpoint_id, secret


def test_issuing_delivers_a_signed_webhook_from_a_real_worker(app, admin_client, receiver,
                                                              tmp_path):
    endpoint_id, secret = register(admin_client, receiver.url)
    assert secret not in admin_client.get(f"/admin/webhooks/{endpoint_id}").get_data(
        as_text=True)  # shown once only
    achievement = make_achievement(app)
    env = environment(app, ISSUER_WEBHOOK_ALLOW_PRIVATE="1",
                      ISSUER_SMTP_URL=app.config["SMTP_URL"],
                      ISSUER_MAIL_FROM=app.config["MAIL_FROM"])
    worker = start_worker(env, tmp_path / "worker.log", "--workers", "2")
    try:
        def issue(email: str, name: str) -> float:
            at = time.monotonic()
            form = admin_client.post("/admin/issue", data={
                "csrf_token": csrf_token(admin_client, "/admin/issue"),
                "achievement": achievement, "email": email, "name": name})
            assert form.status_code in (200, 302), form.get_data(as_text=True)
            return at

        issue("carol@example.org", "Carol")
        [got] = receiver.wait_for(1, timeout=60)  # the worker process is starting meanwhile
        payload = Webhook(secret).verify(got.body, got.headers)  # the outside reference
        assert payload["type"] == "credential.issued"
        assert payload["data"]["credential"]["recipient"] == {"email": "carol@example.org",
                                                              "name": "Carol"}
        issued_at = issue("dave@example.org", "Dave")  # a running worker: seconds at most
        latest = receiver.wait_for(2, timeout=60)[-1]
        latency = latest.at - issued_at
        print(f"\ncredential.issued reached the receiver {latency:.2f} s after the form post")
        assert latency < 5
        assert Webhook(secret).verify(latest.body, latest.headers)["data"]["credential"][
            "recipient"]["name"] == "Dave"

        log = wait_until(lambda: (page := admin_client.get(
            f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)).count(
            'class="status">delivered') == 2 and page, seconds=30,
            what="the log to show both deliveries")
        assert got.headers["webhook-id"] in log and "HTTP 200" in log
        delivery_id = re.search(r'id="delivery-(\d+)">(?:(?!</tr>).)*?'
                                + got.headers["webhook-id"], log, re.DOTALL).group(1)
        delivery_url = f"/admin/webhooks/{endpoint_id}/deliveries/{delivery_id}"
        detail = admin_client.get(delivery_url).get_data(as_text=True)
        assert re.search(r'<td class="duration">\d+ ms</td>', detail)
        assert "{&#34;ok&#34;:true}" in detail or '{"ok":true}' in detail  # the answer's start
        again = admin_client.post(delivery_url + "/redeliver",
                                  data={"csrf_token": csrf_token(admin_client, delivery_url)})
        assert again.status_code == 302
        first, second = receiver.wait_for(3, timeout=60)[::2]
        assert second.headers["webhook-id"] == first.headers["webhook-id"]
        assert second.body == first.body and Webhook(secret).verify(second.body, second.headers)
    finally:
        stop(worker)

    listed = subprocess.run([*CLI, "webhooks", "list"], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120, check=True).stdout
    assert f"{endpoint_id}\tmain\tenabled\t{receiver.url}\tcredential.issued,credential.revoked" \
        in listed
    requeued = subprocess.run([*CLI, "webhooks", "requeue"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120, check=True)
    assert requeued.stdout.strip() == "0"  # nothing is waiting


def test_cli_add_prints_the_secret_once_and_refuses_a_private_url(app, profile, tmp_path):
    env = environment(app)
    refused = subprocess.run([*CLI, "webhooks", "add", "--url", "http://127.0.0.1:9/x",
                              "--event", "credential.issued", "--owner", "ops@example.org"],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
                           check=False)
    assert refused.returncode != 0 and "https://" in refused.stderr
    added = subprocess.run([*CLI, "webhooks", "add", "--url", "https://hooks.example.com/in",
                            "--event", "credential.issued", "--event", "member.created",
                            "--owner", "ops@example.org"],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
                           check=False)
    assert added.returncode == 0, added.stderr
    secret = added.stdout.strip()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
    assert secret not in added.stderr
    listed = subprocess.run([*CLI, "webhooks", "list"], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120, check=True).stdout
    assert "https://hooks.example.com/in\tcredential.issued,member.created" in listed
    assert secret not in listed
