"""The ``/verify`` page for people: upload a JSON file or a baked PNG/SVG, paste JSON, or give
a URL, and see every check. Verifies any issuer's credential through the one web seam,
:func:`issuer.web.core.verifying.verify`.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import StringField, TextAreaField

from issuer.errors import InvalidRequest
from issuer.openbadges.summary import summarize
from issuer.services import credential_input
from issuer.services.credential_input import Submitted, UnreadableCredential
from issuer.services.users import EMAIL_RE
from issuer.verification.results import Status, VerificationResult
from issuer.web.core import deps, verifying
from issuer.web.core.security import HTML_CSP

bp = Blueprint("verify_page", __name__)
bp.url_value_preprocessor(verifying.raise_body_limits)

# The result page shows other issuers' badge images (https or data: URLs).
RESULT_CSP = HTML_CSP.replace("img-src 'self' data:", "img-src 'self' data: https:")
STATUS_LABELS = {
    Status.PASSED: "Passed",
    Status.FAILED: "Failed",
    Status.NOT_CHECKED: "Not checked",
    Status.NOT_APPLICABLE: "Not applicable",
}


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
            raise UnreadableCredential(verifying.too_large_message())
        return credential_input.read_bytes(data)
    if text:
        return credential_input.read_text(text)
    return credential_input.read_url(url, session=deps.session(), base_url=deps.base_url(),
                                     policy=verifying.fetch_policy())


def _render(form: VerifyForm, *, status: int = 200, error: str | None = None,
            submitted: Submitted | None = None, result: VerificationResult | None = None,
            email_given: bool = False) -> Response:
    summary = None
    if submitted is not None:
        summary = summarize(submitted.document if submitted.kind == "json"
                            else credential_input.jwt_credential(submitted.text))
    html = render_template(
        "verify.html", form=form, error=error, submitted=submitted, result=result,
        summary=summary, labels=STATUS_LABELS, email_given=email_given,
        max_kib=verifying.MAX_CREDENTIAL_BYTES // 1024,
    )
    response = Response(html, status=status, mimetype="text/html")
    if result is not None:
        response.headers["Content-Security-Policy"] = RESULT_CSP
    return response


@bp.errorhandler(RequestEntityTooLarge)
def _page_too_large(_error: RequestEntityTooLarge):
    return _render(VerifyForm(formdata=None), status=413, error=verifying.too_large_message())


@bp.errorhandler(InvalidRequest)
def _page_invalid(error: InvalidRequest):
    """Input refused before the view runs (e.g. NUL characters): a form message."""
    return _render(VerifyForm(formdata=None), status=error.status, error=_sentence(str(error)))


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


@bp.route("/verify", methods=["GET", "POST"])
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
    limited = verifying.rate_limited()
    if not limited.allowed:
        response = _render(form, status=429, error=verifying.slow_down(limited.retry_after))
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
    # A compact JWS (VC-JWT) is verified as text: issuer.verification.vcjwt.
    credential = submitted.text if submitted.kind == "jwt" else submitted.document
    result = verifying.verify(credential, recipient_email=email)
    # A fresh form under the answer: what was handed in (and the email) is not echoed back.
    return _render(VerifyForm(formdata=None), submitted=submitted, result=result,
                   email_given=email is not None)
