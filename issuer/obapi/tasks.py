"""The OB 3.0 API's periodic clean-up on the job queue (registered by issuer.jobs): once a
day, spent authorization codes and token rows are deleted (issuer.services.obapi_grants.purge).
Huey runs periodic tasks in every consumer started with periodic tasks on (``issuer worker``,
``issuer serve``); running twice does no harm, the second run finds nothing to delete.
"""

from __future__ import annotations

import logging

from flask import Flask
from huey import Huey, crontab

from issuer import db

log = logging.getLogger(__name__)

SCHEDULE = {"minute": "23", "hour": "3"}  # daily at 03:23 (the consumer's time zone)


def register(huey: Huey, app: Flask):
    """Register the clean-up; returns the task (callable directly, e.g. in tests)."""

    @huey.periodic_task(crontab(**SCHEDULE), name="obapi.purge_spent")
    def purge_spent() -> str:
        from issuer.clock import utc_now
        from issuer.services import obapi_grants
        from issuer.services.tx import atomic

        with app.app_context():
            session = db.get_session()
            with atomic(session):
                purged = obapi_grants.purge(session, now=utc_now())
        log.info("obapi clean-up: %d codes, %d token rows deleted", purged.codes, purged.tokens)
        return f"{purged.codes} codes, {purged.tokens} tokens"

    return purge_spent
