"""The audit log page (issue 14, item 6): who did what, when, on the profiles the signed-in
admin owns; filtered by profile, actor and action, newest first, a page at a time."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from issuer.services import audit, profiles
from issuer.services.admins import OWNER
from issuer.web.admin import guard
from issuer.web.admin.auth import require_admin
from issuer.web.core import deps

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")
bp.before_request(require_admin)
MAX_PAGE = 100_000


def _page_number(text: str | None) -> int:
    try:
        number = int(text or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@bp.get("/")
def index():
    session = deps.session()
    owned = tuple(guard.profile_ids(OWNER))
    mine = guard.only_owned_profiles(profiles.all_profiles(session))
    by_slug = {p.slug: p for p in mine}
    chosen = by_slug.get(request.args.get("profile", ""))
    action = request.args.get("action", "")
    actor = (request.args.get("actor", "") or "")[:254]
    query = audit.AuditFilter(profile_ids=owned, profile_id=chosen.id if chosen else None,
                              actor=actor or None,
                              action=action if action in audit.ACTIONS else None,
                              page=_page_number(request.args.get("page")))
    rows, total = audit.entries(session, query)
    pages = max(1, -(-total // query.per_page))
    params = {key: value for key, value in (("profile", chosen.slug if chosen else ""),
                                            ("actor", actor), ("action", query.action or ""))
              if value}
    return render_template("admin/audit.html", rows=rows, total=total, query=query,
                           pages=pages, params=params, profiles=mine, chosen=chosen,
                           actors=audit.actors(session, owned), actions=audit.ACTIONS,
                           names={p.id: p.name for p in mine})
