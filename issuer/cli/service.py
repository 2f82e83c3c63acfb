"""Service commands: init, serve, profiles, achievements, issue (registered on the ``issuer`` group).

Each prints one plain value on stdout (a DID, an id, a URL); messages go to stderr. They use
the same ``ISSUER_*`` settings as the web app.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from datetime import datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from issuer.errors import IssuerError

if TYPE_CHECKING:  # loaded only by the commands that start processes
    import subprocess

PASSWORD_ENV = "ISSUER_ADMIN_PASSWORD"


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(serve)
    group.add_command(profiles_group)
    group.add_command(achievements_group)
    group.add_command(issue)


@contextmanager
def app_context():
    """An app context from the environment's settings; service errors become clean exits."""
    from issuer import create_app

    try:
        app = create_app()
    except IssuerError as exc:
        raise click.ClickException(str(exc)) from None
    from issuer import db

    try:
        with app.app_context():
            try:
                yield app
            except IssuerError as exc:  # a ValidationFailed names each field's problem
                raise click.ClickException(str(exc)) from None
    finally:
        db.engine_of(app).dispose()


@click.command()
@click.option("--admin-email", help="Email of the first admin (prompted when missing).")
@click.option("--issuer-name", default="Open Badges Issuer", show_default=True,
              help="Name of the default issuer profile (when it is created).")
@click.option("--issuer-slug", default="main", show_default=True,
              help="URL name of the default issuer profile (/issuers/<slug>).")
@click.option("--did-method", type=click.Choice(["web", "key"]), default="web", show_default=True,
              help="Identify the default issuer by did:web (under ISSUER_BASE_URL) or a did:key.")
def init(admin_email: str | None, issuer_name: str, issuer_slug: str, did_method: str) -> None:
    """Create or upgrade the database, the default issuer with its key, and an admin.

    Safe to run again: existing profiles and admins are kept. Prints the issuer's DID.
    The admin password comes from $ISSUER_ADMIN_PASSWORD or a prompt.
    """
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import profiles, users
    from issuer.services.keystore import FileKeyStore
    from issuer.services.tx import atomic

    with app_context() as app:
        db.migrate(app.config["DATABASE_URL"])
        session = db.get_session()
        base_url = app.config["BASE_URL"]
        with atomic(session):
            profile = profiles.default_profile(session, required=False)
            if profile is None:
                profile = profiles.create_profile(
                    session,
                    slug=issuer_slug,
                    fields=profiles.ProfileFields(name=issuer_name),
                    keystore=FileKeyStore(app.config["KEYS_DIR"]),
                    base_url=base_url,
                    now=utc_now(),
                    did_method=did_method,
                )
                click.echo(f"created issuer profile {profile.slug!r}", err=True)
            if admin_email is None and users.count_admins(session) == 0:
                admin_email = click.prompt("Admin email", err=True)
            if admin_email is not None:
                email = users.normalize_email(admin_email)
                if users.admin_by_email(session, email) is None:
                    password = os.environ.get(PASSWORD_ENV) or click.prompt(
                        "Admin password", hide_input=True, confirmation_prompt=True, err=True
                    )
                    users.create_admin(session, email=email, password=password, now=utc_now())
                    click.echo(f"created admin {email}", err=True)
                else:
                    click.echo(f"admin {email} already exists", err=True)
        click.echo(profiles.profile_did(profile, base_url))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int, envvar="ISSUER_PORT",
              show_envvar=True)
@click.option("--workers", type=int, default=None,
              help="Gunicorn worker processes [default: 2 × CPUs + 1, at most 9].")
@click.option("--dev", is_flag=True, help="Run Flask's single-process development server.")
@click.option("--queue-worker/--no-queue-worker", default=None,
              help="Also run one job-queue consumer (`issuer worker`) [default: yes with the "
                   "embedded SQLite queue, no with Redis, where workers run on their own].")
