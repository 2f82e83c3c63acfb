"""Award rules in the database: editing them, evaluating them for a member after an event or
an award, and backfilling them over past events.

Evaluation runs on the job queue (issuer.jobs), never in a web request. Action rules count
the member's stored events of the rule's issuer profile; meta-badge rules look at the
achievements the member has earned (any credential issued to their email). Awarding one
achievement can complete a meta badge, so meta rules are re-checked until nothing changes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.community import addresses, awards, members, rules
from issuer.community.awards import Issuing
from issuer.community.models import (
    Award,
    AwardRule,
    AwardRuleComponent,
    Event,
    Member,
    MemberEmail,
)
from issuer.errors import NotFound, ValidationFailed
from issuer.models import Achievement, IssuedCredential
from issuer.services import achievements
from issuer.services.tx import atomic


@dataclass(frozen=True)
class RuleInput:
    """A rule as entered in the admin app."""

    kind: str
    action: str | None = None
    threshold: int | None = None
    required: tuple[str, ...] = ()
    window_from: datetime | None = None
    window_until: datetime | None = None


def to_rule(row: AwardRule) -> rules.Rule:
    return rules.Rule(kind=row.kind, action=row.action, threshold=row.threshold,
                      required=row.component_ids, window_from=row.window_from,
                      window_until=row.window_until)


def rule_for(session: Session, achievement_id: str) -> AwardRule | None:
    return session.scalar(select(AwardRule).where(AwardRule.achievement_id == achievement_id))


def list_rules(session: Session) -> list[AwardRule]:
    return list(session.scalars(
        select(AwardRule).join(AwardRule.achievement).order_by(Achievement.name, AwardRule.id)))


def set_rule(session: Session, achievement: Achievement, entered: RuleInput, *,
             now: datetime) -> AwardRule:
    """Create or replace the achievement's rule (the caller commits); ValidationFailed for
    a rule that is malformed, names unknown achievements or closes a cycle of meta badges."""
    rule = rules.check_rule(
        achievement_id=achievement.id, kind=entered.kind, action=entered.action,
        threshold=entered.threshold, required=entered.required,
        window_from=entered.window_from, window_until=entered.window_until,
    )
    for component_id in sorted(rule.required):
        try:
            achievements.get_achievement(session, component_id)
        except NotFound:
            raise ValidationFailed({"required": f"There is no achievement {component_id}."}
                                   ) from None
    if rule.kind == rules.ALL_OF:
        requirements = {row.achievement_id: row.component_ids for row in list_rules(session)
                        if row.kind == rules.ALL_OF}
        requirements[achievement.id] = rule.required
        cycle = rules.find_cycle(requirements, start=achievement.id)
        if cycle:
            names = [session.get(Achievement, item).name for item in cycle]
            raise ValidationFailed({"required": "These meta badges would require each other: "
                                    + " → ".join(names) + "."})
    row = rule_for(session, achievement.id)
    if row is None:
        row = AwardRule(achievement=achievement, created_at=now)
        session.add(row)
    row.kind, row.action, row.threshold = rule.kind, rule.action, rule.threshold
    row.window_from, row.window_until = rule.window_from, rule.window_until
    row.components = [AwardRuleComponent(achievement_id=item) for item in sorted(rule.required)]
    row.updated_at = now
    session.flush()
    return row


def remove_rule(session: Session, achievement: Achievement) -> bool:
    """Remove the achievement's rule (the caller commits); awards already made stay."""
    row = rule_for(session, achievement.id)
    if row is None:
        return False
    session.delete(row)
    return True


def describe(row: AwardRule) -> str:
    """The rule in a few words: "3 × research.session from 2026-01-01", "all of: A, B"."""
    if row.kind == rules.ALL_OF:
        return "all of: " + ", ".join(sorted(item.achievement.name for item in row.components))
    text = f"first {row.action}" if row.kind == rules.FIRST else f"{row.threshold} × {row.action}"
    if row.window_from is not None:
        text += f" from {row.window_from:%Y-%m-%d}"
    if row.window_until is not None:
        text += f" before {row.window_until:%Y-%m-%d}"
    return text


def rules_requiring(session: Session, achievement_id: str) -> list[AwardRule]:
    """The meta-badge rules that have ``achievement_id`` as a component."""
    return list(session.scalars(
        select(AwardRule).join(AwardRuleComponent)
        .where(AwardRuleComponent.achievement_id == achievement_id)))


# -- evaluation -----------------------------------------------------------------------------


def counting_events(session: Session, member_id: int, row: AwardRule) -> int:
    """How many of the member's events count toward an action rule (SQL; the same test as
    rules.counts_toward)."""
    statement = select(func.count(Event.id)).where(
        Event.member_id == member_id,
        Event.profile_id == row.achievement.profile_id,
        Event.action == row.action,
    )
    if row.window_from is not None:
        statement = statement.where(Event.occurred_at >= row.window_from)
    if row.window_until is not None:
        statement = statement.where(Event.occurred_at < row.window_until)
    return session.scalar(statement) or 0


def earned_ids(session: Session, member: Member) -> frozenset[str]:
    return frozenset(session.scalars(
        select(IssuedCredential.achievement_id).where(
            IssuedCredential.recipient_id.in_(addresses.recipient_ids(session, member)))
        .distinct()))


