"""Every setting in one place: defaults, then ``ISSUER_*`` environment variables, then the
test dict; checked once at startup.

State lives in the instance folder, ``ISSUER_INSTANCE_PATH`` or else ``./instance`` under the
current working directory (:func:`instance_path`), never inside the installed package.

| setting            | env var                 | default                                   |
| ------------------ | ----------------------- | ----------------------------------------- |
| DATABASE_URL       | ISSUER_DATABASE_URL     | sqlite:///<instance>/issuer.sqlite3       |
| BASE_URL           | ISSUER_BASE_URL         | http://localhost:5000                     |
| KEYS_DIR           | ISSUER_KEYS_DIR         | keys/ beside the instance folder (./keys) |
| SECRET_KEY         | ISSUER_SECRET_KEY       | generated once into <instance>/secret_key |
| MAX_IMAGE_BYTES    | ISSUER_MAX_IMAGE_BYTES  | 524288 (512 KiB)                          |
| PROXY_COUNT        | ISSUER_PROXY_COUNT      | 0 (trust X-Forwarded-* from N proxies)    |
| QUEUE_URL          | ISSUER_QUEUE_URL        | sqlite:///<instance>/queue.sqlite3 (Huey; redis://host:6379/0 to scale out) |
| BULK_MAX_BYTES     | ISSUER_BULK_MAX_BYTES   | 16777216 (largest bulk CSV upload)        |
| REMINDER_BATCH     | ISSUER_REMINDER_BATCH   | 200 (expiry reminders claimed per hourly run of the periodic job) |
| UPLOAD_BODY_MAX_BYTES | ISSUER_UPLOAD_BODY_MAX_BYTES | 16777216 (largest admin form body read; a file over its field's limit but within this comes back as a form error) |
| ACCESS_TOKEN_SECONDS | ISSUER_ACCESS_TOKEN_SECONDS | 3600 (lifetime of /oauth/token access tokens) |
| EXCHANGE_LIFETIME_SECONDS | ISSUER_EXCHANGE_LIFETIME_SECONDS | 900 (a wallet exchange / offer expires after; 60-86400) |
| VERIFY_FETCH_PRIVATE | ISSUER_VERIFY_FETCH_PRIVATE | false (true: verification may fetch private/loopback addresses; dev and tests only) |
| LINKEDIN_ORGANIZATION_ID | ISSUER_LINKEDIN_ORGANIZATION_ID | unset (the issuer's LinkedIn company page id, for Add to profile) |
| RATE_LIMIT_REDIS_URL | ISSUER_RATE_LIMIT_REDIS_URL | unset = no rate limits (redis://host:6379/1: shared counters) |
| VERIFY_RATE_LIMIT  | ISSUER_VERIFY_RATE_LIMIT | 60 verifications per minute per client address (0: no limit) |
| SMTP_URL           | ISSUER_SMTP_URL         | unset: no email (smtp://user:pass@host:587?starttls=1, smtps://…:465) |
| MAIL_FROM          | ISSUER_MAIL_FROM        | unset; required with SMTP_URL ("Badges <badges@example.org>") |
| MAIL_RETRIES       | ISSUER_MAIL_RETRIES     | 5 (further attempts after a failed send)  |
| MAIL_RETRY_DELAY   | ISSUER_MAIL_RETRY_DELAY | 60 (seconds between attempts)             |
| SIGNIN_ACCOUNT_FAILURES | ISSUER_SIGNIN_ACCOUNT_FAILURES | 5 failures of one account before lock-outs start |
| SIGNIN_ACCOUNT_WINDOW | ISSUER_SIGNIN_ACCOUNT_WINDOW | 900 (seconds until an account's failures are forgotten) |
| SIGNIN_ADDRESS_FAILURES | ISSUER_SIGNIN_ADDRESS_FAILURES | 20 failures from one client address before lock-outs |
| SIGNIN_ADDRESS_WINDOW | ISSUER_SIGNIN_ADDRESS_WINDOW | 600 (seconds until an address's failures are forgotten) |
| SIGNIN_MAX_LOCKOUT | ISSUER_SIGNIN_MAX_LOCKOUT | 900 (longest lock-out, seconds; they double from 1 s) |
| SESSION_IDLE_SECONDS | ISSUER_SESSION_IDLE_SECONDS | 43200 (an admin session unused this long ends) |
| SESSION_LIFETIME_SECONDS | ISSUER_SESSION_LIFETIME_SECONDS | 2592000 (admin and member sessions end this long after sign-in) |
| HSTS_SECONDS       | ISSUER_HSTS_SECONDS     | 0 = off (> 0 with an https base URL: Strict-Transport-Security max-age) |
| HSTS_INCLUDE_SUBDOMAINS | ISSUER_HSTS_INCLUDE_SUBDOMAINS | false (true: ; includeSubDomains) |
| WEBHOOK_ALLOW_PRIVATE | ISSUER_WEBHOOK_ALLOW_PRIVATE | false (true: webhook endpoints may be http:// and private/loopback addresses; dev and tests only) |
| OB_API_TERMS_URL   | ISSUER_OB_API_TERMS_URL | the base URL (terms of service named in GET /ims/ob/v3p0/discovery) |
| OB_API_PRIVACY_URL | ISSUER_OB_API_PRIVACY_URL | the base URL (privacy policy named in GET /ims/ob/v3p0/discovery) |
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
NOT_SETTINGS = ("ADMIN_PASSWORD", "INSTANCE_PATH", "TEST_DATABASE_URL", "PORT")
INSTANCE_PATH_ENV = "ISSUER_INSTANCE_PATH"
MAX_HSTS_SECONDS = 2 * 365 * 24 * 3600  # two years: the longest max-age in common use


class ConfigError(IssuerError):
    title = "Configuration error"
    status = 500


def instance_path() -> str:
    """The instance folder (absolute): ``$ISSUER_INSTANCE_PATH``, else ``./instance`` under the
    current working directory. Never a path inside the package, which may be a read-only
    site-packages."""
    return os.path.abspath(os.environ.get(INSTANCE_PATH_ENV) or "instance")


def defaults(instance_path: str) -> dict[str, Any]:
    project_root = Path(instance_path).parent  # ./instance -> ./keys
    return {
        "DATABASE_URL": "sqlite:///" + str(Path(instance_path) / "issuer.sqlite3"),
        "BASE_URL": DEFAULT_BASE_URL,
        "KEYS_DIR": str(project_root / "keys"),
        "SECRET_KEY": None,
        "MAX_IMAGE_BYTES": DEFAULT_MAX_IMAGE_BYTES,
        "PROXY_COUNT": 0,
        "QUEUE_URL": "sqlite:///" + str(Path(instance_path) / "queue.sqlite3"),
        "BULK_MAX_BYTES": 16 * 1024 * 1024,
        "UPLOAD_BODY_MAX_BYTES": 16 * 1024 * 1024,  # issue 14: admin forms with a file field
        "REMINDER_BATCH": 200,  # issue 14: expiry reminders claimed per periodic run
        "ACCESS_TOKEN_SECONDS": 3600,
        "EXCHANGE_LIFETIME_SECONDS": 15 * 60,  # issue 12: wallet exchanges
        "VERIFY_FETCH_PRIVATE": False,
        "WEBHOOK_ALLOW_PRIVATE": False,  # issue 15
        "LINKEDIN_ORGANIZATION_ID": None,
        "RATE_LIMIT_REDIS_URL": None,
        "VERIFY_RATE_LIMIT": 60,
        "SMTP_URL": None,  # issue 7: community email
        "MAIL_FROM": None,
        "MAIL_RETRIES": 5,
        "MAIL_RETRY_DELAY": 60,
        "SIGNIN_ACCOUNT_FAILURES": 5,
        "SIGNIN_ACCOUNT_WINDOW": 15 * 60,
        "SIGNIN_ADDRESS_FAILURES": 20,
        "SIGNIN_ADDRESS_WINDOW": 10 * 60,
        "SIGNIN_MAX_LOCKOUT": 15 * 60,
        "SESSION_IDLE_SECONDS": 12 * 3600,
        "SESSION_LIFETIME_SECONDS": 30 * 24 * 3600,
        "HSTS_SECONDS": 0,
        "HSTS_INCLUDE_SUBDOMAINS": False,
        "OB_API_TERMS_URL": None,  # issue 15: the OB 3.0 API's discovery document
        "OB_API_PRIVACY_URL": None,
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
    _validate_api_settings(config)
    config["VERIFY_FETCH_PRIVATE"] = parse_flag(config.get("VERIFY_FETCH_PRIVATE"),
                                           "ISSUER_VERIFY_FETCH_PRIVATE")
    config["WEBHOOK_ALLOW_PRIVATE"] = parse_flag(config.get("WEBHOOK_ALLOW_PRIVATE"),
                                            "ISSUER_WEBHOOK_ALLOW_PRIVATE")
    organization = config.get("LINKEDIN_ORGANIZATION_ID")
    organization = str(organization).strip() if organization not in (None, "") else None
    if organization is not None and not organization.isdigit():
        raise ConfigError("ISSUER_LINKEDIN_ORGANIZATION_ID must be the numeric id of a LinkedIn "
                          "company page (or unset)")
    config["LINKEDIN_ORGANIZATION_ID"] = organization
    redis_url = config.get("RATE_LIMIT_REDIS_URL") or None
    if redis_url is not None and not str(redis_url).startswith(("redis://", "rediss://")):
        raise ConfigError("ISSUER_RATE_LIMIT_REDIS_URL must be a redis:// URL (or unset)")
    config["RATE_LIMIT_REDIS_URL"] = redis_url
    try:
        config["VERIFY_RATE_LIMIT"] = int(config.get("VERIFY_RATE_LIMIT"))
    except (TypeError, ValueError):
        raise ConfigError("ISSUER_VERIFY_RATE_LIMIT must be a whole number "
                          "(verifications per minute; 0 for no limit)") from None
    if config["VERIFY_RATE_LIMIT"] < 0:
        raise ConfigError("ISSUER_VERIFY_RATE_LIMIT must not be negative")
    _validate_mail_settings(config)
    _validate_sign_in_settings(config)
    _validate_hsts_settings(config)


# (setting, lowest, highest): sign-in throttling cannot be switched off, only tuned.
SIGN_IN_SETTINGS = (
    ("SIGNIN_ACCOUNT_FAILURES", 1, 1000),
    ("SIGNIN_ACCOUNT_WINDOW", 60, 7 * 86400),
    ("SIGNIN_ADDRESS_FAILURES", 1, 100000),
    ("SIGNIN_ADDRESS_WINDOW", 60, 7 * 86400),
    ("SIGNIN_MAX_LOCKOUT", 1, 86400),
    ("SESSION_IDLE_SECONDS", 60, 365 * 86400),
    ("SESSION_LIFETIME_SECONDS", 60, 365 * 86400),
)


def _validate_sign_in_settings(config: dict[str, Any]) -> None:
    """Sign-in throttling and session lifetimes (whole numbers within bounds)."""
    for name, low, high in SIGN_IN_SETTINGS:
        _whole_number(config, name, low, high)


def _validate_hsts_settings(config: dict[str, Any]) -> None:
    try:
        seconds = int(config.get("HSTS_SECONDS") or 0)
    except (TypeError, ValueError):
        raise ConfigError("ISSUER_HSTS_SECONDS must be a whole number of seconds (0: off; "
                          "31536000 is a year)") from None
    if not 0 <= seconds <= MAX_HSTS_SECONDS:
        raise ConfigError(f"ISSUER_HSTS_SECONDS must be between 0 and {MAX_HSTS_SECONDS}")
    config["HSTS_SECONDS"] = seconds
    config["HSTS_INCLUDE_SUBDOMAINS"] = parse_flag(config.get("HSTS_INCLUDE_SUBDOMAINS"),
                                                   "ISSUER_HSTS_INCLUDE_SUBDOMAINS")


def _validate_mail_settings(config: dict[str, Any]) -> None:
    """ISSUER_SMTP_URL / ISSUER_MAIL_FROM and the retry policy (issue 7). Messages never
    repeat the SMTP URL, which may hold a password."""
    from issuer.community.email import MailConfigError, check_mail_from, parse_smtp_url

    smtp_url = config.get("SMTP_URL") or None
    config["SMTP_URL"] = smtp_url
    if smtp_url is not None:
        try:
            parse_smtp_url(str(smtp_url))
            config["MAIL_FROM"] = check_mail_from(config.get("MAIL_FROM"))
        except MailConfigError as exc:
            raise ConfigError(str(exc)) from None
    for name, low, high in (("MAIL_RETRIES", 0, 20), ("MAIL_RETRY_DELAY", 0, 86400)):
        _whole_number(config, name, low, high)


def _whole_number(config: dict[str, Any], name: str, low: int, high: int) -> None:
    """``config[name]`` as a whole number in [low, high], or a ConfigError naming it."""
    try:
        value = int(config.get(name))
    except (TypeError, ValueError):
        raise ConfigError(f"ISSUER_{name} must be a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"ISSUER_{name} must be between {low} and {high}")
    config[name] = value


def parse_flag(value: Any, name: str) -> bool:
    """A yes/no setting: true/false, 1/0, yes/no, on/off (environment values arrive as text
    or as parsed JSON)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def _validate_api_settings(config: dict[str, Any]) -> None:
    """The job queue, bulk upload and OAuth access-token settings (issue 6)."""
    queue_url = config.get("QUEUE_URL")
    if not isinstance(queue_url, str) or not queue_url.startswith(
        ("sqlite:///", "redis://", "rediss://")
    ):
        raise ConfigError("ISSUER_QUEUE_URL must be sqlite:///<file> (one machine) or "
                          "redis://host:6379/0 (workers on several machines)")
    for name, low, high in (("BULK_MAX_BYTES", 1024, 1 << 30),
                            ("UPLOAD_BODY_MAX_BYTES", 1024, 1 << 30),
                            ("REMINDER_BATCH", 1, 10_000),
                            ("ACCESS_TOKEN_SECONDS", 60, 86400),
                            ("EXCHANGE_LIFETIME_SECONDS", 60, 86400)):
        _whole_number(config, name, low, high)


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
