"""Count what happens to a credential after it is issued: public page views, JSON
downloads, share links followed, claim links opened. One per-day counter row per
(credential, day, kind), bumped by a single INSERT … ON CONFLICT DO UPDATE (SQLite and
PostgreSQL both have it), in a short transaction of its own.

Counting must never cost the page: :func:`record` swallows (and logs) database errors, so
a locked or failing database leaves a view uncounted, never a visitor without their page.
Nothing about the visitor is stored: no address, no agent, no cookie. Who is counted is the
web layer's call (:func:`is_countable_visit`: GET only, no bots or link-preview fetchers,
no prefetches).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from issuer.models import CredentialActivity

log = logging.getLogger(__name__)

VIEW = "view"                      # the public credential page, as HTML
DOWNLOAD = "download"              # the credential JSON as a file (/credentials/<id>/download)
CLAIM = "claim"                    # the recipient opened the claim link of the badge email
LINKEDIN_ADD = "linkedin_add"      # "Add to LinkedIn profile" followed
LINKEDIN_SHARE = "linkedin_share"  # "Share on LinkedIn" followed
SHARES = (LINKEDIN_ADD, LINKEDIN_SHARE)
KINDS = frozenset({VIEW, DOWNLOAD, CLAIM, *SHARES})

# User agents that announce themselves as robots, crawlers, link previewers or scripts.
# Real browsers all carry "Mozilla/"; what lacks it (curl, python-requests, Go-http-client,
# monitoring probes) is not a person looking at a page either.
BOT_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|preview|facebookexternalhit|embedly|"
    r"headless|lighthouse|pingdom|uptime|monitor|validator|feedfetcher|mediapartners|"
    r"whatsapp|telegram|skype|bingpreview|yahoo|python|curl|wget|go-http|java/|okhttp|"
    r"libwww|httpclient|axios|node-fetch",
    re.IGNORECASE,
)
PREFETCH_HEADERS = {"purpose": "prefetch", "sec-purpose": "prefetch", "x-moz": "prefetch"}


def is_countable_visit(method: str, headers: Mapping[str, str]) -> bool:
    """A GET by what looks like a person's browser: not HEAD, not a bot or link preview,
    not a prefetch. (Headless Chromium says "HeadlessChrome": not counted either.)"""
    if method != "GET":
        return False
    agent = headers.get("User-Agent", "")
    if not agent.startswith("Mozilla/") or BOT_RE.search(agent):
        return False
    for name, value in PREFETCH_HEADERS.items():
        if value in headers.get(name, "").lower():
            return False
    return True


def _upsert(dialect_name: str):
    module = postgresql if dialect_name == "postgresql" else sqlite
    return module.insert


def record(engine: Engine, credential_id: str, kind: str, *, now: datetime) -> bool:
    """Add one to today's (UTC) ``kind`` counter of a credential. True when counted; False
    (logged at WARNING) when the database refused. Unknown kinds are a caller's bug."""
    if kind not in KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    insert = _upsert(engine.dialect.name)
    table = CredentialActivity.__table__
    statement = insert(table).values(credential_id=credential_id, day=now.date(), kind=kind,
                                     count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.credential_id, table.c.day, table.c.kind],
        set_={"count": table.c.count + 1},
    )
    try:
        with engine.begin() as connection:
            connection.execute(statement)
    except SQLAlchemyError as error:
        log.warning("credential activity not counted: kind=%s credential=%s error=%s",
                    kind, credential_id, type(error).__name__)
        return False
    return True
