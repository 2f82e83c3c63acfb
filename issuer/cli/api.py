"""API and bulk commands: ``issuer tokens``, ``issuer bulk``, ``issuer worker``.

``tokens create`` prints the token alone on stdout (the only time it is shown); ``bulk``
prints the job's id, then draws its progress on stderr while the queue's workers issue it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from issuer.cli.service import app_context


def register(group: click.Group) -> None:
    group.add_command(tokens_group)
    group.add_command(bulk_command)
    group.add_command(worker)


# -- tokens -----------------------------------------------------------------------------------


@click.group("tokens")
def tokens_group() -> None:
    """Create, list and revoke API tokens."""


@tokens_group.command("create")
@click.option("--issuer", "issuer_slug", default=None,
              help="Issuer profile slug [default: the only profile, when there is one].")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="issue, revoke or read (repeatable).")
@click.option("--name", default=None, help="Who or what uses the token.")
def tokens_create(issuer_slug: str | None, scopes: tuple[str, ...], name: str | None) -> None:
    """Create an API token and print it (shown only this once; only its hash is kept)."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import apiauth, profiles
    from issuer.services.tx import atomic

    with app_context():
        session = db.get_session()
        with atomic(session):
            profile = (profiles.profile_by_slug(session, issuer_slug) if issuer_slug
                       else _only_profile(profiles.all_profiles(session)))
            created = apiauth.create_api_token(
                session, profile=profile, scopes=list(scopes), name=name, now=utc_now(),
            )
        click.echo(f"created API token {created.id} for {profile.slug}", err=True)
        click.echo(created.secret)


def _only_profile(found: list):
    if not found:
        raise click.ClickException("there is no issuer profile yet; run `issuer init`")
    if len(found) > 1:
        slugs = ", ".join(profile.slug for profile in found)
        raise click.UsageError(f"there are {len(found)} issuer profiles ({slugs}): "
                               "choose one with --issuer SLUG")
    return found[0]


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke the API token with this id (see `issuer tokens list`)."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import apiauth
    from issuer.services.tx import atomic

    with app_context():
        session = db.get_session()
        with atomic(session):
            row = apiauth.revoke_api_token(session, token_id, now=utc_now())
        click.echo(f"revoked API token {row.id} (obi_{row.lookup}_…)", err=True)


@tokens_group.command("list")
def tokens_list() -> None:
    """One line per API token: id, prefix, issuer, scopes, created, last used, state."""
    from issuer import db
    from issuer.services import apiauth

    def when(value) -> str:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"

    with app_context():
        for row in apiauth.list_api_tokens(db.get_session()):
            state = f"revoked {when(row.revoked_at)}" if row.revoked_at else "active"
            click.echo("\t".join([str(row.id), f"obi_{row.lookup}_…", row.profile.slug,
                                  ",".join(row.scopes), when(row.created_at),
                                  when(row.last_used_at), state, row.name or ""]))


# -- bulk -------------------------------------------------------------------------------------


@click.command("bulk")
@click.argument("csv_file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--achievement", "achievement_id", help="The achievement to issue.")
@click.option("--issuer", "issuer_slug", default=None,
              help="Check that the achievement belongs to this issuer profile.")
@click.option("--resume", "resume_id", default=None, metavar="JOB_ID",
              help="Continue a job's pending rows (after a worker stopped) instead of a file.")
