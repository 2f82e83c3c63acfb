"""Webhook events and their delivery, through the services, against a REAL local receiver
that checks every signature with the ``standardwebhooks`` library (the outside reference).

Time is the project's clock (the ``clock`` fixture freezes issuer.clock.utc_now and moves it
on); no test sleeps through the retry schedule.
"""

from __future__ import annotations

import json
import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from issuer import db
from issuer.community.models import OutboxMessage
from issuer.errors import Conflict
from issuer.models import IssuedCredential
from issuer.services import issuance, status
from issuer.services.keystore import FileKeyStore
from issuer.services.tx import atomic
from issuer.webhooks import delivery, endpoints, schedule
from issuer.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from issuer.webhooks.tasks import settings_of
from tests.community.conftest import drain
from tests.service_fixtures import (
    issue_credential,
    make_achievement,
    make_profile,
    offer_suspension,
)
from tests.webhooks.conftest import OWNER, make_endpoint


def deliveries(app) -> list[WebhookDelivery]:
    with app.app_context():
        return list(db.get_session().scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def attempt(app, delivery_id: int, now, **settings) -> delivery.Outcome:
    base = settings_of(app)
    if settings:
        base = delivery.Settings(**{**base.__dict__, **settings})
    with app.app_context():
        return delivery.deliver(db.get_session(), delivery_id, settings=base, now=now,
                                rng=random.Random(7))


def verify(secret: str, received) -> dict:
    """The outside reference: standardwebhooks' own verification (it checks the timestamp
    against the real clock, within five minutes)."""
    return Webhook(secret).verify(received.body, received.headers)


def test_issuing_records_an_event_for_each_subscribed_endpoint_only(app, profile, receiver):
    make_profile(app, slug="other", name="Other School")
    wanted, _ = make_endpoint(app, receiver.url)
    make_endpoint(app, receiver.url + "/revocations", events=["credential.revoked"])
    make_endpoint(app, receiver.url + "/other", profile="other")
    credential_id = issue_credential(app, make_achievement(app))
    rows = deliveries(app)
    assert [(row.endpoint_id, row.status) for row in rows] == [(wanted, "pending")]
    with app.app_context():
        event = db.get_session().get(WebhookEvent, rows[0].event_id)
        body = json.loads(event.body)
    assert event.id.startswith("msg_") and event.type == "credential.issued"
    assert set(body) == {"type", "timestamp", "data"} and body["type"] == "credential.issued"
    credential = body["data"]["credential"]
    assert credential["uuid"] == credential_id
    assert credential["id"] == f"{app.config['BASE_URL']}/credentials/{credential_id}"
    assert credential["recipient"]["email"] == "alice@example.org"
    assert credential["achievement"]["name"] == "Python Basics"


def test_a_rolled_back_issuance_records_no_event(app, profile, receiver):
    make_endpoint(app, receiver.url)
    achievement = make_achievement(app)

    def fail(_session, _row):
        raise RuntimeError("the bulk row could not be saved")

    with app.app_context(), pytest.raises(RuntimeError):
        issuance.issue(db.get_session(), issuance.IssueRequest(achievement, "bob@example.org"),
                       keystore=FileKeyStore(app.config["KEYS_DIR"]),
                       base_url=app.config["BASE_URL"], now=db_now(), on_issued=fail)
    with app.app_context():
        session = db.get_session()
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def db_now():
    from issuer.clock import utc_now

    return utc_now()


def test_a_delivery_is_signed_the_standard_webhooks_way_and_logged(app, profile, receiver):
    _, secret = make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    [row] = deliveries(app)
    receiver.default = (200, b"thanks " * 400, {"Content-Type": "text/plain"})
    outcome = attempt(app, row.id, db_now())
    assert outcome.status == "delivered"
    [got] = receiver.wait_for(1)
    payload = verify(secret, got)
    assert payload["type"] == "credential.issued"
    assert got.headers["webhook-id"] == row.event_id
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"].startswith("issuer-webhooks/")
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        Webhook("whsec_" + "QUJD" * 8).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):  # nor does a changed body
        Webhook(secret).verify(got.body.replace(b"alice", b"mallory"), got.headers)
    with app.app_context():
        session = db.get_session()
        event = session.get(WebhookEvent, row.event_id)
        assert got.body == event.body.encode()
        [logged] = session.scalars(select(WebhookAttempt)).all()
        assert logged.succeeded and logged.status_code == 200 and logged.duration_ms >= 0
        assert logged.response_snippet.startswith("thanks ")
        assert len(logged.response_snippet) == delivery.SNIPPET  # bounded
        done = session.get(WebhookDelivery, row.id)
        assert done.status == "delivered" and done.attempts == 1
    assert attempt(app, row.id, db_now()).status == "delivered"  # never sent twice
    assert len(receiver.received) == 1


