"""LinkedIn links: "Add to profile" (a certification) and "Share" for a public badge page.

The add-to-profile link pre-fills LinkedIn's certification form; the member still confirms it.
Parameters per LinkedIn's "Add to Profile for Certifications" documentation: startTask,
name, organizationId (a LinkedIn company id) or organizationName, issueYear/issueMonth,
expirationYear/expirationMonth, certUrl, certId. Months are 1–12, in UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote, urlencode

__all__ = ["ADD_TO_PROFILE", "SHARE", "add_to_profile_url", "share_url"]

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
SHARE = "https://www.linkedin.com/sharing/share-offsite/"


def _utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError("dates must be datetime values")
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment


def _required(value: str | None, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return value


def add_to_profile_url(
    *,
    name: str,
    organization_name: str,
    issued: datetime,
    expires: datetime | None,
    cert_url: str,
    cert_id: str,
    organization_id: str | None = None,
) -> str:
    """A link that opens LinkedIn's "Add licence or certification" form, filled in.

    With ``organization_id`` (the issuer's LinkedIn company page id) LinkedIn links the
    certification to that page and ``organizationName`` is not sent.
    """
    params: list[tuple[str, str]] = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", _required(name, "name")),
    ]
    if organization_id:
        params.append(("organizationId", organization_id))
    else:
        params.append(("organizationName", _required(organization_name, "organization_name")))
    issued = _utc(issued)
    params += [("issueYear", str(issued.year)), ("issueMonth", str(issued.month))]
    if expires is not None:
        expires = _utc(expires)
        params += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    params += [
        ("certUrl", _required(cert_url, "cert_url")),
        ("certId", _required(cert_id, "cert_id")),
    ]
    return f"{ADD_TO_PROFILE}?{urlencode(params, quote_via=quote)}"


def share_url(url: str) -> str:
    """A link that opens LinkedIn's share dialog for ``url`` (it reads the page's Open Graph
    tags for the preview)."""
    return f"{SHARE}?{urlencode([('url', _required(url, 'url'))], quote_via=quote)}"
