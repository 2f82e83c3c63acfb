"""What views need from the app: the DB session, base URL, key store, the clock and the
session lifetimes."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from issuer import clock, db
from issuer.services.keystore import FileKeyStore
from issuer.services.sessions import SessionPolicy


def session() -> Session:
    return db.get_session()


def base_url() -> str:
    return current_app.config["BASE_URL"]


def keystore() -> FileKeyStore:
    return FileKeyStore(current_app.config["KEYS_DIR"])


def now() -> datetime:
    return clock.utc_now()


def max_image_bytes() -> int:
    return current_app.config["MAX_IMAGE_BYTES"]


def avatar_max_bytes() -> int:
    """Members' pictures: phone photos are larger than badge images (they are re-encoded
    to a small PNG, so only the upload is this large)."""
    return max(current_app.config["MAX_IMAGE_BYTES"], 4 * 1024 * 1024)


def admin_session_policy() -> SessionPolicy:
    """Admin sessions end ISSUER_SESSION_IDLE_SECONDS unused or
    ISSUER_SESSION_LIFETIME_SECONDS after sign-in."""
    config = current_app.config
    return SessionPolicy(lifetime_seconds=config["SESSION_LIFETIME_SECONDS"],
                         idle_seconds=config["SESSION_IDLE_SECONDS"])


def member_session_policy() -> SessionPolicy:
    """Member sessions end ISSUER_SESSION_LIFETIME_SECONDS after sign-in (members sign in
    by email; an idle limit would send them to their mailbox too often)."""
    return SessionPolicy(lifetime_seconds=current_app.config["SESSION_LIFETIME_SECONDS"])
