"""Status lists: allocation, hosted list credentials, revoke / suspend / reinstate, and what
verification reports for our own credentials (issuer.services.status)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from issuer.clock import utc_now
from issuer.errors import Conflict, InvalidRequest, ValidationFailed
from issuer.issuing_models import StatusIndexBlock
from issuer.models import IssuedCredential, StatusEntry, StatusEvent, StatusList
from issuer.services import issuance, profiles, status
from issuer.services.fetch import FetchPolicy
from issuer.services.keystore import FileKeyStore
from issuer.services.verification import verify_document
from issuer.statuslist import bitstring, permutation
from issuer.verification import status as status_check
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential
from tests.service_fixtures import BASE_URL, make_achievement, make_admin, make_profile


@pytest.fixture
def achievement_id(app):
    """An achievement of a profile that offers suspension (both entries; most tests here
    suspend). The default, revocation only, is tested with ``plain_achievement_id``."""
    make_profile(app, offers_suspension=True)
    return make_achievement(app)


@pytest.fixture
def plain_achievement_id(app):
    make_profile(app)
    return make_achievement(app)


def _issue(app, session, achievement_id, *, email="alice@example.org", **options):
    request_fields = {key: options.pop(key) for key in ("valid_until",) if key in options}
    return issuance.issue(
        session, issuance.IssueRequest(achievement_id=achievement_id, email=email,
                                       **request_fields),
        keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=BASE_URL, now=utc_now(),
        **options,
    )


def _change(app, session, action, row, **options):
    options.setdefault("actor", status.CLI)
    return getattr(status, action)(session, row, keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                   base_url=BASE_URL, now=utc_now(), **options)


def _verify(session, document, **options):
    return verify_document(session, document, base_url=BASE_URL, now=options.pop("now", utc_now()),
                           policy=FetchPolicy(), network=False, **options)


def _entries(row):
    entries = json.loads(row.document)["credentialStatus"]
    return {entry["statusPurpose"]: entry
            for entry in (entries if isinstance(entries, list) else [entries])}


def _list_of(session, entry) -> StatusList:
    return session.get(StatusList, entry["statusListCredential"].rsplit("/", 1)[1])


# --- what issuing adds -----------------------------------------------------------------------


def test_by_default_a_credential_gets_one_revocation_entry_object(app, session,
                                                                  plain_achievement_id):
    row = _issue(app, session, plain_achievement_id)
    document = json.loads(row.document)
    entry = document["credentialStatus"]
    assert isinstance(entry, dict) and entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
    assert _list_of(session, entry).purpose == "revocation"
    assert session.scalar(select(func.count()).select_from(StatusList)) == 1  # no suspension list
    stored = session.scalars(select(StatusEntry).where(StatusEntry.credential_id == row.id)).all()
    assert [(e.purpose, e.list_index) for e in stored] == [
        ("revocation", int(entry["statusListIndex"]))]
    result = _verify(session, document)
    assert result.verified, result.to_dict()
    assert result.check("status").detail == "not revoked"
    assert status.credential_state(session, row) == status.CredentialState(
        "active", can_suspend=False)


def test_without_a_suspension_entry_suspend_and_reinstate_are_refused_revoke_works(
        app, session, plain_achievement_id):
    row = _issue(app, session, plain_achievement_id)
    listed = _list_of(session, _entries(row)["revocation"])
    before = listed.document
    for action in ("suspend", "reinstate"):
        with pytest.raises(status.NoStatusEntry, match="without a suspension status entry") as err:
            _change(app, session, action, row)
        assert err.value.status == 409 and err.value.problem_type == status.NO_STATUS_ENTRY
    session.refresh(listed)
    assert listed.document == before  # nothing was re-signed
    assert session.scalar(select(func.count()).select_from(StatusEvent)) == 0
    assert _change(app, session, "revoke", row, reason="Issued in error").state == "revoked"
    result = _verify(session, json.loads(row.document))
    assert not result.verified
    assert result.check("status").detail == "revoked by the issuer: Issued in error"


def test_the_setting_applies_to_new_credentials_only(app, session, plain_achievement_id):
    before = _issue(app, session, plain_achievement_id, email="before@example.org")
    stored_before = before.document
    profile = profiles.default_profile(session)
    profiles.set_suspension(profile, offers=True, now=utc_now())
    session.commit()
    after = _issue(app, session, plain_achievement_id, email="after@example.org")
    assert sorted(_entries(after)) == ["revocation", "suspension"]
    session.refresh(before)
    assert before.document == stored_before  # old credentials keep their bytes
    with pytest.raises(status.NoStatusEntry):
        _change(app, session, "suspend", before)
    # Turned off again: what was issued with a suspension entry can still be suspended.
    profiles.set_suspension(profile, offers=False, now=utc_now())
    session.commit()
    assert _change(app, session, "suspend", after).state == "suspended"
    assert not _verify(session, json.loads(after.document)).verified
    assert isinstance(json.loads(
        _issue(app, session, plain_achievement_id, email="later@example.org").document
    )["credentialStatus"], dict)


def test_a_profile_offering_suspension_gives_a_revocation_and_a_suspension_entry(
        app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    document = json.loads(row.document)
    entries = document["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    for entry in entries:
        assert entry["type"] == "BitstringStatusListEntry"
        assert isinstance(entry["statusListIndex"], str) and entry["statusListIndex"].isdigit()
        assert entry["statusListCredential"].startswith(f"{BASE_URL}/status/")
        assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
        listed = _list_of(session, entry)
        assert listed.purpose == entry["statusPurpose"] and listed.size == 131_072
        assert listed.is_current and listed.allocated == status.BLOCK_SIZE  # one block
        figures, = [item for item in status.list_figures(session, listed.profile_id)
                    if item.list_id == listed.id]
        assert (figures.reserved, figures.used, figures.unused, figures.blocks) == (
            status.BLOCK_SIZE, 1, status.BLOCK_SIZE - 1, 1)
    assert entries[0]["statusListCredential"] != entries[1]["statusListCredential"]
    stored = session.scalars(select(StatusEntry).where(StatusEntry.credential_id == row.id)).all()
    assert sorted((e.purpose, e.list_index) for e in stored) == [
        ("revocation", int(entries[0]["statusListIndex"])),
        ("suspension", int(entries[1]["statusListIndex"]))]
    # the signature covers the entries, and the verifier passes our own lists
    result = _verify(session, document)
    assert result.verified, result.to_dict()
    assert result.check("status").status is Status.PASSED
    assert result.check("status").detail == "not revoked; not suspended"
    assert status.credential_state(session, row) == status.CredentialState("active")


def test_indexes_are_random_unique_and_one_list_per_profile_and_purpose(app, session,
                                                                        achievement_id):
    rows = [_issue(app, session, achievement_id, email=f"r{n}@example.org") for n in range(12)]
    indexes = [int(_entries(row)["revocation"]["statusListIndex"]) for row in rows]
    assert len(set(indexes)) == 12
    assert indexes != sorted(indexes)  # not handed out in order
    assert max(indexes) > 1000  # spread over the list, not packed at its start
    assert session.scalar(select(func.count()).select_from(StatusList)) == 2
    assert {_entries(row)["suspension"]["statusListCredential"] for row in rows} == {
        _entries(rows[0])["suspension"]["statusListCredential"]}


def test_a_full_list_is_retired_and_a_new_one_opened(app, session, achievement_id):
    size = status.MIN_LIST_SIZE
    rows = [_issue(app, session, achievement_id, email=f"f{n}@example.org",
                   status_list_size=size) for n in range(size + 3)]
    first, later = rows[:size], rows[size:]
    first_lists = {_entries(row)["revocation"]["statusListCredential"] for row in first}
    later_lists = {_entries(row)["revocation"]["statusListCredential"] for row in later}
    assert len(first_lists) == 1 and len(later_lists) == 1 and first_lists != later_lists
    assert sorted(int(_entries(row)["revocation"]["statusListIndex"]) for row in first) == list(
        range(size))  # every index of the full list used exactly once
    old = _list_of(session, _entries(first[0])["revocation"])
    new = _list_of(session, _entries(later[0])["revocation"])
    assert (old.is_current, old.allocated) == (False, size)
    assert (new.is_current, new.allocated) == (True, size)  # one block: the whole small list
    used = {item.list_id: item.used for item in status.list_figures(session)}
    assert (used[old.id], used[new.id]) == (size, 3)
    # the published bitstring keeps the spec's minimum length even for a test-sized list
    published = json.loads(new.document)
    assert len(bitstring.decode_list(published["credentialSubject"]["encodedList"])) * 8 == 131_072
    for row in (first[0], later[-1]):
        assert _verify(session, json.loads(row.document)).verified


def test_profiles_have_lists_of_their_own(app, session, achievement_id):
    make_profile(app, slug="other", name="Other Org", did_method="key")
    other_achievement = make_achievement(app, issuer="other")
    ours = _issue(app, session, achievement_id)
    theirs = _issue(app, session, other_achievement)
    assert _entries(ours)["revocation"]["statusListCredential"] != \
        _entries(theirs)["revocation"]["statusListCredential"]
    listed = json.loads(_list_of(session, _entries(theirs)["revocation"]).document)
    assert listed["issuer"] == json.loads(theirs.document)["issuer"]["id"]
    assert listed["issuer"].startswith("did:key:")
    assert _verify(session, json.loads(theirs.document)).verified


def test_list_size_below_the_minimum_is_refused(app, session, achievement_id):
    with pytest.raises(ValueError, match="at least"):
        _issue(app, session, achievement_id, status_list_size=status.MIN_LIST_SIZE - 1)
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_a_failed_issue_leaves_no_index_taken(app, session, achievement_id):
    _issue(app, session, achievement_id)
    with pytest.raises(ValidationFailed):
        _issue(app, session, achievement_id, email="not an email")
    with pytest.raises(ValidationFailed):
        _issue(app, session, achievement_id, valid_until=utc_now() - timedelta(days=1))
    assert session.scalar(select(func.count()).select_from(StatusEntry)) == 2
    later = _issue(app, session, achievement_id, email="later@example.org")
    for entry in _entries(later).values():  # the failed issues took no position
        listed = _list_of(session, entry)
        assert int(entry["statusListIndex"]) == permutation.index_at(
            listed.permutation_key, 1, listed.size)


class _AfterSigning(Exception):
    """Raised by an on_issued hook: the credential was built and signed, then not stored."""


def _fail_after_signing(_session, _row):
    raise _AfterSigning


def test_an_index_of_a_failed_issue_is_a_counted_gap_never_reused(app, session, achievement_id):
    """The indexes come from the process's block (committed before the credential is signed
    on PostgreSQL, with the first credential's transaction on SQLite): a failure after they
    were handed out leaves them unused, never handed out again, and counted as a gap."""
    first = _issue(app, session, achievement_id)
    with pytest.raises(_AfterSigning):
        _issue(app, session, achievement_id, email="bob@example.org",
               on_issued=_fail_after_signing)
    session.rollback()
    third = _issue(app, session, achievement_id, email="carol@example.org")
    assert session.scalar(select(func.sum(StatusList.allocated))) == 2 * status.BLOCK_SIZE
    assert session.scalar(select(func.count()).select_from(StatusEntry)) == 4
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 2
    for purpose, entry in _entries(third).items():
        listed = _list_of(session, entry)
        assert int(entry["statusListIndex"]) == permutation.index_at(
            listed.permutation_key, 2, listed.size)  # position 1 is the failed issue's gap
        assert entry["statusListCredential"] == _entries(first)[purpose]["statusListCredential"]
    for figures in status.list_figures(session):
        assert (figures.used, figures.unused) == (2, status.BLOCK_SIZE - 2)


def test_on_postgresql_one_profile_issues_in_parallel(app, session, achievement_id, database_url):
    """The list row is locked only for the counter update, not while a credential is built,
    signed and stored: another worker issues for the same profile meanwhile."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: issuing is serial there")
    from sqlalchemy import text

    from issuer import db

    def issue_another_meanwhile(_session, _row):  # inside the first credential's transaction
        with db.session_factory(app)() as other:
            other.execute(text("SET lock_timeout = '5s'"))  # a lock would fail, not hang
            row = _issue(app, other, achievement_id, email="bob@example.org")
            other.commit()
            meanwhile.append(row.id)

    meanwhile: list[str] = []
    first = _issue(app, session, achievement_id, on_issued=issue_another_meanwhile)
    assert len(meanwhile) == 1
    other = session.get(IssuedCredential, meanwhile[0])
    for purpose in status.PURPOSES:  # the same lists, other indexes
        mine, theirs = _entries(first)[purpose], _entries(other)[purpose]
        assert mine["statusListCredential"] == theirs["statusListCredential"]
        assert mine["statusListIndex"] != theirs["statusListIndex"]
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 2


