"""Roles, enforced: every admin request names the role it needs on the issuer profile it is
about (issue 14, item 6; roles in issuer/services/admins.py).

``RULES`` maps each admin endpoint to what reading it (GET/HEAD) and changing through it
(every other method) need: a role, and where the profile comes from (an id in the URL, a
choice in the form), or ``ANY`` (that role on at least one profile: lists and dashboards).
A POST to an admin endpoint missing from ``RULES`` is refused (403): a new view must say
what it needs (tests/web/test_admin_roles.py checks every route of the URL map is listed).

Creating a profile (a page of no profile) needs the owner role on at least one profile, or
no profile yet at all; the creator then owns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, g, request
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from issuer.services import admin_scope, admins
from issuer.services.admins import ISSUER, OWNER, VIEWER
from issuer.web.core import deps

ANY = None


@dataclass(frozen=True)
class Need:
    role: str
    where: Callable[[], int | None] | None = ANY  # the profile id; None: on any profile


@dataclass(frozen=True)
class Rule:
    read: Need | None  # None: GET is not served, or needs only a signed-in admin
    write: Need | None = None


def url(kind: str, arg: str) -> Callable[[], int | None]:
    def where() -> int | None:
        return admin_scope.profile_of(deps.session(), kind, (request.view_args or {}).get(arg))
    return where


def posted(field: str, *, query_too: bool = False) -> str | None:
    """A field of the posted form (or of the query string too), None when the body is too
    large: the view answers that itself (as a form error where it can)."""
    try:
        return (request.values if query_too else request.form).get(field)
    except RequestEntityTooLarge:
        return None


def posted_list(field: str) -> list[str]:
    try:
        return request.form.getlist(field)
    except RequestEntityTooLarge:
        return []


def form(kind: str, field: str) -> Callable[[], int | None]:
    def where() -> int | None:
        return admin_scope.profile_of(deps.session(), kind, posted(field))
    return where


def values(kind: str, field: str) -> Callable[[], int | None]:
    def where() -> int | None:
        return admin_scope.profile_of(deps.session(), kind,
                                      posted(field, query_too=True) or "")
    return where


def _any(role: str) -> Need:
    return Need(role)


READ_ANYWHERE = Rule(read=_any(VIEWER))
SIGNED_IN = "signed-in"  # the admin's own account: no role needed

RULES: dict[str, Rule | str] = {
    # pages.py / insights.py
    "admin.dashboard": READ_ANYWHERE,
    "admin.credentials": READ_ANYWHERE,
    "admin.credentials_csv": READ_ANYWHERE,
    "admin.new_profile": Rule(read=_any(OWNER), write=_any(OWNER)),  # or no profile yet
    "admin.edit_profile": Rule(read=Need(VIEWER, url("slug", "slug")),
                               write=Need(OWNER, url("slug", "slug"))),
    "admin.rotate_key": Rule(read=None, write=Need(OWNER, url("slug", "slug"))),
    # the form's issuer select decides where it is created: checked when it is posted
    "admin.new_achievement": Rule(read=_any(OWNER),
                                  write=Need(OWNER, values("new_achievement", "issuer"))),
    "admin.edit_achievement": Rule(read=Need(VIEWER, url("achievement", "achievement_id")),
                                   write=Need(OWNER, url("achievement", "achievement_id"))),
    "admin.issue": Rule(read=_any(ISSUER), write=Need(ISSUER, form("achievement",
                                                                    "achievement"))),
    "admin.credential_detail": Rule(read=Need(VIEWER, url("credential", "credential_id"))),
    # status.py, notify.py, archive.py
    "admin_status.revoke": Rule(None, Need(ISSUER, url("credential", "credential_id"))),
    "admin_status.suspend": Rule(None, Need(ISSUER, url("credential", "credential_id"))),
    "admin_status.reinstate": Rule(None, Need(ISSUER, url("credential", "credential_id"))),
    "admin_notify.resend": Rule(None, Need(ISSUER, url("credential", "credential_id"))),
    "admin_markdown.preview": Rule(None, _any(OWNER)),  # changes nothing; the achievement form's
    "admin_archive.archive": Rule(None, Need(OWNER, url("achievement", "achievement_id"))),
    "admin_archive.restore": Rule(None, Need(OWNER, url("achievement", "achievement_id"))),
    # access.py: API tokens and OAuth clients are the owners'
    "admin_access.index": Rule(read=_any(OWNER)),
    "admin_access.create_token": Rule(None, Need(OWNER, form("slug", "token-issuer"))),
    "admin_access.create_client": Rule(None, Need(OWNER, form("slug", "client-issuer"))),
    "admin_access.revoke_token": Rule(None, Need(OWNER, url("api_token", "token_id"))),
    "admin_access.revoke_client": Rule(None, Need(OWNER, url("oauth_client", "client_pk"))),
    # bulk.py
    "admin_bulk.index": Rule(read=_any(ISSUER)),
    "admin_bulk.upload": Rule(None, Need(ISSUER, form("achievement", "achievement"))),
    "admin_bulk.job": Rule(read=Need(VIEWER, url("bulk_job", "job_id"))),
    "admin_bulk.start": Rule(None, Need(ISSUER, url("bulk_job", "job_id"))),
    "admin_bulk.progress": Rule(read=Need(VIEWER, url("bulk_job", "job_id"))),
    "admin_bulk.results": Rule(read=Need(VIEWER, url("bulk_job", "job_id"))),
    # community.py
    "community_admin.overview": READ_ANYWHERE,
    "community_admin.member_list": READ_ANYWHERE,
    "community_admin.member_detail": READ_ANYWHERE,
    "community_admin.award_by_hand": Rule(None, Need(ISSUER, form("achievement",
                                                                  "achievement"))),
    "community_admin.end_award": Rule(None, Need(ISSUER, url("award", "award_id"))),
    "community_admin.rule_list": READ_ANYWHERE,
    "community_admin.rule_form": Rule(read=Need(VIEWER, url("achievement", "achievement_id")),
                                      write=Need(OWNER, url("achievement", "achievement_id"))),
    "community_admin.rule_delete": Rule(None, Need(OWNER, url("achievement", "achievement_id"))),
    "community_admin.rule_backfill": Rule(None, Need(OWNER, url("achievement",
                                                                "achievement_id"))),
    "community_admin.event_list": READ_ANYWHERE,
    "community_admin.outbox_list": READ_ANYWHERE,
    "community_admin.outbox_retry": Rule(None, Need(ISSUER, url("outbox", "message_id"))),
    # designer.py
    "admin_designer.preview": READ_ANYWHERE,
    # webhooks.py: the owners'
    "admin_webhooks.index": Rule(read=_any(OWNER)),
    "admin_webhooks.create": Rule(None, Need(OWNER, form("slug", "issuer"))),
    "admin_webhooks.endpoint": Rule(read=Need(OWNER, url("webhook", "endpoint_id")),
                                    write=Need(OWNER, url("webhook", "endpoint_id"))),
    "admin_webhooks.update": Rule(None, Need(OWNER, url("webhook", "endpoint_id"))),
    "admin_webhooks.rotate": Rule(None, Need(OWNER, url("webhook", "endpoint_id"))),
    "admin_webhooks.disable": Rule(None, Need(OWNER, url("webhook", "endpoint_id"))),
    "admin_webhooks.enable": Rule(None, Need(OWNER, url("webhook", "endpoint_id"))),
    "admin_webhooks.delivery_detail": Rule(read=Need(OWNER, url("webhook", "endpoint_id"))),
    "admin_webhooks.redeliver": Rule(None, Need(OWNER, url("webhook", "endpoint_id"))),
    # endorsements.py: given and received endorsements are the profile's owners' (every view
    # checks that the endorsement belongs to the profile in its URL)
    "admin_endorsements.index": READ_ANYWHERE,
    "admin_endorsements.page": Rule(read=Need(VIEWER, url("slug", "slug"))),
    "admin_endorsements.give": Rule(None, Need(OWNER, url("slug", "slug"))),
    "admin_endorsements.revoke": Rule(None, Need(OWNER, url("slug", "slug"))),
    "admin_endorsements.receive": Rule(None, Need(OWNER, url("slug", "slug"))),
    "admin_endorsements.detach": Rule(None, Need(OWNER, url("slug", "slug"))),
    "admin_endorsements.check": Rule(None, Need(OWNER, url("slug", "slug"))),
    # admins.py, audit.py: the owners' (each view checks the profile of what it changes)
    "admin_admins.index": Rule(read=_any(OWNER)),
    "admin_admins.invite": Rule(None, Need(OWNER, form("slug", "profile"))),
    "admin_admins.change_role": Rule(None, Need(OWNER, url("slug", "slug"))),
    "admin_admins.remove": Rule(None, Need(OWNER, url("slug", "slug"))),
    "admin_admins.revoke_invitation": Rule(None, Need(OWNER, url("slug", "slug"))),
    "admin_audit.index": Rule(read=_any(OWNER)),
    # account.py
    "account.index": SIGNED_IN,
    "account.change_password": SIGNED_IN,
}


def my_roles() -> dict[int, str]:
    """{profile id: role} of the signed-in admin (read once per request)."""
    if "admin_roles" not in g:
        g.admin_roles = (admins.roles_of(deps.session(), current_user.user.id)
                         if current_user.is_authenticated else {})
    return g.admin_roles


def can(role: str, profile_id: int | None = None) -> bool:
    """Whether the signed-in admin has ``role`` on the profile (None: on any profile)."""
    roles = my_roles()
    if profile_id is None:
        return any(admins.allows(have, role) for have in roles.values())
    return admins.allows(roles.get(profile_id), role)


def profile_ids(role: str) -> list[int]:
    return sorted(pid for pid, have in my_roles().items() if admins.allows(have, role))


def check() -> None:
    """Refuse (403) a request the signed-in admin's roles do not allow."""
    rule = RULES.get(request.endpoint or "")
    if rule == SIGNED_IN:
        return
    if rule is None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            rule = READ_ANYWHERE
        else:
            abort(403, "This action is not open to your role.")
    need = rule.read if request.method in ("GET", "HEAD") else rule.write
    if need is None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return  # the view answers 405 or redirects; nothing is read or changed
        abort(403, "This action is not open to your role.")
    if request.endpoint == "admin.new_profile" and not admin_scope.profile_of(
            deps.session(), "new_achievement", ""):
        return  # no profile yet: any admin makes the first
    profile_id = need.where() if need.where is not None else None
    g.request_profile_id = profile_id
    if not can(need.role, profile_id):
        role = admins.LABELS[need.role].lower()
        where = "this issuer profile" if need.where is not None else "any issuer profile"
        abort(403, f"This needs the {role} role on {where}. Ask one of its owners.")


def profile_for_request() -> int | None:
    """The profile the current request is about, as ``check`` found it (None: unknown)."""
    return g.get("request_profile_id")


def only_owned(rows: list) -> list:
    """The rows (with a ``profile_id``) of the profiles the signed-in admin owns."""
    owned = set(profile_ids(OWNER))
    return [row for row in rows if row.profile_id in owned]


def only_owned_profiles(rows: list) -> list:
    """The profiles among ``rows`` the signed-in admin owns."""
    owned = set(profile_ids(OWNER))
    return [row for row in rows if row.id in owned]


def only_visible_profiles(rows: list) -> list:
    """The profiles among ``rows`` the signed-in admin has any role on."""
    return [row for row in rows if row.id in my_roles()]
