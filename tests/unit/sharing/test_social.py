"""Share links: each network's own share intent, with the page URL and text encoded, (Mastodon's,
built in the browser from the instance the visitor types, is tested in Chromium:
tests/community/test_browser_member_page.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

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
    assert x.startswith("https://x.com/intent/tweet?")
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