def _award_if_met(session: Session, member: Member, row: AwardRule, *, issuing: Issuing,
                  now: datetime, earned: Collection[str], trigger_event_id: int | None
                  ) -> Award | None:
    if row.achievement_id in earned or awards.already_has(session, member, row.achievement_id):
        return None
    count = counting_events(session, member.id, row) if row.kind in rules.ACTION_KINDS else 0
    if not rules.is_met(to_rule(row), matching_events=count, earned=earned):
        return None
    return awards.award(session, member=member, achievement=row.achievement,
                        source=awards.SOURCE_RULE, issuing=issuing, now=now,
                        trigger_event_id=trigger_event_id)


def evaluate_member(session: Session, member: Member, *, issuing: Issuing, now: datetime,
                    event: Event | None = None, action_rules: bool = True) -> list[Award]:
    """Award what the member's events and awards now earn; returns the new awards.

    With ``event``, only the action rules that event can count toward are checked (the
    same action and profile, within the window); meta badges are always re-checked, until
    no further award completes another one.
    """
    made: list[Award] = []
    if action_rules:
        statement = select(AwardRule).where(AwardRule.kind.in_(rules.ACTION_KINDS))
        if event is not None:
            statement = statement.join(AwardRule.achievement).where(
                AwardRule.action == event.action, Achievement.profile_id == event.profile_id)
        earned = earned_ids(session, member)
        for row in session.scalars(statement.order_by(AwardRule.threshold, AwardRule.id)).all():
            if event is not None and not rules.counts_toward(
                    to_rule(row), action=event.action, occurred_at=event.occurred_at):
                continue
            new = _award_if_met(session, member, row, issuing=issuing, now=now, earned=earned,
                                trigger_event_id=event.id if event is not None else None)
            if new is not None:
                made.append(new)
    made.extend(evaluate_meta(session, member, issuing=issuing, now=now))
    return made


def evaluate_meta(session: Session, member: Member, *, issuing: Issuing, now: datetime
                  ) -> list[Award]:
    """Award every meta badge whose components the member has all earned (repeatedly, since
    one meta badge may be a component of another)."""
    made: list[Award] = []
    while True:
        earned = earned_ids(session, member)
        metas = session.scalars(
            select(AwardRule).where(AwardRule.kind == rules.ALL_OF).order_by(AwardRule.id)).all()
        progress = False
        for row in metas:
            new = _award_if_met(session, member, row, issuing=issuing, now=now, earned=earned,
                                trigger_event_id=None)
            if new is not None:
                made.append(new)
                progress = True
        if not progress:
            return made


def process_event(session: Session, event_pk: int, *, issuing: Issuing, now: datetime
                  ) -> list[Award]:
    """The job for one stored event: evaluate its member's rules, then mark it processed."""
    event = session.get(Event, event_pk)
    if event is None:
        return []
    made = evaluate_member(session, event.member, issuing=issuing, now=now, event=event)
    with atomic(session):
        event = session.get(Event, event_pk)
        event.processed_at = now
    return made


def credential_issued(session: Session, credential_id: str, *, issuing: Issuing,
                      now: datetime) -> list[Award]:
    """The job after any credential is issued: if its recipient is a member, re-check the
    meta badges it could complete."""
    row = session.get(IssuedCredential, credential_id)
    if row is None or not rules_requiring(session, row.achievement_id):
        return []
    member = members.member_for_recipient(session, row.recipient_id)
    if member is None:
        return []
    return evaluate_meta(session, member, issuing=issuing, now=now)


# -- backfill -------------------------------------------------------------------------------


def backfill(session: Session, *, issuing: Issuing, now: datetime,
             achievement_id: str | None = None) -> int:
    """Apply rules to every member's past events and awards; returns how many awards were
    made (including meta badges that those awards completed).

    With ``achievement_id``, only that achievement's rule is applied (and the meta badges
    it completes); NotFound when it has no rule.
    """
    if achievement_id is not None:
        selected = rule_for(session, achievement_id)
        if selected is None:
            raise NotFound(f"achievement {achievement_id!r} has no award rule")
        chosen = [selected]
    else:
        chosen = sorted(list_rules(session),
                        key=lambda row: (row.kind == rules.ALL_OF, row.threshold, row.id))
    total = 0
    for row in chosen:
        for member_id in _candidates(session, row):
            member = session.get(Member, member_id)
            earned = earned_ids(session, member)
            new = _award_if_met(session, member, row, issuing=issuing, now=now, earned=earned,
                                trigger_event_id=None)
            if new is not None:
                total += 1 + len(evaluate_meta(session, member, issuing=issuing, now=now))
    return total


def _candidates(session: Session, row: AwardRule) -> list[int]:
    """Members who might meet the rule (a cheap SQL pre-filter; the rule itself decides)."""
    if row.kind in rules.ACTION_KINDS:
        statement = (select(Event.member_id)
                     .where(Event.profile_id == row.achievement.profile_id,
                            Event.action == row.action))
        if row.window_from is not None:
            statement = statement.where(Event.occurred_at >= row.window_from)
        if row.window_until is not None:
            statement = statement.where(Event.occurred_at < row.window_until)
        statement = (statement.group_by(Event.member_id)
                     .having(func.count(Event.id) >= row.threshold))
    else:
        statement = (select(MemberEmail.member_id)
                     .join(IssuedCredential,
                           IssuedCredential.recipient_id == MemberEmail.recipient_id)
                     .where(IssuedCredential.achievement_id.in_(row.component_ids))
                     .group_by(MemberEmail.member_id))
    return sorted(session.scalars(statement).all())
