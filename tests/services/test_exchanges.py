"""Exchanges as data and holder-bound copies (issuer.services.exchanges, holder_copies), and
the award's status changes reaching every copy (issuer.services.status)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from issuer.clock import utc_now
from issuer.errors import Conflict, InvalidRequest
from issuer.exchange_models import COMPLETED, REQUESTED, Exchange, HolderCopy
from issuer.models import IssuedCredential, SignedCredential, StatusEvent
from issuer.services import exchanges, holder_copies, status
from issuer.services.exchanges import ExchangeRefused
from issuer.services.fetch import FetchPolicy
from issuer.services.keystore import FileKeyStore
from issuer.services.verification import verify_document
from tests.service_fixtures import (
    BASE_URL,
    issue_credential,
    make_achievement,
    make_profile,
    offer_suspension,
)

HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
OTHER_HOLDER = "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"


@pytest.fixture
def award(app, session):
    """An award of a profile that offers suspension (revocation + suspension entries)."""
    make_profile(app)
    offer_suspension(app)
    return session.get(IssuedCredential, issue_credential(app, make_achievement(app)))


def _keys(app):
    return FileKeyStore(app.config["KEYS_DIR"])


def _exchange(session, award, *, now=None, lifetime=900, protocol="vcapi"):
    return exchanges.create(session, award, protocol=protocol, actor=status.CLI,
                            now=now or utc_now(), lifetime_seconds=lifetime)


def _complete(app, session, exchange_id, challenge, *, holder=HOLDER, now=None):
    return exchanges.complete(session, exchange_id, challenge=challenge, holder_did=holder,
                              keystore=_keys(app), base_url=BASE_URL, now=now or utc_now())


def _verify(session, document):
    return verify_document(session, document, base_url=BASE_URL, now=utc_now(),
                           policy=FetchPolicy(), network=False)


def _steps(session, exchange_id):
    return [event.step for event in exchanges.events(session, exchange_id)]


# --- the exchange row ------------------------------------------------------------------------


def test_an_exchange_is_a_pending_row_that_expires_after_its_lifetime(session, award):
    now = utc_now()
    exchange = _exchange(session, award, now=now, lifetime=900)
    stored = session.get(Exchange, exchange.id)
    assert (stored.state, stored.protocol, stored.credential_id) == ("pending", "vcapi", award.id)
    assert stored.expires_at == now + timedelta(minutes=15)
    assert stored.created_by == "cli" and stored.holder_did is None
    assert exchanges.of_credential(session, award) == [stored]
    assert _steps(session, exchange.id) == ["created"]


def test_the_default_lifetime_setting_is_fifteen_minutes(app):
    assert app.config["EXCHANGE_LIFETIME_SECONDS"] == 900 == exchanges.DEFAULT_LIFETIME_SECONDS


def test_unknown_protocols_are_refused(session, award):
    with pytest.raises(ValueError):
        _exchange(session, award, protocol="smoke-signals")


def test_the_challenge_is_stored_hashed_and_replaced_when_asked_again(session, award):
    exchange = _exchange(session, award)
    first = exchanges.start_request(session, exchange.id, now=utc_now())
    stored = session.get(Exchange, exchange.id)
    assert stored.state == REQUESTED
    assert stored.challenge_hash == exchanges.hash_secret(first) != first
    second = exchanges.start_request(session, exchange.id, now=utc_now())
    assert second != first
    assert session.get(Exchange, exchange.id).challenge_hash == exchanges.hash_secret(second)


# --- completing: the holder-bound copy -------------------------------------------------------


def test_completing_issues_a_signed_copy_bound_to_the_holder(app, session, award):
    exchange = _exchange(session, award)
    challenge = exchanges.start_request(session, exchange.id, now=utc_now())
    copy = _complete(app, session, exchange.id, challenge)

    document = holder_copies.copy_document(copy)
    original = json.loads(award.document)
    assert document["id"] == copy.credential_id == f"urn:uuid:{copy.id}"
    assert document["id"] != original["id"]
    subject = document["credentialSubject"]
    assert subject["id"] == HOLDER
    assert subject["identifier"] == original["credentialSubject"]["identifier"]  # hashed email
    assert subject["achievement"] == original["credentialSubject"]["achievement"]
    def slots(doc):
        entries = doc["credentialStatus"]
        entries = entries if isinstance(entries, list) else [entries]
        return {(e["statusListCredential"], e["statusListIndex"]) for e in entries}

    assert len(slots(document)) == 2 and not slots(document) & slots(original)
    assert document["proof"][0]["proofValue"] != original["proof"][0]["proofValue"]
    assert _verify(session, document).verified

    link = session.get(HolderCopy, copy.id)
    assert (link.credential_id, link.holder_did, link.exchange_id, link.protocol) == (
        award.id, HOLDER, exchange.id, "vcapi")
    stored = session.get(Exchange, exchange.id)
    assert (stored.state, stored.holder_did, stored.copy_id) == (COMPLETED, HOLDER, copy.id)
    assert _steps(session, exchange.id) == ["created", "requested", "completed"]
    assert [row.holder_did for row in holder_copies.copies_of(session, award)] == [HOLDER]


def test_a_replayed_presentation_is_refused_and_issues_nothing(app, session, award):
    exchange = _exchange(session, award)
    challenge = exchanges.start_request(session, exchange.id, now=utc_now())
    _complete(app, session, exchange.id, challenge)
    with pytest.raises(ExchangeRefused) as refused:
        _complete(app, session, exchange.id, challenge, holder=OTHER_HOLDER)
    assert refused.value.status == 409 and refused.value.problem_type == exchanges.USED_TYPE
    assert [row.holder_did for row in session.scalars(select(HolderCopy))] == [HOLDER]
    assert _steps(session, exchange.id)[-1] == "refused"


def test_a_wrong_or_missing_challenge_is_refused(app, session, award):
    exchange = _exchange(session, award)
    exchanges.start_request(session, exchange.id, now=utc_now())
    for challenge, title in (("not-the-challenge", "Wrong challenge"), (None, "Missing challenge"),
                             ("", "Missing challenge")):
        with pytest.raises(ExchangeRefused) as refused:
            _complete(app, session, exchange.id, challenge)
        assert refused.value.status == 400 and refused.value.title == title
    assert session.get(Exchange, exchange.id).state == REQUESTED
    assert session.scalars(select(SignedCredential)).all() == []


def test_an_old_challenge_no_longer_works_once_a_new_one_is_handed_out(app, session, award):
    exchange = _exchange(session, award)
    old = exchanges.start_request(session, exchange.id, now=utc_now())
    exchanges.start_request(session, exchange.id, now=utc_now())
    with pytest.raises(ExchangeRefused):
        _complete(app, session, exchange.id, old)


def test_completing_before_any_challenge_was_handed_out_is_refused(app, session, award):
    exchange = _exchange(session, award)
    with pytest.raises(ExchangeRefused) as refused:
        _complete(app, session, exchange.id, "anything")
    assert refused.value.problem_type == exchanges.NOT_REQUESTED_TYPE


def test_an_expired_exchange_is_refused_at_every_step(app, session, award):
    start = utc_now()
    exchange = _exchange(session, award, now=start, lifetime=60)
    challenge = exchanges.start_request(session, exchange.id, now=start)
    later = start + timedelta(seconds=61)
    with pytest.raises(ExchangeRefused) as refused:
        _complete(app, session, exchange.id, challenge, now=later)
    assert refused.value.status == 410 and refused.value.problem_type == exchanges.EXPIRED_TYPE
    with pytest.raises(ExchangeRefused):
        exchanges.start_request(session, exchange.id, now=later)
    assert session.scalars(select(SignedCredential)).all() == []


def test_the_state_change_is_won_once(session, award):
    exchange = _exchange(session, award)
    exchanges.start_request(session, exchange.id, now=utc_now())
    now = utc_now()
    first = exchanges.transition(session, exchange.id, from_states=(REQUESTED,),
                                 to_state=COMPLETED, now=now)
    second = exchanges.transition(session, exchange.id, from_states=(REQUESTED,),
                                  to_state=COMPLETED, now=now)
    session.commit()
    assert (first, second) == (True, False)


def test_no_copy_of_a_revoked_award_and_the_exchange_stays_unused(app, session, award):
    exchange = _exchange(session, award)
    challenge = exchanges.start_request(session, exchange.id, now=utc_now())
    status.revoke(session, award, reason="issued in error", actor=status.CLI,
                  keystore=_keys(app), base_url=BASE_URL, now=utc_now())
    with pytest.raises(Conflict):
        _complete(app, session, exchange.id, challenge)
    assert session.get(Exchange, exchange.id).state == REQUESTED
    assert session.scalars(select(SignedCredential)).all() == []


def test_a_malformed_holder_did_is_refused(app, session, award):
    with pytest.raises(InvalidRequest):
        holder_copies.issue_copy(session, award, holder_did="mailto:alice@example.org",
                                 keystore=_keys(app), base_url=BASE_URL, now=utc_now())


# --- status changes reach every copy ---------------------------------------------------------


def _copies(app, session, award, count=2):
    made = []
    for holder in (HOLDER, OTHER_HOLDER)[:count]:
        made.append(holder_copies.issue_copy(session, award, holder_did=holder,
                                             keystore=_keys(app), base_url=BASE_URL,
                                             now=utc_now(), protocol="lcw"))
    session.commit()
    return made


def test_revoking_the_award_revokes_every_copy(app, session, award):
    copies = _copies(app, session, award)
    for copy in copies:
        assert _verify(session, holder_copies.copy_document(copy)).verified
    status.revoke(session, award, reason="issued in error", actor=status.CLI,
                  keystore=_keys(app), base_url=BASE_URL, now=utc_now())
    for copy in copies:
        assert status.credential_state(session, copy).state == "revoked"
        assert not _verify(session, holder_copies.copy_document(copy)).verified
        events = session.scalars(select(StatusEvent).where(
            StatusEvent.signed_credential_id == copy.id)).all()
        assert [(e.action, e.reason) for e in events] == [("revoke", "issued in error")]
    assert not _verify(session, json.loads(award.document)).verified


def test_suspending_and_reinstating_the_award_moves_every_copy(app, session, award):
    copies = _copies(app, session, award)
    keys = _keys(app)
    status.suspend(session, award, actor=status.CLI, keystore=keys, base_url=BASE_URL,
                   now=utc_now())
    assert [status.credential_state(session, c).state for c in copies] == ["suspended"] * 2
    assert not _verify(session, holder_copies.copy_document(copies[0])).verified
    status.reinstate(session, award, actor=status.CLI, keystore=keys, base_url=BASE_URL,
                     now=utc_now())
    assert [status.credential_state(session, c).state for c in copies] == ["active"] * 2
    assert _verify(session, holder_copies.copy_document(copies[1])).verified


def test_a_copy_revoked_on_its_own_stays_revoked_when_the_award_is_suspended(app, session, award):
    first, second = _copies(app, session, award)
    keys = _keys(app)
    status.revoke(session, first, reason="wallet lost", actor=status.CLI, keystore=keys,
                  base_url=BASE_URL, now=utc_now())
    assert status.credential_state(session, award).is_active
    status.suspend(session, award, actor=status.CLI, keystore=keys, base_url=BASE_URL,
                   now=utc_now())
    assert status.credential_state(session, first).state == "revoked"
    assert status.credential_state(session, second).state == "suspended"


def test_a_copy_has_the_status_purposes_of_its_award(app, session):
    """A revocation-only award (the default) gives a copy one revocation entry, as a single
    object; revoking the award revokes the copy."""
    make_profile(app)
    award = session.get(IssuedCredential, issue_credential(app, make_achievement(app)))
    assert isinstance(json.loads(award.document)["credentialStatus"], dict)
    (copy,) = _copies(app, session, award)[:1]
    entry = holder_copies.copy_document(copy)["credentialStatus"]
    assert isinstance(entry, dict) and entry["statusPurpose"] == "revocation"
    status.revoke(session, award, reason="issued in error", actor=status.CLI,
                  keystore=_keys(app), base_url=BASE_URL, now=utc_now())
    assert status.credential_state(session, copy).state == "revoked"
    assert not _verify(session, holder_copies.copy_document(copy)).verified


# --- many workers at once (PostgreSQL) -------------------------------------------------------


def test_one_presentation_raced_by_many_workers_issues_one_copy(app, session, award,
                                                                 database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent workers need PostgreSQL: set ISSUER_TEST_DATABASE_URL="
                    "postgresql+psycopg://… (CI runs both databases)")
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from issuer import db

    exchange_id = _exchange(session, award).id  # read here: the threads use their own sessions
    challenge = exchanges.start_request(session, exchange_id, now=utc_now())
    workers = 8
    barrier = threading.Barrier(workers)

    def job(worker: int) -> str:
        with app.app_context():
            own = db.get_session()
            barrier.wait()
            try:
                _complete(app, own, exchange_id, challenge,
                          holder=HOLDER if worker % 2 else OTHER_HOLDER)
                return "issued"
            except ExchangeRefused as refused:
                return refused.problem_type

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(job, range(workers)))
    assert outcomes.count("issued") == 1, outcomes
    assert set(outcomes) - {"issued"} <= {exchanges.USED_TYPE, exchanges.CHALLENGE_TYPE}
    session.expire_all()
    assert len(session.scalars(select(HolderCopy)).all()) == 1
    assert _steps(session, exchange_id).count("completed") == 1
