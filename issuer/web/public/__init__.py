"""What everyone sees without signing in as an admin: the landing page, hosted documents
(issuer profiles, DID documents, achievements, credentials, status lists, images), the
credential page with its sharing tools, the ``/verify`` page, and members' own pages
(sign-in by emailed link, claim links).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from issuer.web.public import badges, documents, members, share, status_lists, verify_page

    for bp in (documents.bp, share.bp, status_lists.bp, verify_page.bp, members.bp):
        app.register_blueprint(bp)
    badges.init_app(app)
