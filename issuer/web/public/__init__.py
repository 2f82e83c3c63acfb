"""What everyone sees without signing in as an admin: the landing page, hosted documents
(issuer profiles, DID documents, achievements, credentials, status lists, images), the
credential page with its sharing tools, the ``/verify`` page, and members' own pages
(sign-in by emailed link, claim links).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from issuer.web.public import (
        badges,
        documents,
        member_addresses,
        member_apps,
        member_page,
        member_wallet,
        members,
        share,
        site_icons,
        status_lists,
        verify_page,
    )

    for bp in (documents.bp, share.bp, status_lists.bp, verify_page.bp, members.bp,
               member_addresses.bp, member_apps.bp, member_page.bp, member_wallet.bp,
               site_icons.bp):
        app.register_blueprint(bp)
    badges.init_app(app)
    # The page form carries a picture larger than other uploads may be: its body limit is
    # raised before anything reads the body (first of all before_request functions), and
    # the form checks its own CSRF token (PageForm) instead of the global check.
    app.before_request_funcs.setdefault(None, []).insert(0, members.raise_body_limit)
    app.extensions["csrf"].exempt(members.edit)