# --- the hosted list credential --------------------------------------------------------------


def test_list_credentials_are_signed_by_the_issuer_and_pass_our_verifier(app, session,
                                                                         achievement_id):
    row = _issue(app, session, achievement_id)
    for purpose, entry in _entries(row).items():
        listed = _list_of(session, entry)
        document = json.loads(listed.document)
        assert document["id"] == entry["statusListCredential"]
        assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert document["issuer"] == "did:web:localhost%3A5000"
        assert document["credentialSubject"]["statusPurpose"] == purpose
        assert document["credentialSubject"]["type"] == "BitstringStatusList"
        assert document["credentialSubject"]["encodedList"].startswith("uH4sI")
        assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
        did_document = profiles.did_document(row.profile, BASE_URL)
        result = verify_credential(document, now=utc_now(),
                                   resolve_controller={did_document["id"]: did_document}.get)
        assert result.verified, result.to_dict()
        assert result.check("context").status is Status.PASSED
        assert result.check("proof").status is Status.PASSED
        assert result.check("issuer").status is Status.PASSED
        assert result.check("schema").status is Status.NOT_APPLICABLE


def test_list_is_resigned_when_a_bit_changes_and_only_then(app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    revocation = _list_of(session, _entries(row)["revocation"])
    suspension = _list_of(session, _entries(row)["suspension"])
    before = (revocation.document, suspension.document)
    _issue(app, session, achievement_id, email="bob@example.org")  # allocating changes no bit
    session.refresh(revocation)
    session.refresh(suspension)
    assert (revocation.document, suspension.document) == before
    _change(app, session, "suspend", row)
    session.refresh(revocation)
    session.refresh(suspension)
    assert revocation.document == before[0]
    assert suspension.document != before[1]
    index = int(_entries(row)["suspension"]["statusListIndex"])
    published = json.loads(suspension.document)["credentialSubject"]["encodedList"]
    bits = bitstring.decode_list(published)
    assert [i for i in range(len(bits) * 8) if bitstring.get_bit(bits, i)] == [index]
    assert bytes(bits) == suspension.bits


# --- revoke, suspend, reinstate --------------------------------------------------------------


def test_revoke_is_reported_with_its_reason_and_recorded(app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    state = _change(app, session, "revoke", row, reason="Issued to the wrong person.")
    assert (state.state, state.reason, state.by) == (
        "revoked", "Issued to the wrong person.", "cli")
    result = _verify(session, json.loads(row.document))
    assert not result.verified
    check = result.check("status")
    assert check.status is Status.FAILED
    assert check.detail == "revoked by the issuer: Issued to the wrong person."
    assert [problem.type for problem in check.problems] == [status_check.REVOKED]
    event = session.scalar(select(StatusEvent))
    assert (event.credential_id, event.action, event.reason, event.actor, event.admin_user_id) == (
        row.id, "revoke", "Issued to the wrong person.", "cli", None)


def test_suspend_then_reinstate(app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    assert _change(app, session, "suspend", row, reason="Under review").state == "suspended"
    result = _verify(session, json.loads(row.document))
    assert not result.verified
    assert result.check("status").detail == "suspended by the issuer: Under review"
    assert result.check("status").problems[0].type == status_check.SUSPENDED
    assert _change(app, session, "reinstate", row).state == "active"
    result = _verify(session, json.loads(row.document))
    assert result.verified, result.to_dict()
    assert result.check("status").detail == "not revoked; not suspended"
    history = status.status_history(session, row)
    assert [event.action for event in history] == ["reinstate", "suspend"]


def test_suspended_credentials_may_be_revoked_but_revoked_ones_never_come_back(
        app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    _change(app, session, "suspend", row)
    assert _change(app, session, "revoke", row, reason="Fraud").state == "revoked"
    with pytest.raises(Conflict, match="cannot be reinstated"):
        _change(app, session, "reinstate", row)
    with pytest.raises(Conflict, match="already revoked"):
        _change(app, session, "revoke", row, reason="Again")
    with pytest.raises(Conflict, match="revocation is permanent"):
        _change(app, session, "suspend", row)
    assert [event.action for event in status.status_history(session, row)] == ["revoke", "suspend"]
    assert status.credential_state(session, row).state == "revoked"


@pytest.mark.parametrize(("action", "options", "error", "message"), [
    ("revoke", {"reason": "   "}, ValidationFailed, "Give a reason"),
    ("revoke", {"reason": "x" * 1001}, ValidationFailed, "at most 1000"),
    ("suspend", {"reason": "y" * 1001}, ValidationFailed, "at most 1000"),
    ("reinstate", {}, Conflict, "not suspended"),
])
def test_refused_changes_leave_nothing_behind(app, session, achievement_id, action, options,
                                              error, message):
    row = _issue(app, session, achievement_id)
    documents = {entry["statusPurpose"]: _list_of(session, entry).document
                 for entry in _entries(row).values()}
    with pytest.raises(error, match=message):
        _change(app, session, action, row, **options)
    assert session.scalar(select(func.count()).select_from(StatusEvent)) == 0
    for entry in _entries(row).values():
        listed = _list_of(session, entry)
        session.refresh(listed)
        assert listed.document == documents[entry["statusPurpose"]]


def test_suspending_twice_is_refused(app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    _change(app, session, "suspend", row)
    with pytest.raises(Conflict, match="already suspended"):
        _change(app, session, "suspend", row)


def test_a_credential_without_status_entries_cannot_be_revoked(app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    session.query(StatusEntry).delete()  # as if issued before status lists existed
    session.commit()
    assert status.credential_state(session, row) == status.CredentialState(
        "active", has_status=False, can_suspend=False)
    with pytest.raises(InvalidRequest, match="without status list entries"):
        _change(app, session, "revoke", row, reason="x")


def test_an_admin_is_recorded_as_the_actor(app, session, achievement_id):
    make_admin(app)
    from issuer.models import AdminUser

    admin = session.scalar(select(AdminUser))
    row = _issue(app, session, achievement_id)
    state = _change(app, session, "suspend", row, actor=status.Actor.admin(admin))
    assert state.by == "admin@example.org"
    event = session.scalar(select(StatusEvent))
    assert (event.actor, event.admin_user_id) == ("admin@example.org", admin.id)


def test_other_credentials_on_the_same_lists_stay_valid(app, session, achievement_id):
    revoked = _issue(app, session, achievement_id)
    suspended = _issue(app, session, achievement_id, email="carol@example.org")
    bystander = _issue(app, session, achievement_id, email="bob@example.org")
    _change(app, session, "revoke", revoked, reason="Wrong person")
    _change(app, session, "suspend", suspended)
    assert _verify(session, json.loads(bystander.document)).verified
    assert status.credential_state(session, bystander).state == "active"


# --- verification of our own credentials -----------------------------------------------------


def test_expired_and_not_yet_valid(app, session, achievement_id):
    until = utc_now() + timedelta(days=1)
    row = _issue(app, session, achievement_id, valid_until=until)
    document = json.loads(row.document)
    assert _verify(session, document).verified
    expired = _verify(session, document, now=until + timedelta(minutes=6))
    assert not expired.verified
    assert expired.check("validity").status is Status.FAILED
    assert expired.check("status").status is Status.PASSED  # expiry is not revocation
    within_skew = _verify(session, document, now=until + timedelta(minutes=4))
    assert within_skew.check("validity").status is Status.PASSED
    early = _verify(session, document, now=row.valid_from - timedelta(minutes=6))
    assert early.check("validity").status is Status.FAILED


def test_an_unknown_list_of_ours_is_not_checked_rather_than_fetched(app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    with pytest.raises(LookupError, match="has no status list"):
        status.local_status_list(session, f"{BASE_URL}/status/{'0' * 8}-0000-4000-8000-{'0' * 12}",
                                 BASE_URL)
    assert status.local_status_list(session, "https://elsewhere.example/status/1", BASE_URL) is None
    session.query(StatusEntry).delete()
    session.query(StatusIndexBlock).delete()
    session.query(StatusList).delete()
    session.commit()
    status.drop_blocks()
    result = _verify(session, json.loads(row.document))
    assert result.check("status").status is Status.NOT_CHECKED
    assert "has no status list" in result.check("status").detail


def test_the_reason_is_only_given_for_the_credential_it_belongs_to(app, session, achievement_id):
    row = _issue(app, session, achievement_id)
    _change(app, session, "revoke", row, reason="Private note")
    document = json.loads(row.document)
    assert status.status_reason(session, document, "revocation") == "Private note"
    assert status.status_reason(session, document, "suspension") is None
    forged = {**document, "id": f"{BASE_URL}/credentials/00000000-0000-4000-8000-000000000000"}
    assert status.status_reason(session, forged, "revocation") is None
    assert status.status_reason(session, {"credentialStatus": "junk"}, "revocation") is None
