"""A member's public page and its Open Graph card.

``/members/<slug>`` shows the persona (picture, headline, bio, interests, links), a grid of
the badges the member shows (every verified address's, minus hidden, private, revoked and
suspended ones) and share links. ``/members/<slug>/card.png`` is the 1200×630 card social
networks show for the page (issuer/sharing/member_card.py); its ETag is computed from what
it draws before it is drawn, so a revalidation costs no rendering.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, render_template, request

from issuer.community import members
from issuer.community.models import Member
from issuer.services import images, profiles, render_cache, status
from issuer.sharing import member_card, social
from issuer.web.core import deps
from issuer.web.core.security import SCRIPT_PAGE_CSP

bp = Blueprint("member_page", __name__)

CARD_MAX_AGE = 300


def public_badges(session, member: Member) -> list[members.Badge]:
    """The badges the member shows, minus revoked or suspended credentials."""
    # status_state is kept with the status lists' bits in the same transaction
    # (issuer.services.status), so no query per badge is needed to leave off revoked ones.
    return [badge for badge in members.badges(session, member, public_only=True)
            if badge.credential.status_state == status.ACTIVE]


def _card_url(member: Member) -> str:
    return f"{members.member_url(deps.base_url(), member.slug)}/card.png"


def _site_name() -> str:
    profile = profiles.default_profile(deps.session(), required=False)
    return profile.name if profile is not None else "Open Badges"


@bp.get("/members/<slug>")
def page(slug: str):
    session = deps.session()
    member = members.public_member(session, slug)
    badges = public_badges(session, member)
    page_url = members.member_url(deps.base_url(), member.slug)
    count = f"{len(badges)} badge" + ("" if len(badges) == 1 else "s")
    title = f"{member.display_name} — {count}"
    response = current_app.make_response(render_template(
        "members/page.html", member=member, badges=badges, page_url=page_url,
        card_url=_card_url(member), description=member.headline or count,
        initials=member_card.initials(member.display_name),
        social=social.share_links(url=page_url, title=title),
        share_text=social.share_text(title, page_url),
    ))
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP  # static/share.js
    return response


@bp.get("/members/<slug>/card.png")
def card(slug: str):
    session = deps.session()
    member = members.public_member(session, slug)
    badges = public_badges(session, member)
    shown = badges[:member_card.MAX_BADGES]
    avatar = member.avatar if member.avatar is not None and \
        member.avatar.content_type == images.PNG else None
    site_name = _site_name()
    fingerprint = "\n".join([
        "card-v1", member.display_name, member.headline or "", str(len(badges)), site_name,
        avatar.sha256 if avatar is not None else "",
        *(f"{badge.credential.id}:{badge.credential.achievement.updated_at.isoformat()}"
          for badge in shown)])
    etag = hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        base_url = deps.base_url()
        data = member_card.render_card(member_card.MemberCard(
            name=member.display_name, headline=member.headline, badge_count=len(badges),
            site_name=site_name, avatar_png=avatar.data if avatar is not None else None,
            badge_pngs=tuple(render_cache.badge_image(session, badge.credential,
                                                      base_url=base_url, fmt="png",
                                                      now=deps.now()).data
                             for badge in shown)))
        response = Response(data, mimetype="image/png")
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={CARD_MAX_AGE}"
    return response
