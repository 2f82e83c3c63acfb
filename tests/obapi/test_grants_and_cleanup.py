"""What members allowed OB 3.0 API clients: the "apps you allowed" page and taking access
back; the daily clean-up of spent codes and tokens; the sign-in throttle on the token and
revocation endpoints. Real database, real tokens through the real OAuth endpoints."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from huey.api import PeriodicTask
from sqlalchemy import func, select

from issuer import create_app, db
from issuer.clock import utc_now
from issuer.jobs import jobs_of
from issuer.obapi import tasks as obapi_tasks
from issuer.obapi.models import ObApiAuthorizationCode, ObApiToken
from issuer.services import obapi_grants
from issuer.services.tx import atomic
from tests.obapi.flow import (
    authorize_url,
    bearer,
    code_of,
    consent,
    exchange,
    register,
    sign_in_member,
    tokens,
)
from tests.obapi.helpers import csrf_of, make_member, pkce


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(model).where(*where))


# -- the member's page ------------------------------------------------------------------------


def test_the_apps_page_lists_what_each_app_may_do(app, client):
    registered, token = tokens(app, client)
    page = client.get("/members/me/apps")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert f'data-client="{registered.client_id}"' in html
    assert "See your badges and the credentials you keep here" in html
    assert "Change your profile" in html
    assert 'id="no-apps"' not in html
    assert client.get("/ims/ob/v3p0/credentials", headers=bearer(token)).status_code == 200


def test_taking_access_back_asks_first_then_ends_every_token(app, client):
    registered, token = tokens(app, client)
    second = exchange_again(app, client, registered)  # a second grant of the same app
    asked = client.get(f"/members/me/apps?revoke={registered.client_id}").get_data(as_text=True)
    assert 'id="confirm-revoke"' in asked and "will no longer be able to" in asked
    done = client.post(f"/members/me/apps/{registered.client_id}/revoke",
                       data={"csrf_token": csrf_of(asked)})
    assert done.status_code == 303
    after = client.get("/members/me/apps").get_data(as_text=True)
    assert "can no longer use your badges or profile" in after
    assert 'id="no-apps"' in after
    for one in (token, second):
        assert client.get("/ims/ob/v3p0/credentials", headers=bearer(one)).status_code == 401
        refreshed = client.post("/ob/oauth/token", headers=registered.basic(), data={
            "grant_type": "refresh_token", "refresh_token": one["refresh_token"]})
        assert refreshed.status_code == 400 and refreshed.json["error"] == "invalid_grant"


def exchange_again(app, client, registered) -> dict:
    verifier, challenge = pkce()
    code = code_of(consent(client, authorize_url(registered, challenge=challenge)))
    answer = exchange(client, registered, code, verifier)
    assert answer.status_code == 200
    return answer.json


def test_revoking_needs_the_csrf_token_and_the_member(app, client):
    registered, token = tokens(app, client)
    assert client.post(f"/members/me/apps/{registered.client_id}/revoke").status_code == 400
    assert client.get("/ims/ob/v3p0/credentials", headers=bearer(token)).status_code == 200
    stranger = app.test_client()
    answer = stranger.get("/members/me/apps")
    assert answer.status_code in (302, 303) and "sign-in" in answer.headers["Location"]


def test_one_member_cannot_take_back_another_members_grant(app, client):
    registered, token = tokens(app, client)
    other = app.test_client()
    sign_in_member(app, other, make_member(app, email="grace@example.org", name="Grace"))
    page = other.get("/members/me/apps").get_data(as_text=True)
    assert 'id="no-apps"' in page
    token_page = other.get("/members/me").get_data(as_text=True)
    done = other.post(f"/members/me/apps/{registered.client_id}/revoke",
                      data={"csrf_token": csrf_of(token_page)})
    assert done.status_code == 303
    assert client.get("/ims/ob/v3p0/credentials", headers=bearer(token)).status_code == 200


# -- clean-up ---------------------------------------------------------------------------------


def test_purge_deletes_spent_rows_and_keeps_live_ones(app, client):
    registered, live = tokens(app, client)
    revoked = exchange_again(app, client, registered)
    client.post("/ob/oauth/revoke", headers=registered.basic(),
                data={"token": revoked["access_token"]})
    verifier, challenge = pkce()
    code_of(consent(client, authorize_url(registered, challenge=challenge)))  # never exchanged
    assert _count(app, ObApiToken) == 2 and _count(app, ObApiAuthorizationCode) == 1
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            soon = obapi_grants.purge(session, now=utc_now())
        assert soon == obapi_grants.Purged(codes=0, tokens=0)  # nothing spent long enough
        with atomic(session):
            later = obapi_grants.purge(session, now=utc_now() + timedelta(days=8))
    assert later == obapi_grants.Purged(codes=1, tokens=1)  # the revoked row; the live one's
    assert client.get("/ims/ob/v3p0/credentials", headers=bearer(live)).status_code == 200
    assert _count(app, ObApiToken) == 1  # refresh token lives 30 days


def test_the_clean_up_is_a_daily_periodic_task(app):
    task = jobs_of(app).obapi_purge
    assert issubclass(task.task_class, PeriodicTask)
    assert task.name == "obapi.purge_spent"
    assert obapi_tasks.SCHEDULE == {"minute": "23", "hour": "3"}
    runs = [task.s().validate_datetime(datetime(2026, 12, 1, hour, minute))
            for hour, minute in ((3, 23), (3, 24), (15, 23))]
    assert runs == [True, False, False]
    assert re.fullmatch(r"\d+ codes, \d+ tokens", task.call_local())


# -- throttling -------------------------------------------------------------------------------


def test_wrong_client_secrets_are_throttled_per_client(app_config, app):
    """(``app`` empties the tables afterwards; this test runs its own with tighter limits.)"""
    app = create_app({**app_config, "SIGNIN_ACCOUNT_FAILURES": 3, "SIGNIN_MAX_LOCKOUT": 60})
    client = app.test_client()
    registered, _token = tokens(app, client)
    secret = registered.client_secret
    registered.client_secret = "guess"
    refresh = {"grant_type": "refresh_token", "refresh_token": "x" * 40}
    statuses = [client.post("/ob/oauth/token", headers=registered.basic(), data=refresh).status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    locked = client.post("/ob/oauth/revoke", headers=registered.basic(), data={"token": "t"})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
    registered.client_secret = secret  # even the right secret waits out the lock-out
    assert client.post("/ob/oauth/token", headers=registered.basic(),
                       data=refresh).status_code == 429
    db.engine_of(app).dispose()
