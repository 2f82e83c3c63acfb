"""verify_presentation: a Verifiable Presentation (VC Data Model 2.0 §4.13, or 1.1), check by
check, and every credential in it with the checks of a credential on its own.

A presentation is secured with a Data Integrity proof whose ``proofPurpose`` is
``authentication`` (eddsa-rdfc-2022, Ed25519Signature2020 as Learner Credential Wallet signs,
ecdsa-rdfc-2019), or enveloped: an ``EnvelopedVerifiablePresentation`` carrying a
VC-JOSE-COSE ``vp+jwt`` (or a compact JWS as text). Its credentials are embedded objects or
``EnvelopedVerifiableCredential`` entries (a VC 1.1 JWT presentation may list JWS text).

The presentation's checks, in order:

1. ``presentation``: the data model (VC DM 2.0 §4.13: the base @context first, type
   VerifiablePresentation, id a URL, holder a URL or an object with one, the credentials
   objects), every term defined, and within the processing limits (at most
   ``max_presentation_credentials`` credentials; the whole under
   :func:`issuer.dataintegrity.limits.for_presentation`).
2. ``proof``: the signature (an unsigned presentation passes only when
   ``allow_unsigned``: VC-API's ``ProoflessVerifyPresentationRequest``, or
   ``options.unsignedPresentation`` as Digital Bazaar's ``vc.verify`` names it).
3. ``challenge`` / ``domain``: when asked for, every proof carries them (Data Integrity
   §4.5 steps for ``challenge`` and ``domain``; a proof's ``domain`` may be an array); for a
   JWS, the ``nonce`` and ``aud`` claims.
4. ``holder``: the key that signed is one the holder controls (and lists under
   ``authentication``).
5. ``credentials``: each credential's own result, which the answer also gives one by one.

The problem types are the VC Data Model's and Data Integrity's (PARSING_ERROR,
MALFORMED_VALUE_ERROR, CRYPTOGRAPHIC_SECURITY_ERROR, INVALID_CHALLENGE_ERROR,
INVALID_DOMAIN_ERROR, PROOF_VERIFICATION_ERROR), ours where none fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pyld.jsonld import JsonLdError

from issuer.dataintegrity import proofs
from issuer.dataintegrity.canonicalize import explain_jsonld_error, find_undefined_terms
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.limits import (
    DEFAULT_LIMITS,
    ProcessingLimits,
    check_json,
    for_presentation,
)
from issuer.errors import DocumentLoaderError, InputTooComplex
from issuer.openbadges import vocab
from issuer.vcjose import envelope
from issuer.verification import keys
from issuer.verification import problem_types as pt
from issuer.verification.presentation_results import (
    CredentialResult,
    PresentationOptions,
    PresentationResult,
)
from issuer.verification.proof_report import proof_set_result, run_proof_set
from issuer.verification.results import CheckResult, Problem, Status, VerificationResult

__all__ = ["CredentialResult", "PresentationOptions", "PresentationResult", "is_presentation",
           "verify_presentation"]

VERIFIABLE_PRESENTATION = "VerifiablePresentation"
PRESENTATION = ("presentation", "Presentation data model")
PROOF = ("proof", "Presentation signature")
CHALLENGE = ("challenge", "Challenge")
DOMAIN = ("domain", "Domain")
HOLDER = ("holder", "Holder signed it")
CREDENTIALS = ("credentials", "Credentials in the presentation")

# One credential (parsed JSON, or a JWS as text) -> its VerificationResult.
CredentialVerifier = Callable[[Any], VerificationResult]


def _types(node: Any) -> list[str]:
    value = node.get("type") if isinstance(node, dict) else None
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
        if isinstance(value, list) else []


def is_presentation(document: Any) -> bool:
    """A VerifiablePresentation or EnvelopedVerifiablePresentation object, or a compact JWS
    whose header or payload says it carries a presentation (nothing is verified here)."""
    if isinstance(document, dict):
        types = _types(document)
        return VERIFIABLE_PRESENTATION in types or envelope.ENVELOPED_PRESENTATION in types
    if not isinstance(document, str) or document.strip().count(".") != 2:
        return False
    from issuer.vcjose import compact  # JOSE libraries only for a JWS

    try:
        parsed = compact.parse(document.strip())
    except compact.JwsFormatError:
        return False
    typ = str(parsed.header.get("typ", "")).lower()
    payload = parsed.payload
    return typ.endswith("vp+jwt") or "vp" in payload or VERIFIABLE_PRESENTATION in _types(payload)


def _fail(check: tuple[str, str], detail: str, problem_type: str, title: str = "",
          warnings: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult(check[0], check[1], Status.FAILED, detail,
                       problems=(Problem(problem_type, title or check[1], detail),),
                       warnings=warnings)


def _result(check: tuple[str, str], status: Status, detail: str,
            warnings: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult(check[0], check[1], status, detail, warnings=warnings)


def _id_of(value: Any) -> str | None:
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


def _entries(document: dict[str, Any]) -> list[Any]:
    value = document.get("verifiableCredential")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- 1. the data model -----------------------------------------------------------------------


def _data_model(document: Any, limits: ProcessingLimits,
                loader: StaticDocumentLoader) -> CheckResult:
    if not isinstance(document, dict):
        return _fail(PRESENTATION, "the presentation is not a JSON object", pt.PARSING_ERROR)
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if not contexts or contexts[0] not in (vocab.VC_V2_CONTEXT, vocab.VC_V1_CONTEXT):
        return _fail(PRESENTATION, f"the first @context must be {vocab.VC_V2_CONTEXT} (or the "
                     "VC 1.1 context)", pt.PARSING_ERROR)
    problems = []
    if VERIFIABLE_PRESENTATION not in _types(document):
        problems.append("type must include VerifiablePresentation")
    if "id" in document and (not isinstance(document["id"], str) or ":" not in document["id"]):
        problems.append("id must be a URL")
    holder = document.get("holder")
    if holder is not None and (_id_of(holder) is None or ":" not in _id_of(holder)):
        problems.append("holder must be a URL, or an object whose id is one")
    entries = _entries(document)
    if len(entries) > limits.max_presentation_credentials:
        detail = (f"the presentation holds {len(entries)} credentials; at most "
                  f"{limits.max_presentation_credentials} are verified")
        return _fail(PRESENTATION, detail, pt.CREDENTIAL_COUNT_LIMIT, "Too many credentials")
    for number, entry in enumerate(entries, 1):
        if isinstance(entry, dict):
            continue
        if isinstance(entry, str) and entry.strip().count(".") == 2:
            continue  # a VC 1.1 JWT presentation lists its credentials as JWS text
        problems.append(f"credential {number} is not an object (a credential, or an "
                        "EnvelopedVerifiableCredential)")
    if problems:
        return _fail(PRESENTATION, "; ".join(problems), pt.MALFORMED_VALUE_ERROR)
    # The presentation's own terms (its credentials have their own @context and checks).
    own = {k: v for k, v in document.items() if k not in ("proof", "verifiableCredential")}
    try:
        check_json(document, for_presentation(limits, len(entries)))
        undefined = find_undefined_terms(own, loader=loader, limits=limits)
    except InputTooComplex as exc:
        return _fail(PRESENTATION, str(exc), exc.problem_type, exc.title)
    except (JsonLdError, DocumentLoaderError, ValueError, TypeError, KeyError) as exc:
        return _fail(PRESENTATION, explain_jsonld_error(exc), pt.PARSING_ERROR)
    if undefined:
        return _fail(PRESENTATION, "terms no @context defines, which no signature covers: "
                     + ", ".join(undefined), pt.UNDEFINED_TERM, "Undefined JSON-LD terms")
    count = f"{len(entries)} credential{'s' if len(entries) != 1 else ''}"
    return _result(PRESENTATION, Status.PASSED, f"a well-formed presentation of {count}")


# --- 2-4. Data Integrity: proof, challenge, domain, holder ----------------------------------


@dataclass
class _Signed:
    proof: CheckResult
    proofs: list[Any] = field(default_factory=list)
    controllers: list[str] = field(default_factory=list)  # of the proofs that verified
    unconfirmed: list[str] = field(default_factory=list)


def _di_proof(document: dict[str, Any], options: PresentationOptions,
              resolve_controller: keys.ControllerResolver | None,
              loader: StaticDocumentLoader, limits: ProcessingLimits) -> _Signed:
    cid, title = PROOF
    all_proofs = proofs.proofs_of(document)
    if not all_proofs:
        if options.allow_unsigned:
            return _Signed(_result(PROOF, Status.NOT_APPLICABLE,
                                   "unsigned presentation, accepted as the request allows; "
                                   "only its credentials are verified"))
        return _Signed(_fail(PROOF, "the presentation carries no proof (it is not signed); "
                             "send options.unsignedPresentation: true to verify only its "
                             "credentials", pt.NO_PROOF, "No proof"))
    if len(all_proofs) > limits.max_proofs:
        return _Signed(_fail(PROOF, f"the presentation carries {len(all_proofs)} proofs; at "
                             f"most {limits.max_proofs} are checked", pt.PROOF_COUNT_LIMIT))
    run = run_proof_set(document, resolve_controller, loader=loader,
                        limits=for_presentation(limits, len(_entries(document))),
                        proof_purpose=proofs.AUTHENTICATION)
    if run.over_limit is not None:
        return _Signed(_fail(PROOF, f"proof {run.over_limit.index + 1}: "
                             f"{run.over_limit.reason}", run.over_limit.problem_type,
                             InputTooComplex.title), all_proofs)
    verified = [run.found[o.index] for o in run.outcomes if o.verified]
    return _Signed(proof_set_result(cid, title, run), all_proofs,
                   controllers=[key.controller for key in verified if not key.unconfirmed],
                   unconfirmed=[key.controller for key in verified if key.unconfirmed])


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _asked(check: tuple[str, str], wanted: str | None, signed: _Signed, *, prop: str,
           problem_type: str) -> CheckResult:
    """Every proof of the presentation carries ``wanted`` as its ``prop`` (challenge: the
    same string; domain: the string, or an array holding it)."""
    if wanted is None:
        if prop == "challenge":
            return _result(check, Status.NOT_APPLICABLE, "no challenge was asked for",
                           ("without a challenge, a presentation made for someone else (a "
                            "replay) cannot be told from one made for this request",))
        return _result(check, Status.NOT_APPLICABLE, "no domain was asked for")
    if not signed.proofs:
        return _fail(check, f"a {prop} was asked for, but the presentation is not signed, so "
                     f"nothing binds it to one", problem_type)
    for number, proof in enumerate(signed.proofs, 1):
        given = proof.get(prop) if isinstance(proof, dict) else None
        where = f"proof {number}" if len(signed.proofs) > 1 else "the presentation's proof"
        if given is None:
            return _fail(check, f"{where} has no {prop}; {wanted!r} was asked for", problem_type)
        ok = given == wanted if prop == "challenge" else wanted in _values(given)
        if not ok:
            return _fail(check, f"{where} was made for the {prop} {given!r}, not {wanted!r}",
                         problem_type)
    return _result(check, Status.PASSED, f"the proof was made for the {prop} {wanted!r}")


def _holder(document: dict[str, Any], signed: _Signed) -> CheckResult:
    holder = _id_of(document.get("holder"))
    if not signed.proofs:
        return _result(HOLDER, Status.NOT_APPLICABLE, "unsigned presentation: no key to bind")
    if signed.proof.status is not Status.PASSED:
        return _result(HOLDER, Status.NOT_CHECKED, "no verified signature to attribute")
    if holder is None:
        who = ", ".join(signed.controllers + signed.unconfirmed)
        return _result(HOLDER, Status.NOT_APPLICABLE, f"the presentation names no holder; it "
                       f"was signed by a key of {who}")
    if holder in signed.controllers:
        return _result(HOLDER, Status.PASSED,
                       f"signed with a key of the holder {holder} (authentication)")
    if holder in signed.unconfirmed:
        return _result(HOLDER, Status.NOT_CHECKED, f"the key was taken from the verification "
                       f"method id; {holder}'s document could not be had to confirm it")
    who = ", ".join(signed.controllers + signed.unconfirmed)
    return _fail(HOLDER, f"signed by a key of {who}, which is not the holder {holder}",
                 pt.HOLDER_KEY_MISMATCH, "Key controller does not match holder")


# --- JOSE: an enveloped presentation ---------------------------------------------------------


def _jose_asked(check: tuple[str, str], wanted: str | None, claims: dict[str, Any], *,
                claim: str, prop: str, problem_type: str) -> CheckResult:
    if wanted is None:
        return _asked(check, None, _Signed(_result(PROOF, Status.PASSED, "")), prop=prop,
                      problem_type=problem_type)
    given = claims.get(claim)
    if given is None:
        return _fail(check, f"the presentation has no {claim} claim for the {prop} "
                     f"{wanted!r}", problem_type)
    ok = given == wanted if claim == "nonce" else wanted in _values(given)
    if not ok:
        return _fail(check, f"the presentation's {claim} is {given!r}, not the {prop} "
                     f"{wanted!r}", problem_type)
    return _result(check, Status.PASSED, f"the {claim} claim is the {prop} {wanted!r}")


# --- 5. the credentials ----------------------------------------------------------------------


def _credentials(document: dict[str, Any], verify_credential: CredentialVerifier
                 ) -> tuple[CheckResult, tuple[CredentialResult, ...]]:
    results = []
    for index, entry in enumerate(_entries(document)):
        try:
            result = verify_credential(entry)
        except Exception as exc:  # a bug must not become "valid" or a 500
            result = VerificationResult((CheckResult(
                "proof", "Signature", Status.FAILED,
                f"internal error while checking: {exc.__class__.__name__}"),))
        identifier = _id_of(entry) if isinstance(entry, dict) else None
        if identifier and identifier.startswith("data:"):
            identifier = None  # an envelope's id is the token itself
        results.append(CredentialResult(index, identifier, result))
    if not results:
        return (_result(CREDENTIALS, Status.NOT_APPLICABLE, "the presentation holds no "
                        "credentials"), ())
    failed = [r for r in results if not r.result.verified]
    incomplete = [r for r in results if r.result.verdict.value == "incomplete"]
    total = len(results)
    if failed:
        numbers = ", ".join(str(r.index + 1) for r in failed)
        detail = f"{len(failed)} of {total} credentials not verified (credential {numbers})"
        return (_fail(CREDENTIALS, detail, pt.CRYPTOGRAPHIC_SECURITY_ERROR
                      if any(c.id == "proof" for r in failed for c in r.result.failed_checks)
                      else pt.MALFORMED_VALUE_ERROR, "Credential not verified"), tuple(results))
    if incomplete:
        numbers = ", ".join(str(r.index + 1) for r in incomplete)
        return (_result(CREDENTIALS, Status.NOT_CHECKED, f"{len(incomplete)} of {total} "
                        f"credentials could not be fully checked (credential {numbers})"),
                tuple(results))
    return (_result(CREDENTIALS, Status.PASSED, f"{total} of {total} credential"
                    f"{'s' if total != 1 else ''} verified"), tuple(results))


def _not_checked(check: tuple[str, str], why: str) -> CheckResult:
    return _result(check, Status.NOT_CHECKED, why)


def verify_presentation(
    document: Any,
    *,
    now: datetime,
    verify_credential: CredentialVerifier,
    options: PresentationOptions = PresentationOptions(),
    resolve_controller: keys.ControllerResolver | None = None,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
    clock_skew: timedelta = timedelta(minutes=5),
) -> PresentationResult:
    """Verify a presentation (parsed JSON, or a compact JWS as text) as of ``now``; never
    raises for a bad one. ``verify_credential`` verifies each credential in it (the same
    checks as a credential handed in alone). Verified only when no check of the presentation
    fails, its signature verified (or ``options.allow_unsigned`` and it has none), and every
    credential in it verified."""
    enveloped = isinstance(document, str)
    if not enveloped:
        try:
            opened = envelope.open_envelope(document)
        except envelope.EnvelopeError as exc:
            return PresentationResult(VerificationResult(
                (_fail(PRESENTATION, str(exc), pt.PARSING_ERROR, "Unreadable envelope"),),
                required=(PROOF[0],)), enveloped=True)
        if opened is not None:
            if opened.kind != "vp":
                return PresentationResult(VerificationResult((_fail(
                    PRESENTATION, "an EnvelopedVerifiableCredential where a presentation was "
                    "expected", pt.MALFORMED_VALUE_ERROR),), required=(PROOF[0],)))
            if not envelope.has_base_context(document):
                return PresentationResult(VerificationResult((_fail(
                    PRESENTATION, f"an {envelope.ENVELOPED_PRESENTATION}'s @context must "
                    f"include {envelope.VC_V2_CONTEXT} (VC DM 2.0 §4.13.2), which defines its "
                    "terms", pt.PARSING_ERROR, "Invalid envelope context"),),
                    required=(PROOF[0],)), enveloped=True)
            document, enveloped = opened.token, True
    if enveloped:
        return _verify_enveloped(document, now=now, verify_credential=verify_credential,
                                 options=options, resolve_controller=resolve_controller,
                                 loader=loader, limits=limits, clock_skew=clock_skew)
    shape = _data_model(document, limits, loader)
    if shape.failed:
        why = "the presentation is not one this verifier processes (see above)"
        return PresentationResult(VerificationResult(
            (shape, *(_not_checked(c, why) for c in (PROOF, CHALLENGE, DOMAIN, HOLDER,
                                                     CREDENTIALS))),
            required=(PROOF[0],)))
    signed = _di_proof(document, options, resolve_controller, loader, limits)
    challenge = _asked(CHALLENGE, options.challenge, signed, prop="challenge",
                       problem_type=pt.INVALID_CHALLENGE_ERROR)
    domain = _asked(DOMAIN, options.domain, signed, prop="domain",
                    problem_type=pt.INVALID_DOMAIN_ERROR)
    summary, credentials = _credentials(document, verify_credential)
    required = () if signed.proof.status is Status.NOT_APPLICABLE else (PROOF[0],)
    return PresentationResult(VerificationResult(
        (shape, signed.proof, challenge, domain, _holder(document, signed), summary),
        required=required), credentials)


def _verify_enveloped(token: str, *, now: datetime, verify_credential: CredentialVerifier,
                      options: PresentationOptions,
                      resolve_controller: keys.ControllerResolver | None,
                      loader: StaticDocumentLoader, limits: ProcessingLimits,
                      clock_skew: timedelta) -> PresentationResult:
    from issuer.vcjose.verify import verify_jws  # JOSE libraries only for a JOSE presentation

    jose = verify_jws(token.strip(), now=now, resolve_controller=resolve_controller,
                      expect="vp", clock_skew=clock_skew)
    proof = CheckResult(PROOF[0], PROOF[1], jose.proof.status, jose.proof.detail,
                        jose.proof.problems, jose.proof.warnings)
    if jose.document is None or jose.kind != "vp":
        why = "the presentation's JWS could not be read"
        return PresentationResult(VerificationResult(
            (proof, jose.claims_check,
             *(_not_checked(c, why) for c in (CHALLENGE, DOMAIN, HOLDER, CREDENTIALS))),
            warnings=jose.warnings, required=(PROOF[0],)), enveloped=True)
    document = jose.document
    shape = _data_model(document, limits, loader)
    warnings = jose.warnings
    if "proof" in document:
        warnings += ("the presentation also carries an embedded proof; the JWS is the one "
                     "checked",)
    challenge = _jose_asked(CHALLENGE, options.challenge, jose.claims, claim="nonce",
                            prop="challenge", problem_type=pt.INVALID_CHALLENGE_ERROR)
    domain = _jose_asked(DOMAIN, options.domain, jose.claims, claim="aud", prop="domain",
                         problem_type=pt.INVALID_DOMAIN_ERROR)
    if shape.failed:
        summary, credentials = _not_checked(CREDENTIALS, "the presentation is malformed"), ()
    else:
        summary, credentials = _credentials(document, verify_credential)
    holder = jose.binding
    holder = CheckResult(HOLDER[0], HOLDER[1], holder.status, holder.detail, holder.problems,
                         holder.warnings)
    return PresentationResult(VerificationResult(
        (shape, proof, jose.claims_check, challenge, domain, holder, jose.validity, summary),
        warnings=warnings, required=(PROOF[0],)), credentials, enveloped=True)
