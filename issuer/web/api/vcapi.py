"""W3C VC-API for issuers: ``POST /credentials/issue`` and ``POST /credentials/status``
(bearer tokens with the ``issue`` / ``revoke`` scope)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from issuer.errors import InvalidRequest, ValidationFailed
from issuer.services import status, urls, vcapi
from issuer.web.api import json_api_blueprint
from issuer.web.api.auth import authenticate
from issuer.web.core import deps, verifying
from issuer.web.core.body import json_body

bp = json_api_blueprint("vcapi", __name__)


# -- issue ------------------------------------------------------------------------------------


@bp.post("/credentials/issue")
def issue():
    principal = authenticate("issue")
    credential, options = vcapi.check_request_body(json_body(example='{"credential": {...}}'))
    row = vcapi.issue_credential(
        deps.session(), credential, options=options, principal=principal,
        keystore=deps.keystore(), base_url=deps.base_url(), now=deps.now(),
        status_hook=_status_hook(), resource_policy=verifying.fetch_policy(),
    )
    response = Response(
        '{"verifiableCredential": ' + row.document.rstrip("\n") + "}\n",
        status=201, mimetype="application/json",
    )
    if row.hosted:
        response.headers["Location"] = urls.credential_url(deps.base_url(), row.id)
    return response


def _status_hook() -> vcapi.StatusHook:
    """options.credentialStatus: indexes in the issuer profile's status lists (issue 5)."""
    keystore, base_url = deps.keystore(), deps.base_url()

    def hook(session, profile, document, requested, now):
        document, allocations = status.vcapi_credential_status(
            session, profile, document, requested, now, keystore=keystore, base_url=base_url)
        return document, lambda session, row: status.record_signed(session, allocations, row)

    return hook


# -- credential status ------------------------------------------------------------------------

STATUS_TYPES = ("BitstringStatusListCredential", "BitstringStatusListEntry")
STATUS_MEMBERS = ("credentialId", "credentialStatus", "reason")
API_REVOCATION_REASON = "Revoked by the issuer (no reason given)."
STATUS_EXAMPLE = ('{"credentialId": "...", "credentialStatus": [{"type": '
                  '"BitstringStatusListCredential", "status": "revoked"}]}')


def status_request(body: Any) -> tuple[str, str, str | None]:
    """(credentialId, wanted state, reason) from a POST /credentials/status body."""
    if not isinstance(body, dict):
        raise InvalidRequest(f"send a JSON object: {STATUS_EXAMPLE}")
    unknown = sorted(set(body) - set(STATUS_MEMBERS))
    if unknown:
        raise InvalidRequest(f"unknown member {unknown[0]!r}; send "
                             f"{', '.join(STATUS_MEMBERS)} only")
    credential_id = body.get("credentialId")
    if not isinstance(credential_id, str) or not credential_id.strip():
        raise InvalidRequest(f"credentialId is required (the credential's id): {STATUS_EXAMPLE}")
    wanted = body.get("credentialStatus")
    if isinstance(wanted, list):
        if len(wanted) != 1:
            raise InvalidRequest("credentialStatus must hold exactly one status update")
        wanted = wanted[0]
    if not isinstance(wanted, dict):
        raise InvalidRequest(f"credentialStatus is required: {STATUS_EXAMPLE}")
    extra = sorted(set(wanted) - {"type", "status"})
    if extra:
        raise InvalidRequest(f"credentialStatus: unknown member {extra[0]!r}; send type and "
                             "status only")
    if "type" in wanted and wanted["type"] not in STATUS_TYPES:
        raise InvalidRequest(f"credentialStatus.type {wanted['type']!r} is not supported; use "
                             f"{STATUS_TYPES[0]}")
    state = wanted.get("status")
    if state not in status.CHANGE_TO:
        raise InvalidRequest(f"credentialStatus.status must be one of "
                             f"{', '.join(status.CHANGE_TO)}, not {state!r}")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed({"reason": "must be a string"})
    return credential_id.strip(), state, reason


@bp.post("/credentials/status")
def update_status():
    principal = authenticate("revoke")
    credential_id, state, reason = status_request(json_body(example=STATUS_EXAMPLE))
    session, base_url = deps.session(), deps.base_url()
    credential = status.find_credential(session, credential_id, base_url=base_url)
    principal.require_profile(credential.profile, f"credential {credential_id}")
    if state == status.REVOKED and not (reason or "").strip():
        reason = API_REVOCATION_REASON  # VC-API clients send none; verifiers see this one
    changed = status.change_to(
        session, credential, state, reason=reason,
        actor=status.Actor(f"api {principal.idempotency_scope}"), keystore=deps.keystore(),
        base_url=base_url, now=deps.now(),
    )
    return jsonify({
        "credentialId": credential_id,
        "credentialStatus": [{"type": STATUS_TYPES[0], "status": changed.state}],
        "reason": changed.reason,
        "changedAt": changed.since.isoformat().replace("+00:00", "Z") if changed.since else None,
    })