def serve(host: str, port: int, workers: int | None, dev: bool,
          queue_worker: bool | None) -> None:
    """Serve the web app with gunicorn (several workers), or the dev server with --dev."""
    with app_context() as app:
        if queue_worker is None:
            queue_worker = app.config["QUEUE_URL"].startswith("sqlite:")
    if dev:
        import signal

        consumer = _start_queue_worker() if queue_worker else None
        # SIGTERM ends the development server like Ctrl-C, so the queue worker is stopped too.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
        try:
            with app_context() as app:
                app.run(host=host, port=port, debug=False, use_reloader=False)
        finally:
            if consumer is not None:
                _stop(consumer)
        return
    if workers is None:
        workers = min(2 * (os.cpu_count() or 1) + 1, 9)
    # The installed package's app, whatever the current directory holds (issuer/cli/serving.py).
    argv = [sys.executable, "-P", "-m", "issuer.cli.serving", f"{host}:{port}", str(workers)]
    click.echo(f"serving on http://{host}:{port} with {workers} workers", err=True)
    if not queue_worker:
        os.execv(argv[0], argv)
    import subprocess

    _supervise([_start_queue_worker(), subprocess.Popen(argv)])


def _start_queue_worker() -> "subprocess.Popen":
    """One `issuer worker` process (the embedded queue's consumer)."""
    import subprocess

    click.echo("starting one job-queue worker (issuer worker)", err=True)
    return subprocess.Popen(
        [sys.executable, "-P", "-c", "from issuer.cli import main; main()", "worker"]
    )


def _supervise(processes: list) -> None:
    """Forward SIGTERM/SIGINT to every child; when the server (the last) exits, stop the
    others and exit with its status."""
    import signal

    def forward(signum, _frame):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    status = processes[-1].wait()
    for process in processes[:-1]:
        _stop(process)
    sys.exit(status)


def _stop(process: "subprocess.Popen", timeout: float = 30) -> None:
    """SIGTERM, and SIGKILL if it has not ended within ``timeout`` seconds: never an orphan."""
    if process.poll() is None:
        process.terminate()
    import subprocess

    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@click.group("profiles")
def profiles_group() -> None:
    """Manage issuer profiles."""


@profiles_group.command("create")
@click.option("--slug", required=True, help="URL name: /issuers/<slug>.")
@click.option("--name", required=True)
@click.option("--url", default=None, help="The issuer's website.")
@click.option("--email", default=None)
@click.option("--description", default=None)
@click.option("--did-method", type=click.Choice(["web", "key"]), default="web", show_default=True)
@click.option("--suspension/--no-suspension", default=False, show_default=True,
              help="Also give its credentials a suspension status entry (credentialStatus "
                   "becomes an array, which the 1EdTech OB 3.0 schema flags).")
def profiles_create(slug, name, url, email, description, did_method, suspension):
    """Create another issuer profile with its own key and print its DID."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import profiles
    from issuer.services.keystore import FileKeyStore
    from issuer.services.tx import atomic

    with app_context() as app:
        session = db.get_session()
        with atomic(session):
            profile = profiles.create_profile(
                session, slug=slug,
                fields=profiles.ProfileFields(name=name, url=url, email=email,
                                              description=description,
                                              offers_suspension=suspension),
                keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=app.config["BASE_URL"],
                now=utc_now(), did_method=did_method,
            )
        click.echo(profiles.profile_did(profile, app.config["BASE_URL"]))


@profiles_group.command("set")
@click.option("--slug", default=None, help="Issuer profile [default: the default profile].")
@click.option("--suspension/--no-suspension", default=None,
              help="Whether credentials issued from now on also get a suspension status entry "
                   "(earlier ones keep theirs).")
def profiles_set(slug, suspension):
    """Change a profile's settings; prints them (e.g. "suspension: off")."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import profiles
    from issuer.services.tx import atomic

    with app_context():
        session = db.get_session()
        with atomic(session):
            profile = (profiles.profile_by_slug(session, slug) if slug
                       else profiles.default_profile(session))
            if suspension is not None:
                profiles.set_suspension(profile, offers=suspension, now=utc_now())
        click.echo(f"suspension: {'on' if profile.offers_suspension else 'off'}")


