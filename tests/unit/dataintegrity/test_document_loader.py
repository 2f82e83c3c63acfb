import hashlib
import json

import pytest
from pyld import jsonld

from issuer.dataintegrity.document_loader import (
    DEFAULT_LOADER,
    StaticDocumentLoader,
    context_bytes,
    context_files,
)
from issuer.errors import DocumentLoaderError
from tests.helpers import VECTORS, load_json

# Digests published in the W3C RECs (VC DM 2.0, VC DM 1.1, Data Integrity 1.0, BSL 1.0) and
# of the other sources; the whole digests are in tests/vectors/contexts-manifest.json.
PUBLISHED_SHA256_PREFIX = {
    "https://www.w3.org/ns/credentials/v2": "59955ced6697d61e",
    "https://www.w3.org/2018/credentials/v1": "ab4ddd9a53175880",
    "https://w3id.org/security/data-integrity/v2": "67f21e6e33a6c14e",
    "https://w3id.org/security/multikey/v1": "ba2c182de2d92f7e",
    "https://www.w3.org/ns/credentials/status/v1": "fda5add353231e6a",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ef2fa9c7846dce23",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "146f85aa16effd7c",
    "https://www.w3.org/ns/did/v1": "adefa50311393eb1",
    "https://w3id.org/security/suites/ed25519-2020/v1": "b9e1ab971fd8bf2c",
}

MANIFEST = {entry["file"]: entry
            for entry in load_json(VECTORS / "contexts-manifest.json")["contexts"]}


@pytest.mark.parametrize("url", sorted(PUBLISHED_SHA256_PREFIX))
def test_vendored_context_bytes_match_published_digest(url):
    assert hashlib.sha256(context_bytes(url)).hexdigest().startswith(PUBLISHED_SHA256_PREFIX[url])


@pytest.mark.parametrize("url", sorted(context_files()))
def test_every_vendored_context_is_byte_exact_by_its_recorded_digest(url):
    entry = MANIFEST[context_files()[url]]
    assert url in entry["urls"]
    assert hashlib.sha256(context_bytes(url)).hexdigest() == entry["sha256"]
    if url in PUBLISHED_SHA256_PREFIX:
        assert entry["sha256"].startswith(PUBLISHED_SHA256_PREFIX[url])


def test_the_manifest_records_exactly_the_vendored_files():
    assert set(MANIFEST) == set(context_files().values())
    assert sorted(url for entry in MANIFEST.values() for url in entry["urls"]) == sorted(
        context_files())


def test_loader_serves_parsed_context_as_remote_document():
    remote = DEFAULT_LOADER("https://www.w3.org/ns/credentials/v2", {})
    assert remote["documentUrl"] == "https://www.w3.org/ns/credentials/v2"
    assert remote["document"] == json.loads(context_bytes("https://www.w3.org/ns/credentials/v2"))


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/never-fetched-context.jsonld",
        "http://www.w3.org/ns/credentials/v2",  # http, not the canonical https URL
        "https://www.w3.org/ns/credentials/v2/",
        "file:///etc/passwd",
    ],
)
def test_loader_refuses_every_other_url_with_a_clear_error(url):
    with pytest.raises(DocumentLoaderError, match="never fetched from the network"):
        DEFAULT_LOADER(url, {})


def test_expansion_with_an_unknown_context_fails_instead_of_fetching():
    document = {"@context": ["https://unknown.example/ctx-for-loader-test"], "name": "x"}
    with pytest.raises(jsonld.JsonLdError) as caught:
        jsonld.expand(document, {"documentLoader": DEFAULT_LOADER})
    assert isinstance(caught.value.__cause__, DocumentLoaderError)
    assert "unknown.example" in str(caught.value.__cause__)


def test_extra_documents_are_served_and_do_not_leak_into_the_default_loader():
    extra = StaticDocumentLoader({"https://example.org/extra-ctx": {"@context": {}}})
    assert extra.load("https://example.org/extra-ctx") == {"@context": {}}
    with pytest.raises(DocumentLoaderError):
        DEFAULT_LOADER.load("https://example.org/extra-ctx")
