"""Private achievements: who may see a credential of an achievement marked *visible only to
its holder*.

Its credential page, JSON, download, baked images and QR codes answer 404 (not 403: nothing
tells a stranger the credential exists) to everyone but the signed-in holder (a member one
of whose verified addresses it was issued to) and the browser that opened its claim link.
They are never cached by shared caches. Verifying a copy the holder shares needs none of
these (``POST /credentials/verify`` checks the JSON it is given; the status lists stay
public), so it still works.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from issuer.community import members
from issuer.errors import NotFound
from issuer.models import IssuedCredential
from issuer.web.core import deps
from issuer.web.public import members as member_views

__all__ = ["PRIVATE_CACHE", "is_private", "may_see", "require_viewer", "seal"]

PRIVATE_CACHE = "private, no-store"


def is_private(row: IssuedCredential) -> bool:
    return bool(row.achievement.private)


def may_see(row: IssuedCredential) -> bool:
    """Whether the current request may see ``row``."""
    if not is_private(row):
        return True
    if member_views.claimed_ref() == (row.id, row.recipient_id):
        return True
    member = member_views.current_member()
    return member is not None and members.holds(deps.session(), member, row.recipient_id)


def require_viewer(row: IssuedCredential) -> IssuedCredential:
    """``row``, or a 404 for whoever may not see it."""
    if not may_see(row):  # exactly what an unknown id gets
        raise NotFound(f"no credential {row.id!r}")
    return row


def seal(row: IssuedCredential, response: Response) -> Response:
    """A private credential's response: never stored by shared caches, varies by cookie."""
    if is_private(row):
        response.headers["Cache-Control"] = PRIVATE_CACHE
        response.headers.pop("ETag", None)
        response.vary.add("Cookie")
    return response
