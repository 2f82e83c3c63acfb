"""Community commands: ``issuer rules list|backfill`` and ``issuer community requeue``.

``rules backfill`` prints the number of awards it made on stdout; messages go to stderr.
"""

from __future__ import annotations

import click

from issuer.cli.service import app_context


def register(group: click.Group) -> None:
    group.add_command(rules_group)
    group.add_command(community_group)


@click.group("rules")
def rules_group() -> None:
    """Award rules of the community programs."""


@rules_group.command("list")
def rules_list() -> None:
    """One line per rule: achievement id, achievement name, rule."""
    from issuer import db
    from issuer.community import services

    with app_context():
        for row in services.list_rules(db.get_session()):
            click.echo(f"{row.achievement_id}\t{row.achievement.name}\t{services.describe(row)}")


@rules_group.command("backfill")
@click.option("--achievement", "achievement_id", default=None,
              help="Only this achievement's rule (default: every rule).")
def rules_backfill(achievement_id: str | None) -> None:
    """Apply award rules to every member's past events now; print how many awards were made
    (meta badges those awards complete included)."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.community import services
    from issuer.community.tasks import issuing_of

    with app_context() as app:
        made = services.backfill(db.get_session(), issuing=issuing_of(app), now=utc_now(),
                                 achievement_id=achievement_id)
        click.echo(f"{made} award(s) made", err=True)
        click.echo(str(made))


@click.group("community")
def community_group() -> None:
    """Community programs: events and the email outbox."""


@community_group.command("requeue")
def community_requeue() -> None:
    """Queue again the events not yet processed and the emails not yet sent (after the queue
    was down, or a worker died mid-send); prints how many jobs were queued."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.community import events, outbox
    from issuer.jobs import jobs_of

    with app_context() as app:
        session = db.get_session()
        tasks = jobs_of(app).community
        count = 0
        for event_pk in events.unprocessed_events(session):
            tasks.process_event(event_pk)
            count += 1
        if app.config.get("SMTP_URL"):
            for message_id in outbox.waiting(session, now=utc_now()):
                tasks.deliver_mail(message_id)
                count += 1
        click.echo(str(count))
