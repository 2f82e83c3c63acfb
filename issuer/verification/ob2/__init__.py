"""Open Badges 2.0 verification (https://www.imsglobal.org/spec/ob/v2p0/ "Verification").

Most badges people hold today are OB 2.0 assertions, not Verifiable Credentials: *hosted* ones
(the issuer serves the assertion at its ``id``, and serving it is the proof) and *signed* ones
(a compact JWS, RS256, whose key document the issuer's profile lists). This package reads them
and checks them one property at a time, as the 1EdTech validator does, with every document it
needs (the hosted assertion, its BadgeClass and Issuer, the signing key, the revocation list)
fetched through a function the caller gives: no network and no database here.

:func:`is_ob2` tells an OB 2.0 (or 1.1) assertion from anything else;
:func:`verify_ob2` returns a :class:`~issuer.verification.results.VerificationResult` whose
checks are named ``ob2.*``.
"""

from issuer.verification.ob2.documents import (
    FetchJson,
    Gone,
    HostedAssertion,
    Unavailable,
    is_ob2,
    summary,
)
from issuer.verification.ob2.verify import verify_ob2

__all__ = ["FetchJson", "Gone", "HostedAssertion", "Unavailable", "is_ob2", "summary", "verify_ob2"]