def test_the_secret_is_not_stored_in_plaintext(app, profile, receiver):
    endpoint_id, secret = make_endpoint(app, receiver.url)
    key = secret.removeprefix("whsec_")
    import base64

    raw = base64.b64decode(key)
    with app.app_context():
        row = db.get_session().get(WebhookEndpoint, endpoint_id)
        stored = bytes(row.secret_ciphertext)
    assert raw not in stored and key.encode() not in stored
    assert secret not in repr(row)


def test_a_failing_receiver_is_retried_on_the_schedule_then_disabled_and_its_owner_emailed(
        app, profile, receiver, clock, smtp_server):
    endpoint_id, secret = make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    [row] = deliveries(app)
    receiver.default = (503, b"down for maintenance", {})
    started = clock.now
    waits = []
    for failures in range(1, schedule.RETRIES + 2):
        outcome = attempt(app, row.id, clock.now)
        assert len(receiver.received) == failures
        if failures <= schedule.RETRIES:
            assert outcome.status == "retrying"
            wait = outcome.retry_at - clock.now
            nominal = schedule.nominal_delay(failures)
            assert nominal * (1 - schedule.JITTER) - timedelta(seconds=1) <= wait
            assert wait <= nominal * (1 + schedule.JITTER) + timedelta(seconds=1)
            waits.append(wait)
            # Woken a second early (a scheduler's rounding): no request, told when to retry.
            clock.advance(seconds=wait.total_seconds() - 1)
            early = attempt(app, row.id, clock.now)
            assert early.status == "retrying" and early.retry_at == outcome.retry_at
            assert len(receiver.received) == failures
            clock.advance(seconds=1)
    assert outcome.status == "failed"
    assert clock.now - started >= timedelta(hours=24)
    assert len(waits) == schedule.RETRIES
    ids = {got.headers["webhook-id"] for got in receiver.received}
    assert ids == {row.event_id}  # the same webhook-id on every attempt
    assert len({got.headers["webhook-timestamp"] for got in receiver.received}) == 9
    with app.app_context():
        session = db.get_session()
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert not endpoint.enabled and "every delivery failed since" in endpoint.disabled_reason
        assert endpoint.consecutive_failures == 9
        attempts = session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
        assert [a.status_code for a in attempts] == [503] * 9
        assert attempts[0].response_snippet == "down for maintenance"
        message = session.get(OutboxMessage, outcome.notify_message_id)
        assert message.kind == "webhook_disabled" and message.status == "pending"
    # The owner's email goes through the community outbox, on the real job queue.
    from issuer.jobs import jobs_of

    jobs_of(app).community.deliver_mail(outcome.notify_message_id)
    drain(app)
    smtp_server.wait_for(2)  # the recipient's "you have earned" email, and the owner's
    [mail] = smtp_server.to(OWNER)
    assert mail.message["Subject"] == f"Webhook endpoint disabled: {receiver.url}"
    text = mail.message.get_content()
    assert receiver.url in text and f"/admin/webhooks/{endpoint_id}" in text
    assert secret not in mail.raw.decode()
    # Disabled: a new credential records nothing for it.
    issue_credential(app, make_achievement(app, name="Later"), email="late@example.org")
    assert len(deliveries(app)) == 1


def test_the_endpoint_is_disabled_after_a_day_of_failures_across_deliveries(
        app, profile, receiver, clock):
    endpoint_id, _ = make_endpoint(app, receiver.url)
    achievement = make_achievement(app)
    receiver.default = (500, b"", {})
    issue_credential(app, achievement, email="a@example.org")
    first = deliveries(app)[0]
    assert attempt(app, first.id, clock.now).status == "retrying"
    clock.advance(hours=23, minutes=59)
    issue_credential(app, achievement, email="b@example.org")
    second = deliveries(app)[1]
    assert attempt(app, second.id, clock.now).status == "retrying"  # 23 h 59 min: still on
    clock.advance(minutes=2)
    issue_credential(app, achievement, email="c@example.org")
    third = deliveries(app)[2]
    outcome = attempt(app, third.id, clock.now)
    assert outcome.status == "failed" and outcome.notify_message_id is not None
    with app.app_context():
        session = db.get_session()
        assert not session.get(WebhookEndpoint, endpoint_id).enabled
        states = [session.get(WebhookDelivery, d.id).status for d in (first, second, third)]
    assert states == ["failed", "failed", "failed"]  # the waiting ones are given up too


