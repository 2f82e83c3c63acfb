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
