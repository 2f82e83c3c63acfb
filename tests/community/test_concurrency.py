"""Once-only awards and idempotent events under real concurrency, on PostgreSQL: many posters
at the same moment through the API, then the queued evaluation jobs run side by side by
Huey's executor in parallel threads (each with its own connection)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.community import awards as award_service
from issuer.community import members
from issuer.community.awards import Issuing
from issuer.community.models import Award, Event, Member
from issuer.jobs import jobs_of
from issuer.models import IssuedCredential, Recipient
from issuer.services import achievements
from issuer.services.keystore import FileKeyStore
from tests.community.helpers import achievement_with_rule, event, events_token

POSTERS = 10

pytestmark = pytest.mark.skipif(
    not os.environ.get("ISSUER_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrent writers need PostgreSQL (SQLite serialises every write): set "
           "ISSUER_TEST_DATABASE_URL=postgresql+psycopg://… (CI runs both databases)",
)


def _together(count: int, work):
    """Run ``work(i)`` in ``count`` threads released at the same instant; the results."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _scalar(app, statement):
    with app.app_context():
        return db.get_session().scalar(statement)


def test_concurrent_posters_then_concurrent_jobs_award_each_tier_once(app, profile):
    first_post = achievement_with_rule(app, "First Post", "first", action="forum.post")
    tier = achievement_with_rule(app, "Regular", "count", action="forum.post", threshold=3)
    token = events_token(app)

    def poster(i):  # a brand-new member: every poster races to create them too
        return app.test_client().post("/api/v1/events", json=event(f"post-{i}"),
                                      headers={"Authorization": f"Bearer {token}"})

    responses = _together(POSTERS, poster)
    assert [response.status_code for response in responses] == [202] * POSTERS
    assert len({response.get_json()["member"]["id"] for response in responses}) == 1
    assert _scalar(app, select(func.count()).select_from(Member)) == 1
    assert _scalar(app, select(func.count()).select_from(Recipient)) == 1
    assert _scalar(app, select(func.count()).select_from(Event)) == POSTERS

    huey = jobs_of(app).huey
    tasks = []
    while (task := huey.dequeue()) is not None:
        tasks.append(task)
    assert [task.name for task in tasks] == ["community.process_event"] * POSTERS
    _together(len(tasks), lambda i: huey.execute(tasks[i]))

    for achievement_id in (first_post, tier):
        assert _scalar(app, select(func.count()).select_from(Award)
                       .where(Award.achievement_id == achievement_id)) == 1
        assert _scalar(app, select(func.count()).select_from(IssuedCredential)
                       .where(IssuedCredential.achievement_id == achievement_id)) == 1
    assert _scalar(app, select(func.count()).select_from(Event)
                   .where(Event.processed_at.is_(None))) == 0


def test_concurrent_repeats_of_one_event_store_it_once(app, profile):
    token = events_token(app)
    body = event("same-id")

    def poster(i):
        return app.test_client().post("/api/v1/events", json=body,
                                      headers={"Authorization": f"Bearer {token}"})

    responses = _together(POSTERS, poster)
    assert [response.status_code for response in responses] == [202] * POSTERS
    assert len({response.get_data() for response in responses}) == 1  # one original answer
    assert sum(response.headers.get("Idempotent-Replayed") == "true"
               for response in responses) == POSTERS - 1
    assert _scalar(app, select(func.count()).select_from(Event)) == 1
    assert len(jobs_of(app).huey.pending()) == 1  # evaluated once


def test_concurrent_awards_of_one_achievement_issue_one_credential(app, profile):
    from tests.service_fixtures import make_achievement

    mvp = make_achievement(app, name="MVP")
    with app.app_context():
        member = members.ensure_member(db.get_session(),
                                       members.Identity(email="ada@example.org", name="Ada"),
                                       now=utc_now())
        member_id = member.id
    issuing = Issuing(FileKeyStore(app.config["KEYS_DIR"]), app.config["BASE_URL"])

    def award(i):
        with app.app_context():
            session = db.get_session()
            made = award_service.award(
                session, member=session.get(Member, member_id),
                achievement=achievements.get_achievement(session, mvp), source="admin",
                issuing=issuing, now=utc_now(), note=f"attempt {i}")
            return made is not None

    results = _together(8, award)
    assert sorted(results) == [False] * 7 + [True]
    assert _scalar(app, select(func.count()).select_from(IssuedCredential)) == 1
    assert _scalar(app, select(func.count()).select_from(Award)) == 1