def test_a_success_clears_the_failure_streak(app, profile, receiver, clock):
    endpoint_id, _ = make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    [row] = deliveries(app)
    receiver.answers = [(500, b"", {})]
    first = attempt(app, row.id, clock.now)
    clock.now = first.retry_at
    assert attempt(app, row.id, clock.now).status == "delivered"
    with app.app_context():
        endpoint = db.get_session().get(WebhookEndpoint, endpoint_id)
        assert endpoint.failing_since is None and endpoint.consecutive_failures == 0


def test_redeliver_sends_the_same_webhook_id_and_body_again(app, profile, receiver):
    endpoint_id, secret = make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    [row] = deliveries(app)
    assert attempt(app, row.id, db_now()).status == "delivered"
    with app.app_context():
        session = db.get_session()
        delivery.redeliver(session, row.id, now=db_now())
        with pytest.raises(Conflict):  # already on its way
            delivery.redeliver(session, row.id, now=db_now())
    assert attempt(app, row.id, db_now()).status == "delivered"
    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == row.event_id
    assert first.body == second.body and verify(secret, second)
    with app.app_context():
        session = db.get_session()
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        with atomic(session):
            endpoints.disable(endpoint, reason="test", now=db_now())
        with pytest.raises(Conflict, match="Enable the endpoint"):
            delivery.redeliver(session, row.id, now=db_now())


def test_private_addresses_are_refused_unless_allowed(app, profile, receiver):
    make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    [row] = deliveries(app)
    outcome = attempt(app, row.id, db_now(), allow_private=False)
    assert outcome.status == "retrying"
    assert receiver.received == []
    with app.app_context():
        [logged] = db.get_session().scalars(select(WebhookAttempt)).all()
    assert logged.status_code is None and "refusing" in logged.error
    assert "127.0.0.1" in logged.error


def test_a_redirect_is_not_followed_and_counts_as_a_failure(app, profile, receiver):
    make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    [row] = deliveries(app)
    receiver.answers = [(302, b"", {"Location": "http://169.254.169.254/latest/meta-data"})]
    assert attempt(app, row.id, db_now()).status == "retrying"
    assert len(receiver.received) == 1
    assert deliveries(app)[0].last_status_code == 302


def test_a_slow_receiver_times_out_within_bounds(app, profile, receiver):
    make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    [row] = deliveries(app)
    receiver.delay = 3
    base = settings_of(app)

    class Quick(delivery.Settings):
        def policy(self):
            from dataclasses import replace

            return replace(super().policy(), read_timeout=0.5, deadline=1.0)

    with app.app_context():
        outcome = delivery.deliver(db.get_session(), row.id,
                                   settings=Quick(**base.__dict__), now=db_now())
        [logged] = db.get_session().scalars(select(WebhookAttempt)).all()
    assert outcome.status == "retrying"
    assert logged.status_code is None and logged.duration_ms < 2500
    assert "Timeout" in logged.error or "took longer" in logged.error


def test_two_workers_never_send_one_delivery_twice(app, profile, receiver):
    make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    [row] = deliveries(app)
    receiver.delay = 0.5
    outcomes, barrier = [], threading.Barrier(4)

    def work():
        barrier.wait()
        outcomes.append(attempt(app, row.id, db_now()).status)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(receiver.received) == 1
    assert sorted(outcomes).count("delivered") == 1
    assert deliveries(app)[0].attempts == 1


def test_status_changes_members_and_claims_are_events_too(app, profile, receiver):
    make_endpoint(app, receiver.url, events=["credential.revoked", "credential.suspended",
                                             "credential.reinstated", "credential.claimed",
                                             "member.created"])
    offer_suspension(app)  # a suspension entry, so the credential can be suspended
    credential_id = issue_credential(app, make_achievement(app))
    keystore = FileKeyStore(app.config["KEYS_DIR"])
    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        common = {"actor": status.CLI, "keystore": keystore,
                  "base_url": app.config["BASE_URL"], "now": db_now()}
        status.suspend(session, row, reason="under review", **common)
        status.reinstate(session, row, **common)
        status.revoke(session, row, reason="issued in error", **common)
        from issuer.community import members
        from issuer.webhooks import events

        members.ensure_member(session, members.Identity(email="alice@example.org"),
                              now=db_now())
        assert events.credential_claimed(session, row, base_url=app.config["BASE_URL"],
                                         now=db_now())
        assert not events.credential_claimed(session, row, base_url=app.config["BASE_URL"],
                                             now=db_now())  # once per credential
        bodies = [json.loads(e.body) for e in session.scalars(
            select(WebhookEvent).order_by(WebhookEvent.created_at, WebhookEvent.type))]
    kinds = sorted(body["type"] for body in bodies)
    assert kinds == sorted(["credential.suspended", "credential.reinstated",
                            "credential.revoked", "member.created", "credential.claimed"])
    revoked = next(b for b in bodies if b["type"] == "credential.revoked")
    assert revoked["data"]["reason"] == "issued in error"
    assert revoked["data"]["credential"]["uuid"] == credential_id
    member = next(b for b in bodies if b["type"] == "member.created")["data"]["member"]
    assert member["email"] == "alice@example.org" and member["url"].endswith(member["slug"])


