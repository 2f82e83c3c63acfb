"""The shared cache generation (issuer.issuing_models, issuer.services.issuing_cache): bumped
in the transaction of every change to what the issuing caches hold, and only then."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from issuer import db
from issuer.clock import utc_now
from issuer.issuing_models import CacheGeneration
from issuer.models import ApiToken
from issuer.services import apiauth, issuing_cache, profiles
from issuer.services.tx import atomic


def _generation(app) -> int:
    with Session(db.engine_of(app)) as fresh:  # another worker's view: committed values only
        return fresh.scalar(select(CacheGeneration.value)
                            .where(CacheGeneration.name == issuing_cache.GENERATION)) or 0


def test_changes_to_cached_things_bump_the_generation_and_nothing_else_does(app, session,
                                                                            profile):
    start = _generation(app)
    with atomic(session):
        created = apiauth.create_api_token(session, profile=profiles.default_profile(session),
                                           scopes=["issue"], name="n", now=utc_now())
    assert _generation(app) == start  # a new token: no cache can hold it yet
    with atomic(session):
        session.get(ApiToken, created.id).last_used_at = utc_now()
    assert _generation(app) == start  # bookkeeping only
    with atomic(session):
        session.execute(update(ApiToken).where(ApiToken.id == created.id)
                        .values(last_used_at=utc_now())
                        .execution_options(**{issuing_cache.QUIET: True}))
    assert _generation(app) == start
    with atomic(session):
        profiles.default_profile(session).name = "Renamed University"
    assert _generation(app) == start + 1  # a profile edit
    with atomic(session):
        apiauth.revoke_api_token(session, created.id, now=utc_now())
    assert _generation(app) == start + 2  # a revocation
    with atomic(session):
        session.execute(update(ApiToken).where(ApiToken.id == created.id)
                        .values(name="bulk statement"))
    assert _generation(app) == start + 3  # an UPDATE statement on a watched table
    try:
        with atomic(session):
            profiles.default_profile(session).name = "Never saved"
            session.flush()
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert _generation(app) == start + 3  # the bump rolls back with the change


def test_a_transaction_that_bumped_the_generation_caches_nothing(app):
    """What a transaction reads after changing cached data may be its own uncommitted change:
    if it rolled back, a cache built from it would be served later. So nothing is kept."""
    from issuer import db
    from issuer.issuing_models import BUMPED, bump
    from issuer.services import issuing_cache

    calls = []

    def load():
        calls.append(1)
        return "value"

    with app.app_context():
        session = db.get_session()
        bump(session)
        assert session.info.get(BUMPED)
        issuing_cache.cached(session, ("t", 1), load)
        issuing_cache.cached(session, ("t", 1), load)
        assert len(calls) == 2  # loaded each time, kept never
        session.rollback()
        assert not session.info.get(BUMPED)
        issuing_cache.cached(session, ("t", 1), load)
        issuing_cache.cached(session, ("t", 1), load)
        assert len(calls) == 3  # a fresh transaction caches again
        session.rollback()
