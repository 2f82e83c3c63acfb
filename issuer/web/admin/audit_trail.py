"""Which admin form posts are audited, and what their entries say (issue 14, item 6).

Before an audited view runs, ``stage_for_request`` stages its entry on the request's database
session (issuer/services/audit.py ``stage``): the view's commit, which is the action's own
transaction, writes it; a rollback (the action failed) drops it, and a post that commits
nothing (a form error, an unticked confirmation, a preview) leaves no entry. The admins
page (admins.py) records its entries itself.
"""

from __future__ import annotations

from typing import Callable

from flask import request
from flask_login import current_user

from issuer.services import audit
from issuer.web.admin import guard
from issuer.web.core import deps


def _arg(name: str) -> Callable[[], str | None]:
    return lambda: str((request.view_args or {}).get(name) or "") or None


def _field(name: str) -> Callable[[], str | None]:
    return lambda: (guard.posted(name) or "").strip()[:200] or None


def _fields(**names: str) -> Callable[[], dict]:
    return lambda: {key: (guard.posted(field) or "").strip()[:200] or None
                    for key, field in names.items()}


def _none() -> dict:
    return {}


# endpoint → (action, subject, details)
AUDITED: dict[str, tuple[str, Callable[[], str | None], Callable[[], dict]]] = {
    "admin.new_profile": ("profile.create", _field("slug"), _fields(name="name")),
    "admin.edit_profile": ("profile.update", _arg("slug"), _fields(name="name")),
    "admin.rotate_key": ("key.rotate", _arg("slug"), _none),
    "admin.new_achievement": ("achievement.create", _field("name"), _none),
    "admin.edit_achievement": ("achievement.update", _arg("achievement_id"),
                               _fields(name="name")),
    "admin.issue": ("credential.issue", _field("email"), _fields(achievement="achievement")),
    "admin_status.revoke": ("credential.revoke", _arg("credential_id"),
                            _fields(reason="reason")),
    "admin_status.suspend": ("credential.suspend", _arg("credential_id"),
                             _fields(reason="reason")),
    "admin_status.reinstate": ("credential.reinstate", _arg("credential_id"),
                               _fields(reason="reason")),
    "admin_notify.resend": ("credential.resend", _arg("credential_id"), _none),
    "admin_archive.archive": ("achievement.archive", _arg("achievement_id"), _none),
    "admin_archive.restore": ("achievement.restore", _arg("achievement_id"), _none),
    "admin_access.create_token": ("api_token.create", _field("token-name"),
                                  lambda: {"scopes": ",".join(guard.posted_list(
                                      "token-scopes"))[:200]}),
    "admin_access.create_client": ("oauth_client.create", _field("client-name"),
                                   lambda: {"scopes": ",".join(guard.posted_list(
                                       "client-scopes"))[:200]}),
    "admin_access.revoke_token": ("api_token.revoke", _arg("token_id"), _none),
    "admin_access.revoke_client": ("oauth_client.revoke", _arg("client_pk"), _none),
    "admin_bulk.upload": ("bulk.upload", _field("achievement"), _none),
    "admin_bulk.start": ("bulk.start", _arg("job_id"), _none),
    "community_admin.award_by_hand": ("award.create", _arg("member_id"),
                                      _fields(achievement="achievement")),
    "community_admin.end_award": ("award.end", _arg("award_id"), _fields(note="end_note")),
    "community_admin.rule_form": ("rule.save", _arg("achievement_id"),
                                  _fields(kind="kind", action="action")),
    "community_admin.rule_delete": ("rule.delete", _arg("achievement_id"), _none),
    "community_admin.rule_backfill": ("rule.backfill", _arg("achievement_id"), _none),
    "admin_endorsements.give": ("endorsement.give", _field("subject_id"),
                                _fields(kind="subject_kind", name="subject_name")),
    "admin_endorsements.revoke": ("endorsement.revoke", _arg("endorsement_id"),
                                  _fields(reason="reason")),
    "admin_endorsements.receive": ("endorsement.attach", _field("target"), _none),
    "admin_endorsements.detach": ("endorsement.detach", _arg("row_id"), _none),
    "admin_webhooks.create": ("webhook.create", _field("url"), _none),
    "admin_webhooks.update": ("webhook.update", _arg("endpoint_id"), _fields(url="url")),
    "admin_webhooks.rotate": ("webhook.rotate", _arg("endpoint_id"), _none),
    "admin_webhooks.disable": ("webhook.disable", _arg("endpoint_id"), _none),
    "admin_webhooks.enable": ("webhook.enable", _arg("endpoint_id"), _none),
    "admin_webhooks.redeliver": ("webhook.redeliver", _arg("endpoint_id"),
                                 lambda: {"delivery": (request.view_args or {}).get(
                                     "delivery_id")}),
}


def stage_for_request() -> None:
    """Stage the entry of this admin form post, if it is one we audit (after guard.check)."""
    if request.method != "POST" or request.endpoint not in AUDITED:
        return
    if request.endpoint == "admin.issue" and guard.posted("preview") is not None:
        return  # the email preview issues nothing
    action, subject, details = AUDITED[request.endpoint]
    audit.stage(deps.session(), actor=current_user.user, action=action, now=deps.now(),
                profile_id=guard.profile_for_request(), subject=subject(),
                details=details())
