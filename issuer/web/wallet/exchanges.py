"""VC-API exchanges as Learner Credential Wallet speaks them (issue 12, item 2).

- ``GET /exchanges/<id>?iuv=1`` (the VCALM interaction URL): ``Accept: application/json``
  → ``{"protocols": {"vcapi": "<exchange URL>"}}``; anything else → a page telling a person
  to open it with their wallet.
- ``POST /exchanges/<id>`` ``{}`` → ``{"verifiablePresentationRequest": …}`` (DIDAuth, a
  fresh challenge, our domain, ``interact.service`` UnmediatedPresentationService2021 at the
  same URL); then ``{"verifiablePresentation": …}`` → ``{"verifiablePresentation": {…,
  "verifiableCredential": [holder-bound copy]}}``.
- ``POST /exchanges/<id>/lcw`` (the ``vc_request_url`` of the older LCW deep link): the DIDAuth
  presentation itself as the body → the holder-bound copy itself (LCW stores a VC or the
  credentials of a VP from this answer).

Refusals are problem details (4xx) and issue nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from issuer.errors import InvalidRequest, NotFound
from issuer.exchange_models import Exchange
from issuer.services import didauth, exchanges, holder_copies, offers, urls
from issuer.services.exchanges import ExchangeRefused
from issuer.sharing import qr
from issuer.web.core import deps
from issuer.web.core.body import json_object
from issuer.web.core.negotiation import json_type_wanted
from issuer.web.core.problems import register_json_handlers
from issuer.web.core.verifying import fetch_policy

bp = Blueprint("wallet_exchanges", __name__)
register_json_handlers(bp)

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
PRESENTATION_EXAMPLE = '{} to start, then {"verifiablePresentation": {...}}'


def _exchange(exchange_id: str, protocol: str):
    found = exchanges.get(deps.session(), exchange_id)
    if found.protocol != protocol:
        raise NotFound(f"this is not a {protocol} exchange")
    return found


@bp.get("/exchanges/<uuid:exchange_id>")
def interaction(exchange_id: str):
    session = deps.session()
    base_url = deps.base_url()
    if json_type_wanted(request) is not None:
        exchange = _exchange(exchange_id, "vcapi")
        exchanges.usable(exchange, now=deps.now())
        return jsonify({"protocols": {"vcapi": urls.exchange_url(base_url, exchange.id)}})
    exchange = session.get(Exchange, exchange_id)
    problem = None
    if exchange is None or exchange.protocol != "vcapi":
        problem, status_code = "This wallet link is not known here; it may be mistyped.", 404
    else:
        try:
            exchanges.usable(exchange, now=deps.now())
            status_code = 200
        except ExchangeRefused as refused:
            problem, status_code = str(refused), refused.status
    link = offers.lcw_vcalm_link(base_url, exchange_id) if problem is None else None
    qr_svg = None
    if link is not None:
        qr_svg = qr.qr_svg_data_uri(urls.interaction_url(base_url, exchange_id))
    response = render_template("wallet/interaction.html", exchange=exchange, problem=problem,
                               lcw_link=link, qr_svg=qr_svg,
                               interaction_url=urls.interaction_url(base_url, exchange_id))
    return response, status_code, {"Cache-Control": "no-store"}


def _presentation_answer(copy: dict[str, Any]) -> dict[str, Any]:
    return {"verifiablePresentation": {"@context": [VC2_CONTEXT],
                                       "type": ["VerifiablePresentation"],
                                       "verifiableCredential": [copy]}}


@bp.post("/exchanges/<uuid:exchange_id>")
def exchange_step(exchange_id: str):
    body = json_object(example=PRESENTATION_EXAMPLE)
    _exchange(exchange_id, "vcapi")
    session, base_url, now = deps.session(), deps.base_url(), deps.now()
    if not body:
        challenge = exchanges.start_request(session, exchange_id, now=now)
        return jsonify({"verifiablePresentationRequest": didauth.presentation_request(
            challenge=challenge, domain=didauth.our_domain(base_url),
            exchange_url=urls.exchange_url(base_url, exchange_id))})
    unknown = sorted(set(body) - {"verifiablePresentation"})
    if unknown or not isinstance(body.get("verifiablePresentation"), dict):
        raise InvalidRequest("send {} to start the exchange, then "
                             '{"verifiablePresentation": {...}} (a DIDAuth presentation)')
    copy = didauth.accept(session, exchange_id, body["verifiablePresentation"],
                          require_domain=True, keystore=deps.keystore(), base_url=base_url,
                          now=now, policy=fetch_policy())
    return jsonify(_presentation_answer(holder_copies.copy_document(copy)))


@bp.post("/exchanges/<uuid:exchange_id>/lcw")
def lcw_request(exchange_id: str):
    body = json_object(example='{"@context": [...], "type": "VerifiablePresentation", ...}')
    _exchange(exchange_id, "lcw")
    if "VerifiablePresentation" not in _types(body):
        raise InvalidRequest("send the DIDAuth Verifiable Presentation as the request body")
    copy = didauth.accept(deps.session(), exchange_id, body, require_domain=False,
                          keystore=deps.keystore(), base_url=deps.base_url(), now=deps.now(),
                          policy=fetch_policy())
    return jsonify(holder_copies.copy_document(copy))


def _types(document: dict[str, Any]) -> list[Any]:
    value = document.get("type")
    return value if isinstance(value, list) else [value]
