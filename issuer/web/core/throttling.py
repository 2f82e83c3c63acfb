"""Sign-in throttling on the web: which counters an attempt touches, the settings, and the
log line of every decision. The counters live in the database (issuer/services/throttle.py
says why and what the rule is).

Each sign-in door (``admin`` passwords, ``member`` sign-in link requests, ``oauth`` client
secrets) counts per account (the email or client id tried, hashed, whether or not it exists)
and per client address. A view asks :func:`refused` *before* checking anything: a positive
answer is the ``Retry-After`` of its 429, and nothing else is done (no argon2 hash is spent).
Each throttle decision is logged at WARNING with the hashed account key and the address,
never the password or secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from issuer.services import throttle
from issuer.services.tx import atomic
from issuer.web.core import deps

__all__ = ["Attempt", "attempt", "failed", "refused", "succeeded", "wait_text"]

DOORS = ("admin", "member", "oauth")


@dataclass(frozen=True)
class Attempt:
    """One try at a sign-in door: its account counter (when an account was named) and its
    address counter."""

    door: str
    address: str
    account: throttle.Counter | None
    by_address: throttle.Counter

    @property
    def counters(self) -> list[throttle.Counter]:
        return [c for c in (self.account, self.by_address) if c is not None]


def _limits() -> tuple[throttle.Limit, throttle.Limit]:
    config = current_app.config
    lockout = config["SIGNIN_MAX_LOCKOUT"]
    return (throttle.Limit(config["SIGNIN_ACCOUNT_FAILURES"], config["SIGNIN_ACCOUNT_WINDOW"],
                           lockout),
            throttle.Limit(config["SIGNIN_ADDRESS_FAILURES"], config["SIGNIN_ADDRESS_WINDOW"],
                           lockout))


def attempt(door: str, account: str | None) -> Attempt:
    """The counters of a try at ``door`` naming ``account`` (normalized by the caller; None
    or empty: only the address counts)."""
    if door not in DOORS:
        raise ValueError(f"unknown sign-in door {door!r}")
    secret = current_app.config["SECRET_KEY"]
    by_account, by_address = _limits()
    address = request.remote_addr or "unknown"
    account_counter = (throttle.Counter(f"{door}-account", throttle.key_hash(secret, account),
                                        by_account) if account else None)
    return Attempt(door, address, account_counter,
                   throttle.Counter(f"{door}-address", throttle.key_hash(secret, address),
                                    by_address))


def _account_key(attempt: Attempt) -> str:
    return attempt.account.key_hash if attempt.account is not None else "-"


def _what(attempt: Attempt, counter: throttle.Counter) -> str:
    return "account" if counter == attempt.account else "address"


def refused(attempt: Attempt) -> int:
    """Seconds this attempt must wait (0: go ahead). A refusal is logged."""
    lockout = throttle.refusal(deps.session(), attempt.counters, now=deps.now())
    if lockout is None:
        return 0
    current_app.logger.warning(
        "sign-in throttled: door=%s account_key=%s address=%s refused by the %s lock-out "
        "(%d failures), retry after %d s", attempt.door, _account_key(attempt),
        attempt.address, _what(attempt, lockout.counter), lockout.failures, lockout.seconds)
    return lockout.seconds


def failed(attempt: Attempt) -> None:
    """Count a failure (a wrong password or secret; for member links, any request). A
    lock-out it starts is logged."""
    session = deps.session()
    with atomic(session):
        started = throttle.record_failure(session, attempt.counters, now=deps.now())
    for lockout in started:
        current_app.logger.warning(
            "sign-in throttled: door=%s account_key=%s address=%s %s locked out for %d s "
            "after %d failures", attempt.door, _account_key(attempt), attempt.address,
            _what(attempt, lockout.counter), lockout.seconds, lockout.failures)


def succeeded(attempt: Attempt) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    if attempt.account is None:
        return
    session = deps.session()
    with atomic(session):
        throttle.reset(session, attempt.account)


def wait_text(seconds: int) -> str:
    """"5 seconds", "1 minute", "15 minutes": how long to wait, for people."""
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"