@click.option("--dry-run", is_flag=True, help="Only check the file (the preview).")
@click.option("--detach", is_flag=True, help="Queue the job and return without waiting.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the results CSV (row → credential URL or error) here when done.")
def bulk_command(csv_file, achievement_id, issuer_slug, resume_id, dry_run, detach, output):
    """Issue one credential per row of CSV_FILE (columns: email, name, did, valid_until,
    evidence_url, evidence_narrative) through the job queue.

    Every row is checked first; nothing is issued if any row is wrong. Prints the job id,
    then a progress bar on stderr. Rows issued by an earlier run are skipped. Needs a
    running `issuer worker` (or `issuer serve`, which starts one with the default queue).
    """
    from issuer import db, jobs
    from issuer.clock import utc_now
    from issuer.services import achievements, bulk
    from issuer.services.tx import atomic

    if (csv_file is None) == (resume_id is None):
        raise click.UsageError("give a CSV file (with --achievement), or --resume JOB_ID")
    if csv_file is not None and not achievement_id:
        raise click.UsageError("--achievement is required with a CSV file")
    with app_context() as app:
        session = db.get_session()
        if resume_id is not None:
            job = bulk.get_job(session, resume_id)
        else:
            achievement = achievements.get_achievement(session, achievement_id)
            if issuer_slug and achievement.profile.slug != issuer_slug:
                raise click.ClickException(
                    f"achievement {achievement_id} belongs to issuer {achievement.profile.slug!r}"
                    f", not {issuer_slug!r}")
            checked = bulk.preview(session, achievement_id=achievement_id,
                                   data=csv_file.read_bytes(), now=utc_now())
            for message in checked.file_errors:
                click.echo(f"error: {message}", err=True)
            for row in checked.rows:
                for message in row.errors:
                    click.echo(f"row {row.line}: {message}", err=True)
            if not checked.ok:
                raise click.ClickException(
                    f"{checked.count(bulk.INVALID) + len(checked.file_errors)} problem(s); "
                    "nothing was issued")
            click.echo(f"{checked.count(bulk.PENDING)} row(s) to issue, "
                       f"{checked.count(bulk.SKIPPED)} issued before (skipped)", err=True)
            if dry_run:
                return
            with atomic(session):
                job = bulk.create_job(session, checked, filename=csv_file.name, now=utc_now())
        with atomic(session):
            chunks = bulk.start_job(session, job, now=utc_now())
        jobs.enqueue_bulk_job(app, job.id, chunks)
        click.echo(job.id)
        if detach:
            return
        progress = _follow(session, job)
        if output is not None:
            output.write_text(bulk.results_csv(session, job, base_url=app.config["BASE_URL"]),
                              encoding="utf-8")
            click.echo(f"results written to {output}", err=True)
        counts = progress.counts
        click.echo(f"{counts.get(bulk.ISSUED, 0)} issued, {counts.get(bulk.SKIPPED, 0)} "
                   f"skipped, {counts.get(bulk.FAILED, 0)} failed", err=True)
        if counts.get(bulk.FAILED):
            sys.exit(1)


def _follow(session, job, *, interval: float = 0.5, hint_after: float = 15.0):
    """Draw the job's progress on stderr until no row is pending."""
    from issuer.services import bulk

    progress = bulk.progress(session, job)
    shown, last_change = progress.done, time.monotonic()
    hinted = False
    with click.progressbar(length=progress.total, label="Issuing", file=sys.stderr,
                           show_pos=True, show_percent=True) as bar:
        bar.update(progress.done)
        while progress.counts.get(bulk.PENDING, 0):
            time.sleep(interval)
            session.rollback()  # see other workers' commits
            progress = bulk.progress(session, job)
            if progress.done != shown:
                bar.update(progress.done - shown)
                shown, last_change = progress.done, time.monotonic()
            elif not hinted and time.monotonic() - last_change > hint_after:
                click.echo("\nwaiting for a worker: is `issuer worker` running? "
                           f"(resume later with --resume {job.id})", err=True)
                hinted = True
    return progress


# -- worker -----------------------------------------------------------------------------------


@click.command()
@click.option("--workers", "-w", type=int, default=1, show_default=True,
              help="Tasks run at the same time.")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), default="process",
              show_default=True, help="Processes use every CPU (signing is CPU-bound).")
def worker(workers: int, worker_type: str) -> None:
    """Run a job-queue consumer (Huey) for bulk issuing and other background work, and the
    periodic tasks (the hourly expiry-reminder scan, the daily OB API clean-up; safe to run
    on every worker).

    Uses ISSUER_QUEUE_URL: with Redis, run it on as many machines as you like. SIGINT stops
    it after the current tasks, SIGTERM at once (an interrupted row is simply not issued;
    resume the job)."""
    import logging

    from issuer import jobs

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with app_context() as app:
        consumer = jobs.make_consumer(app, workers=workers, worker_type=worker_type)
        click.echo(f"worker: {workers} {worker_type}(s) on the queue "
                   f"{_safe_url(app.config['QUEUE_URL'])}", err=True)
        consumer.run()


def _safe_url(url: str) -> str:
    """The queue URL without a password, for logs."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (
            f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return url
