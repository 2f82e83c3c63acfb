"""Wallet protocols (issue 12): VC-API exchanges with DIDAuth and Learner Credential Wallet's
``vc_request_url`` flow (issuer.web.wallet.exchanges); OpenID4VCI 1.0 pre-authorized issuance
(issuer.web.wallet.oid4vci). Wallets post JSON without cookies, so
the blueprints are CSRF-exempt; their errors are problem-details JSON.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from issuer.web.wallet import exchanges, oid4vci

    for bp in (exchanges.bp, oid4vci.bp):
        app.register_blueprint(bp)
        app.extensions["csrf"].exempt(bp)
