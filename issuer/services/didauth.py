"""DIDAuth for wallet exchanges (issue 12, item 2): the presentation request a VC-API
exchange answers with, and the checks of the presentation a wallet sends back before a
holder-bound copy is issued.

Learner Credential Wallet signs an empty presentation (``holder`` = its DID) with
Ed25519Signature2020 and ``proofPurpose`` authentication; eddsa-rdfc-2022 is accepted too
(issuer.verification.presentation). The challenge must be this exchange's current one, and
is then used up (issuer.services.exchanges.complete: one atomic state change). The domain
must be ours: required in the VC-API flow, where we asked for it; the older LCW
``vc_request_url`` flow signs no domain (LCW's ``createVerifiablePresentation`` passes only
the challenge), so there a domain, if given, must still be ours. The holder must be the
controller of the key that signed (the ``holder`` check PASSED, never merely "not checked").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from issuer.exchange_models import REQUESTED, Exchange
from issuer.models import SignedCredential
from issuer.services import exchanges, holder_copies
from issuer.services.exchanges import ExchangeRefused
from issuer.services.fetch import FetchPolicy
from issuer.services.keystore import FileKeyStore
from issuer.services.verification import verify_presentation_document
from issuer.verification import problem_types as pt
from issuer.verification.presentation_results import PresentationOptions
from issuer.verification.results import Status

UNMEDIATED_SERVICE = "UnmediatedPresentationService2021"
DID_AUTHENTICATION = "DIDAuthentication"
PRESENTATION_TYPE = exchanges.PROBLEM + "presentation"
DOMAIN_TYPE = pt.INVALID_DOMAIN_ERROR


def our_domain(base_url: str) -> str:
    """The ``domain`` we ask wallets to sign for: our origin (scheme://host[:port])."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def presentation_request(*, challenge: str, domain: str, exchange_url: str) -> dict[str, Any]:
    """The VC-API ``verifiablePresentationRequest`` for DIDAuth (as LCW reads it:
    ``query``, ``challenge``, ``domain``, ``interact.service[0].serviceEndpoint``)."""
    return {
        "query": [{"type": DID_AUTHENTICATION, "acceptedMethods": [{"method": "key"}],
                   "acceptedCryptosuites": [{"cryptosuite": "Ed25519Signature2020"},
                                            {"cryptosuite": "eddsa-rdfc-2022"}]}],
        "challenge": challenge,
        "domain": domain,
        "interact": {"service": [{"type": UNMEDIATED_SERVICE,
                                  "serviceEndpoint": exchange_url}]},
    }


def _refuse(detail: str, problem_type: str = PRESENTATION_TYPE, *, title: str,
            status: int = 400) -> ExchangeRefused:
    return ExchangeRefused(detail, status=status, problem_type=problem_type, title=title)


def _proofs(presentation: dict[str, Any]) -> list[dict[str, Any]]:
    proof = presentation.get("proof")
    items = proof if isinstance(proof, list) else [proof] if proof is not None else []
    return [item for item in items if isinstance(item, dict)]


def accept(
    session: Session,
    exchange_id: str,
    presentation: Any,
    *,
    require_domain: bool,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    policy: FetchPolicy,
) -> SignedCredential:
    """Check the wallet's DIDAuth presentation for this exchange and, if it holds, issue the
    holder-bound copy (issuer.services.exchanges.complete). ExchangeRefused (4xx, with a
    problem type) otherwise; refusals are audited and nothing is issued."""
    try:
        exchange = exchanges.get(session, exchange_id)
        exchanges.usable(exchange, now=now)
        if exchange.state != REQUESTED or exchange.challenge_hash is None:
            raise _refuse("this exchange has not handed out a challenge yet; POST {} to it "
                          "first", exchanges.NOT_REQUESTED_TYPE, title="No challenge yet",
                          status=409)
        if not isinstance(presentation, dict):
            raise _refuse("send a Verifiable Presentation (a JSON object)",
                          title="Not a presentation")
        proofs = _proofs(presentation)
        if not proofs:
            raise _refuse("the presentation is not signed; sign it (DIDAuth) with the "
                          "challenge this exchange handed out", title="Unsigned presentation")
        challenges = {proof.get("challenge") for proof in proofs}
        if challenges == {None} or not all(isinstance(c, str) and c for c in challenges):
            raise _refuse("the presentation's proof has no challenge", exchanges.CHALLENGE_TYPE,
                          title="Missing challenge")
        if len(challenges) != 1:
            raise _refuse("the presentation's proofs carry different challenges",
                          exchanges.CHALLENGE_TYPE, title="Wrong challenge")
        challenge = challenges.pop()
        if exchanges.hash_secret(challenge) != exchange.challenge_hash:
            raise _refuse("the presentation's challenge is not this exchange's current "
                          "challenge (replayed, or made for another request)",
                          exchanges.CHALLENGE_TYPE, title="Wrong challenge")
        domain = our_domain(base_url)
        signed_domain = any(proof.get("domain") is not None for proof in proofs)
        if require_domain and not signed_domain:
            raise _refuse(f"the presentation's proof has no domain; sign it for {domain}",
                          DOMAIN_TYPE, title="Missing domain")
        options = PresentationOptions(challenge=challenge,
                                      domain=domain if require_domain or signed_domain else None)
        result = verify_presentation_document(session, presentation, base_url=base_url,
                                              now=now, policy=policy, options=options)
        checks = {check.id: check for check in result.presentation.checks}
        failed = [check for check in result.presentation.checks
                  if check.failed and check.id != "credentials"]
        if failed:
            first = failed[0]
            problem = first.problems[0] if first.problems else None
            raise _refuse(f"{first.title}: {first.detail}",
                          problem.type if problem else PRESENTATION_TYPE,
                          title=problem.title if problem else "Presentation refused")
        holder_check = checks.get("holder")
        if holder_check is None or holder_check.status is not Status.PASSED:
            raise _refuse("the presentation must name its holder (the wallet's DID) and be "
                          "signed by a key of that holder"
                          + (f": {holder_check.detail}" if holder_check else ""),
                          pt.HOLDER_KEY_MISMATCH, title="Holder not proven")
        if checks.get("proof") is None or checks["proof"].status is not Status.PASSED:
            raise _refuse("the presentation's signature could not be verified",
                          title="Presentation refused")
        holder = presentation.get("holder")
        holder_did = holder.get("id") if isinstance(holder, dict) else holder
        holder_copies.check_holder_did(holder_did)
    except ExchangeRefused as error:
        if session.get(Exchange, exchange_id) is not None:
            session.rollback()
            exchanges.audit_refusal(session, exchange_id, error, now=now)
        raise
    return exchanges.complete(session, exchange_id, challenge=challenge, holder_did=holder_did,
                              keystore=keystore, base_url=base_url, now=now)
