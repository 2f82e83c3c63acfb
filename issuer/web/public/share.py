"""Sharing an issued credential: baked badge downloads, QR codes, and what the public
credential page shows about verification, LinkedIn and embedding.

Routes (GET, public): /credentials/<id>/baked.png, /baked.svg, /qr.png, /qr.svg, and
/credentials/<id>/share/<target> (a share button: counted, then on to LinkedIn).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, current_app, redirect, request, url_for

from issuer.errors import NotFound
from issuer.models import IssuedCredential
from issuer.services import (
    activity,
    badge_files,
    issuance,
    page_verification,
    render_cache,
    urls,
)
from issuer.sharing import embed, linkedin, social
from issuer.verification import status as status_check
from issuer.verification.results import CheckResult, Status, VerificationResult
from issuer.web.core import counting, deps, verifying
from issuer.web.core.security import SVG_CSP
from issuer.web.public import caching, visibility

bp = Blueprint("share", __name__)


def _file(found: render_cache.Rendered, *, cache_control: str) -> Response:
    response = Response(found.data, mimetype=found.content_type)
    response.headers["Cache-Control"] = cache_control
    response.set_etag(found.sha256)
    if found.content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_CSP
    return response


def _credential(credential_id: str) -> IssuedCredential:
    """The credential, 404 for unknown ids and for private ones others may not see."""
    return visibility.require_viewer(issuance.get_credential(deps.session(), credential_id))


def _baked(credential_id: str, fmt: badge_files.Format) -> Response:
    row = _credential(credential_id)
    found = render_cache.baked(deps.session(), row, base_url=deps.base_url(), fmt=fmt,
                               now=deps.now())
    response = _file(found, cache_control=caching.CHANGING_IMAGE)
    return visibility.seal(row, response.make_conditional(request))


@bp.get("/credentials/<uuid:credential_id>/baked.png")
def baked_png(credential_id: str):
    return _baked(credential_id, "png")


@bp.get("/credentials/<uuid:credential_id>/baked.svg")
def baked_svg(credential_id: str):
    return _baked(credential_id, "svg")


def _qr(credential_id: str, fmt: badge_files.Format) -> Response:
    row = _credential(credential_id)
    found = render_cache.qr_code(deps.session(), row.id,
                                 urls.credential_url(deps.base_url(), row.id), fmt=fmt,
                                 now=deps.now())
    return visibility.seal(row, _file(found, cache_control=caching.QR_CODE)
                           .make_conditional(request))


@bp.get("/credentials/<uuid:credential_id>/qr.png")
def qr_png(credential_id: str):
    return _qr(credential_id, "png")


@bp.get("/credentials/<uuid:credential_id>/qr.svg")
def qr_svg(credential_id: str):
    return _qr(credential_id, "svg")


# -- the public credential page ---------------------------------------------------------------


@dataclass(frozen=True)
class PageStatus:
    """The live verification verdict shown on the credential page."""

    verified: bool
    state: str  # verified | revoked | suspended | expired | not_yet_valid | not_verified
    headline: str
    failed: tuple[CheckResult, ...]
    result: VerificationResult

    @property
    def shareable(self) -> bool:
        """LinkedIn buttons only for a credential that verifies right now."""
        return self.verified


def page_status(result: VerificationResult) -> PageStatus:
    failed = result.failed_checks
    if result.verified:
        return PageStatus(True, "verified", "Verified", failed, result)
    by_id = {check.id: check for check in failed}
    status = by_id.get("status")
    if status is not None and status.status is Status.FAILED:
        kinds = {problem.type for problem in status.problems}
        if status_check.REVOKED in kinds:
            return PageStatus(False, "revoked", "Revoked by the issuer", failed, result)
        return PageStatus(False, "suspended", "Suspended by the issuer", failed, result)
    validity = by_id.get("validity")
    if validity is not None and validity.status is Status.FAILED:
        if validity.detail.startswith("expired"):
            return PageStatus(False, "expired", "Expired", failed, result)
        return PageStatus(False, "not_yet_valid", "Not valid yet", failed, result)
    return PageStatus(False, "not_verified", "Not verified", failed, result)


def _image_url(document: dict[str, Any]) -> str | None:
    try:
        image = document["credentialSubject"]["achievement"]["image"]
    except (KeyError, TypeError):
        return None
    url = image.get("id") if isinstance(image, dict) else image
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def linkedin_links(row: IssuedCredential, document: dict[str, Any]) -> dict[str, str]:
    """The LinkedIn URLs of a credential: *Add to profile* and *Share* (what the page's
    buttons lead to, through :func:`follow_share`, which counts the click)."""
    page_url = urls.credential_url(deps.base_url(), row.id)
    issuer_name = _issuer_name(row, document)
    name = _achievement_name(row, document)
    return {
        "linkedin-add": linkedin.add_to_profile_url(
            name=name,
            organization_name=issuer_name,
            organization_id=current_app.config.get("LINKEDIN_ORGANIZATION_ID"),
            issued=row.valid_from,
            expires=row.valid_until,
            cert_url=page_url,
            cert_id=row.id,
        ),
        "linkedin": linkedin.share_url(page_url),
    }


def _achievement_name(row: IssuedCredential, document: dict[str, Any]) -> str:
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("achievement"), dict):
        return subject["achievement"].get("name") or row.achievement.name
    return row.achievement.name


def _issuer_name(row: IssuedCredential, document: dict[str, Any]) -> str:
    document_issuer = document.get("issuer")
    if isinstance(document_issuer, dict) and isinstance(document_issuer.get("name"), str):
        return document_issuer["name"]
    return row.profile.name


def page_context(row: IssuedCredential, document: dict[str, Any]) -> dict[str, Any]:
    """Everything credential.html needs beyond the credential itself, under ``share``."""
    base_url = deps.base_url()
    page_url = urls.credential_url(base_url, row.id)
    session = deps.session()
    status = page_status(page_verification.verify_page(
        session, row, document, base_url=base_url, now=deps.now(),
        policy=verifying.fetch_policy()))
    image_url = _image_url(document)
    # Link previews want a PNG: the stored one, else the designed default (baked). Only a
    # .png address is looked up, and only its plan (ids and types): nothing is rendered.
    stored_png = bool(image_url and image_url.endswith(".png")) and not \
        badge_files.plan_for_credential(session, row, base_url=base_url, fmt="png").generated
    og_image = image_url if stored_png else f"{page_url}/baked.png"
    issuer_name = _issuer_name(row, document)
    name = _achievement_name(row, document)
    share_title = f"{name} — {issuer_name}"
    linkedin_share = url_for("share.follow_share", credential_id=row.id, target="linkedin")
    # LinkedIn's share link goes through the counting redirect too (the others are not counted).
    social_links = [replace(link, href=linkedin_share) if link.id == "share-linkedin"
                    else link for link in social.share_links(url=page_url, title=share_title)]
    return {"share": {
        "page_url": page_url,
        "social": social_links,
        "share_text": social.share_text(share_title, page_url),
        "status": status,
        "image_url": image_url or f"{page_url}/baked.svg",
        "og_image": og_image,
        "linkedin_add": url_for("share.follow_share", credential_id=row.id,
                                target="linkedin-add"),
        "linkedin_share": linkedin_share,
        "embed": embed.embed_html(image_url=og_image, name=name, page_url=page_url,
                                  issuer_name=issuer_name),
        "qr_png": f"{page_url}/qr.png",
        "qr_svg": f"{page_url}/qr.svg",
        "baked_png": f"{page_url}/baked.png",
        "baked_svg": f"{page_url}/baked.svg",
    }}


# -- share links, counted (issue 14) ----------------------------------------------------------

SHARE_KINDS = {"linkedin-add": activity.LINKEDIN_ADD, "linkedin": activity.LINKEDIN_SHARE}


@bp.get("/credentials/<uuid:credential_id>/share/<target>")
def follow_share(credential_id: str, target: str):
    """A share button of the credential page: counts the click (server-side, as for page
    views) and sends the browser on to LinkedIn. A credential that is revoked, suspended or
    expired is not shared: back to its page, which says why."""
    if target not in SHARE_KINDS:
        raise NotFound(f"no share target {target!r}")
    row = issuance.get_credential(deps.session(), credential_id)
    page = urls.credential_url(deps.base_url(), row.id)
    expired = row.valid_until is not None and row.valid_until <= deps.now()
    if row.status_state != "active" or expired:
        return redirect(page, code=303)
    response = redirect(linkedin_links(row, json.loads(row.document))[target], code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return counting.count_after_response(response, row.id, SHARE_KINDS[target])
