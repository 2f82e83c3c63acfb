"""Status commands: revoke, suspend, reinstate (registered on the ``issuer`` group).

Each prints the credential's new status ("revoked", "suspended" or "active") on stdout; a
refusal (e.g. reinstating a revoked credential) is a message on stderr and exit status 1.
The change is recorded as made by "cli".
"""

from __future__ import annotations

import click

from issuer.cli.service import app_context


def register(group: click.Group) -> None:
    group.add_command(revoke)
    group.add_command(suspend)
    group.add_command(reinstate)
    group.add_command(status_lists)


def credential_id_of(value: str) -> str:
    """A credential id, or its URL (…/credentials/<id>)."""
    value = value.strip().rstrip("/")
    if "/credentials/" in value:
        value = value.rsplit("/credentials/", 1)[1]
    return value


def _run(action: str, credential: str, reason: str | None) -> None:
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import issuance, status
    from issuer.services.keystore import FileKeyStore

    change = {"revoke": status.revoke, "suspend": status.suspend,
              "reinstate": status.reinstate}[action]
    with app_context() as app:
        session = db.get_session()
        row = issuance.get_credential(session, credential_id_of(credential))
        state = change(session, row, reason=reason, actor=status.CLI,
                       keystore=FileKeyStore(app.config["KEYS_DIR"]),
                       base_url=app.config["BASE_URL"], now=utc_now())
        click.echo(state.state)


@click.command()
@click.argument("credential")
@click.option("--reason", required=True,
              help="Why (required; shown to anyone who verifies the credential).")
def revoke(credential: str, reason: str) -> None:
    """Revoke CREDENTIAL (its id or URL) for good. Prints "revoked"."""
    _run("revoke", credential, reason)


@click.command()
@click.argument("credential")
@click.option("--reason", default=None, help="Why (optional; shown to verifiers).")
def suspend(credential: str, reason: str | None) -> None:
    """Suspend CREDENTIAL (its id or URL) until reinstated. Prints "suspended"."""
    _run("suspend", credential, reason)


@click.command()
@click.argument("credential")
@click.option("--reason", default=None, help="A note for the record (optional).")
def reinstate(credential: str, reason: str | None) -> None:
    """Lift the suspension of CREDENTIAL (its id or URL). Prints "active"."""
    _run("reinstate", credential, reason)


@click.command("status-lists")
@click.option("--issuer", "slug", default=None, help="Only this issuer profile's lists.")
def status_lists(slug: str | None) -> None:
    """Every status list's figures, one line each: size, positions reserved by workers in
    blocks, used (credentials with an index in it), unused (gaps: blocks of workers that
    stopped, issues that failed, plus what running workers still hold), free, blocks."""
    from issuer import db
    from issuer.services import profiles, status

    with app_context():
        session = db.get_session()
        profile_id = profiles.profile_by_slug(session, slug).id if slug else None
        click.echo("list                                  purpose     state    size  reserved"
                   "    used  unused    free  blocks")
        for item in status.list_figures(session, profile_id):
            click.echo(f"{item.list_id}  {item.purpose:<10}  "
                       f"{'current' if item.is_current else 'retired':<7} {item.size:>6} "
                       f"{item.reserved:>9} {item.used:>7} {item.unused:>7} {item.free:>7} "
                       f"{item.blocks:>7}")
