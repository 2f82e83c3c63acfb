"""``POST /api/v1/credentials/<id>/offers`` (scope ``issue``): offer an award to a wallet, for
integrators who deliver the link themselves. Body ``{"protocol": "vcapi" | "lcw" |
"oid4vci"}`` (``"tx_code": true`` with oid4vci: a code is emailed to the recipient); the answer, 201, gives the URL to hand over
(``url``), the exchange id and when it expires, and other forms of the URL (``links``).
"""

from __future__ import annotations

from flask import current_app, jsonify

from issuer.errors import ValidationFailed
from issuer.services import issuance, offers
from issuer.services.status import Actor
from issuer.web.api import json_api_blueprint
from issuer.web.api.auth import authenticate
from issuer.web.core import deps
from issuer.web.core.body import json_object

bp = json_api_blueprint("offers_api", __name__)
EXAMPLE = '{"protocol": "lcw"}'


def offer_answer(made: offers.Offer, protocol: str) -> dict:
    return {"protocol": protocol, "url": made.url, "exchange": made.exchange.id,
            "expiresAt": made.exchange.expires_at.isoformat().replace("+00:00", "Z"),
            "links": made.links}


@bp.post("/api/v1/credentials/<uuid:credential_id>/offers")
def create_offer(credential_id: str):
    principal = authenticate("issue")
    body = json_object(example=EXAMPLE)
    protocol = body.get("protocol")
    if not isinstance(protocol, str) or protocol not in offers.protocols():
        raise ValidationFailed({"protocol": f"choose one of {', '.join(offers.protocols())}"})
    session = deps.session()
    row = issuance.get_credential(session, credential_id)
    principal.require_profile(row.profile, f"credential {row.id}")
    options = {key: value for key, value in body.items() if key != "protocol"}
    made = offers.make_offer(session, row, protocol=protocol,
                             actor=Actor(principal.idempotency_scope), base_url=deps.base_url(),
                             now=deps.now(),
                             lifetime_seconds=current_app.config["EXCHANGE_LIFETIME_SECONDS"],
                             options=options)
    response = jsonify(offer_answer(made, protocol))
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response
