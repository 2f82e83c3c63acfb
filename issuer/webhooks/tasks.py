"""The webhook task on the job queue (Huey; registered by issuer.jobs).

``webhooks.deliver(delivery_id)``: one attempt. Huey's own retries are not used: after a
failure the task schedules itself for the delivery's ``next_attempt_at`` (the database holds
the schedule, so a lost task is found again by ``issuer webhooks requeue``). When the attempt
disabled the endpoint, the owner's email is enqueued on the community outbox task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from huey import Huey

from issuer import db


@dataclass(frozen=True)
class WebhookTasks:
    deliver: Any


def settings_of(app: Flask):
    from issuer.webhooks.delivery import Settings

    return Settings(secret_key=app.config["SECRET_KEY"], base_url=app.config["BASE_URL"],
                    allow_private=bool(app.config.get("WEBHOOK_ALLOW_PRIVATE")),
                    mail_on=bool(app.config.get("SMTP_URL")))


def register(huey: Huey, app: Flask, *, deliver_mail: Any) -> WebhookTasks:
    from issuer import clock

    @huey.task(name="webhooks.deliver")
    def deliver(delivery_id: int) -> str:
        from issuer.webhooks import delivery

        with app.app_context():
            now = clock.utc_now()
            outcome = delivery.deliver(db.get_session(), delivery_id,
                                       settings=settings_of(app), now=now)
        if outcome.retry_at is not None:
            deliver.schedule((delivery_id,),
                             delay=max(1, (outcome.retry_at - now).total_seconds()))
        if outcome.notify_message_id is not None:
            deliver_mail(outcome.notify_message_id)
        return outcome.status

    return WebhookTasks(deliver=deliver)
