"""SQLAlchemy engine and per-request session, and Alembic migrations run from code.

``init_app(app)`` builds one engine per app (connection pool per worker process) and closes
the request's session at teardown. ``migrate(url)`` upgrades a database to the newest
revision in ``issuer/migrations/`` (package data, so an installed wheel migrates too).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

import issuer.issuing_models  # noqa: F401  (its Session listeners invalidate the issuing caches)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_EXTENSION = "issuer.db"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys on and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[_EXTENSION] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine_of(app: Flask) -> Engine:
    return app.extensions[_EXTENSION].kw["bind"]


def session_factory(app: Flask | None = None) -> sessionmaker[Session]:
    return (app or current_app).extensions[_EXTENSION]


def get_session() -> Session:
    """The session of the current app context (one per request or CLI command)."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "heads") -> None:
    """Upgrade the database at ``url`` to ``revision`` (default: every head, so feature
    branches of the migration history apply side by side; creates tables on a new database)."""
    from alembic import command

    sqlite_path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if sqlite_path is not None:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)
    if sqlite_path is not None and sqlite_path.exists():
        sqlite_path.chmod(0o600)  # it holds password hashes: owner only
