"""A signed-in member's own view of one of their badges for their wallet (issue 12, items 4
and 5): "Add to wallet" (Learner Credential Wallet and OpenID4VCI, as on the claim page) and
the wallets the badge already went to. Holder DIDs are the member's own business, so this is
never public: another member, or nobody signed in, gets the same 404 as an unknown id.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from issuer.community import members
from issuer.services import holder_copies
from issuer.web.core import deps
from issuer.web.public import wallet_offer
from issuer.web.public.members import require_member

bp = Blueprint("member_wallet", __name__)


@bp.get("/members/me/credentials/<uuid:credential_id>/wallet")
def wallet(credential_id: str):
    member = require_member()
    session = deps.session()
    badge = next((badge for badge in members.badges(session, member, public_only=False)
                  if badge.credential.id == str(credential_id)), None)
    if badge is None:
        abort(404)
    row = badge.credential
    response = current_app.make_response(render_template(
        "members/wallet.html", credential=row, copies=holder_copies.copies_of(session, row),
        wallet=wallet_offer.lcw_offer_for(row), oid4vci=wallet_offer.offer_for(row, "oid4vci"),
    ))
    response.headers["Cache-Control"] = "no-store"  # the offers are single use
    return response