def test_opening_a_claim_link_is_claimed_once_and_queued(app, client, profile, receiver):
    from issuer.community import claims
    from issuer.jobs import jobs_of
    from tests.service_fixtures import csrf_token

    _, secret = make_endpoint(app, receiver.url, events=["credential.claimed"])
    credential_id = issue_credential(app, make_achievement(app))
    with app.app_context():
        row = db.get_session().get(IssuedCredential, credential_id)
        token = claims.make_token(app.config["SECRET_KEY"], credential_id=row.id,
                                  recipient_id=row.recipient_id)
    for _ in range(2):
        opened = client.post("/claim", data={"csrf_token": csrf_token(client, "/claim"),
                                             "token": token})
        assert opened.status_code == 302
    [queued] = [t for t in jobs_of(app).huey.pending() if t.name == "webhooks.deliver"]
    jobs_of(app).huey.execute(queued)
    [got] = receiver.wait_for(1)
    payload = verify(secret, got)
    assert payload["type"] == "credential.claimed"
    assert payload["data"]["credential"]["uuid"] == credential_id


def test_a_failed_attempt_on_the_queue_schedules_the_next_one(app, profile, receiver):
    from issuer.jobs import jobs_of

    make_endpoint(app, receiver.url)
    issue_credential(app, make_achievement(app))
    huey = jobs_of(app).huey
    queued = []
    while (item := huey.dequeue()) is not None:
        queued.append(item)
    [task] = [t for t in queued if t.name == "webhooks.deliver"]
    receiver.default = (500, b"", {})
    huey.execute(task)
    assert len(receiver.received) == 1
    [row] = deliveries(app)
    assert row.status == "retrying"
    # Queued with an eta: the consumer keeps it on its schedule until then.
    [scheduled] = [t for t in huey.pending() if t.name == "webhooks.deliver"]
    assert scheduled.name == "webhooks.deliver" and scheduled.args == (row.id,)
    eta = scheduled.eta.replace(tzinfo=row.next_attempt_at.tzinfo)
    assert abs((eta - row.next_attempt_at).total_seconds()) <= 2


def test_a_credential_signed_through_the_vc_api_is_issued_too(app, client, profile, receiver):
    from tests.api_helpers import bearer, make_token, minimal_vc

    _, secret = make_endpoint(app, receiver.url)
    answer = client.post("/credentials/issue", headers=bearer(make_token(app)),
                         json={"credential": minimal_vc()})
    assert answer.status_code == 201
    [row] = deliveries(app)
    assert attempt(app, row.id, db_now()).status == "delivered"
    [got] = receiver.wait_for(1)
    credential = verify(secret, got)["data"]["credential"]
    assert credential["kind"] == "signed"
    assert credential["id"] == answer.get_json()["verifiableCredential"]["id"]


def test_a_wallet_receiving_its_copy_is_credential_delivered_to_wallet(app, profile, receiver):
    from issuer.clock import utc_now
    from issuer.services import exchanges

    holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    make_endpoint(app, receiver.url, events=["credential.delivered_to_wallet"])
    credential_id = issue_credential(app, make_achievement(app))
    with app.app_context():
        session = db.get_session()
        award = session.get(IssuedCredential, credential_id)
        exchange = exchanges.create(session, award, protocol="lcw", actor=status.CLI,
                                    now=utc_now(), lifetime_seconds=900)
        challenge = exchanges.start_request(session, exchange.id, now=utc_now())
        copy = exchanges.complete(session, exchange.id, challenge=challenge, holder_did=holder,
                                  keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                  base_url=app.config["BASE_URL"], now=utc_now())
        bodies = [json.loads(e.body) for e in session.scalars(select(WebhookEvent))]
    assert [body["type"] for body in bodies] == ["credential.delivered_to_wallet"]
    data = bodies[0]["data"]
    assert data["wallet"] == "lcw" and data["credential"]["uuid"] == credential_id
    assert copy.credential_id != data["credential"]["id"]  # the award's event, not the copy's
