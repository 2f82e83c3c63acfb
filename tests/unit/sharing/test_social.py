"""Share links: each network's own share intent, with the page URL and text encoded, and
Mastodon's intent only on something that is a host name."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from issuer.sharing import social

URL = "https://badges.example.org/members/ada-lovelace"


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_every_network_gets_the_url_and_title():
    links = {link.id: link for link in social.share_links(url=URL, title="Ada & co — 3 badges")}
    assert list(links) == ["share-linkedin", "share-x", "share-bluesky", "share-facebook",
                           "share-email"]
    assert links["share-linkedin"].href.startswith(
        "https://www.linkedin.com/sharing/share-offsite/?")
    assert _query(links["share-linkedin"].href)["url"] == [URL]
    x = links["share-x"].href
    assert x.startswith("https://x.com/intent/post?")
    assert _query(x) == {"text": ["Ada & co — 3 badges"], "url": [URL]}
    assert _query(links["share-bluesky"].href)["text"] == [f"Ada & co — 3 badges {URL}"]
    assert links["share-bluesky"].href.startswith("https://bsky.app/intent/compose?")
    assert _query(links["share-facebook"].href) == {"u": [URL]}
    mail = links["share-email"].href
    assert mail.startswith("mailto:?") and "&" not in mail.split("?", 1)[1].replace("&body", "")
    assert _query(mail) == {"subject": ["Ada & co — 3 badges"],
                            "body": [f"Ada & co — 3 badges {URL}"]}


def test_long_titles_are_shortened_to_fit_a_post():
    text = social.share_text("word " * 200, URL)
    assert len(text) <= social.MAX_TEXT and text.endswith(f"… {URL}")


@pytest.mark.parametrize("typed, host", [
    ("mastodon.social", "mastodon.social"),
    ("https://Fosstodon.org/", "fosstodon.org"),
    ("@ann@hachyderm.io", "hachyderm.io"),
    ("social.example.org:8443", "social.example.org:8443"),
])
def test_mastodon_instances(typed, host):
    href = social.mastodon_share_url(typed, f"Ada {URL}")
    assert href.startswith(f"https://{host}/share?") and _query(href) == {"text": [f"Ada {URL}"]}


@pytest.mark.parametrize("typed", ["", "javascript:alert(1)", "evil.example/path",
                                   "localhost", "http://x.y/", "a b.org", "-bad.org",
                                   "x." + "a" * 300 + ".org"])
def test_mastodon_refuses_what_is_not_a_host_name(typed):
    assert social.mastodon_share_url(typed, "text") is None
