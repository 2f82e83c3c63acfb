"""The verification checks, in the order OB 3.0 §"Verification" runs them.

Each check is a small function ``(credential, context) -> CheckResult``; none raises for a bad
credential. :mod:`issuer.verification.verifier` runs them in order.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pyld.jsonld import JsonLdError

from issuer.clock import parse_datetime
from issuer.dataintegrity import proofs
from issuer.dataintegrity.canonicalize import explain_jsonld_error, find_undefined_terms
from issuer.dataintegrity.document_loader import StaticDocumentLoader
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits, check_json
from issuer.errors import DocumentLoaderError, InputTooComplex
from issuer.openbadges import schema_validation, vocab
from issuer.openbadges.credential import normalize_email
from issuer.verification import keys
from issuer.verification import problem_types as pt
from issuer.verification.proof_report import proof_set_result, run_proof_set
from issuer.verification.related_check import (
    RELATED_RESOURCE, ResourceFetcher, check_related_resource,
)
from issuer.verification.results import CheckResult, Problem, Status, first_line

ControllerResolver = keys.ControllerResolver
StatusChecker = Callable[[dict[str, Any]], CheckResult]

OB_TYPES = {vocab.OPEN_BADGE_CREDENTIAL, vocab.ACHIEVEMENT_CREDENTIAL}


@dataclass
class VerifyContext:
    """What the checks share: inputs, and what earlier checks found out."""

    now: datetime
    loader: StaticDocumentLoader
    resolve_controller: ControllerResolver | None
    recipient_email: str | None
    clock_skew: timedelta
    status_checker: StatusChecker | None
    limits: ProcessingLimits = DEFAULT_LIMITS
    # relatedResource: (url, media type) -> the resource's bytes; None: nothing is fetched
    fetch_resource: ResourceFetcher | None = None
    contexts_loadable: bool = True
    # Set when the credential is over a processing limit: the later checks are not made.
    over_limit: bool = False
    verified_controllers: list[str] = field(default_factory=list)
    # Controllers whose key came from the verification method id alone (their documents
    # could not be had), with why: the issuer binding of those proofs is unconfirmed.
    unconfirmed_controllers: dict[str, str] = field(default_factory=dict)


def _over_limit(
    check_id: str, title: str, error: InputTooComplex, ctx: VerifyContext
) -> CheckResult:
    """A failed check for a credential over a processing limit; the run stops after it."""
    ctx.over_limit = True
    ctx.contexts_loadable = False
    return _fail(check_id, title, str(error), error.problem_type, problem_title=error.title)


def _fail(check_id: str, title: str, detail: str, problem_type: str, *, problem_title: str = "") -> CheckResult:
    return CheckResult(
        check_id, title, Status.FAILED, detail,
        problems=(Problem(problem_type, problem_title or title, detail),),
    )


def types_of(node: Any) -> list[str]:
    if not isinstance(node, dict):
        return []
    value = node.get("type", node.get("@type", []))
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def contexts_of(credential: dict[str, Any]) -> list[Any]:
    value = credential.get("@context", [])
    return value if isinstance(value, list) else [value]


# --- 1. JSON-LD ------------------------------------------------------------------------------

CONTEXT = ("context", "JSON-LD contexts and terms")


def check_context(credential: Any, ctx: VerifyContext) -> CheckResult:
    cid, title = CONTEXT
    if not isinstance(credential, dict):
        ctx.contexts_loadable = False
        return _fail(cid, title, "the credential is not a JSON object", pt.PARSING_ERROR)
    contexts = contexts_of(credential)
    if not contexts or contexts[0] not in (vocab.VC_V2_CONTEXT, vocab.VC_V1_CONTEXT):
        ctx.contexts_loadable = False
        return _fail(
            cid, title,
            f"the first @context must be {vocab.VC_V2_CONTEXT} (or the VC 1.1 context)",
            pt.PARSING_ERROR,
        )
    warnings = []
    if OB_TYPES & set(types_of(credential)) and contexts[0] == vocab.VC_V2_CONTEXT:
        if len(contexts) < 2 or not isinstance(contexts[1], str) or not re.match(
            vocab.OB_CONTEXT_PATTERN, contexts[1]
        ):
            warnings.append("the second @context should be the Open Badges 3.0 context")
    try:
        check_json(credential, ctx.limits)  # the whole credential, its proofs included
        undefined = find_undefined_terms(proofs.unsecured(credential), loader=ctx.loader,
                                         limits=ctx.limits)
    except InputTooComplex as exc:
        return _over_limit(cid, title, exc, ctx)
    except (JsonLdError, DocumentLoaderError, ValueError, TypeError, KeyError) as exc:
        ctx.contexts_loadable = False
        return _fail(cid, title, explain_jsonld_error(exc), pt.PARSING_ERROR)
    if undefined:
        return _fail(
            cid, title,
            "terms no @context defines, which no signature covers: " + ", ".join(undefined),
            pt.UNDEFINED_TERM, problem_title="Undefined JSON-LD terms",
        )
    return CheckResult(cid, title, Status.PASSED, "every term is defined by a known context",
                       warnings=tuple(warnings))


# --- 2. Schema -------------------------------------------------------------------------------

SCHEMA = ("schema", "Open Badges 3.0 data model")


def check_schema(credential: Any, ctx: VerifyContext) -> CheckResult:
    cid, title = SCHEMA
    if not isinstance(credential, dict):
        return CheckResult(cid, title, Status.NOT_CHECKED, "not a JSON object")
    types = set(types_of(credential))
    basic = []
    if vocab.VERIFIABLE_CREDENTIAL not in types:
        basic.append("type must include VerifiableCredential")
    if "credentialSubject" not in credential:
        basic.append("credentialSubject is missing")
    if "issuer" not in credential:
        basic.append("issuer is missing")
    if basic:
        return _fail(cid, title, "; ".join(basic), pt.MALFORMED_VALUE_ERROR)
    if OB_TYPES & types:
        jsonld_schema = schema_validation.ACHIEVEMENT_CREDENTIAL
        strict_schema = schema_validation.ACHIEVEMENT_CREDENTIAL_STRICT
    elif vocab.ENDORSEMENT_CREDENTIAL in types:
        jsonld_schema = schema_validation.ENDORSEMENT_CREDENTIAL
        strict_schema = schema_validation.ENDORSEMENT_CREDENTIAL_STRICT
    else:
        return CheckResult(cid, title, Status.NOT_APPLICABLE,
                           "not an Open Badge; only the VC data model rules apply")
    if contexts_of(credential)[:1] == [vocab.VC_V1_CONTEXT]:
        return CheckResult(cid, title, Status.NOT_CHECKED,
                           "VC 1.1 Open Badge: the OB 3.0 schemas describe VC 2.0 credentials")
    warnings = []
    statuses = credential.get("credentialStatus")
    if isinstance(statuses, list) and len(statuses) > 1 and all(isinstance(s, dict) for s in statuses):
        # VC DM 2.0 allows several status entries (revocation *and* suspension); the OB 3.0
        # schemas only know one object. Validate each entry in the schema's single slot.
        warnings.append("credentialStatus is an array (VC 2.0 allows it; the 1EdTech OB 3.0 "
                        "schema expects a single object)")
        errors = schema_validation.validate_each_status(credential, jsonld_schema)
        credential = {**credential, "credentialStatus": statuses[0]}
    else:
        errors = schema_validation.validate(credential, jsonld_schema)
    if OB_TYPES & types:
        subjects = credential["credentialSubject"]
        for subject in subjects if isinstance(subjects, list) else [subjects]:
            if isinstance(subject, dict) and "id" not in subject and not subject.get("identifier"):
                # OB 3.0 verification step 1 requires one, but credentials without circulate
                # (DCC fixtures); the recipient simply cannot be confirmed.
                warnings.append("the credentialSubject has neither an id nor an identifier, "
                                "so nobody can prove they are its recipient")
    if errors:
        detail = "; ".join(str(error) for error in errors)
        return _fail(cid, title, detail, pt.SCHEMA_VIOLATION, problem_title="Schema violation")
    strict = schema_validation.validate(credential, strict_schema, limit=3)
    warnings += [f"strict 1EdTech schema: {error}" for error in strict]
    return CheckResult(cid, title, Status.PASSED, "matches the 1EdTech JSON Schema",
                       warnings=tuple(warnings))


# --- 3. Proof --------------------------------------------------------------------------------

PROOF = ("proof", "Signature")


def check_proof(credential: Any, ctx: VerifyContext) -> CheckResult:
    cid, title = PROOF
    if not isinstance(credential, dict):
        return CheckResult(cid, title, Status.NOT_CHECKED, "not a JSON object")
    all_proofs = proofs.proofs_of(credential)
    if not all_proofs:
        return _fail(cid, title, "the credential carries no proof (it is not signed)", pt.NO_PROOF,
                     problem_title="No proof")
    if not ctx.contexts_loadable:
        return CheckResult(cid, title, Status.NOT_CHECKED,
                           "the credential's JSON-LD cannot be processed (see the context check)")
    if len(all_proofs) > ctx.limits.max_proofs:
        return _over_limit(cid, title, InputTooComplex(
            f"the credential carries {len(all_proofs)} proofs; at most "
            f"{ctx.limits.max_proofs} are checked", limit="max_proofs",
            maximum=ctx.limits.max_proofs, problem_type=pt.PROOF_COUNT_LIMIT), ctx)
    run = run_proof_set(credential, ctx.resolve_controller, loader=ctx.loader,
                        limits=ctx.limits)
    if run.over_limit is not None:
        ctx.over_limit = True
        return _fail(cid, title, f"proof {run.over_limit.index + 1}: {run.over_limit.reason}",
                     run.over_limit.problem_type, problem_title=InputTooComplex.title)
    for outcome in run.outcomes:
        if outcome.verified:
            key = run.found[outcome.index]
            ctx.verified_controllers.append(key.controller)
            if key.unconfirmed:
                ctx.unconfirmed_controllers.setdefault(key.controller, key.unconfirmed)
    return proof_set_result(cid, title, run)


# --- 4. Issuer binding -----------------------------------------------------------------------

ISSUER = ("issuer", "Issuer signed it")


def issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def check_issuer(credential: Any, ctx: VerifyContext) -> CheckResult:
    cid, title = ISSUER
    if not isinstance(credential, dict) or not ctx.verified_controllers:
        return CheckResult(cid, title, Status.NOT_CHECKED, "no verified signature to attribute")
    expected = issuer_id(credential)
    if expected is None:
        return _fail(cid, title, "the credential has no issuer id", pt.MALFORMED_VALUE_ERROR)
    # A proof set or chain may carry proofs of others too (a witness, a notary: Data
    # Integrity §4.5-4.6); the issuer's own verified proof is what binds the issuer.
    strangers = list(dict.fromkeys(c for c in ctx.verified_controllers if c != expected))
    if expected not in ctx.verified_controllers:
        return _fail(
            cid, title,
            f"signed by a key of {strangers[0]}, which is not the issuer {expected}",
            pt.ISSUER_KEY_MISMATCH, problem_title="Key controller does not match issuer",
        )
    also = f" (also signed by {', '.join(strangers)})" if strangers else ""
    if expected in ctx.unconfirmed_controllers:
        why = ctx.unconfirmed_controllers[expected]
        return CheckResult(
            cid, title, Status.NOT_CHECKED,
            f"the key was taken from the verification method id; {expected} could not be "
            f"fetched to confirm it publishes the key ({why})",
        )
    return CheckResult(cid, title, Status.PASSED,
                       f"signed with a key of the issuer {expected}{also}")


# --- 5. Validity period ----------------------------------------------------------------------

VALIDITY = ("validity", "Validity period")


def check_validity(credential: Any, ctx: VerifyContext) -> CheckResult:
    cid, title = VALIDITY
    if not isinstance(credential, dict):
        return CheckResult(cid, title, Status.NOT_CHECKED, "not a JSON object")
    start_key = "validFrom" if "validFrom" in credential else "issuanceDate"
    end_key = "validUntil" if "validUntil" in credential else "expirationDate"
    try:
        start = parse_datetime(credential[start_key]) if start_key in credential else None
        end = parse_datetime(credential[end_key]) if end_key in credential else None
    except (ValueError, TypeError) as exc:
        return _fail(cid, title, f"malformed date: {exc}", pt.MALFORMED_VALUE_ERROR)
    if start is not None and start > ctx.now + ctx.clock_skew:
        return _fail(cid, title, f"not valid until {credential[start_key]}", pt.NOT_YET_VALID,
                     problem_title="Not yet valid")
    if end is not None and end < ctx.now - ctx.clock_skew:
        return _fail(cid, title, f"expired on {credential[end_key]}", pt.EXPIRED,
                     problem_title="Expired")
    if end is None:
        return CheckResult(cid, title, Status.PASSED, "valid, with no expiry date")
    return CheckResult(cid, title, Status.PASSED, f"valid until {credential[end_key]}")


# --- 6. Status -------------------------------------------------------------------------------

STATUS = ("status", "Revocation and suspension")


def check_status(credential: Any, ctx: VerifyContext) -> CheckResult:
    cid, title = STATUS
    if not isinstance(credential, dict) or "credentialStatus" not in credential:
        return CheckResult(cid, title, Status.NOT_APPLICABLE, "the credential has no status entry")
    if ctx.status_checker is None:
        return CheckResult(cid, title, Status.NOT_CHECKED,
                           "this verifier does not check credentialStatus lists yet")
    try:
        return ctx.status_checker(credential)
    except Exception as exc:
        return CheckResult(cid, title, Status.NOT_CHECKED, f"could not check: {first_line(exc)}")


# --- 7. Recipient ----------------------------------------------------------------------------

RECIPIENT = ("recipient", "Recipient")


def identity_matches(identity: dict[str, Any], email: str) -> bool:
    """Does an IdentityObject name this email (plain, or ``sha256$``/``md5$`` hashed+salted)?"""
    value = identity.get("identityHash")
    if not isinstance(value, str):
        return False
    candidates = {email, normalize_email(email)}
    if not identity.get("hashed", False):
        return any(value.strip().lower() == c.lower() for c in candidates)
    algorithm, _, digest = value.partition("$")
    if algorithm not in ("sha256", "md5") or not digest:
        return False
    salt = identity.get("salt") or ""
    for candidate in candidates:
        computed = hashlib.new(algorithm, (candidate + salt).encode("utf-8")).hexdigest()
        if hmac.compare_digest(computed, digest.lower()):
            return True
    return False


def check_recipient(credential: Any, ctx: VerifyContext) -> CheckResult:
    cid, title = RECIPIENT
    if ctx.recipient_email is None:
        return CheckResult(cid, title, Status.NOT_APPLICABLE, "no email address given to match")
    if not isinstance(credential, dict):
        return CheckResult(cid, title, Status.NOT_CHECKED, "not a JSON object")
    subjects = credential.get("credentialSubject", [])
    identities = []
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if isinstance(subject, dict):
            found = subject.get("identifier", [])
            identities += [i for i in (found if isinstance(found, list) else [found]) if isinstance(i, dict)]
    emails = [i for i in identities if i.get("identityType") == "emailAddress"]
    if not emails:
        return CheckResult(cid, title, Status.NOT_CHECKED,
                           "the credential names its recipient by no email address")
    if any(identity_matches(identity, ctx.recipient_email) for identity in emails):
        return CheckResult(cid, title, Status.PASSED, "awarded to the given email address")
    return _fail(cid, title, "the credential was not awarded to the given email address",
                 pt.RECIPIENT_MISMATCH, problem_title="Recipient does not match")


def check_related(credential: Any, ctx: VerifyContext) -> CheckResult:
    return check_related_resource(credential, ctx.fetch_resource)


RELATED = RELATED_RESOURCE

ALL_CHECKS = (
    check_context, check_schema, check_proof, check_issuer, check_validity, check_status,
    check_recipient,
)


def checks_for(credential: Any) -> tuple[Callable[[Any, VerifyContext], CheckResult], ...]:
    """ALL_CHECKS, and the relatedResource check when the credential lists any."""
    if isinstance(credential, dict) and "relatedResource" in credential:
        return (*ALL_CHECKS, check_related)
    return ALL_CHECKS
