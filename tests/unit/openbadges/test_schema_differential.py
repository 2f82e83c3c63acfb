"""The compiled validator (jsonschema-rs) gives the verdict of the reference (python-jsonschema)
on every JSON document we have (tests/vectors, issued credentials) and on invalid variants
generated from them: a key removed, a value of the wrong type, dates well and badly formed,
a VC 2.0 array of status entries (issue 13)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from issuer.openbadges import schema_validation as sv

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
SCHEMAS = (sv.ACHIEVEMENT_CREDENTIAL, sv.ACHIEVEMENT_CREDENTIAL_STRICT, sv.ENDORSEMENT_CREDENTIAL,
           sv.ENDORSEMENT_CREDENTIAL_STRICT, sv.PROFILE)
# Strings placed where a value was: dates (RFC 3339 edge cases), URLs, junk.
STRINGS = ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00.123456789+05:30", "2020-01-01t00:00:00z",
           "2016-12-31T23:59:60Z", "2020-02-30T00:00:00Z", "2020-01-01T24:00:00Z",
           "2020-01-01 00:00:00Z", "2020-01-01T00:00:00", "2020-01-01T00:00:00+0530",
           "2020-01-01", "2020-13-01", "2020-1-01", "20200101", "", "https://example.org/x",
           "urn:uuid:1", "not a date", "é\u0000")
VALUES: tuple[Any, ...] = (None, True, 0, 1.5, 1.0, -3, 10**30, [], {}, ["x"], [{}], {"id": 1},
                           {"type": "Image"}, {"id": "https://example.org/i", "type": ["Image"]})


def documents() -> list[tuple[str, Any]]:
    found = []
    for path in sorted([*VECTORS.rglob("*.json"), *VECTORS.rglob("*.jsonld")]):
        try:
            document = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        found.append((str(path.relative_to(VECTORS)), document))
    return found


def slots(node: Any, path: tuple = ()) -> list[tuple]:
    """Every path to a value inside ``node`` (dict keys and list indexes)."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += slots(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += slots(value, (*path, index))
    return found


def mutate(document: Any, path: tuple, rng: random.Random) -> Any:
    """A copy of ``document`` with the value at ``path`` removed, replaced or wrapped."""
    changed = copy.deepcopy(document)
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    choice = rng.randrange(5)
    if choice == 0:
        del parent[last]
    elif choice == 1:
        parent[last] = rng.choice(STRINGS)
    elif choice == 2:
        parent[last] = copy.deepcopy(rng.choice(VALUES))
    elif choice == 3:
        parent[last] = [parent[last]]
    else:
        parent[last] = [parent[last], copy.deepcopy(parent[last])]
    return changed


def variants(document: Any, rng: random.Random, count: int) -> list[Any]:
    """``count`` single mutations and ``count // 4`` double ones (wrong in two places)."""
    paths = slots(document)
    if not paths:
        return []
    found = [mutate(document, rng.choice(paths), rng) for _ in range(count)]
    for _ in range(count // 4):
        once = mutate(document, rng.choice(paths), rng)
        found.append(mutate(once, rng.choice(slots(once)), rng) if slots(once) else once)
    return found


def reference_valid(document: Any, name: str) -> bool:
    return not any(True for _ in sv.validator(name).iter_errors(document))


def assert_same(document: Any, where: str) -> int:
    compared = 0
    for name in SCHEMAS:
        compiled = sv.is_valid(document, name)
        assert compiled is not None, where
        assert compiled == reference_valid(document, name), (where, name, document)
        assert (sv.validate(document, name) == []) == compiled, (where, name)
        compared += 1
    return compared


def test_every_vector_gets_the_reference_verdict():
    docs = documents()
    assert len(docs) > 150
    verdicts = set()
    for where, document in docs:
        assert_same(document, where)
        verdicts.add(sv.is_valid(document, sv.ACHIEVEMENT_CREDENTIAL))
    assert verdicts == {True, False}  # both kinds are in the corpus


@pytest.mark.parametrize("seed", range(4))
def test_generated_variants_get_the_reference_verdict(seed):
    rng = random.Random(seed)
    docs = [(where, doc) for where, doc in documents()
            if isinstance(doc, dict) and "credentialSubject" in doc]
    compared = invalid = 0
    for where, document in rng.sample(docs, 25):
        for variant in variants(document, rng, 24):
            compared += assert_same(variant, where)
            invalid += not sv.is_valid(variant, sv.ACHIEVEMENT_CREDENTIAL)
    assert compared > 2500 and invalid > 300


def test_status_arrays_are_checked_entry_by_entry_in_one_pass():
    """validate_each_status: one compiled pass says what the entry-by-entry reference says."""
    rng = random.Random(7)
    docs = [doc for _, doc in documents()
            if isinstance(doc, dict) and isinstance(doc.get("credentialStatus"), dict)]
    assert docs
    for document in docs:
        entry = document["credentialStatus"]
        for second in (entry, {**entry, "statusPurpose": "suspension"}, {"id": 5}, "x",
                       *(mutate({"e": entry}, path, rng)["e"]
                         for path in slots({"e": entry})[1:] or [("e",)])):
            both = {**document, "credentialStatus": [entry, second]}
            expected = all(reference_valid({**document, "credentialStatus": e},
                                           sv.ACHIEVEMENT_CREDENTIAL) for e in (entry, second))
            assert sv.is_valid(both, sv.ACHIEVEMENT_CREDENTIAL, each_status=True) == expected
            assert (sv.validate_credential(both) == []) == expected


def test_messages_are_the_references_path_and_message():
    valid = [doc for _, doc in documents() if sv.is_valid(doc, sv.ACHIEVEMENT_CREDENTIAL)]
    bad = {**valid[0], "validFrom": "2020-13-01", "issuer": 5}
    errors = sv.validate(bad, sv.ACHIEVEMENT_CREDENTIAL)
    assert "$.validFrom: '2020-13-01' is not a 'date-time'" in [str(e) for e in errors]
    assert any(e.path == "$.issuer" for e in errors)


@pytest.mark.parametrize("document", [
    {"id": "https://example.org/p", "type": ["Profile"], "name": "\ud800"},
    {"id": "\udfff", "type": ["Profile"]},
    {"id": "https://example.org/p", "type": ["Profile"], "\ud800": 1},
    {"id": "https://example.org/p", "type": ["Profile"], "email": ["\ud800"]},
])
def test_a_lone_surrogate_gets_the_reference_verdict(document):
    """Strings Rust cannot hold: the compiled validator decides or leaves it to the reference,
    and either way the verdict is the reference's."""
    assert (sv.validate(document, sv.PROFILE) == []) == reference_valid(document, sv.PROFILE)


def test_nothing_is_fetched_for_a_schema():
    import jsonschema_rs

    with pytest.raises(jsonschema_rs.ValidationError, match="never fetched"):
        jsonschema_rs.validator_for({"$ref": "https://example.invalid/schema.json"},
                                    retriever=sv.refuse_retrieval)
