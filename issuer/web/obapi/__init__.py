"""The 1EdTech Open Badges 3.0 API (OB 3.0 §6): OAuth 2.0 with dynamic client registration
and PKCE (oauth.py, on authlib: server.py), and the resources under /ims/ob/v3p0
(resources.py) whose errors are Imsx_StatusInfo (status_info.py).

No CSRF on the machine endpoints (bearer tokens and client secrets, no cookies); the consent
page is a form and keeps it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from issuer.web.obapi import oauth, resources

    csrf = app.extensions["csrf"]
    app.register_blueprint(oauth.bp)
    app.register_blueprint(resources.bp)
    csrf.exempt(resources.bp)
    for view in (oauth.register, oauth.token, oauth.revoke):
        csrf.exempt(view)
