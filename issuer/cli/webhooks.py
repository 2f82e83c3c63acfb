"""Webhook commands: ``issuer webhooks add|list|requeue``.

``add`` prints the new endpoint's signing secret on stdout (once; it is stored encrypted);
``list`` one line per endpoint; ``requeue`` the number of deliveries queued again.
"""

from __future__ import annotations

import click

from issuer.cli.service import app_context


def register(group: click.Group) -> None:
    group.add_command(webhooks_group)


@click.group("webhooks")
def webhooks_group() -> None:
    """Signed webhooks to your own systems (Standard Webhooks)."""


@webhooks_group.command("add")
@click.option("--issuer", "issuer_slug", default=None, help="Issuer profile (default: the default one).")
@click.option("--url", required=True, help="The receiver's https:// URL.")
@click.option("--event", "event_types", multiple=True, required=True,
              help="An event type to send (repeat for more), e.g. credential.issued.")
@click.option("--owner", required=True, help="Email of whoever is told if it is disabled.")
@click.option("--description", default=None)
def webhooks_add(issuer_slug, url, event_types, owner, description) -> None:
    """Register an endpoint; prints its signing secret (shown this once)."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import profiles
    from issuer.services.tx import atomic
    from issuer.webhooks import endpoints

    with app_context() as app:
        session = db.get_session()
        with atomic(session):
            profile = (profiles.profile_by_slug(session, issuer_slug) if issuer_slug
                       else profiles.default_profile(session))
            registered = endpoints.register(
                session, profile=profile, url=url, events=list(event_types), owner_email=owner,
                description=description, secret_key=app.config["SECRET_KEY"],
                allow_private=bool(app.config.get("WEBHOOK_ALLOW_PRIVATE")), now=utc_now())
        click.echo(f"endpoint {registered.endpoint.id} for {profile.slug}", err=True)
        click.echo(registered.secret)


@webhooks_group.command("list")
def webhooks_list() -> None:
    """One line per endpoint: id, issuer, state, URL, events."""
    from issuer import db
    from issuer.webhooks import endpoints

    with app_context():
        for row in endpoints.list_endpoints(db.get_session()):
            state = "enabled" if row.enabled else "disabled"
            click.echo(f"{row.id}\t{row.profile.slug}\t{state}\t{row.url}\t{','.join(row.events)}")


@webhooks_group.command("requeue")
def webhooks_requeue() -> None:
    """Queue again the deliveries that are due (after the queue was down, or a worker died
    mid-send); prints how many were queued."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.jobs import jobs_of
    from issuer.webhooks import delivery

    with app_context() as app:
        task = jobs_of(app).webhooks.deliver
        ids = delivery.waiting(db.get_session(), now=utc_now())
        for delivery_id in ids:
            task(delivery_id)
        click.echo(str(len(ids)))
