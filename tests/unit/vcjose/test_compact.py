"""The compact serialization read strictly, and the JOSE header rules: one refusal each."""

import pytest

from issuer.vcjose import compact
from issuer.verification import problem_types as pt
from tests.jose_helpers import b64, dumps, forge, generate, public

KEY = generate("EdDSA")
HEADER = {"alg": "EdDSA", "kid": "did:key:z6MkexampleKey", "typ": "vc+jwt", "cty": "vc"}


def token(header=None, payload=None):
    return forge(header or HEADER, payload or {"issuer": "did:example:1"}, KEY)


# --- parse -----------------------------------------------------------------------------------

def test_a_token_parses_into_header_and_payload():
    parsed = compact.parse(token())
    assert parsed.header == HEADER
    assert parsed.payload == {"issuer": "did:example:1"}


@pytest.mark.parametrize("text, reason", [
    (None, "is text"),
    (42, "is text"),
    ("", "1 parts"),
    ("a.b", "2 parts"),
    ("a.b.c.d.e", "a JWE (encrypted), not a JWS"),
    ("e30.e30.", "no signature (an unsecured JWT)"),
    ("e30!.e30.abcd", "JOSE header is not base64url"),
    ("e30=.e30.abcd", "JOSE header is not base64url"),  # padding is not base64url
    ("e31.e30.abcd", "not in canonical base64url"),  # same bytes as e30, other trailing bits
    ("e30.e30.a", "signature is not base64url"),  # a length no base64 value has
])
def test_malformed_compact_serializations_are_refused(text, reason):
    with pytest.raises(compact.JwsFormatError) as caught:
        compact.parse(text)
    assert reason in str(caught.value)


def test_an_unsecured_jwt_is_a_security_error():
    with pytest.raises(compact.JwsFormatError) as caught:
        compact.parse(forge({"alg": "none"}, {}, None))
    assert caught.value.problem_type == pt.CRYPTOGRAPHIC_SECURITY_ERROR


@pytest.mark.parametrize("header_text, payload_text, reason", [
    ("not json", "{}", "JOSE header is not JSON"),
    ("[1]", "{}", "JOSE header is not a JSON object"),
    ("{}", "[1]", "payload is not a JSON object"),
    ("{}", '{"n": NaN}', "payload is not JSON: NaN is not a JSON value"),
    ("{}", "[" * 100 + "]" * 100, "nested deeper than"),
    ("{}", b"\xff\xfe".decode("latin-1"), "payload is not JSON"),
])
def test_header_and_payload_must_be_json_objects(header_text, payload_text, reason):
    text = f"{b64(header_text)}.{b64(payload_text)}.{b64(b'sig')}"
    with pytest.raises(compact.JwsFormatError) as caught:
        compact.parse(text)
    assert reason in str(caught.value)
    assert caught.value.problem_type == pt.PARSING_ERROR


def test_oversized_tokens_and_headers_are_refused_before_decoding():
    with pytest.raises(compact.JwsFormatError, match="longer than"):
        compact.parse("a" * (compact.MAX_JWS_CHARS + 1))
    huge_header = b64(dumps({"alg": "EdDSA", "x": "a" * compact.MAX_HEADER_CHARS}))
    with pytest.raises(compact.JwsFormatError, match="header is too large"):
        compact.parse(f"{huge_header}.e30.{b64(b'sig')}")


# --- header rules ----------------------------------------------------------------------------

def check(**changes):
    header = {**HEADER, **changes}
    return compact.check_header({k: v for k, v in header.items() if v is not None})


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_never_accepted(alg):
    with pytest.raises(compact.JwsFormatError, match="never accepted") as caught:
        check(alg=alg)
    assert caught.value.problem_type == pt.PROOF_VERIFICATION_ERROR


@pytest.mark.parametrize("alg", ["HS256", "HS512", "PS256", "RS512", "ES256K", "Ed25519",
                                 "Ed448", "eddsa", "RSA-OAEP"])
def test_algorithms_outside_the_allow_list_are_refused(alg):
    with pytest.raises(compact.JwsFormatError, match="is not accepted"):
        check(alg=alg)


