"""issuer.community.rules: pure rule values (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from issuer.community import rules
from issuer.errors import ValidationFailed

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_first_is_a_count_of_one():
    rule = rules.check_rule(achievement_id="a", kind="first", action="forum.post", threshold=9)
    assert rule.threshold == 1
    assert not rules.is_met(rule, matching_events=0, earned=())
    assert rules.is_met(rule, matching_events=1, earned=())


@pytest.mark.parametrize("count, met", [(2, False), (3, True), (4, True)])
def test_count_reaches_its_threshold(count, met):
    rule = rules.check_rule(achievement_id="a", kind="count", action="research.session",
                            threshold=3)
    assert rules.is_met(rule, matching_events=count, earned=()) is met


def test_window_is_half_open_and_only_matching_actions_count():
    rule = rules.check_rule(achievement_id="a", kind="count", action="x.y", threshold=2,
                            window_from=T0, window_until=T0 + timedelta(days=7))
    assert rules.counts_toward(rule, action="x.y", occurred_at=T0)
    assert rules.counts_toward(rule, action="x.y", occurred_at=T0 + timedelta(days=7, seconds=-1))
    assert not rules.counts_toward(rule, action="x.y", occurred_at=T0 + timedelta(days=7))
    assert not rules.counts_toward(rule, action="x.y", occurred_at=T0 - timedelta(seconds=1))
    assert not rules.counts_toward(rule, action="x.z", occurred_at=T0)
    open_ended = rules.check_rule(achievement_id="a", kind="first", action="x.y", window_from=T0)
    assert rules.in_window(open_ended, T0 + timedelta(days=3650))


def test_meta_badge_needs_every_component():
    rule = rules.check_rule(achievement_id="meta", kind="all_of", required=["a", "b", ""])
    assert rule.required == frozenset({"a", "b"})
    assert not rules.is_met(rule, matching_events=99, earned={"a"})
    assert rules.is_met(rule, matching_events=0, earned={"a", "b", "c"})
    assert not rules.counts_toward(rule, action="a", occurred_at=T0)


@pytest.mark.parametrize("fields, field", [
    ({"kind": "count", "action": "forum.post", "threshold": 0}, "threshold"),
    ({"kind": "count", "action": "forum.post", "threshold": rules.MAX_THRESHOLD + 1}, "threshold"),
    ({"kind": "first", "action": "Forum.Post"}, "action"),
    ({"kind": "first", "action": "forum.post."}, "action"),
    ({"kind": "first", "action": "a" * 101}, "action"),
    ({"kind": "first", "action": "x", "required": ["b"]}, "required"),
    ({"kind": "first", "action": "x", "window_from": datetime(2026, 1, 1)}, "window_from"),
    ({"kind": "all_of", "required": ["self"]}, "required"),
    ({"kind": "all_of", "required": ["b"], "window_from": T0}, "window_from"),
    ({"kind": "all_of", "required": [str(i) for i in range(rules.MAX_COMPONENTS + 1)]},
     "required"),
    ({"kind": "sometimes"}, "kind"),
])
def test_bad_rules_name_the_field(fields, field):
    with pytest.raises(ValidationFailed) as raised:
        rules.check_rule(achievement_id="self", **fields)
    assert field in raised.value.errors


def test_find_cycle():
    assert rules.find_cycle({"a": {"b"}, "b": {"c"}, "d": {"a", "c"}}) is None
    assert rules.find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}, start="b") == ["b", "c", "a", "b"]
    assert rules.find_cycle({"a": {"a2"}, "x": {"y"}, "y": {"x"}}) == ["x", "y", "x"]
