"""Wallet protocols (issue 12): VC-API exchanges with DIDAuth and Learner Credential Wallet's
``vc_request_url`` flow (issuer.web.wallet.exchanges). Wallets post JSON without cookies, so
the blueprints are CSRF-exempt; their errors are problem-details JSON.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from issuer.web.wallet import exchanges

    for bp in (exchanges.bp,):
        app.register_blueprint(bp)
        app.extensions["csrf"].exempt(bp)
