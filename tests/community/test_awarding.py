"""Rules awarding achievements from events posted through the real API, evaluated by the real
job queue (run in-process with Huey's executor): first occurrence, counts and tiers, meta
badges, date windows, once-only awards, backfill (service and CLI)."""

from __future__ import annotations

from datetime import timedelta

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from issuer import db
from issuer.cli import main
from issuer.clock import utc_now
from issuer.community import awards as award_service
from issuer.community import members, services
from issuer.community.awards import Issuing
from issuer.community.models import Award, Event
from issuer.errors import ValidationFailed
from issuer.models import IssuedCredential
from issuer.services import achievements
from issuer.services.keystore import FileKeyStore
from tests.community.conftest import drain, pending_tasks
from tests.community.helpers import (
    achievement_with_rule,
    award_names,
    awards,
    credential_names,
    event,
    events_token,
    post,
    set_rule,
    verify_issued,
)
from tests.service_fixtures import make_achievement

ADA = "ada@example.org"


def _post_all(client, token, bodies):
    for body in bodies:
        response = post(client, token, body)
        assert response.status_code == 202, response.get_json()


def test_first_occurrence_awards_once_and_only_in_the_background(app, client, profile):
    achievement_with_rule(app, "First Post", "first", action="forum.post")
    token = events_token(app)
    _post_all(client, token, [event("p1")])
    # Nothing is awarded in the request: the evaluation is a queued job.
    assert award_names(app, ADA) == []
    assert "community.process_event" in pending_tasks(app)
    drain(app)
    assert award_names(app, ADA) == ["First Post"]
    _post_all(client, token, [event("p2"), event("p3")])
    drain(app)
    assert award_names(app, ADA) == ["First Post"]
    assert credential_names(app, ADA) == ["First Post"]
    with app.app_context():
        session = db.get_session()
        assert session.scalar(select(func.count()).select_from(Event)
                              .where(Event.processed_at.is_not(None))) == 3
        first = session.scalar(select(Event).where(Event.event_id == "p1"))
        assert session.scalar(select(Award.trigger_event_id)) == first.id
        from issuer.models import IssuedCredential  # the dashboard's issuing path
        assert session.scalar(select(IssuedCredential.issued_via)) == "award"


def test_tiers_1_3_5_are_separate_achievements_each_awarded_once(app, client, profile):
    for name, threshold in (("Researcher", 1), ("Contributor", 3), ("Rock Star", 5)):
        achievement_with_rule(app, name, "count", action="research.session",
                              threshold=threshold)
    token = events_token(app)
    seen = []
    for number in range(1, 7):
        _post_all(client, token, [event(f"r{number}", action="research.session")])
        drain(app)
        seen.append(award_names(app, ADA))
    assert seen == [
        ["Researcher"], ["Researcher"], ["Contributor", "Researcher"],
        ["Contributor", "Researcher"], ["Contributor", "Researcher", "Rock Star"],
        ["Contributor", "Researcher", "Rock Star"],
    ]
    for item in awards(app, ADA):  # every award is a verifiable credential of that tier
        result = verify_issued(app, item.credential_id, ADA)
        assert result.verified, result.to_dict()
        assert {check.id: check.status.value for check in result.checks}["recipient"] == "passed"
        assert item.achievement.name in item.credential.document
        assert item.source == "rule"


def test_other_actions_and_other_members_do_not_count(app, client, profile):
    achievement_with_rule(app, "Two Posts", "count", action="forum.post", threshold=2)
    token = events_token(app)
    _post_all(client, token, [
        event("a1"), event("b1", email="bob@example.org", name="Bob"),
        event("a2", action="forum.reply"),
    ])
    drain(app)
    assert award_names(app, ADA) == [] and award_names(app, "bob@example.org") == []
    _post_all(client, token, [event("a3")])
    drain(app)
    assert award_names(app, ADA) == ["Two Posts"]
    assert award_names(app, "bob@example.org") == []


