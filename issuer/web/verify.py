"""Verification for anyone: the W3C VC-API ``POST /credentials/verify`` for machines and the
``/verify`` page for people (upload a JSON file or a baked PNG/SVG, paste JSON, or give a URL).

Both verify any issuer's credential through :func:`issuer.web.verifying.verify`: did:key,
did:web and http(s) issuer profiles, our own issuers resolved locally. A bad credential is a
result (422 with the failed checks), a malformed request a 400 problem-details answer.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from wtforms import StringField, TextAreaField

from issuer.errors import InvalidRequest, IssuerError
from issuer.openbadges.summary import summarize
from issuer.services import credential_input
from issuer.services.credential_input import Submitted, UnreadableCredential
from issuer.services.users import EMAIL_RE
from issuer.verification.results import Status, VerificationResult
from issuer.web import deps, ratelimit, verifying
from issuer.web.app import HTML_CSP
from issuer.web.problems import PROBLEM_JSON

api = Blueprint("verify_api", __name__)
page = Blueprint("verify_page", __name__)

# VC-API verify options we understand; any other option is ignored with a warning.
RECIPIENT_EMAIL_OPTION = "recipientEmail"
KNOWN_OPTIONS = (RECIPIENT_EMAIL_OPTION,)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# The result page shows other issuers' badge images (https or data: URLs).
RESULT_CSP = HTML_CSP.replace("img-src 'self' data:", "img-src 'self' data: https:")
STATUS_LABELS = {
    Status.PASSED: "Passed",
    Status.FAILED: "Failed",
    Status.NOT_CHECKED: "Not checked",
    Status.NOT_APPLICABLE: "Not applicable",
}


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(page)
    app.extensions["csrf"].exempt(api)  # no cookies or session: nothing to forge


def _raise_limits(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Credentials handed in may be larger than the app-wide upload limit (baked images of
    other issuers). URL value preprocessors run before any before_request function reads
    the body, so the limit is in place in time."""
    request.max_content_length = verifying.MAX_CREDENTIAL_BYTES + 64 * 1024
    request.max_form_memory_size = verifying.MAX_CREDENTIAL_BYTES


api.url_value_preprocessor(_raise_limits)
page.url_value_preprocessor(_raise_limits)


def _rate_limited() -> ratelimit.Verdict:
    """One verification by this client (API and page share the budget)."""
    return ratelimit.check("verify", limit=current_app.config["VERIFY_RATE_LIMIT"])


def _slow_down(retry_after: int) -> str:
    return (f"Too many verifications from your address. Try again in {retry_after} "
            f"second{'s' if retry_after != 1 else ''}.")


# -- VC-API -----------------------------------------------------------------------------------


def _problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


class MalformedRequest(IssuerError):
    title = "Malformed verification request"
    status = 400


@api.errorhandler(MalformedRequest)
def _malformed(error: MalformedRequest):
    return _problem(400, error.title, str(error))


@api.errorhandler(RequestEntityTooLarge)
def _api_too_large(_error: RequestEntityTooLarge):
    limit = verifying.MAX_CREDENTIAL_BYTES // 1024
    return _problem(413, "Request too large",
                    f"The request body is too large; credentials may be at most {limit} KiB.")


@api.errorhandler(HTTPException)
def _api_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return _problem(error.code, error.name, error.description or error.name)


def _request_json() -> Any:
    if request.mimetype in FORM_TYPES:
        raise MalformedRequest("Send the request as JSON (Content-Type: application/json), "
                               "not as a form.")
    data = request.get_data(cache=False)
    if not data.strip():
        raise MalformedRequest('The request has no body; send {"verifiableCredential": {...}}.')
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
        raise MalformedRequest(f"The request body is not valid JSON: {message}") from None


def _options(body: dict[str, Any]) -> tuple[str | None, list[str]]:
    options = body.get("options", {})
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise MalformedRequest("options must be a JSON object.")
    warnings = [f"option {name!r} is not supported and was ignored"
                for name in options if name not in KNOWN_OPTIONS]
    email = options.get(RECIPIENT_EMAIL_OPTION)
    if email is not None and not isinstance(email, str):
        raise MalformedRequest(f"options.{RECIPIENT_EMAIL_OPTION} must be a string "
                               "(an email address).")
    email = (email or "").strip() or None
    if email is not None and len(email) > 254:
        raise MalformedRequest(f"options.{RECIPIENT_EMAIL_OPTION} is too long.")
    return email, warnings


