"""Share links for a public page (a credential's, a member's): LinkedIn, X, Mastodon,
Bluesky, Facebook and email. Plain links to each network's own share intent: no third-party
script, no tracking pixel, nothing loaded until the visitor clicks.

Mastodon has no central site: the visitor names their instance in a small form, and
``static/share.js`` opens ``https://<instance>/share?text=…`` (Mastodon's own share intent,
the same one toot.kytta.dev redirects to), remembering the instance in the browser only.
The instance is never sent to us, and we redirect nowhere (no open redirect).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from issuer.sharing import linkedin

__all__ = ["ShareLink", "share_links", "share_text"]

MAX_TEXT = 280


@dataclass(frozen=True)
class ShareLink:
    id: str  # share-linkedin, share-x…
    label: str
    href: str


def _query(params: list[tuple[str, str]]) -> str:
    return urlencode(params, quote_via=quote)


def share_text(title: str, url: str) -> str:
    """The post's text: the title (shortened to fit) and the URL."""
    room = MAX_TEXT - len(url) - 1
    title = " ".join((title or "").split())
    if len(title) > room:
        title = title[: max(room - 1, 0)].rstrip() + "…"
    return f"{title} {url}".strip()


def share_links(*, url: str, title: str) -> list[ShareLink]:
    """The links, in the order shown (Mastodon's is a form: see the module docstring)."""
    text = share_text(title, url)
    return [
        ShareLink("share-linkedin", "LinkedIn", linkedin.share_url(url)),
        ShareLink("share-x", "X", "https://x.com/intent/tweet?" + _query(
            [("text", title), ("url", url)])),
        ShareLink("share-bluesky", "Bluesky", "https://bsky.app/intent/compose?" + _query(
            [("text", text)])),
        ShareLink("share-facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?"
                  + _query([("u", url)])),
        ShareLink("share-email", "Email", "mailto:?" + _query(
            [("subject", title), ("body", text)])),
    ]