def test_date_window_counts_only_events_inside_it(app, client, profile):
    now = utc_now()
    start, end = now - timedelta(days=10), now - timedelta(days=5)
    achievement_with_rule(app, "Hackweek", "count", action="commit.pushed", threshold=2,
                          window_from=start, window_until=end)
    token = events_token(app)
    _post_all(client, token, [
        event("w0", action="commit.pushed", occurred_at=start - timedelta(seconds=1)),
        event("w1", action="commit.pushed", occurred_at=start),  # the start is inside
        event("w2", action="commit.pushed", occurred_at=end),  # the end is not
        event("w3", action="commit.pushed", occurred_at=now - timedelta(days=1)),
    ])
    drain(app)
    assert award_names(app, ADA) == []
    _post_all(client, token, [event("w4", action="commit.pushed",
                                    occurred_at=end - timedelta(seconds=1))])
    drain(app)
    assert award_names(app, ADA) == ["Hackweek"]


def test_meta_badge_completes_by_rule_and_by_hand_and_chains(app, client, profile):
    first_post = achievement_with_rule(app, "First Post", "first", action="forum.post")
    project = make_achievement(app, name="Project Badge")
    all_round = achievement_with_rule(app, "All-Rounder", "all_of",
                                      required=(first_post, project))
    achievement_with_rule(app, "Legend", "all_of", required=(all_round,))
    token = events_token(app)
    _post_all(client, token, [event("m1")])
    drain(app)
    assert award_names(app, ADA) == ["First Post"]  # one component is not enough

    with app.app_context():  # an admin awards the other component by hand
        session = db.get_session()
        member = members.member_by_email(session, ADA)
        made = award_service.award(
            session, member=member, achievement=achievements.get_achievement(session, project),
            source=award_service.SOURCE_ADMIN, note="Docs migration", now=utc_now(),
            issuing=Issuing(FileKeyStore(app.config["KEYS_DIR"]), app.config["BASE_URL"]))
        assert made is not None and made.note == "Docs migration"
    assert "community.credential_issued" in pending_tasks(app)
    drain(app)  # the hand award re-evaluates the meta badges: one completes the next
    assert award_names(app, ADA) == ["All-Rounder", "First Post", "Legend", "Project Badge"]
    _post_all(client, token, [event("m2")])
    drain(app)
    assert credential_names(app, ADA) == ["All-Rounder", "First Post", "Legend",
                                          "Project Badge"]


def test_a_credential_issued_elsewhere_counts_and_is_not_issued_again(app, client, profile):
    """An admin issued First Post through the plain issue form before the rule existed."""
    from tests.service_fixtures import issue_credential

    first_post = achievement_with_rule(app, "First Post", "first", action="forum.post")
    issue_credential(app, first_post, email=ADA)
    token = events_token(app)
    _post_all(client, token, [event("x1")])
    drain(app)
    assert credential_names(app, ADA) == ["First Post"]
    assert award_names(app, ADA) == []


def test_events_of_another_issuer_profile_do_not_count(app, client, profile):
    from tests.api_helpers import make_token
    from tests.service_fixtures import make_profile

    make_profile(app, slug="other", name="Other Org")
    achievement_with_rule(app, "First Post", "first", action="forum.post")  # default profile
    other_token = make_token(app, issuer="other", scopes=("events",))
    _post_all(client, other_token, [event("o1")])
    drain(app)
    assert award_names(app, ADA) == []
    _post_all(client, events_token(app), [event("o1")])  # the same id, another issuer: new
    drain(app)
    assert award_names(app, ADA) == ["First Post"]


