"""Rate limits kept in Redis (shared by every worker and host, never in process memory).

Off unless ISSUER_RATE_LIMIT_REDIS_URL is set. A fixed window per client address: the first
request opens a window of ``window`` seconds (the key's TTL), each request counts one, and
over ``limit`` the caller is told how many seconds remain. When Redis cannot be reached the
request is let through (and logged): a limiter outage must not take verification down.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis
from flask import current_app, request

__all__ = ["Verdict", "check"]

EXTENSION = "issuer_ratelimit"
TIMEOUT = 0.25  # seconds: Redis is local infrastructure; do not wait for a sick one


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def _client() -> redis.Redis | None:
    url = current_app.config.get("RATE_LIMIT_REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get(EXTENSION)
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=TIMEOUT,
                                      socket_connect_timeout=TIMEOUT)
        current_app.extensions[EXTENSION] = client
    return client


def check(scope: str, *, limit: int, window: int = 60) -> Verdict:
    """Count one request of the current client in ``scope``; allowed while within ``limit``
    per ``window`` seconds. Always allowed when limits are off (no Redis URL, limit 0)."""
    client = _client()
    if client is None or limit <= 0:
        return Verdict(True)
    address = request.remote_addr or "unknown"
    # Addresses are hashed: the counters need no personal data in clear.
    key = f"issuer:ratelimit:{scope}:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    try:
        pipe = client.pipeline()
        pipe.set(key, 0, ex=window, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _created, count, ttl = pipe.execute()
    except redis.RedisError as exc:
        current_app.logger.warning("rate limit not applied (Redis unavailable: %s)",
                                   exc.__class__.__name__)
        return Verdict(True)
    if count <= limit:
        return Verdict(True)
    return Verdict(False, retry_after=max(int(ttl), 1))
