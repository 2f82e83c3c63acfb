"""The embeddable HTML snippet escapes everything and links only to web URLs."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from issuer.sharing.embed import embed_html

HOSTILE = "\"'><script>alert(1)</script>&amp;"


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def test_snippet_has_image_with_alt_name_issuer_and_link():
    html = embed_html(image_url="https://badges.example.edu/i/1.png", name="Data Integrity 101",
                      page_url="https://badges.example.edu/c/1", issuer_name="Example University")
    doc = parse(html)
    tags = dict(doc.tags)
    assert tags["a"]["href"] == "https://badges.example.edu/c/1"
    assert tags["a"]["rel"] == "noopener"
    assert tags["img"]["src"] == "https://badges.example.edu/i/1.png"
    assert tags["img"]["alt"] == "Data Integrity 101, issued by Example University"
    assert doc.text == ["Data Integrity 101", "Example University"]
    assert "<script" not in html and "style=" in html


def test_hostile_values_are_escaped_and_come_back_verbatim():
    url = "https://badges.example.edu/c/1?a=1&b=" + HOSTILE
    html = embed_html(image_url=url, name=HOSTILE, page_url=url, issuer_name=HOSTILE)
    assert "<script" not in html
    assert html.count("<") == html.count(">")
    doc = parse(html)
    assert [tag for tag, _ in doc.tags] == ["div", "a", "img", "div", "div"]
    tags = dict(doc.tags)
    assert tags["a"]["href"] == url and tags["img"]["src"] == url
    assert tags["img"]["alt"] == f"{HOSTILE}, issued by {HOSTILE}"
    assert doc.text == [HOSTILE, HOSTILE]


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:text/html,<b>", "/relative",
                                 "https://", "JAVASCRIPT://x"])
def test_only_absolute_web_urls_are_accepted(bad):
    with pytest.raises(ValueError):
        embed_html(image_url=bad, name="n", page_url="https://e.org/", issuer_name="i")
    with pytest.raises(ValueError):
        embed_html(image_url="https://e.org/i.png", name="n", page_url=bad, issuer_name="i")