@api.post("/credentials/verify")
def verify_credential_api():
    """VC-API verify: 200 when verified, 422 when not (same body), 400 for a bad request."""
    limited = _rate_limited()
    if not limited.allowed:
        response = _problem(429, "Too many requests", _slow_down(limited.retry_after))
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    body = _request_json()
    if not isinstance(body, dict):
        raise MalformedRequest('The request body must be a JSON object: '
                               '{"verifiableCredential": {...}, "options": {...}}.')
    if "verifiableCredential" not in body:
        raise MalformedRequest("The request has no verifiableCredential.")
    credential = body["verifiableCredential"]
    email, warnings = _options(body)
    if not isinstance(credential, dict):
        hint = ""
        if isinstance(credential, str):
            hint = (" A VC-JWT goes in an EnvelopedVerifiableCredential; "
                    f"{credential_input.JWT_NOT_SUPPORTED}.")
        raise MalformedRequest("verifiableCredential must be a JSON object." + hint)
    unknown = [name for name in body if name not in ("verifiableCredential", "options")]
    warnings += [f"request property {name!r} is not supported and was ignored" for name in unknown]
    if credential_input.enveloped_jws(credential) is not None:
        result = credential_input.jwt_result("json")
    else:
        result = verifying.verify(credential, recipient_email=email)
    answer = result.to_dict()
    answer["warnings"] = warnings + answer["warnings"]
    return Response(json.dumps(answer), status=200 if result.verified else 422,
                    mimetype="application/json")


# -- the page for people ----------------------------------------------------------------------


class VerifyForm(FlaskForm):
    file = FileField("Upload the credential (JSON file, or a baked PNG or SVG badge image)")
    json_text = TextAreaField("…or paste the credential's JSON")
    url = StringField("…or give the address (URL) of the credential")
    email = StringField("Recipient's email address (optional)")


def _submitted(form: VerifyForm) -> Submitted:
    """The one credential the form names; UnreadableCredential (with a message) otherwise."""
    storage = form.file.data
    has_file = isinstance(storage, FileStorage) and bool(storage.filename)
    text = (form.json_text.data or "").strip()
    url = (form.url.data or "").strip()
    given = sum(bool(value) for value in (has_file, text, url))
    if given == 0:
        raise UnreadableCredential("Upload a file, paste the credential's JSON or enter its "
                                   "address (one of the three).")
    if given > 1:
        raise UnreadableCredential("Give the credential one way only: a file, pasted JSON "
                                   "or an address.")
    if has_file:
        data = storage.read(verifying.MAX_CREDENTIAL_BYTES + 1)
        if len(data) > verifying.MAX_CREDENTIAL_BYTES:
            raise UnreadableCredential(_too_large_message())
        return credential_input.read_bytes(data)
    if text:
        return credential_input.read_text(text)
    return credential_input.read_url(url, session=deps.session(), base_url=deps.base_url(),
                                     policy=verifying.fetch_policy())


def _too_large_message() -> str:
    return (f"The file is too large: credentials may be at most "
            f"{verifying.MAX_CREDENTIAL_BYTES // 1024} KiB.")


def _render(form: VerifyForm, *, status: int = 200, error: str | None = None,
            submitted: Submitted | None = None, result: VerificationResult | None = None,
            email_given: bool = False) -> Response:
    summary = summarize(submitted.document) if submitted and submitted.kind == "json" else None
    html = render_template(
        "verify.html", form=form, error=error, submitted=submitted, result=result,
        summary=summary, labels=STATUS_LABELS, email_given=email_given,
        max_kib=verifying.MAX_CREDENTIAL_BYTES // 1024,
    )
    response = Response(html, status=status, mimetype="text/html")
    if result is not None:
        response.headers["Content-Security-Policy"] = RESULT_CSP
    return response


@page.errorhandler(RequestEntityTooLarge)
def _page_too_large(_error: RequestEntityTooLarge):
    return _render(VerifyForm(formdata=None), status=413, error=_too_large_message())


@page.errorhandler(InvalidRequest)
def _page_invalid(error: InvalidRequest):
    """Input refused before the view runs (e.g. NUL characters): a form message."""
    return _render(VerifyForm(formdata=None), status=error.status, error=_sentence(str(error)))


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


@page.route("/verify", methods=["GET", "POST"])
def verify_page():
    if request.method == "GET":
        form = VerifyForm(formdata=None)
        url = request.args.get("url", "")
        if url and len(url) <= credential_input.MAX_URL_LENGTH:
            form.url.data = url  # prefilled (e.g. from a credential page); not fetched yet
        return _render(form)
    form = VerifyForm()
    if not form.validate():  # only the CSRF token is validated here (CSRFProtect did too)
        return _render(form, status=400, error="The form has expired. Reload the page and "
                                               "try again.")
    limited = _rate_limited()
    if not limited.allowed:
        response = _render(form, status=429, error=_slow_down(limited.retry_after))
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    email = (form.email.data or "").strip() or None
    if email is not None and (not EMAIL_RE.match(email) or len(email) > 254):
        form.email.errors = ["Enter a valid email address, or leave it empty."]
        return _render(form, status=422)
    try:
        submitted = _submitted(form)
    except UnreadableCredential as exc:
        return _render(form, status=422, error=str(exc))
    if submitted.kind == "jwt":
        result = credential_input.jwt_result(submitted.container)
    else:
        result = verifying.verify(submitted.document, recipient_email=email)
    # A fresh form under the answer: what was handed in (and the email) is not echoed back.
    return _render(VerifyForm(formdata=None), submitted=submitted, result=result,
                   email_given=email is not None)
