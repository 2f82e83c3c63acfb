"""Confirmation of the admin's irreversible or disruptive actions (issue 14, item 3).

Every such form carries a ``confirm`` checkbox next to the action's consequence (the
``confirm_box`` macro in templates/admin/_confirm.html, drawn as a danger action). The view
calls :func:`confirmed` before it changes anything: without the box ticked nothing changes and
the admin is told what the action would do. This works without JavaScript; CSRF stays with
each form.
"""

from __future__ import annotations

from flask import Flask, flash, request

# What each action does, in the words shown next to its button and in the refusal message.
CONSEQUENCES = {
    "revoke": "Revoking is permanent: it cannot be undone, and every verifier will report this "
              "credential as revoked, with your reason, once it fetches the re-signed status "
              "list (at once, or within its cache time). Webhook subscribers get "
              "credential.revoked; the recipient is not emailed.",
    "suspend": "Suspending makes every verifier report this credential as suspended, with your "
               "reason, until you reinstate it. Webhook subscribers get credential.suspended; "
               "the recipient is not emailed.",
    "revoke_endorsement": "Revoking is permanent: every verifier will report this endorsement "
                          "as revoked, with your reason, wherever it is embedded. Credentials "
                          "issued from now on no longer carry it.",
    "rotate_key": "Rotating makes a new signing key for everything issued from now on. "
                  "Credentials already issued keep verifying: the old keys stay published in "
                  "the DID document. This cannot be undone (the old key does not sign again).",
    "revoke_token": "Revoking is permanent: every program using this API token is refused "
                    "from its next request. Make a new token to restore access.",
    "revoke_client": "Revoking is permanent: this OAuth client and all of its access and "
                     "refresh tokens stop working at once; the application must register again.",
    "rotate_secret": "Rotating makes a new signing secret at once: the receiver rejects our "
                     "deliveries until it is given the new secret (shown once, on the next page).",
    "disable_webhook": "Disabling stops deliveries to this endpoint until you enable it again.",
    "remove_rule": "Removing the rule stops automatic awards for this achievement. Awards "
                   "already made stay, and their credentials keep verifying.",
    "remove_admin": "Removing takes away this admin's access to this issuer profile at once "
                    "(their other profiles stay). Invite them again to bring them back.",
    "end_award": "Ending the award cannot be undone (award it again instead). Its credential "
                 "keeps verifying unless you also tick “revoke”, which revokes it for good.",
}

CONFIRM_FIELD = "confirm"


def confirmed(action: str) -> bool:
    """True when the posted form has its ``confirm`` box ticked; otherwise flash why nothing
    changed (with the consequence) and return False."""
    if request.form.get(CONFIRM_FIELD) == "yes":
        return True
    flash(f"Nothing was changed: tick the confirmation box first. {CONSEQUENCES[action]}")
    return False


def init_app(app: Flask) -> None:
    """``consequence(action)`` in templates."""
    app.add_template_global(CONSEQUENCES.__getitem__, "consequence")
