"""The dashboard's figures and the credential list's filters, on real credentials in the
test database (SQLite, or PostgreSQL with ISSUER_TEST_DATABASE_URL): status buckets,
activity counters, issuance per month and day, top achievements, issuing paths, recent
activity (issuer.services.dashboard, credential_query, activity)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from issuer import db
from issuer.models import CredentialActivity, IssuedCredential
from issuer.services import activity, credential_query, dashboard, issuance, status
from issuer.services.credential_query import CredentialFilter
from issuer.services.keystore import FileKeyStore
from tests.service_fixtures import BASE_URL, make_achievement, make_profile, offer_suspension

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def _issue(app, session, achievement_id, *, email, at, via="admin", valid_until=None,
           name=None):
    return issuance.issue(
        session, issuance.IssueRequest(achievement_id=achievement_id, email=email, name=name,
                                       valid_until=valid_until),
        keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=BASE_URL, now=at, via=via)


def _change(app, session, action, row, at, reason="test"):
    return getattr(status, action)(session, row, reason=reason, actor=status.CLI,
                                   keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                   base_url=BASE_URL, now=at)


@pytest.fixture
def world(app, session):
    """Two issuer profiles; credentials over three months, one revoked, one suspended, one
    expired by NOW; views, downloads, shares and a claim."""
    make_profile(app, slug="main", name="Main Academy")
    make_profile(app, slug="other", name="Other Guild")
    for slug in ("main", "other"):  # suspension entries, so a credential can be suspended
        offer_suspension(app, slug=slug)
    python = make_achievement(app, name="Python Basics", issuer="main")
    sql = make_achievement(app, name="SQL Basics", issuer="main")
    guild = make_achievement(app, name="Guild Member", issuer="other")
    september, october = NOW - timedelta(days=62), NOW - timedelta(days=31)
    rows = {
        "ann": _issue(app, session, python, email="ann@example.org", at=september, via="bulk",
                      name="Ann"),
        "bob": _issue(app, session, python, email="bob@example.org", at=october, via="api",
                      name="Bob"),
        "cy": _issue(app, session, python, email="cy@example.org", at=NOW - timedelta(days=2),
                     valid_until=NOW - timedelta(days=1), name="Cy"),
        "dee": _issue(app, session, sql, email="dee@example.org", at=NOW - timedelta(days=1),
                      via="cli", name="Dee"),
        "eve": _issue(app, session, guild, email="eve@example.org", at=NOW, via="award",
                      name="Eve"),
    }
    _change(app, session, "revoke", rows["bob"], NOW - timedelta(hours=5), "left the course")
    _change(app, session, "suspend", rows["dee"], NOW - timedelta(hours=4))
    engine = db.engine_of(app)
    for kind, row, times in ((activity.VIEW, "ann", 3), (activity.VIEW, "eve", 2),
                             (activity.DOWNLOAD, "ann", 2), (activity.CLAIM, "ann", 1),
                             (activity.CLAIM, "eve", 1), (activity.LINKEDIN_ADD, "ann", 1),
                             (activity.LINKEDIN_SHARE, "eve", 1)):
        for _ in range(times):
            assert activity.record(engine, rows[row].id, kind, now=NOW)
    return {"rows": rows, "python": python, "sql": sql, "guild": guild}


def test_status_is_a_column_kept_with_the_lists(app, session, world):
    rows = world["rows"]
    states = dict(session.execute(select(IssuedCredential.id,
                                          IssuedCredential.status_state)).all())
    assert states[rows["bob"].id] == "revoked" and states[rows["dee"].id] == "suspended"
    _change(app, session, "reinstate", rows["dee"], NOW)
    session.expire_all()
    assert session.get(IssuedCredential, rows["dee"].id).status_state == "active"
    # What the column says is what the status list bits say.
    for row in session.scalars(select(IssuedCredential)):
        assert status.credential_state(session, row).state == row.status_state


def test_totals_overall_and_per_profile(session, world):
    totals = dashboard.totals_by_profile(session, now=NOW)
    overall = totals[None]
    assert overall.issued == 5
    assert overall.by_status == {"active": 2, "suspended": 1, "revoked": 1, "expired": 1}
    assert (overall.viewed, overall.downloads, overall.downloaded) == (5, 2, 1)
    assert (overall.claimed, overall.shared, overall.wallet) == (2, 2, None)
    main = totals[world["rows"]["ann"].profile_id]
    other = totals[world["rows"]["eve"].profile_id]
    assert (main.issued, main.viewed, main.claimed, main.shared) == (4, 3, 1, 1)
    assert (other.issued, other.viewed, other.claimed, other.shared) == (1, 2, 1, 1)
    assert other.by_status == {"active": 1, "suspended": 0, "revoked": 0, "expired": 0}


def test_a_repeated_count_is_one_row_per_day(app, session, world):
    ann = world["rows"]["ann"].id
    row = session.get(CredentialActivity, (ann, NOW.date(), activity.VIEW))
    assert row.count == 3
    assert activity.record(db.engine_of(app), ann, activity.VIEW, now=NOW + timedelta(days=1))
    days = session.scalars(select(CredentialActivity.day).where(
        CredentialActivity.credential_id == ann, CredentialActivity.kind == activity.VIEW))
    assert sorted(days) == [NOW.date(), NOW.date() + timedelta(days=1)]
    with pytest.raises(ValueError):
        activity.record(db.engine_of(app), ann, "like", now=NOW)


def test_a_failing_database_loses_the_count_not_the_caller(app, session, world, caplog):
    # An unknown credential breaks the foreign key: refused, logged, reported as not counted.
    assert activity.record(db.engine_of(app), "no-such-credential", activity.VIEW,
                           now=NOW) is False
    assert "credential activity not counted" in caplog.text


def test_issuance_series_by_month_and_day(session, world):
    months = dashboard.issuance_series(session, now=NOW, granularity="month")
    assert len(months) == 12 and months[-1].label == "2026-11" and months[0].label == "2025-12"
    counts = {bucket.label: bucket.count for bucket in months}
    assert (counts["2026-09"], counts["2026-10"], counts["2026-11"]) == (1, 1, 3)
    assert sum(counts.values()) == 5
    days = dashboard.issuance_series(session, now=NOW, granularity="day")
    assert len(days) == 30 and days[-1].start == date(2026, 11, 20)
    assert {b.label: b.count for b in days if b.count} == {
        "2026-11-18": 1, "2026-11-19": 1, "2026-11-20": 1}
    main = world["rows"]["ann"].profile_id
    assert sum(b.count for b in dashboard.issuance_series(session, now=NOW,
                                                          profile_id=main)) == 4
    with pytest.raises(ValueError):
        dashboard.issuance_series(session, now=NOW, granularity="week")


def test_top_achievements_paths_and_recent_activity(session, world):
    top = dashboard.top_achievements(session)
    assert [(item.name, item.issued) for item in top] == [
        ("Python Basics", 3), ("Guild Member", 1), ("SQL Basics", 1)]
    assert dashboard.by_path(session) == {"admin": 1, "api": 1, "award": 1, "bulk": 1, "cli": 1}
    recent = dashboard.recent_activity(session, limit=4)
    assert [(item.kind, item.recipient) for item in recent] == [
        ("issued", "Eve"), ("suspend", "Dee"), ("revoke", "Bob"), ("issued", "Dee")]
    assert recent[2].detail == "left the course" and recent[2].actor == "cli"
    other = world["rows"]["eve"].profile_id
    assert [item.recipient for item in dashboard.recent_activity(session,
                                                                 profile_id=other)] == ["Eve"]
    assert dashboard.daily_views(session, now=NOW) == 5
    assert dashboard.daily_views(session, now=NOW + timedelta(days=40)) == 0
    assert dashboard.daily_views(session, now=NOW - timedelta(days=1)) == 0


def _names(page) -> list[str]:
    return [item.credential.recipient_name for item in page.items]


def test_credential_list_filters(session, world):
    def names(**filters) -> list[str]:
        return _names(credential_query.list_credentials(
            session, CredentialFilter(**filters), now=NOW, per_page=100))

    assert names() == ["Eve", "Dee", "Cy", "Bob", "Ann"]  # newest first
    assert names(status="active") == ["Eve", "Ann"]
    assert names(status="expired") == ["Cy"]
    assert names(status="revoked") == ["Bob"]
    assert names(status="suspended") == ["Dee"]
    assert names(achievement_id=world["python"]) == ["Cy", "Bob", "Ann"]
    assert names(via="bulk") == ["Ann"]
    assert names(via="admin") == ["Cy"]
    assert names(issued_from=date(2026, 10, 1), issued_to=date(2026, 11, 18)) == ["Cy", "Bob"]
    assert names(issued_to=date(2026, 9, 19)) == ["Ann"]  # both ends are whole days
    assert names(text="dee@") == ["Dee"]
    assert names(text="%") == []  # LIKE wildcards are literal
    assert names(profile_id=world["rows"]["eve"].profile_id) == ["Eve"]
    assert names(status="active", achievement_id=world["python"]) == ["Ann"]


def test_credential_list_sort_and_pages(session, world):
    def names(sort, descending=False, **options) -> list[str]:
        return _names(credential_query.list_credentials(
            session, CredentialFilter(), now=NOW, sort=sort, descending=descending,
            **options))

    assert names("recipient") == ["Ann", "Bob", "Cy", "Dee", "Eve"]
    assert names("achievement")[:1] == ["Eve"]  # Guild Member
    assert names("status") == ["Eve", "Ann", "Cy", "Bob", "Dee"]  # active, expired, revoked…
    assert names("expires") == ["Cy", "Eve", "Dee", "Bob", "Ann"]  # never expiring last
    assert names("expires", descending=True)[-1] == "Cy"
    first = credential_query.list_credentials(session, CredentialFilter(), now=NOW,
                                              sort="recipient", descending=False, per_page=2)
    third = credential_query.list_credentials(session, CredentialFilter(), now=NOW,
                                              sort="recipient", descending=False, page=3,
                                              per_page=2)
    assert (first.total, first.pages, _names(first), _names(third)) == (5, 3, ["Ann", "Bob"],
                                                                        ["Eve"])
    for bad in ({"per_page": 101}, {"per_page": 0}, {"page": 0}):
        with pytest.raises(ValueError):
            credential_query.list_credentials(session, CredentialFilter(), now=NOW, **bad)
    with pytest.raises(ValueError):
        credential_query.list_credentials(session, CredentialFilter(), now=NOW, sort="drop")


def test_export_iterates_every_row_in_batches(session, world):
    rows = list(credential_query.iter_credentials(session, CredentialFilter(), now=NOW,
                                                  sort="recipient", descending=False, batch=2))
    assert [item.credential.recipient_name for item in rows] == ["Ann", "Bob", "Cy", "Dee",
                                                                 "Eve"]
    assert [item.status for item in rows] == ["active", "revoked", "expired", "suspended",
                                              "active"]
    # Credentials issued after the export began are left out (no shifting batches).
    early = list(credential_query.iter_credentials(session, CredentialFilter(),
                                                   now=NOW - timedelta(days=3)))
    assert [item.credential.recipient_name for item in early] == ["Bob", "Ann"]
