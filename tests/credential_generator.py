"""Seeded generator of Open Badges 3.0 credentials for the canonicalization differential test.

``credentials(seed, count)`` yields unsigned OB 3.0 credentials (OpenBadgeCredential or
AchievementCredential) that use every field of the data model at random: issuer profiles
with addresses, identifiers, images and parent organisations; achievements with criteria,
alignments, result descriptions (``allowedValue`` is an ``@list``), related achievements,
creators; results; evidence; embedded endorsement credentials (some with a proof, a
``@graph`` container); credentialSchema, credentialStatus, refreshService, termsOfUse,
relatedResource. Values are drawn to stress canonicalization: Unicode (astral, combining,
right-to-left), every control character, quotes and backslashes, language and direction
value objects, numbers (integers, floats, exponents, -0, integers past 2**64 and past 1e21),
booleans, nulls, nested arrays, many blank nodes, missing, relative, compact and blank-node
ids, terms only the VC 2.0 ``@vocab`` defines, and inline contexts with ``@json``,
``@language``, ``@list`` and ``@id``-typed terms.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
INLINE_CONTEXT = {
    "ex": "https://example.org/vocab#",
    "payload": {"@id": "https://example.org/vocab#payload", "@type": "@json"},
    "motto": {"@id": "https://example.org/vocab#motto", "@language": "la"},
    "steps": {"@id": "https://example.org/vocab#steps", "@container": "@list"},
    "seeAlso": {"@id": "https://example.org/vocab#seeAlso", "@type": "@id"},
    "kind": {"@id": "https://example.org/vocab#kind", "@type": "@vocab"},
    "weight": {"@id": "https://example.org/vocab#weight",
               "@type": "http://www.w3.org/2001/XMLSchema#double"},
}

TEXTS = [
    "Data Integrity 101", "", " ", "a\u0301 e\u0301 combining", "\U0001F600 astral \U0001D518",
    "עברית right to left", "العربية", "mixed \u202Eoverride\u202C", "quote \" and \\ backslash",
    "tab\tnew\nline\rcr", "\x00\x01\x07\x08\x0b\x0c\x0e\x1f\x7f controls", "\u2028\u2029 separators",
    "\ufeff BOM", "emoji family \U0001F468\u200D\U0001F469\u200D\U0001F467", "日本語のテキスト",
    "long " * 40, "ends with backslash \\", "\\u0041 not an escape", "<not> &amp; html",
]
NUMBERS = [0, 1, -1, 7, 2**31, 2**63, 2**64 + 1, 10**21, 10**22, -(10**21), 1.5, -0.0, 0.0,
           1e21, 1.0, 2.5e-7, 123456789.125, 1e300, -3.75, 0.1, 100.0]
IRIS = ["https://example.org/a", "urn:uuid:0e2c4bd4-1bd1-4e8e-9a92-1bb3b1b3b4a1",
        "did:example:123", "mailto:alice@example.edu", "https://例え.jp/パス?q=1#frag",
        "relative/path", "ex:compact", "unknownprefix:thing", "_:shared", "_:other", "",
        "https://example.org/with space", "http://example.org/%20encoded"]
LANGUAGES = ["en", "fr", "ar", "he", "en-US", "zh-Hant-TW", "EN-gb"]


class _Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.extensions = False

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def text(self) -> Any:
        r = self.r
        if self.chance(0.12):  # a language / direction value object
            value = {"@value": r.choice(TEXTS)}
            if self.chance(0.8):
                value["@language"] = r.choice(LANGUAGES)
            if self.chance(0.5):
                value["@direction"] = r.choice(["ltr", "rtl"])
            return value
        if self.chance(0.04):
            return [r.choice(TEXTS), {"@value": r.choice(TEXTS), "@language": "fr"}]
        return r.choice(TEXTS) + ("" if self.chance(0.6) else f" {r.randrange(10**6)}")

    def iri(self) -> str:
        if self.chance(0.8):
            return f"https://example.org/{self.r.choice(['a', 'b', 'c'])}/{self.r.randrange(50)}"
        return self.r.choice(IRIS)

    def node_id(self, node: dict) -> dict:
        roll = self.r.random()
        if roll < 0.55:
            node["id"] = self.iri()
        elif roll < 0.6:
            node["id"] = self.r.choice(["_:shared", "_:n1", "relative-id", "ex:node"])
        return node

    def image(self) -> Any:
        if self.chance(0.3):
            return self.iri()
        image = {"id": self.iri(), "type": "Image"}
        if self.chance(0.5):
            image["caption"] = self.text()
        return image

    def identifier_entry(self) -> dict:
        return {"type": "IdentifierEntry", "identifier": self.text(),
                "identifierType": self.r.choice(["sourcedId", "systemId", "ext:MyType",
                                                 "identifier"])}

    def profile(self, depth: int = 0) -> Any:
        if self.chance(0.15):
            return self.iri()
        profile = self.node_id({"type": self.r.choice([["Profile"], "Profile"])})
        for key in ("name", "description", "email", "phone", "familyName", "givenName"):
            if self.chance(0.4):
                profile[key] = self.text()
        if self.chance(0.4):
            profile["url"] = self.iri()
        if self.chance(0.3):
            profile["image"] = self.image()
        if self.chance(0.2):
            profile["address"] = self.node_id({
                "type": ["Address"], "addressCountry": self.text(),
                "addressLocality": self.text(), "postalCode": str(self.r.randrange(99999)),
                "geo": {"type": "GeoCoordinates", "latitude": self.r.choice(NUMBERS),
                        "longitude": self.r.choice(NUMBERS)}})
        if self.chance(0.3):
            profile["otherIdentifier"] = [self.identifier_entry()
                                          for _ in range(self.r.randrange(1, 4))]
        if self.chance(0.1):
            profile["dateOfBirth"] = "2000-01-01"
        if self.chance(0.1):
            profile["official"] = self.text()
        if depth == 0 and self.chance(0.15):
            profile["parentOrg"] = self.profile(depth + 1)
        return profile

    def alignment(self) -> dict:
        alignment = {"type": ["Alignment"], "targetName": self.text(), "targetUrl": self.iri()}
        for key in ("targetDescription", "targetFramework", "targetCode"):
            if self.chance(0.4):
                alignment[key] = self.text()
        if self.chance(0.3):
            alignment["targetType"] = self.r.choice(["CFItem", "ceterms:Credential", "ext:X"])
        return alignment

    def result_description(self) -> dict:
        description = self.node_id({"type": ["ResultDescription"], "name": self.text(),
                                    "resultType": self.r.choice(["GradePointAverage",
                                                                 "LetterGrade", "ext:Other"])})
        if self.chance(0.4):
            description["allowedValue"] = [self.r.choice(TEXTS)
                                           for _ in range(self.r.randrange(0, 4))]
        if self.chance(0.3):
            description["rubricCriterionLevel"] = [self.node_id({
                "type": ["RubricCriterionLevel"], "name": self.text(),
                "points": str(self.r.randrange(10))}) for _ in range(self.r.randrange(1, 3))]
        for key in ("valueMax", "valueMin", "requiredLevel"):
            if self.chance(0.3):
                description[key] = self.text() if key != "requiredLevel" else self.iri()
        return description

    def achievement(self) -> dict:
        r = self.r
        achievement = self.node_id({"type": r.choice([["Achievement"], "Achievement"]),
                                    "name": self.text(), "criteria": {"narrative": self.text()}})
        if self.chance(0.4):
            achievement["criteria"]["id"] = self.iri()
        if self.chance(0.6):
            achievement["description"] = self.text()
        if self.chance(0.5):
            achievement["achievementType"] = r.choice(["Badge", "Certificate", "ext:Thing",
                                                      "Competency"])
        if self.chance(0.5):
            achievement["image"] = self.image()
        if self.chance(0.6):
            achievement["alignment"] = [self.alignment() for _ in range(r.randrange(1, 6))]
        if self.chance(0.4):
            achievement["resultDescription"] = [self.result_description()
                                                for _ in range(r.randrange(1, 4))]
        if self.chance(0.5):
            achievement["tag"] = [r.choice(TEXTS) for _ in range(r.randrange(0, 4))]
            if self.chance(0.2):
                achievement["tag"].append([r.choice(TEXTS), [r.choice(TEXTS)]])  # nested
        if self.chance(0.3):
            achievement["creditsAvailable"] = r.choice(NUMBERS)
        for key in ("fieldOfStudy", "humanCode", "specialization", "version", "inLanguage"):
            if self.chance(0.25):
                achievement[key] = self.text() if key != "inLanguage" else r.choice(LANGUAGES)
        if self.chance(0.2):
            achievement["creator"] = self.profile(1)
        if self.chance(0.2):
            achievement["otherIdentifier"] = [self.identifier_entry()]
        if self.chance(0.15):
            achievement["related"] = [{"id": self.iri(), "type": ["Related"],
                                       "version": self.text()}]
        return achievement

    def subject(self) -> dict:
        r = self.r
        subject = {"type": r.choice([["AchievementSubject"], "AchievementSubject"])}
        if self.chance(0.6):
            subject["id"] = r.choice(["did:example:ebfeb1f712ebc6f1c276e12ec21",
                                      "mailto:x@example.org", self.iri()])
        if self.chance(0.7):
            subject["identifier"] = [{"type": "IdentityObject",
                                      "identityHash": "sha256$" + "%064x" % r.getrandbits(256),
                                      "identityType": r.choice(["emailAddress", "ext:x"]),
                                      "hashed": r.choice([True, False]),
                                      "salt": self.text()} for _ in range(r.randrange(1, 3))]
        subject["achievement"] = self.achievement()
        if self.chance(0.4):
            subject["result"] = [{"type": ["Result"], "value": self.text(),
                                  "status": r.choice(["Completed", "Enrolled"]),
                                  "resultDescription": self.iri(),
                                  "achievedLevel": self.iri()}
                                 for _ in range(r.randrange(1, 4))]
        for key in ("activityStartDate", "activityEndDate"):
            if self.chance(0.2):
                subject[key] = "2025-0%d-1%d" % (r.randrange(1, 9), r.randrange(10))
        if self.chance(0.3):
            subject["creditsEarned"] = r.choice(NUMBERS)
        for key in ("licenseNumber", "narrative", "role", "term"):
            if self.chance(0.2):
                subject[key] = self.text()
        if self.chance(0.15):
            subject["source"] = self.profile(1)
        if self.chance(0.15):
            subject["image"] = self.image()
        return subject

    def endorsement(self) -> dict:
        endorsement = {
            "@context": [VC2, OB3], "id": self.iri(),
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "issuer": self.profile(1), "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": self.iri(), "type": "EndorsementSubject",
                                  "endorsementComment": self.text()}}
        if self.chance(0.3):
            endorsement["proof"] = {"type": "DataIntegrityProof",
                                    "cryptosuite": "eddsa-rdfc-2022",
                                    "created": "2024-01-01T00:00:00Z",
                                    "verificationMethod": self.iri() + "#key-1",
                                    "proofPurpose": "assertionMethod",
                                    "proofValue": "z" + "%040x" % self.r.getrandbits(160)}
        return endorsement

    def credential(self) -> dict:
        r = self.r
        contexts: list[Any] = [VC2, OB3]
        credential: dict[str, Any] = {
            "@context": contexts,
            "type": ["VerifiableCredential",
                     r.choice(["OpenBadgeCredential", "AchievementCredential"])],
            "issuer": self.profile(), "validFrom": "2026-01-02T03:04:05Z",
            "credentialSubject": self.subject()}
        if self.chance(0.9):
            credential["id"] = r.choice(["urn:uuid:%032x" % r.getrandbits(128), self.iri()])
        if self.chance(0.5):
            credential["name"] = self.text()
        if self.chance(0.3):
            credential["description"] = self.text()
        if self.chance(0.3):
            credential["image"] = self.image()
        if self.chance(0.3):
            credential["awardedDate"] = "2026-01-02T03:04:05Z"
        if self.chance(0.4):
            credential["validUntil"] = "2027-01-02T03:04:05Z"
        if self.chance(0.3):
            credential["evidence"] = [self.node_id({
                "type": ["Evidence"], "narrative": self.text(), "name": self.text(),
                "genre": self.text(), "audience": self.text()})
                for _ in range(r.randrange(1, 4))]
        if self.chance(0.2):
            credential["endorsement"] = [self.endorsement() for _ in range(r.randrange(1, 3))]
        if self.chance(0.1):
            credential["endorsementJwt"] = ["eyJhbGciOiJFZERTQSJ9.e30.sig"]
        if self.chance(0.25):
            self.extensions = True
            credential["credentialSchema"] = [{
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                      "ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019"}]
        if self.chance(0.3):
            if self.chance(0.5):
                self.extensions = True
                credential["credentialStatus"] = {"id": self.iri(),
                                                  "type": "1EdTechRevocationList"}
            else:
                credential["credentialStatus"] = {
                    "id": self.iri() + "#7", "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation", "statusListIndex": str(r.randrange(10**5)),
                    "statusListCredential": self.iri()}
        if self.chance(0.15):
            self.extensions = True
            credential["refreshService"] = {"id": self.iri(), "type": "1EdTechCredentialRefresh"}
        if self.chance(0.15):
            credential["termsOfUse"] = [{"type": "TrustFrameworkPolicy", "id": self.iri(),
                                         "policyName": self.text()}]
        if self.chance(0.15):
            credential["relatedResource"] = [{"id": self.iri(),
                                              "digestSRI": "sha384-" + "A" * 64}]
        if self.chance(0.25):  # terms only the VC 2.0 @vocab defines
            credential["extraNumber"] = r.choice(NUMBERS)
            credential["extraFlag"] = r.choice([True, False, None])
            credential["extraList"] = [r.choice(NUMBERS), r.choice(TEXTS), [r.choice(NUMBERS)],
                                       True, None]
            credential["extraObject"] = {"nested": {"deeper": r.choice(TEXTS)}}
        if self.chance(0.15):
            contexts.append(INLINE_CONTEXT)
            credential["payload"] = r.choice([{"b": [1, 2.5, "x"], "a": None}, [3, 1],
                                              "text", 1e21, None, {"\u00e9": "\U0001F600"}])
            credential["motto"] = r.choice(TEXTS)
            credential["steps"] = [r.choice(TEXTS) for _ in range(r.randrange(0, 3))]
            credential["seeAlso"] = [self.iri(), r.choice(IRIS)]
            credential["kind"] = r.choice(["ex:Kind", "Kind", "https://example.org/k"])
            credential["weight"] = r.choice(NUMBERS + ["1.50", "abc"])
        if self.extensions:
            contexts.insert(2, EXTENSIONS)
        return credential


def credentials(seed: int, count: int) -> Iterator[dict[str, Any]]:
    """``count`` credentials, the same for the same seed."""
    for index in range(count):
        yield _Gen(seed * 1_000_003 + index).credential()


_FIXED_KEYS = ("@context", "type", "@type")


def same_shape(document: Any, seed: int) -> Any:
    """A copy of ``document`` with other leaf values of the same JSON kind (strings, numbers)
    everywhere except ``@context`` and ``type``: the same shape, so the same expansion plan,
    with different values (ids among them, drawn to include relative, compact and blank ones)."""
    r = random.Random(seed)

    def leaf(value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, str):
            return r.choice(IRIS) if r.random() < 0.3 else r.choice(TEXTS)
        if isinstance(value, int):
            return r.choice([n for n in NUMBERS if type(n) is int])
        if isinstance(value, float):
            return r.choice([n for n in NUMBERS if type(n) is float])
        return value

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: item if key in _FIXED_KEYS or key in ("@language", "@direction")
                    else walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return leaf(value)

    return walk(document)
