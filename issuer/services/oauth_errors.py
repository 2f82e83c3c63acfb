"""The one OAuth-style error vocabulary (RFC 6749 §5.2, RFC 6750 §3.1, OpenID4VCI 1.0 §6.3 and
§8.3.1.2): wallet-facing endpoints answer ``{"error": <code>, "error_description": <text>}``
with these codes, never problem-details, because that is what OAuth clients parse.

Raise :class:`OAuthError` from a service; ``issuer.web.wallet`` renders it (with
``Cache-Control: no-store`` and, for ``invalid_token``, a ``WWW-Authenticate`` header).
"""

from __future__ import annotations

from issuer.errors import IssuerError

# Token endpoint (RFC 6749 §5.2; OpenID4VCI 1.0 §6.3)
INVALID_REQUEST = "invalid_request"
INVALID_CLIENT = "invalid_client"
INVALID_GRANT = "invalid_grant"
UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
# Protected resources (RFC 6750 §3.1)
INVALID_TOKEN = "invalid_token"
# Too many requests from one address (429 with Retry-After; as the OB 3.0 API's OAuth answers)
SLOW_DOWN = "slow_down"
# Credential endpoint (OpenID4VCI 1.0 §8.3.1.2). 1.0 final has no "unsupported_credential_
# format" (draft 13 had); an unknown or unsupported configuration is
# unknown_credential_configuration.
INVALID_CREDENTIAL_REQUEST = "invalid_credential_request"
UNKNOWN_CREDENTIAL_CONFIGURATION = "unknown_credential_configuration"
UNKNOWN_CREDENTIAL_IDENTIFIER = "unknown_credential_identifier"
INVALID_PROOF = "invalid_proof"
INVALID_NONCE = "invalid_nonce"
INVALID_ENCRYPTION_PARAMETERS = "invalid_encryption_parameters"
CREDENTIAL_REQUEST_DENIED = "credential_request_denied"

STATUS = {
    INVALID_REQUEST: 400, INVALID_CLIENT: 401, INVALID_GRANT: 400, UNSUPPORTED_GRANT_TYPE: 400,
    INVALID_TOKEN: 401, SLOW_DOWN: 429, INVALID_CREDENTIAL_REQUEST: 400, UNKNOWN_CREDENTIAL_CONFIGURATION: 400,
    UNKNOWN_CREDENTIAL_IDENTIFIER: 400, INVALID_PROOF: 400, INVALID_NONCE: 400,
    INVALID_ENCRYPTION_PARAMETERS: 400, CREDENTIAL_REQUEST_DENIED: 400,
}


class OAuthError(IssuerError):
    """A refused OAuth / OpenID4VCI request: ``code`` is one of the constants above, the
    message its ``error_description`` (never a secret)."""

    title = "OAuth error"

    def __init__(self, code: str, description: str, *, retry_after: int = 0):
        super().__init__(description)
        self.code = code
        self.status = STATUS[code]
        self.retry_after = retry_after

    def body(self) -> dict[str, str]:
        return {"error": self.code, "error_description": str(self)}
