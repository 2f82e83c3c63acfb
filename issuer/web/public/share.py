"""Sharing an issued credential: baked badge downloads, QR codes, and what the public
credential page shows about verification, LinkedIn and embedding.

Routes (GET, public): /credentials/<id>/baked.png, /baked.svg, /qr.png, /qr.svg.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, request

from issuer.models import IssuedCredential
from issuer.services import badge_files, issuance, urls
from issuer.sharing import embed, linkedin, qr
from issuer.verification import status as status_check
from issuer.verification.results import CheckResult, Status, VerificationResult
from issuer.web.core import deps, verifying
from issuer.web.core.security import SVG_CSP

bp = Blueprint("share", __name__)

BAKED_MAX_AGE = 3600  # the credential never changes; the badge image might be re-uploaded
QR_MAX_AGE = 86400


def _file(data: bytes, content_type: str, *, max_age: int) -> Response:
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.set_etag(hashlib.sha256(data).hexdigest())
    if content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_CSP
    return response


def _baked(credential_id: str, fmt: badge_files.Format) -> Response:
    row = issuance.get_credential(deps.session(), credential_id)
    found = badge_files.baked(deps.session(), row, base_url=deps.base_url(), fmt=fmt)
    return _file(found.data, found.content_type, max_age=BAKED_MAX_AGE).make_conditional(request)


@bp.get("/credentials/<uuid:credential_id>/baked.png")
def baked_png(credential_id: str):
    return _baked(credential_id, "png")


@bp.get("/credentials/<uuid:credential_id>/baked.svg")
def baked_svg(credential_id: str):
    return _baked(credential_id, "svg")


def _page_url(credential_id: str) -> str:
    row = issuance.get_credential(deps.session(), credential_id)  # 404 for unknown ids
    return urls.credential_url(deps.base_url(), row.id)


@bp.get("/credentials/<uuid:credential_id>/qr.png")
def qr_png(credential_id: str):
    data = qr.qr_png(_page_url(credential_id))
    return _file(data, "image/png", max_age=QR_MAX_AGE).make_conditional(request)


@bp.get("/credentials/<uuid:credential_id>/qr.svg")
def qr_svg(credential_id: str):
    data = qr.qr_svg(_page_url(credential_id)).encode("utf-8")
    return _file(data, "image/svg+xml", max_age=QR_MAX_AGE).make_conditional(request)


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


def page_context(row: IssuedCredential, document: dict[str, Any]) -> dict[str, Any]:
    """Everything credential.html needs beyond the credential itself, under ``share``."""
    base_url = deps.base_url()
    page_url = urls.credential_url(base_url, row.id)
    status = page_status(verifying.verify(document, network=False))
    image_url = _image_url(document)
    # Link previews want a PNG: the stored one, else the designed default (baked). Only a
    # .png address is looked up, so no default is rendered just to learn it is one.
    stored_png = bool(image_url and image_url.endswith(".png")) and not badge_files.badge_image(
        deps.session(), row, base_url=base_url, fmt="png").generated
    og_image = image_url if stored_png else f"{page_url}/baked.png"
    issuer_name = row.profile.name
    document_issuer = document.get("issuer")
    if isinstance(document_issuer, dict) and isinstance(document_issuer.get("name"), str):
        issuer_name = document_issuer["name"]
    name = row.achievement.name
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("achievement"), dict):
        name = subject["achievement"].get("name") or name
    linkedin_add = linkedin.add_to_profile_url(
        name=name,
        organization_name=issuer_name,
        organization_id=current_app.config.get("LINKEDIN_ORGANIZATION_ID"),
        issued=row.valid_from,
        expires=row.valid_until,
        cert_url=page_url,
        cert_id=row.id,
    )
    return {"share": {
        "page_url": page_url,
        "status": status,
        "image_url": image_url or f"{page_url}/baked.svg",
        "og_image": og_image,
        "linkedin_add": linkedin_add,
        "linkedin_share": linkedin.share_url(page_url),
        "embed": embed.embed_html(image_url=og_image, name=name, page_url=page_url,
                                  issuer_name=issuer_name),
        "qr_png": f"{page_url}/qr.png",
        "qr_svg": f"{page_url}/qr.svg",
        "baked_png": f"{page_url}/baked.png",
        "baked_svg": f"{page_url}/baked.svg",
    }}
