"""One catalog of problem-type URIs: VC DM 2.0 and Data Integrity ones, then ours."""

# Data Integrity 1.0 "Processing Errors", defined where the cryptosuites raise them
# (issuer.dataintegrity.processing_errors, which must not import verification) and listed
# here; a chain naming a missing or invalid proof is PROOF_VERIFICATION_ERROR.
from issuer.dataintegrity.processing_errors import (  # noqa: F401
    INVALID_CHALLENGE_ERROR,
    INVALID_DOMAIN_ERROR,
    PROOF_GENERATION_ERROR,
    PROOF_TRANSFORMATION_ERROR,
    PROOF_VERIFICATION_ERROR,
    SECURITY,
)

# Ours, one per processing limit on untrusted input. They are defined next to the limits
# (issuer.dataintegrity.limits, which must not import verification) and listed here.
from issuer.dataintegrity.limits import (  # noqa: F401
    ARRAY_LENGTH_LIMIT,
    BLANK_NODE_COUNT_LIMIT,
    BLANK_NODE_HASHING_LIMIT,
    CREDENTIAL_COUNT_LIMIT,
    NESTING_DEPTH_LIMIT,
    PROOF_COUNT_LIMIT,
    QUAD_COUNT_LIMIT,
    STRING_LENGTH_LIMIT,
    TERM_DEFINITION_LIMIT,
    VALUE_COUNT_LIMIT,
)

VC = "https://www.w3.org/TR/vc-data-model#"
PARSING_ERROR = VC + "PARSING_ERROR"
CRYPTOGRAPHIC_SECURITY_ERROR = VC + "CRYPTOGRAPHIC_SECURITY_ERROR"
MALFORMED_VALUE_ERROR = VC + "MALFORMED_VALUE_ERROR"
RANGE_ERROR = VC + "RANGE_ERROR"

# Data Integrity ones: the "Processing Errors" are imported above; these two name a key.
INVALID_VERIFICATION_METHOD = SECURITY + "INVALID_VERIFICATION_METHOD"
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT = SECURITY + "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"

# Ours (no published URI fits).
OURS = "urn:issuer:problem:"
UNDEFINED_TERM = OURS + "undefined-term"
SCHEMA_VIOLATION = OURS + "schema-violation"
NO_PROOF = OURS + "no-proof"
UNSUPPORTED_PROOF = OURS + "unsupported-proof"
ISSUER_KEY_MISMATCH = OURS + "issuer-key-mismatch"
EXPIRED = OURS + "expired"
NOT_YET_VALID = OURS + "not-yet-valid"
RECIPIENT_MISMATCH = OURS + "recipient-mismatch"
# A presentation signed by a key its holder does not control.
HOLDER_KEY_MISMATCH = OURS + "holder-key-mismatch"

# Secured with JOSE (VC-JOSE-COSE names no problem types: the Data Integrity / Controlled
# Identifiers ones where they fit, ours for the rest).
INVALID_VERIFICATION_METHOD_URL = SECURITY + "INVALID_VERIFICATION_METHOD_URL"
INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD = (
    SECURITY + "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD")
INVALID_JWT = OURS + "invalid-jwt"

# relatedResource (VC DM 2.0 §5.3): the retrieved resource does not match its digest.
RELATED_RESOURCE_MISMATCH = OURS + "related-resource-digest-mismatch"

# options.checks names a check the verifier does not make (issuer.verification.selection).
UNKNOWN_CHECK = OURS + "unknown-check"
