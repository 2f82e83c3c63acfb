"""The app factory and configuration."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from issuer import config, create_app
from issuer.config import ConfigError
from tests.helpers import REPO


def test_settings_come_from_issuer_env_vars(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_BASE_URL", "https://badges.example.org/sub/")
    monkeypatch.setenv("ISSUER_KEYS_DIR", str(tmp_path / "k"))
    monkeypatch.setenv("ISSUER_SECRET_KEY", "from-env")
    monkeypatch.setenv("ISSUER_ADMIN_PASSWORD", "never in config")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["DATABASE_URL"] == database_url
    assert app.config["BASE_URL"] == "https://badges.example.org/sub"
    assert app.config["KEYS_DIR"] == str(tmp_path / "k")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # https base URL
    assert "ADMIN_PASSWORD" not in app.config
    assert "never in config" not in repr(dict(app.config))


def test_defaults_keep_state_under_instance(monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith("ISSUER_")]:
        monkeypatch.delenv(name)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/instance/issuer.sqlite3"
    assert app.config["BASE_URL"] == "http://localhost:5000"
    assert app.config["KEYS_DIR"] == str(tmp_path / "keys")


def test_state_defaults_to_the_current_directory_never_the_package(monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith("ISSUER_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    app = create_app()
    assert app.instance_path == str(tmp_path / "instance")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/instance/issuer.sqlite3"
    assert app.config["QUEUE_URL"] == f"sqlite:///{tmp_path}/instance/queue.sqlite3"
    assert app.config["KEYS_DIR"] == str(tmp_path / "keys")
    assert (tmp_path / "instance" / "secret_key").is_file()
    monkeypatch.setenv("ISSUER_INSTANCE_PATH", "elsewhere/inst")  # relative: made absolute
    assert config.instance_path() == str(tmp_path / "elsewhere" / "inst")
    assert create_app().config["KEYS_DIR"] == str(tmp_path / "elsewhere" / "keys")


def test_generated_secret_key_is_kept_private_and_reused(tmp_path, database_url):
    config = {"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url,
              "SECRET_KEY": None}
    first = create_app(config)
    path = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 40
    assert create_app(config).config["SECRET_KEY"] == first.config["SECRET_KEY"]


@pytest.mark.parametrize("base_url", ["ftp://example.org", "not a url", "https://x.org/?a=1"])
def test_bad_base_url_stops_startup(tmp_path, base_url):
    with pytest.raises(ConfigError, match="ISSUER_BASE_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "BASE_URL": base_url})


def test_core_library_imports_without_flask():
    code = ("import sys, issuer, issuer.openbadges.credential, issuer.services.signing, "
            "issuer.verification.verifier; print('flask' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO).stdout
    assert output.strip() == "False"


def test_wsgi_module_exposes_the_app(tmp_path, database_url):
    env = {**os.environ, "ISSUER_DATABASE_URL": database_url,
           "ISSUER_INSTANCE_PATH": str(tmp_path), "ISSUER_SECRET_KEY": "x"}
    code = "import wsgi; print(type(wsgi.app).__name__)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO, env=env).stdout
    assert output.strip() == "Flask"


def test_html_responses_carry_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_behind_a_proxy_forwarded_headers_are_trusted(app_config):
    app = create_app({**app_config, "PROXY_COUNT": 1})

    @app.get("/_whoami")
    def _whoami():
        from flask import request

        return {"remote": request.remote_addr, "secure": request.is_secure}

    seen = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9",
                                                       "X-Forwarded-Proto": "https"}).get_json()
    assert seen == {"remote": "203.0.113.9", "secure": True}


@pytest.mark.parametrize("count", ["many", -1, 9])
def test_bad_proxy_count_stops_startup(app_config, count):
    with pytest.raises(ConfigError, match="ISSUER_PROXY_COUNT"):
        create_app({**app_config, "PROXY_COUNT": count})


def _startup(tmp_path, database_url, code: str, **env: str) -> subprocess.CompletedProcess:
    """A fresh process that runs ``code`` after importing create_app (its output as text)."""
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("ISSUER_")},
                   "ISSUER_DATABASE_URL": database_url, "ISSUER_SECRET_KEY": "x",
                   "ISSUER_INSTANCE_PATH": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-c", "from issuer import create_app\n" + code],
                          capture_output=True, text=True, check=True, cwd=REPO,
                          env=environment)


def test_a_proxy_count_is_warned_about_once_per_process(tmp_path, database_url):
    """ISSUER_PROXY_COUNT lets anyone who reaches the app directly pick their address: each
    process says so once at start-up, however many apps it creates."""
    log = _startup(tmp_path, database_url, "create_app(); create_app()",
                   ISSUER_PROXY_COUNT="2").stderr
    assert log.count("ISSUER_PROXY_COUNT=2") == 1, log
    assert "WARNING" in log and "picks their own address" in log
    assert "last 2 proxies add" in log
    quiet = _startup(tmp_path, database_url, "create_app()").stderr
    assert "ISSUER_PROXY_COUNT" not in quiet


@pytest.mark.parametrize("settings, expected", [
    ({"HSTS_SECONDS": 31536000}, "max-age=31536000"),
    ({"HSTS_SECONDS": "600", "HSTS_INCLUDE_SUBDOMAINS": "true"}, "max-age=600; includeSubDomains"),
    ({"HSTS_SECONDS": 0}, None),
    ({}, None),
])
def test_hsts_is_sent_on_every_response_when_set(app_config, settings, expected):
    app = create_app({**app_config, "BASE_URL": "https://badges.example.org", **settings})
    client = app.test_client()
    responses = [client.get("/"), client.get("/.well-known/did.json"),
                 client.get("/static/style.css"), client.get("/no/such/page"),
                 client.post("/credentials/verify", data=b"["),
                 client.get("/credentials/issue"),
                 client.get("/openapi.json")]
    for response in responses:
        response.close()  # the static file's
        assert response.headers.get("Strict-Transport-Security") == expected, (
            response.request.path, response.status_code)


def test_hsts_is_not_sent_over_an_http_base_url(tmp_path, database_url):
    """Browsers ignore the header over plain http; the operator is told at start-up."""
    run = _startup(tmp_path, database_url, (
        "app = create_app()\n"
        "print(app.test_client().get('/').headers.get('Strict-Transport-Security'))"),
        ISSUER_HSTS_SECONDS="600", ISSUER_BASE_URL="http://localhost:5000")
    assert run.stdout.strip() == "None"
    assert "ISSUER_HSTS_SECONDS is set but ISSUER_BASE_URL is not https" in run.stderr


@pytest.mark.parametrize("settings, message", [
    ({"HSTS_SECONDS": "a year"}, "ISSUER_HSTS_SECONDS must be a whole number"),
    ({"HSTS_SECONDS": -1}, "ISSUER_HSTS_SECONDS must be between 0 and 63072000"),
    ({"HSTS_SECONDS": 10**9}, "ISSUER_HSTS_SECONDS must be between"),
    ({"HSTS_INCLUDE_SUBDOMAINS": "maybe"}, "ISSUER_HSTS_INCLUDE_SUBDOMAINS must be true or"),
])
def test_bad_hsts_settings_stop_startup(app_config, settings, message):
    with pytest.raises(ConfigError, match=message):
        create_app({**app_config, **settings})
