"""The admin app, behind sign-in: issuer profiles and keys, achievements, issuing by hand and
in bulk, credentials and their status, API access, community programs, webhooks, admins with
roles and the audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from issuer.web.admin import (
        access, account, admins, archive, audit, auth, bulk, community, confirm, designer,
        endorsements, guard, markdown_preview, notify, pages, status, webhooks,
    )
    from issuer.web.admin import insights  # noqa: F401  (its views are on pages.bp)

    auth.init_app(app)
    confirm.init_app(app)
    for bp in (auth.bp, account.bp, archive.bp, pages.bp, access.bp, status.bp, community.bp,
               designer.bp, webhooks.bp, notify.bp, endorsements.bp, markdown_preview.bp,
               admins.bp, admins.join_bp, audit.bp):
        app.register_blueprint(bp)
    bulk.init_app(app)
    app.add_template_global(guard.can, "can")  # issue 14: hide what the role cannot do
    from issuer.services import audit as audit_log

    audit_log.install()  # staged audit entries are written by the action's commit
