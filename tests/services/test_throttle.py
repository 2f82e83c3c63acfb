"""Sign-in throttle counters (issuer/services/throttle.py) on the real database: the lock-out
rule, forgetting, resetting, pruning, and keys that hold nothing in clear."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from issuer.models import SignInThrottle
from issuer.services import throttle
from tests.helpers import NOW

LIMIT = throttle.Limit(failures=3, window_seconds=600, max_lockout_seconds=60)
SECRET = "test secret"


def _counter(value="ann@example.org", scope="admin-account", limit=LIMIT):
    return throttle.Counter(scope, throttle.key_hash(SECRET, value), limit)


def _fail(session, counters, at):
    started = throttle.record_failure(session, counters, now=at)
    session.commit()
    return started


def test_lockouts_start_at_the_limit_and_double_up_to_the_cap():
    assert [LIMIT.lockout_seconds(n) for n in range(1, 12)] == [0, 0, 1, 2, 4, 8, 16, 32, 60,
                                                                 60, 60]
    assert LIMIT.lockout_seconds(10 ** 6) == 60


def test_failures_lock_out_and_the_lockout_ends(session):
    counter = _counter()
    assert _fail(session, [counter], NOW) == []
    assert _fail(session, [counter], NOW) == []
    assert throttle.refusal(session, [counter], now=NOW) is None
    [started] = _fail(session, [counter], NOW)
    assert (started.seconds, started.failures) == (1, 3)
    refused = throttle.refusal(session, [counter], now=NOW)
    assert refused.counter == counter and refused.seconds == 1
    assert throttle.refusal(session, [counter], now=NOW + timedelta(seconds=1)) is None
    [again] = _fail(session, [counter], NOW + timedelta(seconds=1))
    assert again.seconds == 2
    assert throttle.refusal(session, [counter], now=NOW + timedelta(seconds=2)).seconds == 1


def test_the_longest_lockout_of_several_counters_answers(session):
    account, address = _counter(), _counter("203.0.113.9", scope="admin-address")
    for _ in range(4):
        _fail(session, [account], NOW)
    _fail(session, [address, account], NOW)  # account: 5th failure (4 s), address: 1st
    refused = throttle.refusal(session, [address, account], now=NOW)
    assert refused.counter == account and refused.seconds == 4
    assert throttle.refusal(session, [address], now=NOW) is None


def test_a_counter_is_forgotten_a_window_after_its_last_failure_or_lockout(session):
    counter = _counter()
    for _ in range(5):
        _fail(session, [counter], NOW)  # locked until NOW + 4 s
    quiet = NOW + timedelta(seconds=4 + 600)
    assert _fail(session, [counter], quiet - timedelta(seconds=1))[0].failures == 6
    row = session.scalar(select(SignInThrottle))
    assert row.locked_until == quiet - timedelta(seconds=1) + timedelta(seconds=8)
    later = row.locked_until + timedelta(seconds=600)
    assert _fail(session, [counter], later) == []  # forgotten: the count starts again
    assert session.scalar(select(SignInThrottle.failures)) == 1


def test_reset_forgets_one_counter_only(session):
    account, address = _counter(), _counter("203.0.113.9", scope="admin-address")
    for _ in range(3):
        _fail(session, [account, address], NOW)
    throttle.reset(session, account)
    session.commit()
    assert throttle.refusal(session, [account], now=NOW) is None
    assert throttle.refusal(session, [address], now=NOW) is not None


def test_keys_hold_no_name_in_clear_and_scopes_are_apart(session):
    admin, member = _counter(), _counter(scope="member-account")
    for _ in range(3):
        _fail(session, [admin], NOW)
    assert throttle.refusal(session, [member], now=NOW) is None
    keys = session.scalars(select(SignInThrottle.key_hash)).all()
    assert keys == [admin.key_hash] and "ann" not in keys[0] and len(keys[0]) == 32
    assert throttle.key_hash("another secret", "ann@example.org") != admin.key_hash


def test_forgotten_counters_are_pruned_as_failures_come_in(session):
    for n in range(30):
        _fail(session, [_counter(f"user{n}@example.org")], NOW)
    assert session.scalar(select(func.count()).select_from(SignInThrottle)) == 30
    _fail(session, [_counter("late@example.org")], NOW + timedelta(seconds=601))
    assert session.scalars(select(SignInThrottle.key_hash)).all() == [
        _counter("late@example.org").key_hash]


def test_concurrent_failures_are_all_counted_and_never_deadlock(app, session):
    """Eight workers' sessions record failures on the same two counters at once (handed in
    opposite orders) and prune at the same time: every failure counts, none waits forever."""
    from concurrent.futures import ThreadPoolExecutor

    from issuer import db

    account, address = _counter(), _counter("203.0.113.9", scope="admin-address")
    factory = db.session_factory(app)

    def worker(n: int) -> None:
        with factory() as own:
            for _ in range(10):
                counters = [account, address] if n % 2 else [address, account]
                throttle.record_failure(own, counters, now=NOW)
                own.commit()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(worker, range(8)))
    rows = session.execute(select(SignInThrottle.scope, SignInThrottle.failures)).all()
    assert sorted(rows) == [("admin-account", 80), ("admin-address", 80)]
