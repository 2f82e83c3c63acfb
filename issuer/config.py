"""Every setting in one place: defaults, then ``ISSUER_*`` environment variables, then the
test dict; checked once at startup.

| setting            | env var                 | default                                   |
| ------------------ | ----------------------- | ----------------------------------------- |
| DATABASE_URL       | ISSUER_DATABASE_URL     | sqlite:///<instance>/issuer.sqlite3       |
| BASE_URL           | ISSUER_BASE_URL         | http://localhost:5000                     |
| KEYS_DIR           | ISSUER_KEYS_DIR         | <project>/keys                            |
| SECRET_KEY         | ISSUER_SECRET_KEY       | generated once into <instance>/secret_key |
| MAX_IMAGE_BYTES    | ISSUER_MAX_IMAGE_BYTES  | 524288 (512 KiB)                          |
| PROXY_COUNT        | ISSUER_PROXY_COUNT      | 0 (trust X-Forwarded-* from N proxies)    |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from issuer.errors import IssuerError

ENV_PREFIX = "ISSUER"
SECRET_KEY_FILE = "secret_key"
DEFAULT_BASE_URL = "http://localhost:5000"
DEFAULT_MAX_IMAGE_BYTES = 512 * 1024
NOT_SETTINGS = ("ADMIN_PASSWORD", "INSTANCE_PATH", "TEST_DATABASE_URL")


class ConfigError(IssuerError):
    title = "Configuration error"
    status = 500


def defaults(instance_path: str) -> dict[str, Any]:
    project_root = Path(instance_path).parent
    return {
        "DATABASE_URL": "sqlite:///" + str(Path(instance_path) / "issuer.sqlite3"),
        "BASE_URL": DEFAULT_BASE_URL,
        "KEYS_DIR": str(project_root / "keys"),
        "SECRET_KEY": None,
        "MAX_IMAGE_BYTES": DEFAULT_MAX_IMAGE_BYTES,
        "PROXY_COUNT": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the signed session
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "JSON_SORT_KEYS": False,
    }


def load(app, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config``; raise ConfigError on a setting we cannot run with."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_prefixed_env(ENV_PREFIX)
    for name in NOT_SETTINGS:  # ISSUER_* variables read by commands, not app settings
        app.config.pop(name, None)
    if test_config:
        app.config.from_mapping(test_config)
    validate(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    explicit = set(test_config or ()) | {
        name.removeprefix(ENV_PREFIX + "_")
        for name in os.environ
        if name.startswith(ENV_PREFIX + "_")
    }
    if urlsplit(app.config["BASE_URL"]).scheme == "https":
        for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if name not in explicit:
                app.config[name] = True
    if "MAX_CONTENT_LENGTH" not in explicit:
        # Larger request bodies are refused before they are read (413 with a clear message).
        app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_IMAGE_BYTES"] + 256 * 1024


def validate(config: dict[str, Any]) -> None:
    base_url = config.get("BASE_URL")
    if not isinstance(base_url, str):
        raise ConfigError("ISSUER_BASE_URL must be a URL such as https://badges.example.org")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"ISSUER_BASE_URL must be an http(s) URL without query or fragment, got {base_url!r}"
        )
    config["BASE_URL"] = base_url.rstrip("/")
    if not isinstance(config.get("DATABASE_URL"), str) or "://" not in config["DATABASE_URL"]:
        raise ConfigError("ISSUER_DATABASE_URL must be an SQLAlchemy database URL")
    try:
        size = int(config.get("MAX_IMAGE_BYTES"))
    except (TypeError, ValueError):
        raise ConfigError("ISSUER_MAX_IMAGE_BYTES must be a number of bytes") from None
    if size <= 0:
        raise ConfigError("ISSUER_MAX_IMAGE_BYTES must be positive")
    config["MAX_IMAGE_BYTES"] = size
    config["KEYS_DIR"] = str(config["KEYS_DIR"])
    proxy_error = "ISSUER_PROXY_COUNT must be the number of proxies in front (0-5)"
    try:
        config["PROXY_COUNT"] = int(config.get("PROXY_COUNT") or 0)
    except (TypeError, ValueError):
        raise ConfigError(proxy_error) from None
    if not 0 <= config["PROXY_COUNT"] <= 5:
        raise ConfigError(proxy_error)


def instance_secret_key(instance_path: str) -> str:
    """The secret key kept in ``<instance>/secret_key`` (mode 0600), created on first use.

    Every worker process reads the same file, so sessions signed by one are valid in all.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another worker may be between creating and writing the file
        value = path.read_text("ascii").strip()
        if value:
            return value
        import time

        time.sleep(0.02)
    raise ConfigError(f"{path} is empty; delete it or set ISSUER_SECRET_KEY")
