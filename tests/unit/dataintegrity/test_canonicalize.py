import copy
import json

import pyld.canon
import pyld.nquads
import pytest

from issuer.dataintegrity.canonicalize import (
    canonicalize,
    escape_literal,
    find_undefined_terms,
)
from tests.helpers import IMPL_GUIDE, W3C, load_json

OB_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def test_w3c_vector_document_canonical_form(w3c_loader):
    unsigned = load_json(W3C / "unsigned.json")
    expected = (W3C / "eddsa-rdfc-2022" / "canonDocDataInt.txt").read_text("utf-8")
    assert canonicalize(unsigned, loader=w3c_loader) == expected


def test_1edtech_vector_document_canonical_form():
    unsigned = load_json(IMPL_GUIDE / "unsigned-credential.json")
    expected = (IMPL_GUIDE / "document-canon.txt").read_text("utf-8")
    assert canonicalize(unsigned) == expected


# RDFC-1.0 §4.3 "Canonical N-Quads": ECHAR for these, UCHAR (upper-case hex) for the other
# control characters, everything else verbatim.
ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


@pytest.mark.parametrize("code", [*range(0x20), 0x7F])
def test_every_control_character_is_escaped_as_rdfc_requires(code):
    char = chr(code)
    expected = ECHAR.get(char, f"\\u{code:04X}")
    assert escape_literal(char) == expected


@pytest.mark.parametrize("text", ["plain", "é ü 😀", "\u0080\u00a0", "a'b", "\u2028"])
def test_other_characters_are_written_verbatim(text):
    assert escape_literal(text) == text


def test_canonical_nquads_escape_control_characters_in_literals():
    document = {
        "@context": {"name": "https://schema.org/name"},
        "@id": "urn:example:1",
        "name": "bell\u0007 backspace\b formfeed\f vt\u000b del\u007f tab\t nl\n",
    }
    assert canonicalize(document) == (
        '<urn:example:1> <https://schema.org/name> '
        '"bell\\u0007 backspace\\b formfeed\\f vt\\u000B del\\u007F tab\\t nl\\n" .\n'
    )


def test_control_characters_change_blank_node_hashes_like_rdfc_does():
    # Two blank nodes whose only difference is a control character: their canonical labels
    # come from hashes over the *escaped* N-Quads, so the escaping must be right there too.
    document = {
        "@context": {"name": "https://schema.org/name", "knows": "https://schema.org/knows"},
        "@id": "urn:example:root",
        "knows": [{"name": "x\u0001"}, {"name": "x\u0002"}],
    }
    lines = canonicalize(document).splitlines()
    assert '_:c14n0 <https://schema.org/name> "x\\u0001" .' in lines or \
        '_:c14n1 <https://schema.org/name> "x\\u0001" .' in lines
    assert all("\u0001" not in line and "\u0002" not in line for line in lines)


def test_pyld_itself_is_not_patched():
    # Our serializer is injected into a copy of pyld's algorithm, not into pyld.
    assert pyld.canon.serialize_nquad is pyld.nquads.serialize_nquad


def test_relative_iris_are_not_resolved_against_a_made_up_base():
    document = {"@context": {"knows": {"@id": "https://schema.org/knows", "@type": "@id"}},
                "@id": "urn:example:1", "knows": "relative/path"}
    assert "example.org/base" not in canonicalize(document)


# --- undefined terms ("safe mode") ------------------------------------------------------------

def ob_credential():
    return load_json(IMPL_GUIDE / "unsigned-credential.json")


def test_a_clean_credential_has_no_undefined_terms():
    assert find_undefined_terms(ob_credential()) == []


def test_undefined_top_level_property_is_named():
    document = ob_credential()
    document["favouriteColour"] = "blue"
    assert find_undefined_terms(document) == ["favouriteColour"]


def test_undefined_nested_property_is_named():
    document = ob_credential()
    document["credentialSubject"]["achievement"]["difficulty"] = "hard"
    assert find_undefined_terms(document) == ["difficulty"]


def test_undefined_type_value_is_named():
    document = ob_credential()
    document["type"].append("ShinyCredential")
    assert find_undefined_terms(document) == ["type ShinyCredential"]


def test_vc_v1_property_under_v2_context_is_undefined():
    document = ob_credential()
    document["issuanceDate"] = "2010-01-01T00:00:00Z"
    assert find_undefined_terms(document) == ["issuanceDate"]


def test_relative_id_is_reported():
    document = ob_credential()
    document["credentialSubject"]["achievement"]["id"] = "teamwork"
    assert find_undefined_terms(document) == ["id 'teamwork' (not an absolute IRI)"]


def test_1edtech_types_without_extensions_context_are_undefined():
    document = ob_credential()
    document["credentialSchema"] = [{
        "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
        "type": "1EdTechJsonSchemaValidator2019",
    }]
    assert find_undefined_terms(document) == ["type 1EdTechJsonSchemaValidator2019"]
    document["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    assert find_undefined_terms(document) == []


def test_a_context_with_its_own_vocab_defines_every_term(w3c_loader):
    document = load_json(W3C / "unsigned.json")
    assert find_undefined_terms(document, loader=w3c_loader) == []


def test_check_does_not_modify_the_document():
    document = ob_credential()
    document["x"] = 1
    before = copy.deepcopy(document)
    find_undefined_terms(document)
    assert document == before
    assert json.dumps(document) == json.dumps(before)


def test_canonicalization_is_safe_from_several_threads_at_once():
    # pyld's context caches are process-wide and unlocked: unserialized, 8 threads doing this
    # failed most runs with KeyError or "OrderedDict mutated during iteration" (thread
    # workers issuing in parallel hit it too).
    from concurrent.futures import ThreadPoolExecutor

    from tests.hostile import large_open_badge

    documents = [large_open_badge(alignments=3 + n % 5, results=n % 3) for n in range(8)]
    expected = [canonicalize(document) for document in documents]

    def work(n: int) -> bool:
        return all(find_undefined_terms(documents[n]) == [] and
                   canonicalize(documents[n]) == expected[n] for _ in range(40))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(8)))
