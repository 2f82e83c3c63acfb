"""Admin commands: ``issuer admins invite|list|set-role|remove`` (issue 14, item 6).

``invite`` emails the invitation through the outbox when ISSUER_SMTP_URL is set (and prints
the invitation's id), else prints the link (stdout, once: only its hash is kept). Changes
are in the audit log as done by "cli".
"""

from __future__ import annotations

import click

from issuer.cli.service import app_context

ROLE = click.Choice(["owner", "issuer", "viewer"])


def register(group: click.Group) -> None:
    group.add_command(admins_group)


@click.group("admins")
def admins_group() -> None:
    """Admins of issuer profiles and their roles (owner, issuer, viewer)."""


def _profile(session, slug):
    from issuer.services import profiles

    return profiles.profile_by_slug(session, slug) if slug else profiles.default_profile(session)


@admins_group.command("invite")
@click.option("--email", required=True, help="Who is invited.")
@click.option("--issuer", "issuer_slug", default=None,
              help="Issuer profile (default: the default one).")
@click.option("--role", type=ROLE, default="issuer", show_default=True)
@click.option("--by", "by_email", required=True,
              help="Email of an owner of the profile, shown as the inviter.")
@click.option("--send/--print-link", default=None,
              help="Email it (default when ISSUER_SMTP_URL is set) or print the link.")
def admins_invite(email, issuer_slug, role, by_email, send) -> None:
    """Invite someone as an admin of a profile; prints the link, or the queued invitation's
    id when it is emailed."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import admins, audit, users
    from issuer.services.tx import atomic

    with app_context() as app:
        session = db.get_session()
        if send is None:
            send = bool(app.config.get("SMTP_URL"))
        now = utc_now()
        with atomic(session):
            profile = _profile(session, issuer_slug)
            inviter = users.admin_by_email(session, by_email)
            if inviter is None or admins.role_on(session, inviter.id, profile.id) != "owner":
                raise click.ClickException(f"{by_email} is not an owner of {profile.slug}")
            invitation, token = admins.invite(session, email=users.check_email(email),
                                              profile=profile, role=role, invited_by=inviter,
                                              now=now)
            audit.record(session, actor=None, actor_email="cli", action="admin.invite",
                         now=now, profile_id=profile.id, subject=invitation.email,
                         details={"role": role, "by": inviter.email})
            message = None
            if send:
                from issuer.community import outbox

                message = outbox.admin_invitation_mail(session, invitation, now=now)
        if message is not None:
            from issuer.jobs import jobs_of

            jobs_of(app).community.deliver_mail(message.id)
            click.echo(f"invitation emailed to {invitation.email}", err=True)
            click.echo(str(invitation.id))
        else:
            click.echo(f"send this link to {invitation.email}; it works once, within "
                       f"{admins.INVITE_TTL.days} days", err=True)
            click.echo(admins.invitation_url(app.config["BASE_URL"], token))


@admins_group.command("list")
@click.option("--issuer", "issuer_slug", default=None, help="Only this issuer profile.")
def admins_list(issuer_slug) -> None:
    """One line per admin and profile: email, profile, role."""
    from issuer import db
    from issuer.services import admins, profiles

    with app_context():
        session = db.get_session()
        chosen = [_profile(session, issuer_slug)] if issuer_slug else profiles.all_profiles(
            session)
        for profile in chosen:
            for row in admins.admins_of(session, profile.id):
                click.echo(f"{row.user.email}\t{profile.slug}\t{row.role}")


def _change(email, issuer_slug, role):
    from issuer import db
    from issuer.clock import utc_now
    from issuer.errors import NotFound
    from issuer.services import admins, audit, users
    from issuer.services.tx import atomic

    with app_context():
        session = db.get_session()
        now = utc_now()
        with atomic(session):
            profile = _profile(session, issuer_slug)
            user = users.admin_by_email(session, email)
            if user is None:
                raise NotFound(f"no admin {email}")
            if role is None:
                old = admins.remove(session, profile_id=profile.id, user_id=user.id)
                audit.record(session, actor=None, actor_email="cli", action="admin.remove",
                             now=now, profile_id=profile.id, subject=user.email,
                             details={"role": old})
                click.echo(f"{user.email} removed from {profile.slug}")
            else:
                old, new = admins.set_role(session, profile_id=profile.id, user_id=user.id,
                                           role=role, now=now)
                audit.record(session, actor=None, actor_email="cli", action="admin.role",
                             now=now, profile_id=profile.id, subject=user.email,
                             details={"from": old, "to": new})
                click.echo(f"{user.email}\t{profile.slug}\t{new}")


@admins_group.command("set-role")
@click.option("--email", required=True)
@click.option("--issuer", "issuer_slug", default=None,
              help="Issuer profile (default: the default one).")
@click.option("--role", type=ROLE, required=True)
def admins_set_role(email, issuer_slug, role) -> None:
    """Give an existing admin a role on a profile (the last owner cannot be demoted)."""
    _change(email, issuer_slug, role)


@admins_group.command("remove")
@click.option("--email", required=True)
@click.option("--issuer", "issuer_slug", default=None,
              help="Issuer profile (default: the default one).")
def admins_remove(email, issuer_slug) -> None:
    """Take an admin off a profile (the last owner cannot be removed)."""
    _change(email, issuer_slug, None)
