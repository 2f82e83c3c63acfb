"""Endorsement commands: ``issuer endorsements give|list|revoke|attach``.

``give`` prints the new endorsement credential's URL; ``list`` one line per endorsement given;
``revoke`` prints "revoked"; ``attach`` verifies a received endorsement (JSON or compact JWS)
and prints the id it is kept under, or says why it was refused (exit status 1).
"""

from __future__ import annotations

import sys

import click

from issuer.cli.service import app_context


def register(group: click.Group) -> None:
    group.add_command(endorsements_group)


@click.group("endorsements")
def endorsements_group() -> None:
    """Endorsements (OB 3.0 EndorsementCredentials) given and received."""


def _profile(session, slug):
    from issuer.services import profiles

    return profiles.profile_by_slug(session, slug) if slug else profiles.default_profile(session)


@endorsements_group.command("give")
@click.option("--issuer", "issuer_slug", default=None,
              help="The endorsing issuer profile (default: the default one).")
@click.option("--endorsed", required=True,
              help="The endorsed achievement's or profile's id (URL or DID).")
@click.option("--type", "kind", type=click.Choice(["achievement", "profile"]), default=None,
              help="What the id is (needed for an id not of this server).")
@click.option("--name", default=None, help="Its name (ours are named automatically).")
@click.option("--comment", default=None, help="The endorsement comment (Markdown).")
def give(issuer_slug, endorsed, kind, name, comment) -> None:
    """Sign and issue an endorsement; prints its URL."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import endorsements, status
    from issuer.services.keystore import FileKeyStore

    with app_context() as app:
        session = db.get_session()
        row = endorsements.issue(
            session, _profile(session, issuer_slug), subject_id=endorsed, subject_kind=kind,
            subject_name=name, comment=comment, keystore=FileKeyStore(app.config["KEYS_DIR"]),
            base_url=app.config["BASE_URL"], now=utc_now(), actor=status.CLI)
        click.echo(f"endorsement {row.id}", err=True)
        click.echo(row.signed_credential.credential_id)


@endorsements_group.command("list")
@click.option("--issuer", "issuer_slug", default=None, help="Only those of this profile.")
def list_given(issuer_slug) -> None:
    """One line per endorsement given: id, URL, state, issuer, endorsed id."""
    from issuer import db
    from issuer.services import endorsements, profiles

    with app_context():
        session = db.get_session()
        profile = profiles.profile_by_slug(session, issuer_slug) if issuer_slug else None
        for row in endorsements.issued_by(session, profile):
            state = endorsements.state_of(session, row).state
            click.echo(f"{row.id}\t{row.signed_credential.credential_id}\t{state}\t"
                       f"{row.profile.slug}\t{row.subject_id}")


@endorsements_group.command("revoke")
@click.argument("endorsement")
@click.option("--reason", required=True, help="Why (required; shown to verifiers).")
def revoke(endorsement, reason) -> None:
    """Revoke ENDORSEMENT (its id or URL) for good. Prints "revoked"."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import endorsements, status
    from issuer.services.keystore import FileKeyStore

    with app_context() as app:
        session = db.get_session()
        row = endorsements.get_issued(session, endorsement)
        state = endorsements.revoke(session, row, reason=reason, actor=status.CLI,
                                    keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                    base_url=app.config["BASE_URL"], now=utc_now())
        click.echo(state.state)


def _verifier(app, session):
    """Verify one endorsement now, as the web verifier does (fetching what it must)."""
    from issuer.clock import utc_now
    from issuer.services.standalone_verification import fetch_policy
    from issuer.services.verification import verify_document

    policy = fetch_policy(allow_private=bool(app.config.get("VERIFY_FETCH_PRIVATE")))

    def verify(value):
        return verify_document(session, value, base_url=app.config["BASE_URL"], now=utc_now(),
                               policy=policy)

    return verify


@endorsements_group.command("attach")
@click.argument("source", type=click.File("rb"))
@click.option("--achievement", "achievement_id", default=None,
              help="Attach it to this achievement (its id).")
@click.option("--profile", "profile_slug", default=None,
              help="Attach it to this issuer profile (its slug).")
def attach(source, achievement_id, profile_slug) -> None:
    """Verify a received endorsement (SOURCE: a JSON file, a compact JWS, or - for stdin) and
    attach it to an achievement or a profile; credentials issued from now on carry it.
    Prints the id it is kept under."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.errors import ValidationFailed
    from issuer.services import achievements, profiles, received_endorsements, status

    if (achievement_id is None) == (profile_slug is None):
        raise click.UsageError("give --achievement ID or --profile SLUG")
    data = source.read(received_endorsements.MAX_RECEIVED_CHARS + 1)
    with app_context() as app:
        session = db.get_session()
        target = ({"achievement": achievements.get_achievement(session, achievement_id)}
                  if achievement_id else
                  {"profile": profiles.profile_by_slug(session, profile_slug)})
        try:
            row = received_endorsements.attach(
                session, data, verify=_verifier(app, session), now=utc_now(), actor=status.CLI,
                base_url=app.config["BASE_URL"], **target)
        except ValidationFailed as exc:
            click.echo(" ".join(exc.errors.values()), err=True)
            sys.exit(1)
        click.echo(str(row.id))


@endorsements_group.command("check")
def check() -> None:
    """Verify every attached received endorsement again (e.g. daily from cron) and record the
    verdicts the pages show; one line each: id, verdict, endorser."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import received_endorsements

    with app_context() as app:
        session = db.get_session()
        verify = _verifier(app, session)
        for row in received_endorsements.attached_now(session):
            result = received_endorsements.recheck(session, row, verify=verify, now=utc_now())
            click.echo(f"{row.id}\t{result.verdict.value}\t{row.endorser_id}")