def test_rules_are_checked(app, profile):
    a = make_achievement(app, name="A")
    b = achievement_with_rule(app, "B", "all_of", required=(a,))
    cases = [
        ({"kind": "count", "action": "forum.post"}, "threshold"),
        ({"kind": "count", "action": "Forum Post!", "threshold": 2}, "action"),
        ({"kind": "first"}, "action"),
        ({"kind": "all_of"}, "required"),
        ({"kind": "all_of", "required": ("00000000-0000-4000-8000-000000000000",)}, "required"),
        ({"kind": "first", "action": "x.y", "window_from": utc_now(),
              "window_until": utc_now() - timedelta(days=1)}, "window_until"),
        ({"kind": "bogus"}, "kind"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationFailed) as raised:
            set_rule(app, a, **fields)
        assert field in raised.value.errors, (fields, raised.value.errors)
    with pytest.raises(ValidationFailed) as raised:  # A requires B requires A
        set_rule(app, a, "all_of", required=(b,))
    assert "would require each other: A → B → A" in raised.value.errors["required"]
    with app.app_context():
        assert services.rule_for(db.get_session(), a) is None  # nothing was saved


def _count_awards(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(Award))


def test_backfill_applies_a_new_rule_to_past_events(app, client, profile):
    token = events_token(app)
    _post_all(client, token, [event(f"h{i}", action="research.session") for i in range(3)]
              + [event("h9", email="bob@example.org", name="Bob", action="research.session")])
    drain(app)
    contributor = achievement_with_rule(app, "Contributor", "count",
                                        action="research.session", threshold=3)
    researcher = achievement_with_rule(app, "Researcher", "first", action="research.session")
    assert _count_awards(app) == 0  # a new rule alone awards nothing
    with app.app_context():
        made = services.backfill(
            db.get_session(), achievement_id=contributor, now=utc_now(),
            issuing=Issuing(FileKeyStore(app.config["KEYS_DIR"]), app.config["BASE_URL"]))
    assert made == 1
    assert award_names(app, ADA) == ["Contributor"]
    with app.app_context():  # again: nothing more to award
        again = services.backfill(
            db.get_session(), achievement_id=contributor, now=utc_now(),
            issuing=Issuing(FileKeyStore(app.config["KEYS_DIR"]), app.config["BASE_URL"]))
    assert again == 0
    assert researcher


def test_backfill_command_prints_the_number_awarded(app, client, profile, tmp_path):
    token = events_token(app)
    _post_all(client, token, [event("c1"), event("c2", email="bob@example.org", name="Bob")])
    drain(app)
    first_post = achievement_with_rule(app, "First Post", "first", action="forum.post")
    meta = achievement_with_rule(app, "Starter", "all_of", required=(first_post,))
    env = {
        "ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
        "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
        "ISSUER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
        "ISSUER_BASE_URL": app.config["BASE_URL"],
        "ISSUER_QUEUE_URL": app.config["QUEUE_URL"],
    }
    cli = click.Group("issuer", commands=dict(main.commands))
    runner = CliRunner()
    result = runner.invoke(cli, ["rules", "backfill", "--achievement", first_post], env=env,
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == "4\n"  # First Post and the Starter meta badge, for two members
    assert sorted(award_names(app, ADA)) == ["First Post", "Starter"]
    result = runner.invoke(cli, ["rules", "backfill"], env=env, catch_exceptions=False)
    assert result.stdout == "0\n"
    listed = runner.invoke(cli, ["rules", "list"], env=env, catch_exceptions=False).stdout
    assert f"{first_post}\tFirst Post\tfirst forum.post\n" in listed
    assert f"{meta}\tStarter\tall of: First Post\n" in listed
    missing = runner.invoke(cli, ["rules", "backfill", "--achievement", meta + "x"], env=env)
    assert missing.exit_code == 1 and "has no award rule" in missing.stderr


def test_award_is_refused_nowhere_half_written_on_a_bad_note(app, profile):
    achievement_id = make_achievement(app, name="MVP")
    with app.app_context():
        session = db.get_session()
        member = members.ensure_member(session, members.Identity(email=ADA, name="Ada"),
                                       now=utc_now())
        with pytest.raises(ValidationFailed):
            award_service.award(
                session, member=member,
                achievement=achievements.get_achievement(session, achievement_id),
                source="admin", note="x" * 5000, now=utc_now(),
                issuing=Issuing(FileKeyStore(app.config["KEYS_DIR"]), app.config["BASE_URL"]))
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0
        assert session.scalar(select(func.count()).select_from(Award)) == 0
