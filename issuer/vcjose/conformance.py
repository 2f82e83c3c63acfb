"""The command w3c/vc-jose-cose-test-suite runs as "our implementation".

    python -m issuer.vcjose.conformance issue|verify --input FILE --key FILE \
        --feature FEATURE [--sd JSON] --output FILE

The suite runs every implementation as a container command with its own key (a
``JsonWebKey`` verification method with ``publicKeyJwk`` and ``secretKeyJwk``) and input
files, and compares the ``result`` written to ``--output`` (``success``, ``failure``,
``indeterminate`` or ``error``) with the one it expects. ``scripts/w3c-jose-cose-impl.sh``
calls this module; its header documents the contract.

What the answers mean here:

* ``issue``: ``success`` with the compact JWS in ``data`` when our own issuing code
  (:func:`issuer.vcjose.issue.secure_credential` / ``secure_presentation``) secures the
  input with the suite's key (``kid`` = the verification method's id); ``failure`` when the
  input is refused: not a well-formed credential under the VC Data Model rules we apply when
  issuing (:mod:`issuer.vcdm.rules`), or terms that no @context defines.
* ``verify``: our verifier (:func:`issuer.vcjose.verify.verify_jws`) runs on the input with
  the key file's controller document as the only document it may resolve. ``success`` when
  the securing mechanism holds: a compact JWS with the VC-JOSE-COSE media types, the
  signature valid under that key, the key its controller's (the issuer or holder), no
  ``vc`` / ``vp`` claim, and for a presentation every credential an enveloped
  ``application/vc+jwt`` JWS. The JWT claims and validity period checks are reported in
  ``data`` but do not decide the answer: the suite's presentations expired in December
  2024 (``exp``), and it expects them to verify. Verification through our endpoints and ``issuer verify`` applies every
  check.
* SD-JWT and COSE are not implemented: ``indeterminate`` (the suite does not ask when the
  feature is not claimed).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jwcrypto import jwk

from issuer import jsontext
from issuer.clock import utc_now
from issuer.dataintegrity.canonicalize import find_undefined_terms
from issuer.errors import IssuerError
from issuer.vcdm import rules
from issuer.vcjose import compact, envelope, jwks
from issuer.vcjose.issue import JoseSigner, secure_credential, secure_presentation
from issuer.vcjose.verify import verify_jws
from issuer.verification.results import Status

SUCCESS, FAILURE, INDETERMINATE, ERROR = "success", "failure", "indeterminate", "error"
FEATURES = {"credential_jose": "vc", "presentation_jose": "vp"}
OTHER_FEATURES = ("credential_sdjwt", "presentation_sdjwt", "credential_cose",
                  "presentation_cose")
MAX_INPUT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Answer:
    result: str
    data: str = ""

    def to_json(self) -> str:
        return json.dumps({"result": self.result, "data": self.data}, ensure_ascii=False)


@dataclass(frozen=True)
class KeyFile:
    """The suite's verification method: its id, controller, public and secret JWKs."""

    method_id: str
    controller: str
    method: dict[str, Any]
    secret: dict[str, Any]

    @classmethod
    def parse(cls, value: Any) -> KeyFile:
        if not isinstance(value, dict):
            raise ValueError("the key file is not a JSON object")
        method_id, controller = value.get("id"), value.get("controller")
        public, secret = value.get("publicKeyJwk"), value.get("secretKeyJwk")
        if not (isinstance(method_id, str) and isinstance(controller, str)
                and isinstance(public, dict) and isinstance(secret, dict)):
            raise ValueError("the key file needs id, controller, publicKeyJwk and secretKeyJwk")
        method = {"id": method_id, "type": "JsonWebKey", "controller": controller,
                  "publicKeyJwk": public}
        return cls(method_id, controller, method, secret)

    def controller_document(self) -> dict[str, Any]:
        """The controller document the key file implies: this one method, for issuing
        (assertionMethod) and presenting (authentication)."""
        return {"id": self.controller, "verificationMethod": [self.method],
                "assertionMethod": [self.method_id], "authentication": [self.method_id]}

    def signer(self) -> JoseSigner:
        key = jwk.JWK(**self.secret)
        alg = self.secret.get("alg") or self.method["publicKeyJwk"].get("alg")
        if not isinstance(alg, str):
            raise ValueError("the key names no alg")
        return JoseSigner(key, alg, self.method_id)


def issue(document: Any, key: KeyFile, kind: str, *, now: datetime) -> Answer:
    if kind == "vc":
        violations = rules.validate(document)
        if violations:
            return Answer(FAILURE, "; ".join(str(v) for v in violations))
        try:
            undefined = find_undefined_terms(document)
        except IssuerError as exc:
            return Answer(FAILURE, str(exc))
        if undefined:
            return Answer(FAILURE, "terms no @context defines: " + ", ".join(undefined))
        return Answer(SUCCESS, secure_credential(document, signer=key.signer(), now=now))
    if not isinstance(document, dict) or "VerifiablePresentation" not in _types(document):
        return Answer(FAILURE, "not a presentation (type VerifiablePresentation)")
    return Answer(SUCCESS, secure_presentation(document, signer=key.signer(), now=now))


