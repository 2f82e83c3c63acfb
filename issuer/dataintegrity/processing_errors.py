"""The Data Integrity processing errors (W3C VC Data Integrity 1.0 "Processing Errors").

https://www.w3.org/TR/vc-data-integrity/#processing-errors
Each error type is a URL ``https://w3id.org/security#<NAME>``. The cryptosuites raise
:class:`ProofError` for a proof that cannot be created or checked, with the type the spec
gives that step; :mod:`issuer.verification.problem_types` lists the same URLs.
"""

from __future__ import annotations

SECURITY = "https://w3id.org/security#"
PROOF_GENERATION_ERROR = SECURITY + "PROOF_GENERATION_ERROR"
PROOF_VERIFICATION_ERROR = SECURITY + "PROOF_VERIFICATION_ERROR"
PROOF_TRANSFORMATION_ERROR = SECURITY + "PROOF_TRANSFORMATION_ERROR"
INVALID_DOMAIN_ERROR = SECURITY + "INVALID_DOMAIN_ERROR"
INVALID_CHALLENGE_ERROR = SECURITY + "INVALID_CHALLENGE_ERROR"


class ProofError(ValueError):
    """A proof could not be created or is malformed; ``problem_type`` is the DI error type."""

    def __init__(self, message: str, problem_type: str = PROOF_VERIFICATION_ERROR):
        super().__init__(message)
        self.problem_type = problem_type
