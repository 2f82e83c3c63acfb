"""What views need from the app: the DB session, base URL, key store and the clock."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from issuer import clock, db
from issuer.services.keystore import FileKeyStore


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