def verify(text: str, key: KeyFile, kind: str, *, now: datetime) -> Answer:
    token = text.strip()
    try:
        parsed = compact.parse(token)
        info = compact.check_header(parsed.header, expect=kind)  # type: ignore[arg-type]
    except compact.JwsFormatError as exc:
        return Answer(FAILURE, str(exc))
    if not info.vc_jose_cose or info.kind != kind:
        return Answer(FAILURE, f"typ {parsed.header.get('typ')!r} / cty "
                      f"{parsed.header.get('cty')!r} are not the VC-JOSE-COSE media types "
                      f"of a {'credential' if kind == 'vc' else 'presentation'}")
    nested = [name for name in ("vc", "vp") if name in parsed.payload]
    if nested:
        return Answer(FAILURE, f"the payload carries the {'/'.join(nested)} claim: "
                      "VC-JOSE-COSE secures the credential itself")
    controller = key.controller_document()
    outcome = verify_jws(token, now=now, expect=kind,  # type: ignore[arg-type]
                         resolve_controller=lambda i: controller if i == key.controller else None)
    report = "; ".join(f"{c.id}: {c.status.value}: {c.detail}" for c in outcome.checks)
    deciding = (outcome.proof, outcome.binding)
    if any(check.status is not Status.PASSED for check in deciding):
        return Answer(FAILURE, report)
    if kind == "vp":
        problem = _enveloped_credentials_problem(outcome.document or {})
        if problem:
            return Answer(FAILURE, f"{problem}; {report}")
    return Answer(SUCCESS, report)


def _types(document: dict[str, Any]) -> list[str]:
    value = document.get("type")
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def _enveloped_credentials_problem(presentation: dict[str, Any]) -> str | None:
    """Why a credential of the presentation is not an enveloped, secured one (None: all
    are). A JWS credential must parse with the credential media types; an SD-JWT one
    (``application/vc+sd-jwt``) must start with a compact JWS. Their signatures are the
    credential issuers' and their keys are not in the key file: not verified here."""
    entries = presentation.get("verifiableCredential", [])
    for index, entry in enumerate(entries if isinstance(entries, list) else [entries]):
        where = f"verifiableCredential[{index}]"
        if not isinstance(entry, dict) or envelope.ENVELOPED_CREDENTIAL not in _types(entry):
            return f"{where} is not an EnvelopedVerifiableCredential"
        identifier = entry.get("id")
        match = envelope.DATA_URL.match(identifier.strip()) if isinstance(identifier, str) \
            else None
        if match is None:
            return f"{where}: its id is not a data: URL"
        media_type = match.group("type").strip().lower()
        token = match.group("data").strip()
        try:
            if media_type == "application/vc+sd-jwt":
                compact.parse(token.split("~", 1)[0])
            elif media_type == "application/vc+jwt":
                compact.check_header(compact.parse(token).header, expect="vc")
            elif media_type == "application/vc+cose":
                if not token or not _is_base64(token):
                    return f"{where}: a COSE credential must be base64 data"
            else:
                return f"{where} carries {media_type or 'no media type'}, not a secured " \
                    "credential"
        except compact.JwsFormatError as exc:
            return f"{where}: {exc}"
    return None


def _is_base64(text: str) -> bool:
    """Base64 (either alphabet, padding optional; the suite's COSE envelope has neither)."""
    compacted = "".join(text.split()).rstrip("=").replace("-", "+").replace("_", "/")
    try:
        base64.b64decode(compacted + "=" * (-len(compacted) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _read(path: str, what: str) -> bytes:
    data = Path(path).read_bytes()
    if len(data) > MAX_INPUT_BYTES:
        raise ValueError(f"the {what} is larger than {MAX_INPUT_BYTES} bytes")
    return data


def run(fn: str, *, input_path: str, key_path: str, feature: str,
        now: datetime | None = None) -> Answer:
    """The answer for one suite call; never raises for bad input (``error`` instead)."""
    now = now or utc_now()
    if feature in OTHER_FEATURES:
        return Answer(INDETERMINATE, f"{feature} is not implemented")
    if feature not in FEATURES:
        return Answer(ERROR, f"unknown feature {feature!r}")
    try:
        key = KeyFile.parse(jsontext.loads(_read(key_path, "key file")))
        raw = _read(input_path, "input")
        if fn == "issue":
            return issue(jsontext.loads(raw), key, FEATURES[feature], now=now)
        return verify(raw.decode("utf-8"), key, FEATURES[feature], now=now)
    except (OSError, ValueError, UnicodeDecodeError, jsontext.JSONTextError, jwks.JwkError,
            IssuerError) as exc:
        return Answer(ERROR, f"{exc.__class__.__name__}: {exc}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m issuer.vcjose.conformance",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("fn", choices=("issue", "verify"))
    parser.add_argument("--input", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--feature", required=True)
    parser.add_argument("--sd", default=None, help="selective disclosure paths (SD-JWT only)")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    answer = run(args.fn, input_path=args.input, key_path=args.key, feature=args.feature)
    Path(args.output).write_text(answer.to_json() + "\n", "utf-8")
    print(f"{args.fn} {args.feature}: {answer.result}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
