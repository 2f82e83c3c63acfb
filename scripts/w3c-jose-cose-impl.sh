#!/usr/bin/env bash
# The command w3c/vc-jose-cose-test-suite runs for this implementation (scripts/w3c-suites.sh
# puts a `docker` stand-in on PATH that calls this instead of a container).
#
#   w3c-jose-cose-impl.sh issue|verify --input FILE --key FILE --feature FEATURE \
#       [--sd JSON_ARRAY] --output FILE
#
# The contract, as the suite (tests/test-runner.js, tests/test-util.js, tests/test-mapping.js)
# and its reference implementation (implementations/decentralgabe) define it:
#   FEATURE   credential_jose | presentation_jose | credential_sdjwt | presentation_sdjwt |
#             credential_cose | presentation_cose. A feature the implementation config does
#             not claim (W3C_JOSE_FEATURES in scripts/w3c-suites.sh) is never asked for: its
#             tests are pending.
#   --key     a verification method (JSON): {"id", "type": "JsonWebKey", "controller",
#             "publicKeyJwk", "secretKeyJwk"}; EC P-256 / P-384 / P-521 (ES256 / ES384 /
#             ES512) or OKP Ed25519 (EdDSA). `id` is an absolute URL or a DID URL; the JWKs
#             carry `kid` (their RFC 7638 thumbprint) and `alg`.
#   issue     --input is an unsigned credential (credential_*) or presentation
#             (presentation_*; its verifiableCredential entries are EnvelopedVerifiable-
#             Credentials) as JSON. Sign it with secretKeyJwk: for *_jose a compact JWS
#             whose payload is the credential itself (typ vc+jwt / vp+jwt, cty vc / vp,
#             kid in the header), for *_cose a COSE_Sign1 (base64 in `data`), for *_sdjwt an
#             SD-JWT with the --sd paths (e.g. ["credentialSubject.firstName"]) disclosable.
#             Answer "failure" when the input must be refused: test 5 expects it for a
#             credential with terms no @context defines.
#   verify    --input is the secured form as text (a compact JWS, SD-JWT, or base64 COSE),
#             or plain JSON for the "unsecured" tests. Verify it with publicKeyJwk from the
#             key file (not by resolving kid). "success" only when the signature verifies,
#             typ/cty are the VC-JOSE-COSE media types, the payload has no `vc`/`vp` claim
#             and (for presentations) every credential is an enveloped, secured one;
#             "failure" otherwise. Note test 7's presentation carries exp 1734397450
#             (2024-12-17) and still expects "success".
#   --output  write {"result": "success"|"failure"|"indeterminate"|"error", "data": "…"}
#             there. Only `result` is compared with the expected one; `data` holds the
#             secured credential for issue. Exit 0 when a result was written.
#
# The answers come from `python -m issuer.vcjose.conformance` (our issuing and verifying
# code; its docstring says what success means for each). Without that module (an older
# checkout) this answers "indeterminate": every claimed test then fails, none passes by
# accident (9 of the 16 JOSE tests expect "failure").
set -euo pipefail

fn=${1:-}
shift || true
output=""
feature=""
args=("$@")
while [ $# -gt 0 ]; do
    case $1 in
        --output) output=${2:-}; shift 2 ;;
        --feature) feature=${2:-}; shift 2 ;;
        --input|--key|--sd) shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
case $fn in issue|verify) ;; *) echo "usage: $0 issue|verify --input F --key F --feature F [--sd J] --output F" >&2; exit 2 ;; esac
[ -n "$output" ] || { echo "--output is required" >&2; exit 2; }

PY=${W3C_ISSUER_PYTHON:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python}

if "$PY" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("issuer.vcjose.conformance") is None)' 2>/dev/null; then
    exec "$PY" -m issuer.vcjose.conformance "$fn" "${args[@]}"
fi

echo "w3c-jose-cose-impl: $fn $feature is not implemented yet (issuer.vcjose.conformance missing)" >&2
printf '{"result": "indeterminate", "data": ""}\n' >"$output"