def test_a_header_without_alg_is_refused():
    with pytest.raises(compact.JwsFormatError, match="no alg"):
        check(alg=None)


@pytest.mark.parametrize("crit", [["exp"], ["b64"], ["urn:example:ext"], []])
def test_critical_extensions_are_refused(crit):
    with pytest.raises(compact.JwsFormatError, match="not understood"):
        check(crit=crit, **{"urn:example:ext": 1, "exp": 1})


@pytest.mark.parametrize("name", ["b64", "zip", "enc"])
def test_parameters_that_change_processing_are_refused(name):
    with pytest.raises(compact.JwsFormatError, match=f"'{name}' is not accepted"):
        check(**{name: False})


@pytest.mark.parametrize("typ, kind, draft", [
    ("vc+jwt", "vc", False), ("application/vc+jwt", "vc", False), ("VC+JWT", "vc", False),
    ("vp+jwt", "vp", False), ("vc-ld+jwt", "vc", True), ("vp-ld+jwt", "vp", True),
])
def test_the_media_types_of_credentials_and_presentations(typ, kind, draft):
    info = check(typ=typ, cty=None)
    assert (info.kind, info.vc_jose_cose) == (kind, True)
    assert bool(info.warnings) is draft


@pytest.mark.parametrize("typ", ["JWT", "jwt", "application/jwt"])
def test_typ_jwt_leaves_the_kind_to_the_payload(typ):
    info = check(typ=typ, cty=None)
    assert (info.kind, info.vc_jose_cose) == (None, False)


def test_no_typ_at_all_is_the_ob_form():
    assert check(typ=None, cty=None).kind is None


@pytest.mark.parametrize("typ", ["bad+typ", "vc+sd-jwt", "dc+sd-jwt", "at+jwt", "vc+cose",
                                 "JOSE", 7, ["vc+jwt"]])
def test_other_media_types_are_refused(typ):
    with pytest.raises(compact.JwsFormatError, match="not a verifiable credential"):
        check(typ=typ)


@pytest.mark.parametrize("cty, message", [
    ("bad+cty", "not a credential or presentation"),
    ("JWT", "not a credential or presentation"),  # a nested JWT
    ("vp", "typ says vc but cty says vp"),
])
def test_cty_must_name_the_same_kind_of_document(cty, message):
    with pytest.raises(compact.JwsFormatError, match=message):
        check(cty=cty)


def test_cty_alone_names_the_kind():
    assert check(typ="JWT", cty="vp").kind == "vp"


def test_a_presentation_where_a_credential_is_expected_is_refused():
    with pytest.raises(compact.JwsFormatError, match="vp\\+jwt where a credential"):
        compact.check_header({**HEADER, "typ": "vp+jwt", "cty": "vp"}, expect="vc")


def test_a_header_must_name_a_key():
    with pytest.raises(compact.JwsFormatError, match="names no key") as caught:
        check(kid=None)
    assert caught.value.problem_type == pt.INVALID_VERIFICATION_METHOD


@pytest.mark.parametrize("kid", ["", 5, {"id": "x"}, "x" * (compact.MAX_KID_CHARS + 1)])
def test_kid_must_be_a_reasonable_string(kid):
    with pytest.raises(compact.JwsFormatError, match="kid must be"):
        check(kid=kid)


def test_a_jwk_header_with_private_members_is_refused():
    private = KEY.export_private(as_dict=True)
    with pytest.raises(compact.JwsFormatError, match="private key members \\(d\\)"):
        check(kid=None, jwk=private)


def test_a_public_jwk_header_is_accepted():
    assert check(kid=None, jwk=public(KEY)).alg == "EdDSA"


def test_unknown_and_key_hint_parameters_are_ignored_with_a_warning():
    info = check(x5u="https://example.org/cert", ext="value", iat=1)
    assert any("x5u ignored" in w for w in info.warnings)
    assert any("ext, iat not understood" in w for w in info.warnings)


def test_a_header_iss_must_be_a_string():
    with pytest.raises(compact.JwsFormatError, match="iss header"):
        check(iss=["did:example:1"])
