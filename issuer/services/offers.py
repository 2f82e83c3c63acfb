"""Offers of an award to a wallet, by protocol (issue 12, item 5): what ``issuer offer`` prints
and ``POST /api/v1/credentials/<id>/offers`` answers.

Each protocol registers a maker with :func:`register` (``protocol -> maker(session, award, *,
actor, base_url, now, lifetime_seconds, options) -> Offer``, and the names of the options it
takes); :func:`make_offer` dispatches.

- ``vcapi``: a new VC-API exchange; the offer URL is its VCALM interaction URL
  ``<base>/exchanges/<id>?iuv=1`` (``links`` also has the LCW VCALM deep link
  ``https://lcw.app/request?request=<invitation>``).
- ``lcw``: a new exchange with its challenge handed out at once; the offer URL is the
  deep link Learner Credential Wallet 2.x keeps the credential from:
  ``https://lcw.app/request?issuer=…&vc_request_url=<base>/exchanges/<id>/lcw&challenge=…
  &auth_type=bearer``. The challenge is in the link only (stored hashed), so the link is
  shown once.
- ``oid4vci``: an OpenID4VCI 1.0 credential offer by reference,
  ``openid-credential-offer://?credential_offer_uri=…`` (issuer.services.oid4vci; ``links``
  also has it by value). Option ``tx_code`` (true): a 6-digit code is emailed to the
  recipient, and the wallet needs it to redeem the offer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from issuer.errors import InvalidRequest
from issuer.exchange_models import Exchange
from issuer.models import IssuedCredential
from issuer.services import exchanges, oid4vci, status, urls
from issuer.services.status import Actor

LCW_REQUEST = "https://lcw.app/request"


@dataclass(frozen=True)
class Offer:
    """An exchange and the URL to hand to the wallet (plus other forms of it in ``links``)."""

    exchange: Exchange
    url: str
    links: dict[str, str] = field(default_factory=dict)


Maker = Callable[..., Offer]
MAKERS: dict[str, Maker] = {}
OPTIONS: dict[str, tuple[str, ...]] = {}  # the option names each protocol's maker takes


def register(protocol: str, maker: Maker, *, options: tuple[str, ...] = ()) -> None:
    MAKERS[protocol] = maker
    OPTIONS[protocol] = options


def protocols() -> tuple[str, ...]:
    return tuple(MAKERS)


def make_offer(session: Session, award: IssuedCredential, *, protocol: str, actor: Actor,
               base_url: str, now: datetime, lifetime_seconds: int,
               options: dict[str, Any] | None = None) -> Offer:
    """A new offer of ``award`` by ``protocol`` (committed). InvalidRequest for an unknown
    protocol or an award that cannot be offered (revoked, suspended, expired)."""
    maker = MAKERS.get(protocol)
    if maker is None:
        raise InvalidRequest(f"unknown protocol {protocol!r}; use one of "
                             f"{', '.join(MAKERS)}")
    unknown = sorted(set(options or {}) - set(OPTIONS[protocol]))
    if unknown:
        raise InvalidRequest(f"the {protocol} protocol takes no option {unknown[0]!r}")
    state = status.credential_state(session, award)
    if not state.is_active:
        raise InvalidRequest(f"the credential is {state.state}; it cannot be offered")
    if award.valid_until is not None and award.valid_until <= now:
        raise InvalidRequest("the credential has expired; it cannot be offered")
    return maker(session, award, actor=actor, base_url=base_url, now=now,
                 lifetime_seconds=lifetime_seconds, options=options or {})


def vcalm_invitation(base_url: str, exchange_id: str) -> dict[str, Any]:
    """The VCALM invitation LCW reads from ``?request=``: ``credentialRequestOrigin`` and
    ``protocols.vcapi``."""
    return {"credentialRequestOrigin": base_url,
            "protocols": {"vcapi": urls.exchange_url(base_url, exchange_id)}}


def lcw_vcalm_link(base_url: str, exchange_id: str) -> str:
    invitation = json.dumps(vcalm_invitation(base_url, exchange_id), separators=(",", ":"))
    return f"{LCW_REQUEST}?{urlencode({'request': invitation})}"


def lcw_link(*, issuer: str, request_url: str, challenge: str) -> str:
    query = urlencode({"issuer": issuer, "vc_request_url": request_url, "challenge": challenge,
                       "auth_type": "bearer"})
    return f"{LCW_REQUEST}?{query}"


def _issuer_id(award: IssuedCredential) -> str:
    issuer = json.loads(award.document).get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else str(issuer)


def vcapi_offer(session: Session, award: IssuedCredential, *, actor: Actor, base_url: str,
                now: datetime, lifetime_seconds: int, options: dict[str, Any]) -> Offer:
    exchange = exchanges.create(session, award, protocol="vcapi", actor=actor, now=now,
                                lifetime_seconds=lifetime_seconds)
    return Offer(exchange, urls.interaction_url(base_url, exchange.id),
                 {"interaction": urls.interaction_url(base_url, exchange.id),
                  "exchange": urls.exchange_url(base_url, exchange.id),
                  "lcw": lcw_vcalm_link(base_url, exchange.id)})


def lcw_offer(session: Session, award: IssuedCredential, *, actor: Actor, base_url: str,
              now: datetime, lifetime_seconds: int, options: dict[str, Any]) -> Offer:
    exchange = exchanges.create(session, award, protocol="lcw", actor=actor, now=now,
                                lifetime_seconds=lifetime_seconds)
    challenge = exchanges.start_request(session, exchange.id, now=now)
    link = lcw_link(issuer=_issuer_id(award), request_url=urls.lcw_request_url(base_url,
                                                                               exchange.id),
                    challenge=challenge)
    return Offer(exchange, link, {"lcw": link,
                                  "vc_request_url": urls.lcw_request_url(base_url, exchange.id)})


def oid4vci_offer(session: Session, award: IssuedCredential, *, actor: Actor, base_url: str,
                  now: datetime, lifetime_seconds: int, options: dict[str, Any]) -> Offer:
    """An OpenID4VCI offer link by reference (``options["tx_code"]``: a code emailed to the
    recipient is needed to redeem it)."""
    tx_code = options.get("tx_code", False)
    if not isinstance(tx_code, bool):
        raise InvalidRequest("tx_code must be true or false")
    made = oid4vci.create_offer(session, award, actor=actor, base_url=base_url, now=now,
                                lifetime_seconds=lifetime_seconds, tx_code=tx_code)
    return Offer(made.exchange, made.offer_uri, {"oid4vci": made.offer_uri,
                                                 "oid4vci_by_value": made.by_value_uri})


register("vcapi", vcapi_offer)
register("lcw", lcw_offer)
register("oid4vci", oid4vci_offer, options=("tx_code",))
