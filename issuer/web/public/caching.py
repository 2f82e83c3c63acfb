"""How long browsers and shared caches may keep each public document (issue 13, item 4),
and the strong ETag every one of them carries (If-None-Match gets a 304). The policy, by
how the bytes behind a URL can change (the README's "Caching" table says the same):

* content-addressed (the URL names the bytes): stored images ``/images/<id>``, forever;
* fixed by the URL alone: QR codes of a credential's page, a day;
* images whose source can change (a new badge image or design, a renamed achievement): the
  achievement's ``badge.png``/``.svg`` and a credential's baked badges, five minutes, then
  a revalidation (a 304 that costs one stored-row read);
* documents verifiers act on, where a change must show at once: DID documents and issuer
  profiles (key rotation and revocation): ``no-cache`` (revalidate every use); status lists
  keep their own minute (issuer/web/public/status_lists.py);
* documents that do not change once made: a credential's JSON-LD (its bytes are fixed; only
  its visibility can change), an achievement's JSON-LD: five minutes.

Pages (HTML) show live state (a credential's verdict, a member's badges) and are
``no-cache`` without an ETag. Private credentials' responses are sealed (visibility.seal:
``private, no-store``, no ETag) whatever this says.
"""

from __future__ import annotations

import hashlib

from flask import Response, request

IMMUTABLE = "public, max-age=31536000, immutable"
QR_CODE = "public, max-age=86400"
CHANGING_IMAGE = "public, max-age=300"
LIVE_DOCUMENT = "public, no-cache"
FIXED_DOCUMENT = "public, max-age=300"
PAGE = "no-cache"


def conditional(response: Response, cache_control: str) -> Response:
    """``response`` with ``cache_control``, a strong ETag of its bytes, and a 304 for an
    If-None-Match that names it."""
    response.headers["Cache-Control"] = cache_control
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    return response.make_conditional(request)
