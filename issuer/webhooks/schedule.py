"""When a failed delivery is tried again: exponential back-off with jitter, for about a day.

Attempt 1 is at once; after the n-th failure the next attempt waits
``BASE · FACTOR^(n-1)`` capped at ``CAP``, each delay moved by up to ±JITTER at random so
that many deliveries failing together do not retry together:

| after failure | 1    | 2     | 3    | 4     | 5       | 6   | 7   | 8   |
| ------------- | ---- | ----- | ---- | ----- | ------- | --- | --- | --- |
| wait          | 30 s | 2 min | 8 min| 32 min| 2 h 8 min| 8 h | 8 h | 8 h |

Nine attempts over about 26 h 50 min; the ninth failure is final. An endpoint whose
deliveries have all failed for DISABLE_AFTER (24 h) is disabled (issuer.webhooks.delivery).
"""

from __future__ import annotations

import random
from datetime import timedelta

BASE = timedelta(seconds=30)
FACTOR = 4
CAP = timedelta(hours=8)
RETRIES = 8  # attempts after the first
JITTER = 0.1
DISABLE_AFTER = timedelta(hours=24)


def nominal_delay(failures: int) -> timedelta:
    """The wait after the ``failures``-th failed attempt (1-based), before jitter."""
    if failures < 1:
        raise ValueError("failures counts from 1")
    return min(BASE * FACTOR ** (failures - 1), CAP)


def next_delay(failures: int, *, rng: random.Random | None = None) -> timedelta | None:
    """The wait before the next attempt, or None when ``failures`` ended the schedule."""
    if failures > RETRIES:
        return None
    spread = (rng or random).uniform(-JITTER, JITTER)
    return timedelta(seconds=round(nominal_delay(failures).total_seconds() * (1 + spread)))


def describe(delay: timedelta) -> str:
    """``30 s``, ``2 min``, ``2 h 8 min``: a delay for people."""
    seconds = int(delay.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def plan() -> list[str]:
    """The nominal waits after each failure, described."""
    return [describe(nominal_delay(n)) for n in range(1, RETRIES + 1)]
