"""W3C VC-API issuing: check a credential shaped by the caller, sign it for one of our
issuers, and store exactly what was returned.

https://w3c-ccg.github.io/vc-api/#issue-credential — the credential must be well formed under
VC Data Model 2.0 (issuer.vcdm.rules), its issuer must be one of this server's profiles that
the caller may act for, every term must be defined (nothing goes unsigned) and it must not be
signed already. VC 1.1 input gets the Data Integrity v2 context appended, which defines the
proof's terms. A credential without an ``id`` gets ``urn:uuid:<uuid>``; one whose id is our
``/credentials/<uuid>`` URL is served there.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer import jsontext
from issuer.dataintegrity.document_loader import DEFAULT_LOADER
from issuer.dataintegrity.limits import check_json
from issuer.dataintegrity.proofs import proofs_of
from issuer.errors import (
    Conflict,
    DocumentLoaderError,
    InputTooComplex,
    InvalidRequest,
    NotFound,
    SigningError,
    UndefinedTermError,
)
from issuer.models import IssuedCredential, IssuerProfile, SignedCredential
from issuer.openbadges import vocab
from issuer.openbadges.schema_validation import ACHIEVEMENT_CREDENTIAL
from issuer.openbadges.schema_validation import validate as validate_schema
from issuer.services import profiles, urls
from issuer.services.apiauth import Principal
from issuer.services.fetch import FetchPolicy
from issuer.services.keystore import FileKeyStore, KeyInfo
from issuer.services.related_resources import check_related_resources
from issuer.services.signing import (
    issuer_id_of,
    sign_credential,
    sign_credential_jwt,
    verification_method_for,
)
from issuer.services.tx import atomic
from issuer.dataintegrity.canonicalize import find_undefined_terms
from issuer.vcdm import rules
from issuer.vcjose.envelope import enveloped_credential
from issuer.vcdm.rules import Violation

MAX_ID_LENGTH = 1000
SUPPORTED_OPTIONS = ("credentialStatus", "format")
# options.format: how the credential is secured. "ldp_vc" (the default): a Data Integrity
# eddsa-rdfc-2022 proof; "vc+jwt": VC-JOSE-COSE, answered as an EnvelopedVerifiableCredential.
FORMAT_DATA_INTEGRITY, FORMAT_VC_JWT = "ldp_vc", "vc+jwt"
FORMATS = (FORMAT_DATA_INTEGRITY, FORMAT_VC_JWT)
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
OB_TYPES = (vocab.OPEN_BADGE_CREDENTIAL, vocab.ACHIEVEMENT_CREDENTIAL)

# Called after the SignedCredential row is flushed, in the same transaction (records the
# status list indexes the hook reserved against the row).
StatusRecorder = Callable[[Session, SignedCredential], None]
# (session, profile, credential, status options, now) -> (the credential with
# credentialStatus, its recorder).
StatusHook = Callable[[Session, IssuerProfile, dict[str, Any], Any, datetime],
                      tuple[dict[str, Any], StatusRecorder]]


class InvalidCredential(InvalidRequest):
    """The submitted credential breaks rules; each violation names its rule and path."""

    title = "Not a valid credential"
    status = 422

    def __init__(self, violations: list[Violation], *, status: int = 422,
                 problem_type: str | None = None):
        self.violations = list(violations)
        self.status = status
        if problem_type is not None:
            self.problem_type = problem_type
        super().__init__("; ".join(f"{v.rule} at {v.path}: {v.detail}" for v in violations))

    def problem_members(self) -> dict[str, Any]:
        """Extra problem-details members: ``errors``, one ``{rule, path, detail}`` each."""
        return {"errors": [{"rule": v.rule, "path": v.path, "detail": v.detail}
                           for v in self.violations]}

    @classmethod
    def over_limit(cls, error: InputTooComplex) -> InvalidCredential:
        """A processing limit exceeded: the rule is the limit's problem-type name."""
        rule = error.problem_type.rsplit(":", 1)[-1]
        return cls([Violation(rule, "$", str(error))], problem_type=error.problem_type)


def _types(document: dict[str, Any]) -> list[Any]:
    value = document.get("type")
    return value if isinstance(value, list) else [value]