@profiles_group.command("rotate-key")
@click.option("--slug", default=None, help="Issuer profile [default: the default profile].")
def profiles_rotate_key(slug):
    """Make a new signing key active (old keys stay published) and print its did:key."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import profiles
    from issuer.services.keystore import FileKeyStore
    from issuer.services.tx import atomic

    with app_context() as app:
        session = db.get_session()
        with atomic(session):
            profile = (profiles.profile_by_slug(session, slug) if slug
                       else profiles.default_profile(session))
            key = profiles.rotate_key(session, profile,
                                      keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                      base_url=app.config["BASE_URL"], now=utc_now())
        click.echo(key.public_key_multibase)


@click.group("achievements")
def achievements_group() -> None:
    """Manage achievements."""


@achievements_group.command("list")
def achievements_list() -> None:
    """One line per achievement: id, name, issuer profile, credentials issued."""
    from issuer import db
    from issuer.services import achievements

    with app_context():
        session = db.get_session()
        issued = achievements.issued_counts(session)
        for row in achievements.list_achievements(session):
            click.echo("\t".join([row.id, row.name, row.profile.slug, str(issued.get(row.id, 0))]))


@achievements_group.command("create")
@click.option("--name", required=True)
@click.option("--description", required=True)
@click.option("--criteria", required=True, help="Criteria narrative (Markdown).")
@click.option("--type", "achievement_type", default=None,
              help="Open Badges achievement type, e.g. Badge, Certificate, Course.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PNG or SVG image.")
@click.option("--issuer", "issuer_slug", default=None,
              help="Issuer profile slug [default: the default profile].")
def achievements_create(name, description, criteria, achievement_type, tags, image, issuer_slug):
    """Create an achievement and print its id."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import achievements, images, profiles
    from issuer.services.tx import atomic

    with app_context() as app:
        session = db.get_session()
        now = utc_now()
        with atomic(session):
            profile = (profiles.profile_by_slug(session, issuer_slug) if issuer_slug
                       else profiles.default_profile(session))
            stored = None
            if image is not None:
                limit = app.config["MAX_IMAGE_BYTES"]
                with image.open("rb") as handle:
                    data = handle.read(limit + 1)
                stored = images.store_image(session, data, max_bytes=limit, now=now)
            achievement = achievements.create_achievement(
                session,
                profile=profile,
                fields=achievements.AchievementFields(
                    name=name, description=description, criteria_narrative=criteria,
                    achievement_type=achievement_type, tags=tuple(tags),
                ),
                image=stored,
                now=now,
            )
        click.echo(achievement.id)


@click.command()
@click.option("--achievement", "achievement_id", required=True, help="Achievement id.")
@click.option("--email", required=True, help="Recipient email address.")
@click.option("--name", default=None, help="Recipient name.")
@click.option("--did", default=None, help="Recipient DID.")
@click.option("--valid-until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Expiry date (end of that day, UTC).")
@click.option("--evidence-url", default=None)
@click.option("--evidence-narrative", default=None)
def issue(achievement_id, email, name, did, valid_until, evidence_url, evidence_narrative):
    """Issue one credential and print its URL."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import issuance, urls
    from issuer.services.keystore import FileKeyStore

    with app_context() as app:
        until = None
        if valid_until is not None:
            until = datetime.combine(valid_until.date(), time(23, 59, 59), tzinfo=timezone.utc)
        row = issuance.issue(
            db.get_session(),
            issuance.IssueRequest(
                achievement_id=achievement_id, email=email, name=name, did=did,
                valid_until=until, evidence_url=evidence_url,
                evidence_narrative=evidence_narrative,
            ),
            keystore=FileKeyStore(app.config["KEYS_DIR"]),
            base_url=app.config["BASE_URL"],
            now=utc_now(),
            via="cli",
        )
        click.echo(urls.credential_url(app.config["BASE_URL"], row.id))
