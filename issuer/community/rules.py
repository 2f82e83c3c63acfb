"""Award rules as pure values: checking a rule definition, whether an event counts toward a
rule and whether a rule is met. No database, no clock, no Flask.

Rule kinds:

- ``first``: the member's first event with ``action`` (a ``count`` rule with threshold 1);
- ``count``: ``threshold`` events with ``action`` (tiers such as 1/3/5 are separate
  achievements, each with its own rule);
- ``all_of``: every achievement in ``required`` has been earned (a meta badge).

An action rule may carry a window: only events whose occurredAt is in
``[window_from, window_until)`` count.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from issuer.errors import ValidationFailed

__all__ = [
    "ACTION_RE",
    "KINDS",
    "MAX_THRESHOLD",
    "Rule",
    "check_rule",
    "counts_toward",
    "find_cycle",
    "in_window",
    "is_met",
]

FIRST = "first"
COUNT = "count"
ALL_OF = "all_of"
KINDS = (FIRST, COUNT, ALL_OF)
ACTION_KINDS = (FIRST, COUNT)
# Lower-case dotted names such as forum.post or research.session_completed.
ACTION_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_.:-]{0,98}[a-z0-9])?$")
MAX_THRESHOLD = 1_000_000
MAX_COMPONENTS = 50


@dataclass(frozen=True)
class Rule:
    kind: str
    action: str | None = None
    threshold: int = 1
    required: frozenset[str] = frozenset()
    window_from: datetime | None = None
    window_until: datetime | None = None

    @property
    def is_action_rule(self) -> bool:
        return self.kind in ACTION_KINDS


def check_rule(
    *,
    achievement_id: str,
    kind: str,
    action: str | None = None,
    threshold: int | None = None,
    required: Collection[str] = (),
    window_from: datetime | None = None,
    window_until: datetime | None = None,
) -> Rule:
    """A valid Rule from what an admin entered; raises ValidationFailed naming each field."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        raise ValidationFailed({"kind": "Choose when the achievement is awarded."})
    action = (action or "").strip() or None
    required_ids = frozenset(item for item in required if item)
    if kind in ACTION_KINDS:
        if action is None:
            errors["action"] = "Enter the action, such as forum.post."
        elif not ACTION_RE.match(action):
            errors["action"] = ("An action is lower-case letters, digits and . _ : - "
                                "(at most 100), such as forum.post.")
        if kind == FIRST:
            threshold = 1
        elif threshold is None or not 1 <= threshold <= MAX_THRESHOLD:
            errors["threshold"] = f"Enter how many times, from 1 to {MAX_THRESHOLD}."
        for name, value in (("window_from", window_from), ("window_until", window_until)):
            if value is not None and value.tzinfo is None:
                errors[name] = "The date needs a time zone."
        if (window_from is not None and window_until is not None
                and window_from.tzinfo and window_until.tzinfo and window_until <= window_from):
            errors["window_until"] = "The window must end after it starts."
        if required_ids:
            errors["required"] = "Only a meta-badge rule requires other achievements."
    else:
        action, threshold = None, 1
        if not required_ids:
            errors["required"] = "Choose the achievements that must all be earned."
        elif achievement_id in required_ids:
            errors["required"] = "A meta badge cannot require itself."
        elif len(required_ids) > MAX_COMPONENTS:
            errors["required"] = f"Choose at most {MAX_COMPONENTS} achievements."
        if window_from is not None or window_until is not None:
            errors["window_from"] = "Date windows apply to action rules only."
    if errors:
        raise ValidationFailed(errors)
    return Rule(kind=kind, action=action, threshold=int(threshold or 1), required=required_ids,
                window_from=window_from, window_until=window_until)


def in_window(rule: Rule, moment: datetime) -> bool:
    """Whether ``moment`` falls in the rule's window (always, without one)."""
    if rule.window_from is not None and moment < rule.window_from:
        return False
    return rule.window_until is None or moment < rule.window_until


def counts_toward(rule: Rule, *, action: str, occurred_at: datetime) -> bool:
    """Whether an event with this action and time counts toward the rule."""
    return rule.is_action_rule and action == rule.action and in_window(rule, occurred_at)


def is_met(rule: Rule, *, matching_events: int, earned: Collection[str]) -> bool:
    """Whether the rule holds, given the member's number of counting events (see
    counts_toward) and the ids of the achievements they have earned."""
    if rule.is_action_rule:
        return matching_events >= rule.threshold
    return bool(rule.required) and rule.required <= frozenset(earned)


def find_cycle(requirements: Mapping[str, Collection[str]], *, start: str | None = None
               ) -> list[str] | None:
    """A chain of meta badges that require each other (``[a, b, a]``), or None.

    ``requirements`` maps each meta badge's achievement id to the ids it requires; such a
    cycle could never be met. The search begins at ``start`` (the rule being edited), so a
    cycle through it is reported from it.
    """
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for child in sorted(requirements.get(node, ())):
            if state.get(child) == 1:
                return path[path.index(child):] + [child]
            if child not in state:
                found = visit(child)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    order = sorted(requirements)
    if start is not None and start in requirements:
        order.remove(start)
        order.insert(0, start)
    for node in order:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None
