"""LinkedIn links, parsed back field by field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from issuer.sharing.linkedin import add_to_profile_url, share_url

ISSUED = datetime(2026, 3, 15, 9, 30, tzinfo=timezone.utc)
CERT_URL = "https://badges.example.edu/credentials/1?lang=fr&x=a b#frag"


def parsed(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return base, parse_qs(parts.query, strict_parsing=True)


def test_add_to_profile_carries_every_field():
    url = add_to_profile_url(
        name="Data & Integrity 101: ünïcode, +plus, 100% #1",
        organization_name="Example University (Faculty of Science)",
        issued=ISSUED,
        expires=datetime(2028, 12, 31, 23, 0, tzinfo=timezone.utc),
        cert_url=CERT_URL,
        cert_id="urn:uuid:0f3b1c2e-5d4a-4e6f-8a7b-9c0d1e2f3a4b",
    )
    base, query = parsed(url)
    assert base == "https://www.linkedin.com/profile/add"
    assert query == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Data & Integrity 101: ünïcode, +plus, 100% #1"],
        "organizationName": ["Example University (Faculty of Science)"],
        "issueYear": ["2026"],
        "issueMonth": ["3"],
        "expirationYear": ["2028"],
        "expirationMonth": ["12"],
        "certUrl": [CERT_URL],
        "certId": ["urn:uuid:0f3b1c2e-5d4a-4e6f-8a7b-9c0d1e2f3a4b"],
    }
    assert " " not in url and "#" not in url


def test_organization_id_replaces_the_name_and_no_expiry_sends_no_expiration():
    _, query = parsed(add_to_profile_url(
        name="Badge", organization_name="Example University", issued=ISSUED, expires=None,
        cert_url=CERT_URL, cert_id="42", organization_id="1337"))
    assert query["organizationId"] == ["1337"]
    assert "organizationName" not in query
    assert "expirationYear" not in query and "expirationMonth" not in query


def test_months_are_taken_in_utc():
    late_new_year = datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    _, query = parsed(add_to_profile_url(
        name="Badge", organization_name="Org", issued=late_new_year, expires=None,
        cert_url=CERT_URL, cert_id="1"))
    assert (query["issueYear"], query["issueMonth"]) == (["2025"], ["12"])


@pytest.mark.parametrize("field", ["name", "organization_name", "cert_url", "cert_id"])
def test_required_fields_must_not_be_blank(field):
    values = dict(name="Badge", organization_name="Org", issued=ISSUED, expires=None,
                  cert_url=CERT_URL, cert_id="1")
    values[field] = " "
    with pytest.raises(ValueError, match=field):
        add_to_profile_url(**values)


def test_share_url():
    base, query = parsed(share_url(CERT_URL))
    assert base == "https://www.linkedin.com/sharing/share-offsite/"
    assert query == {"url": [CERT_URL]}
