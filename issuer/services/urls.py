"""Public URLs of hosted documents, built from ISSUER_BASE_URL (the web routes match these)."""

from __future__ import annotations


def profile_url(base_url: str, slug: str) -> str:
    return f"{base_url}/issuers/{slug}"


def achievement_url(base_url: str, achievement_id: str) -> str:
    return f"{base_url}/achievements/{achievement_id}"


def credential_url(base_url: str, credential_id: str) -> str:
    return f"{base_url}/credentials/{credential_id}"


def image_url(base_url: str, image_id: str, content_type: str) -> str:
    extension = "svg" if content_type == "image/svg+xml" else "png"
    return f"{base_url}/images/{image_id}.{extension}"


def status_list_url(base_url: str, list_id: str) -> str:
    """A Bitstring Status List credential (revocation or suspension), served by web/status.py."""
    return f"{base_url}/status/{list_id}"


def exchange_url(base_url: str, exchange_id: str) -> str:
    """A wallet exchange (VC-API): POST {} to start, then the presentation (web/wallet)."""
    return f"{base_url}/exchanges/{exchange_id}"


def interaction_url(base_url: str, exchange_id: str) -> str:
    """The VCALM interaction URL of an exchange (``iuv=1``: interaction URL version 1)."""
    return f"{exchange_url(base_url, exchange_id)}?iuv=1"


def lcw_request_url(base_url: str, exchange_id: str) -> str:
    """Where Learner Credential Wallet posts its DIDAuth presentation (``vc_request_url``)."""
    return f"{exchange_url(base_url, exchange_id)}/lcw"
