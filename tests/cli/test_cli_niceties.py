"""Small things a newcomer meets first: ``--version``, ``achievements list``, ``tokens create``
without ``--issuer``, error lines that read as sentences, and a ``--help`` that imports nothing
heavy (checked by what it imports, not by timing it)."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from issuer.cli import main
from tests.service_fixtures import issue_credential, make_achievement, make_profile

# Modules `issuer --help` must not import: each costs tens of milliseconds or more.
HEAVY = ("pyld", "nacl", "sqlalchemy", "alembic", "flask", "flask_cors", "flask_login",
         "flask_wtf", "wtforms", "werkzeug", "jinja2", "PIL", "qrcode", "jsonschema", "huey",
         "redis", "psycopg", "urllib3", "argon2", "markdown", "nh3", "defusedxml", "gunicorn")


@pytest.fixture
def env(app, tmp_path) -> dict[str, str]:
    return {"ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
            "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
            "ISSUER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
            "ISSUER_BASE_URL": app.config["BASE_URL"]}


def run(env, *args: str):
    return CliRunner().invoke(main, list(args), env=env)


# --- --help and --version ------------------------------------------------------------------


def imported_by(*args: str) -> set[str]:
    """Top-level packages that ``python -X importtime -m issuer.cli ARGS`` imports."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "issuer.cli", *args],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", done.stderr, re.MULTILINE)
    assert "issuer.cli" in names  # the output was read right
    return {name.split(".")[0] for name in names}


def test_help_imports_no_heavy_module():
    assert not imported_by("--help") & set(HEAVY)


def test_version_imports_no_heavy_module():
    assert not imported_by("--version") & set(HEAVY)


def test_no_command_imports_a_heavy_module_to_show_its_help():
    """Every command's --help, in one process: heavy modules load only when a command runs."""
    code = (
        "import sys\n"
        "from issuer.cli import main\n"
        "def walk(group, path):\n"
        "    for name, command in group.commands.items():\n"
        "        try:\n"
        "            main.main([*path, name, '--help'], prog_name='issuer', standalone_mode=False)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "        if hasattr(command, 'commands'):\n"
        "            walk(command, [*path, name])\n"
        "walk(main, [])\n"
        f"print(sorted(set(name.split('.')[0] for name in sys.modules) & set({HEAVY!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage: issuer verify" in done.stdout and "Usage: issuer tokens create" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_version_comes_from_the_installed_package():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"issuer {importlib.metadata.version('issuer')}\n"


def test_help_documents_the_verify_exit_statuses():
    result = CliRunner().invoke(main, ["verify", "--help"])
    text = " ".join(result.stdout.split())
    for status in ("0 verified", "1 not verified", "2 unreadable input", "3 not fully verified"):
        assert status in text


# --- achievements list ---------------------------------------------------------------------


def test_achievements_list_shows_id_name_issuer_and_count(app, env):
    make_profile(app)
    make_profile(app, slug="chemistry", name="Chemistry Department")
    python = make_achievement(app, name="Python Basics")
    titration = make_achievement(app, issuer="chemistry", name="Titration")
    for email in ("ann@example.org", "bob@example.org"):
        issue_credential(app, python, email=email)

    result = run(env, "achievements", "list")
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert sorted(rows) == sorted([[python, "Python Basics", "main", "2"],
                                   [titration, "Titration", "chemistry", "0"]])


def test_achievements_list_of_nothing_prints_nothing(app, env):
    result = run(env, "achievements", "list")
    assert (result.exit_code, result.stdout) == (0, "")


# --- tokens create without --issuer ----------------------------------------------------------


def test_tokens_create_defaults_to_the_only_issuer_profile(app, env):
    make_profile(app)
    result = run(env, "tokens", "create", "--scope", "read")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"obi_[0-9a-f]{16}_[\w-]{43}\n", result.stdout)
    assert "for main" in result.stderr
    listed = run(env, "tokens", "list").stdout.split("\t")
    assert listed[2] == "main"


def test_tokens_create_names_the_profiles_to_choose_from(app, env):
    make_profile(app)
    make_profile(app, slug="chemistry", name="Chemistry Department")
    result = run(env, "tokens", "create", "--scope", "read")
    assert result.exit_code == 2
    assert "there are 2 issuer profiles (main, chemistry): choose one with --issuer SLUG" \
        in result.stderr
    assert run(env, "tokens", "list").stdout == ""
    chosen = run(env, "tokens", "create", "--issuer", "chemistry", "--scope", "read")
    assert chosen.exit_code == 0 and "for chemistry" in chosen.stderr


def test_tokens_create_without_any_profile_says_what_to_do(app, env):
    result = run(env, "tokens", "create", "--scope", "read")
    assert result.exit_code == 1
    assert "there is no issuer profile yet; run `issuer init`" in result.stderr


# --- error lines -----------------------------------------------------------------------------


def test_error_lines_join_sentences_without_a_stray_full_stop(app, env):
    make_profile(app)
    result = run(env, "achievements", "create", "--name", " ", "--description", " ",
                 "--criteria", "Pass.", "--type", "Nope")
    assert result.exit_code == 1
    assert result.stderr == ("Error: name: Enter a name; description: Enter a description; "
                             "achievement_type: Choose one of the Open Badges achievement "
                             "types.\n")


def test_validation_messages_are_joined_once():
    from issuer.errors import ValidationFailed, field_messages, join_messages

    error = ValidationFailed({"slug": "Use lower-case letters.", "name": "Give it a name."})
    assert str(error) == "slug: Use lower-case letters; name: Give it a name."
    assert field_messages({"reason": "must be a string"}) == "reason: must be a string"
    assert join_messages(["One.", "two...", "three."]) == "One; two...; three."
    assert join_messages(["Only one."]) == "Only one."
