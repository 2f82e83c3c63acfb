"""The OB 3.0 Service Description Document (OB 3.0 §6.2.1, ``GET /ims/ob/v3p0/discovery``):
the vendored 1EdTech OpenAPI file, profiled for this server: its ``servers``, the ``info``
``x-imssf-*`` members, and the OAuth2ACG security scheme with the registration,
authorization, token and refresh URLs and the OB scopes."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from issuer.services import obapi_oauth as oauth

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "schemas" / "imsob_v3p0.openapi.json"
API_PATH = "/ims/ob/v3p0"


@lru_cache(maxsize=1)
def openapi() -> dict[str, Any]:
    """The 1EdTech OpenAPI file as published (read once; callers copy before changing)."""
    return json.loads(OPENAPI_FILE.read_text("utf-8"))


def service_description(*, base_url: str, title: str, terms_url: str, privacy_url: str,
                        registration_url: str, authorization_url: str, token_url: str,
                        image_url: str | None = None) -> dict[str, Any]:
    document = copy.deepcopy(openapi())
    document["servers"] = [{"url": base_url + API_PATH, "description": title}]
    info = document["info"]
    info["title"] = title
    info["termsOfService"] = terms_url
    info["x-imssf-privacyPolicyUrl"] = privacy_url
    if image_url:
        info["x-imssf-image"] = image_url
    document["components"]["securitySchemes"] = {"OAuth2ACG": {
        "type": "oauth2",
        "description": "OAuth 2.0 authorization code grant with PKCE (S256); clients "
                       "register dynamically (RFC 7591).",
        "x-imssf-registrationUrl": registration_url,
        "flows": {"authorizationCode": {
            "authorizationUrl": authorization_url,
            "tokenUrl": token_url,
            "refreshUrl": token_url,
            "scopes": dict(oauth.SCOPES),
        }},
    }}
    return document
