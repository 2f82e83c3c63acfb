"""Public responses for credentials signed through the VC-API whose id is our
``/credentials/<uuid>`` URL (issue 6): the signed JSON byte for byte, or a plain page."""

from __future__ import annotations

import json

from flask import Response, render_template, request

from issuer.services import vcapi
from issuer.web.core import deps
from issuer.web.core.negotiation import json_type_wanted
from issuer.web.public import caching


def hosted_response(credential_id: str, *, download: bool = False) -> Response:
    """The hosted credential (NotFound when there is none, as for any unknown id)."""
    row = vcapi.hosted_credential(deps.session(), credential_id)
    media_type = "application/vc+ld+json" if download else json_type_wanted(request)
    if media_type:
        response = Response(row.document.encode("utf-8"), mimetype=media_type)
        if download:
            response.headers["Content-Disposition"] = (
                f'attachment; filename="credential-{row.id}.json"')
        else:
            response.vary.add("Accept")
            return caching.conditional(response, caching.FIXED_DOCUMENT)
        return response
    document = json.loads(row.document)
    response = Response(render_template("signed_credential.html", row=row, document=document),
                        mimetype="text/html")
    response.vary.add("Accept")
    return response