def check_request_body(body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(credential, options) from a VC-API request body; 400 InvalidCredential otherwise."""
    if not isinstance(body, dict):
        raise InvalidCredential([Violation("body-object", "$",
                                           'send a JSON object: {"credential": {...}}')],
                                status=400)
    unknown = sorted(set(body) - {"credential", "options"})
    problems = [Violation("body-member", f"$.{key}", "unknown member; send credential and "
                          "options only") for key in unknown]
    credential = body.get("credential")
    if credential is None:
        problems.append(Violation("credential-required", "$.credential",
                                  "the request has no credential"))
    options = body.get("options", {})
    if not isinstance(options, dict):
        problems.append(Violation("options-object", "$.options", "options must be an object"))
    else:
        problems.extend(
            Violation("option-unsupported", f"$.options.{key}",
                      f"unsupported option; this issuer supports {', '.join(SUPPORTED_OPTIONS)}")
            for key in sorted(set(options) - set(SUPPORTED_OPTIONS))
        )
    if isinstance(options, dict) and options.get("format", FORMAT_DATA_INTEGRITY) not in FORMATS:
        problems.append(Violation("option-format", "$.options.format",
                                  f"format must be one of {', '.join(FORMATS)}"))
    if problems:
        raise InvalidCredential(problems, status=400)
    return credential, options


def find_issuer_profile(session: Session, issuer_id: str, *, base_url: str) -> IssuerProfile:
    for profile in profiles.all_profiles(session):
        if profiles.profile_did(profile, base_url) == issuer_id:
            return profile
    raise NotFound(issuer_id)


def _issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _check_id(session: Session, credential: dict[str, Any], *, base_url: str) -> str | None:
    """The uuid under which an id of ours is hosted (None: not ours); raises on a bad id."""
    credential_id = credential["id"]
    if len(credential_id) > MAX_ID_LENGTH:
        raise InvalidCredential([Violation("id-length", "$.id",
                                           f"id may have at most {MAX_ID_LENGTH} characters")])
    hosted = None
    if credential_id.startswith(base_url + "/"):
        prefix = urls.credential_url(base_url, "")
        candidate = credential_id.removeprefix(prefix)
        if not credential_id.startswith(prefix) or not _UUID_RE.match(candidate):
            raise InvalidCredential([Violation(
                "id-ours", "$.id",
                f"an id at this server's address must be {prefix}<lower-case uuid>, "
                "or use another id such as urn:uuid:...")])
        hosted = candidate
        if session.get(IssuedCredential, hosted) is not None:
            raise Conflict(f"a credential with the id {credential_id} exists already")
    taken = session.scalar(
        select(SignedCredential.id).where(SignedCredential.credential_id == credential_id)
    )
    if taken is not None:
        raise Conflict(f"a credential with the id {credential_id} exists already")
    return hosted


def _known_context(url: str) -> bool:
    try:
        DEFAULT_LOADER.load(url)
    except DocumentLoaderError:
        return False
    return True


def _with_data_integrity_context(credential: dict[str, Any]) -> dict[str, Any]:
    """VC 1.1 does not define DataIntegrityProof, cryptosuite, ...: append the DI v2 context."""
    contexts = credential["@context"]
    if rules.version(credential) == "1.1" and vocab.DATA_INTEGRITY_V2_CONTEXT not in contexts:
        return {**credential, "@context": [*contexts, vocab.DATA_INTEGRITY_V2_CONTEXT]}
    return credential


def check_credential(
    session: Session, credential: Any, *, principal: Principal, base_url: str,
    resource_policy: FetchPolicy = FetchPolicy(),
) -> tuple[IssuerProfile, dict[str, Any], str | None]:
    """(profile, credential to sign, hosted uuid) or InvalidCredential / Forbidden / Conflict.

    ``resource_policy``: how relatedResource entries on this server are fetched to compare
    their digests (issuer.services.related_resources).

    Does not sign: undefined terms are found while signing (the same JSON-LD expansion)."""
    try:
        check_json(credential)  # before any other work on the caller's document
    except InputTooComplex as exc:
        raise InvalidCredential.over_limit(exc) from None
    violations = rules.validate(credential)
    if violations:
        raise InvalidCredential(violations)
    unknown = [
        Violation("context-unknown", f"$.@context[{index}]",
                  f"{url} is not a context this issuer knows (contexts are never fetched)")
        for index, url in enumerate(credential["@context"])
        if isinstance(url, str) and not _known_context(url)
    ]
    if unknown:
        raise InvalidCredential(unknown)
    wrong_digests = check_related_resources(credential, base_url=base_url,
                                            policy=resource_policy)
    if wrong_digests:
        raise InvalidCredential(wrong_digests)
    issuer_id = _issuer_id(credential)
    try:
        profile = find_issuer_profile(session, issuer_id, base_url=base_url)
    except NotFound:
        raise InvalidCredential([Violation(
            "issuer-not-ours", "$.issuer" + (".id" if isinstance(credential["issuer"], dict)
                                             else ""),
            f"{issuer_id} is not an issuer of this server; use the DID of one of its issuer "
            "profiles")]) from None
    principal.require_profile(profile, f"the credential's issuer is {issuer_id}")
    hosted = None
    if "id" in credential:
        hosted = _check_id(session, credential, base_url=base_url)
    else:
        credential = {**credential, "id": f"urn:uuid:{uuid.uuid4()}"}
    credential = _with_data_integrity_context(credential)
    if rules.version(credential) == "2.0" and any(t in OB_TYPES for t in _types(credential)):
        problems = validate_schema(credential, ACHIEVEMENT_CREDENTIAL)
        if problems:
            raise InvalidCredential([
                Violation("ob-schema", problem.path, f"Open Badges 3.0 schema: {problem.message}")
                for problem in problems
            ])
    return profile, credential, hosted


def issue_credential(
    session: Session,
    credential: Any,
    *,
    options: dict[str, Any],
    principal: Principal,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    status_hook: StatusHook | None = None,
    resource_policy: FetchPolicy = FetchPolicy(),
) -> SignedCredential:
    """Check, sign and store a caller-shaped credential in one transaction."""
    principal.require("issue")
    with atomic(session):
        profile, document, hosted = check_credential(
            session, credential, principal=principal, base_url=base_url,
            resource_policy=resource_policy,
        )
        record_status: StatusRecorder | None = None
        if "credentialStatus" in options:
            if status_hook is None:
                raise InvalidCredential([Violation(
                    "option-unsupported", "$.options.credentialStatus",
                    "this server cannot add status entries yet")], status=400)
            if "credentialStatus" in document:
                raise InvalidCredential([Violation(
                    "status-present", "$.credentialStatus",
                    "the credential has a credentialStatus already; do not also ask for one")])
            document, record_status = status_hook(session, profile, document,
                                                  options["credentialStatus"], now)
        key = profiles.active_key(profile, keystore)
        if options.get("format") == FORMAT_VC_JWT:
            signed = document
            text, method = _secure_with_jose(document, hosted=hosted, keystore=keystore,
                                             key=key, now=now)
        else:
            signed = proof_shape(_sign(document, keystore=keystore, key=key, now=now))
            text = jsontext.document_text(signed)
            method = proofs_of(signed)[-1]["verificationMethod"]
        row = SignedCredential(
            id=hosted or str(uuid.uuid4()),
            credential_id=signed["id"],
            hosted=hosted is not None,
            profile=profile,
            document=text,
            verification_method=method,
            issued_at=now,
            issued_via=principal.idempotency_scope,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(f"a credential with the id {signed['id']} exists already") from None
        if record_status is not None:
            record_status(session, row)
            session.flush()
    return row


def proof_shape(signed: dict[str, Any]) -> dict[str, Any]:
    """``proof`` as returned: an array for an Open Badge (the strict 2024 1EdTech schema
    requires one, the current one accepts either); a single object for any other credential
    with one proof (VC DM 2.0 allows both, and the VC-API issuer test suite expects the
    object)."""
    proofs = proofs_of(signed)
    if len(proofs) != 1 or any(t in OB_TYPES for t in _types(signed)):
        return signed
    return {**signed, "proof": proofs[0]}


def _sign(document: dict[str, Any], *, keystore: FileKeyStore, key: KeyInfo,
          now: datetime) -> dict[str, Any]:
    """The credential with our eddsa-rdfc-2022 proof; InvalidCredential naming what is wrong."""
    try:
        return sign_credential(document, keystore=keystore, key=key, created=now)
    except InputTooComplex as exc:
        raise InvalidCredential.over_limit(exc) from None
    except UndefinedTermError as exc:
        raise InvalidCredential([
            Violation("undefined-term", "$", f"{term!r} is not defined by any @context, "
                      "so the signature would not cover it")
            for term in exc.terms
        ]) from None
    except DocumentLoaderError as exc:
        raise InvalidCredential([Violation("context-unknown", "$.@context", str(exc))]) \
            from None
    except SigningError as exc:
        raise InvalidCredential([Violation("jsonld-invalid", "$", str(exc))]) from None


def _secure_with_jose(document: dict[str, Any], *, hosted: str | None, keystore: FileKeyStore,
                      key: KeyInfo, now: datetime) -> tuple[str, str]:
    """options.format "vc+jwt": (the stored EnvelopedVerifiableCredential text, the kid)."""
    if rules.version(document) != "2.0":
        raise InvalidCredential([Violation("format-vc2", "$.@context", "VC-JOSE-COSE secures "
                                           "VC 2.0 credentials; use the VC 2.0 context")])
    if hosted is not None:
        raise InvalidCredential([Violation("format-hosted", "$.id", "a vc+jwt credential is "
                                           "returned, not hosted here; use another id, such as "
                                           "urn:uuid:...")])
    try:
        undefined = find_undefined_terms(document)
    except InputTooComplex as exc:
        raise InvalidCredential.over_limit(exc) from None
    except DocumentLoaderError as exc:
        raise InvalidCredential([Violation("context-unknown", "$.@context", str(exc))]) \
            from None
    if undefined:
        raise InvalidCredential([Violation("undefined-term", "$", f"{term!r} is not defined "
                                           "by any @context") for term in undefined])
    try:
        token = sign_credential_jwt(document, keystore=keystore, key=key, now=now)
    except SigningError as exc:
        raise InvalidCredential([Violation("jwt-invalid", "$", str(exc))]) from None
    text = jsontext.document_text(enveloped_credential(token))
    return text, verification_method_for(issuer_id_of(document), key)


def hosted_credential(session: Session, credential_id: str) -> SignedCredential:
    """A VC-API-signed credential served at our /credentials/<uuid> URL."""
    row = session.get(SignedCredential, credential_id) if _UUID_RE.match(credential_id) else None
    if row is None or not row.hosted:
        raise NotFound(f"no credential {credential_id!r}")
    return row
