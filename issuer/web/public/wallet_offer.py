"""The "Add to wallet" offers on the recipient's pages (issue 12, item 5): a fresh ``lcw``
exchange per view (its challenge lives only in the link) for Learner Credential Wallet, and a
fresh OpenID4VCI offer (``openid-credential-offer://…``) for other wallets, each as a
deep-link button for phones and a QR code for desktops (rendered inline like the sharing QR
codes).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from issuer.errors import InvalidRequest
from issuer.models import IssuedCredential
from issuer.services import offers
from issuer.services.status import Actor
from issuer.sharing import qr
from issuer.web.core import deps

RECIPIENT = Actor("recipient")


@dataclass(frozen=True)
class WalletOffer:
    link: str
    qr_svg: str  # a data: URI
    expires_at: object


def lcw_offer_for(row: IssuedCredential) -> WalletOffer | None:
    """A new LCW offer of the credential, or None when it cannot be offered (revoked,
    suspended, expired)."""
    return offer_for(row, "lcw")


def offer_for(row: IssuedCredential, protocol: str) -> WalletOffer | None:
    """A new offer of the credential by ``protocol``, or None when it cannot be offered."""
    try:
        made = offers.make_offer(deps.session(), row, protocol=protocol, actor=RECIPIENT,
                                 base_url=deps.base_url(), now=deps.now(),
                                 lifetime_seconds=current_app.config["EXCHANGE_LIFETIME_SECONDS"])
    except InvalidRequest:
        return None
    return WalletOffer(made.url, qr.qr_svg_data_uri(made.url), made.exchange.expires_at)
