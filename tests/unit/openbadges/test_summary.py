"""summarize: what a person sees of any credential, read defensively; never the email."""

from __future__ import annotations

import pytest

from issuer.openbadges.summary import summarize
from tests.helpers import OB3_EXAMPLES, load_json


def test_an_open_badge_summarised():
    document = load_json(OB3_EXAMPLES / "1edtech-validator-ob30" / "simple.json")
    summary = summarize(document)
    assert summary.name == document["credentialSubject"]["achievement"]["name"]
    assert summary.issuer_id == document["issuer"]["id"]
    assert summary.valid_from and summary.valid_from.endswith("UTC")
    assert summary.credential_id == document["id"]


def test_the_recipient_is_named_never_identified():
    document = {
        "credentialSubject": {
            "name": "Ann", "achievement": {"name": "Badge"},
            "identifier": [{"identityHash": "ann@example.org", "hashed": False}]},
        "issuer": "did:example:1", "validFrom": "2026-01-02T03:04:05+01:00",
    }
    summary = summarize(document)
    assert summary.recipient_name == "Ann"
    assert "ann@example.org" not in repr(summary)
    assert summary.issuer_id == "did:example:1" and summary.issuer_name is None
    assert summary.valid_from == "2026-01-02 02:04 UTC"


@pytest.mark.parametrize(("image", "shown"), [
    ({"id": "https://x.example/b.png", "type": "Image"}, "https://x.example/b.png"),
    ("https://x.example/b.svg", "https://x.example/b.svg"),
    ("data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo="),
    ("javascript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ({"id": 5}, None),
    ("https://x.example/a b.png", None),
])
def test_only_safe_images_are_kept(image, shown):
    assert summarize({"credentialSubject": {"achievement": {"image": image}}}).image_url == shown


@pytest.mark.parametrize("document", [None, [], "x", 5, {}, {"credentialSubject": [[]]},
                                      {"credentialSubject": {"achievement": [5]}},
                                      {"issuer": {"name": {"en": "Uni"}}, "validFrom": 7}])
def test_garbage_gives_an_empty_summary_not_an_error(document):
    summary = summarize(document)
    assert summary.name is None


def test_long_texts_are_cut():
    summary = summarize({"name": "x" * 5000})
    assert len(summary.name) == 500 and summary.name.endswith("…")
