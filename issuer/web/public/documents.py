"""Public pages and hosted documents: landing page, issuer profiles, DID documents,
achievements, issued credentials and images. JSON-LD or HTML by the Accept header."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from issuer import jsontext
from issuer.errors import NotFound
from issuer.models import StoredImage
from issuer.services import (
    achievements, activity, issuance, profiles, received_endorsements, urls,
)
from issuer.web.core import counting, deps
from issuer.web.core.negotiation import json_type_wanted
from issuer.web.core.security import SCRIPT_PAGE_CSP, SVG_CSP
from issuer.web.public import caching, hosted, share, visibility

bp = Blueprint("public", __name__)


def _json(document: Any, media_type: str, *, cache_control: str) -> Response:
    response = Response(jsontext.document_text(document),
                        mimetype=media_type)
    response.vary.add("Accept")
    return caching.conditional(response, cache_control)


def _html(template: str, **context: Any) -> Response:
    response = Response(render_template(template, **context), mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.get("/")
def index():
    session = deps.session()
    profile = profiles.default_profile(session, required=False)
    items = achievements.public_achievements(session) if profile is not None else []
    return _html("index.html", profile=profile, achievements=items)


@bp.get("/issuers/<slug>")
def profile(slug: str):
    session = deps.session()
    found = profiles.profile_by_slug(session, slug)
    base_url = deps.base_url()
    media_type = json_type_wanted(request)
    if media_type:
        return _json(profiles.hosted_profile_document(found, base_url), media_type,
                     cache_control=caching.LIVE_DOCUMENT)  # its keys
    return _html(
        "profile.html",
        profile=found,
        did=profiles.profile_did(found, base_url),
        document=profiles.to_open_badges(found, base_url),
        achievements=achievements.public_achievements(session, found),
    )


def _did_response(found) -> Response:
    if found.did is not None:  # a did:key issuer has no did:web document
        raise NotFound(f"issuer profile {found.slug!r} uses {found.did}, not did:web")
    return _json(profiles.did_document(found, deps.base_url()), "application/did+json",
                 cache_control=caching.LIVE_DOCUMENT)  # keys rotate and are revoked


@bp.get("/.well-known/did.json")
@bp.get("/did.json")
def default_did_document():
    return _did_response(profiles.default_profile(deps.session()))


@bp.get("/issuers/<slug>/did.json")
def profile_did_document(slug: str):
    found = profiles.profile_by_slug(deps.session(), slug)
    if found.is_default:  # its DID is the base one, resolved at /.well-known/did.json
        raise NotFound("the default issuer's DID document is at /.well-known/did.json")
    return _did_response(found)


@bp.get("/achievements/<uuid:achievement_id>")
def achievement(achievement_id: str):
    found = achievements.get_achievement(deps.session(), achievement_id)
    base_url = deps.base_url()
    media_type = json_type_wanted(request)
    if media_type:
        return _json(achievements.hosted_document(found, base_url), media_type,
                     cache_control=caching.FIXED_DOCUMENT)
    return _html(
        "achievement.html",
        achievement=found,
        profile_url=urls.profile_url(base_url, found.profile.slug),
        og_image=f"{urls.achievement_url(base_url, found.id)}/badge.png",
        endorsements=received_endorsements.received_for_achievement(deps.session(), found),
    )


@bp.get("/credentials/<uuid:credential_id>")
def credential(credential_id: str):
    try:
        row = issuance.get_credential(deps.session(), credential_id)
    except NotFound:  # perhaps one signed through the VC-API with an id of ours
        return hosted.hosted_response(credential_id)
    visibility.require_viewer(row)
    media_type = json_type_wanted(request)
    if media_type:
        response = Response(row.document.encode("utf-8"), mimetype=media_type)
        response.vary.add("Accept")
        if visibility.is_private(row):  # no ETag, no 304: never kept by any cache
            return visibility.seal(row, response)
        return caching.conditional(response, caching.FIXED_DOCUMENT)
    document = json.loads(row.document)
    response = _html("credential.html", credential=row, document=document,
                     private=visibility.is_private(row), **share.page_context(row, document))
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP
    response.headers["Cache-Control"] = caching.PAGE  # the verification status is live
    return counting.count_after_response(visibility.seal(row, response), row.id,
                                         activity.VIEW)


@bp.get("/credentials/<uuid:credential_id>/download")
def credential_download(credential_id: str):
    try:
        row = issuance.get_credential(deps.session(), credential_id)
    except NotFound:
        return hosted.hosted_response(credential_id, download=True)
    visibility.require_viewer(row)
    response = Response(row.document.encode("utf-8"), mimetype="application/vc+ld+json")
    response.headers["Content-Disposition"] = f'attachment; filename="credential-{row.id}.json"'
    return counting.count_after_response(visibility.seal(row, response), row.id,
                                         activity.DOWNLOAD)


@bp.get("/images/<image_id>.<extension>")
def image(image_id: str, extension: str):
    found = deps.session().get(StoredImage, image_id) if len(image_id) == 32 else None
    expected = "svg" if found is not None and found.content_type == "image/svg+xml" else "png"
    if found is None or extension != expected:
        abort(404)
    response = Response(found.data, mimetype=found.content_type)
    response.headers["Cache-Control"] = caching.IMMUTABLE  # a new image is a new id
    response.headers["Content-Security-Policy"] = SVG_CSP
    response.set_etag(found.sha256)
    return response.make_conditional(request)
