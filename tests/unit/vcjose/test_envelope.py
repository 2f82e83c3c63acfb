"""Enveloped credentials and presentations (VC DM 2.0 §4.13) around a JWS."""

import re

import pytest

from issuer.vcjose import envelope

TOKEN = "eyJhbGciOiJFZERTQSJ9.e30.c2ln"


def test_an_enveloped_credential_and_presentation_round_trip():
    credential = envelope.enveloped_credential(TOKEN)
    assert credential == {"@context": ["https://www.w3.org/ns/credentials/v2"],
                          "type": "EnvelopedVerifiableCredential",
                          "id": f"data:application/vc+jwt,{TOKEN}"}
    assert envelope.open_envelope(credential) == envelope.Envelope(
        "vc", "application/vc+jwt", TOKEN)
    presentation = envelope.open_envelope(envelope.enveloped_presentation(TOKEN))
    assert (presentation.kind, presentation.token) == ("vp", TOKEN)


@pytest.mark.parametrize("document", [None, "text", {}, {"type": "VerifiableCredential"},
                                      {"type": ["VerifiableCredential"], "id": "data:,x"}])
def test_what_is_no_envelope_is_none(document):
    assert envelope.open_envelope(document) is None


@pytest.mark.parametrize("identifier, kind", [
    (f"data:application/vc-ld+jwt,{TOKEN}", "vc"),
    (f"data:application/jwt,{TOKEN}", "vc"),
    (f"data:Application/VC+JWT,{TOKEN}", "vc"),
    (f"data:application/vc+jwt, {TOKEN}\n", "vc"),
])
def test_other_spellings_of_a_jws_envelope(identifier, kind):
    found = envelope.open_envelope({"type": ["EnvelopedVerifiableCredential"], "id": identifier})
    assert (found.kind, found.token) == (kind, TOKEN)


@pytest.mark.parametrize("identifier, message", [
    (None, "not a data: URL"),
    ("https://example.org/credential", "not a data: URL"),
    ("data:application/vc+sd-jwt,abc~", "carries application/vc+sd-jwt; only JWS"),
    ("data:application/vc+cose;base64,AAAA", "carries application/vc+cose"),
    (f"data:application/vc+jwt;base64,{TOKEN}", "not base64-encoded"),
    (f"data:application/vp+jwt,{TOKEN}", "carrying application/vp+jwt"),
    ("data:application/vc+jwt,", "empty"),
])
def test_envelopes_we_cannot_open(identifier, message):
    with pytest.raises(envelope.EnvelopeError, match=re.escape(message)):
        envelope.open_envelope({"type": "EnvelopedVerifiableCredential", "id": identifier})
