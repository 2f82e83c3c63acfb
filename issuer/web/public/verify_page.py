"""The ``/verify`` page for people: upload a JSON file or a baked PNG/SVG, paste JSON, or give
a URL, and see every check. Verifies any issuer's credential through the one web seam,
:func:`issuer.web.core.verifying.verify`; a presentation (JSON or a vp+jwt), with the
challenge and domain the verifier gave its holder, through
:func:`issuer.web.core.verifying.verify_presentation`, which also checks each credential in it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, StringField, TextAreaField

from issuer.errors import InvalidRequest
from issuer.openbadges.summary import summarize
from issuer.services import credential_input
from issuer.services.credential_input import Submitted, UnreadableCredential
from issuer.services.users import EMAIL_RE
from issuer.vcjose import envelope
from issuer.verification import ob2
from issuer.verification.presentation import (
    PresentationOptions,
    PresentationResult,
    is_presentation,
)
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
    file = FileField("Upload the credential or presentation (JSON, a VC-JWT or vp+jwt, or a "
                     "baked PNG or SVG badge image)")
    json_text = TextAreaField("…or paste its JSON (or JWS)")
    url = StringField("…or give the address (URL) of the credential")
    email = StringField("Recipient's email address (optional)")
    challenge = StringField("Challenge you gave the holder (optional, presentations only)")
    domain = StringField("Your domain, as the holder was told (optional, presentations only)")
    unsigned = BooleanField("Accept a presentation without a signature (only its credentials "
                            "are then verified)")

MAX_OPTION_LENGTH = 1000


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


def _shown(document: Any) -> Any:
    """What a credential or presentation says, for display (not verified): a JWS or an
    envelope is decoded; None when it cannot be read."""
    if isinstance(document, str):
        return credential_input.jwt_credential(document.strip())
    try:
        opened = envelope.open_envelope(document)
    except envelope.EnvelopeError:
        return None
    return credential_input.jwt_credential(opened.token) if opened else document


def _presented(document: Any, result: PresentationResult) -> list[tuple[Any, Any]]:
    """(summary, result) of each credential the presentation holds, in order."""
    shown = _shown(document)
    entries = shown.get("verifiableCredential") if isinstance(shown, dict) else None
    entries = entries if isinstance(entries, list) else [entries]
    return [(summarize(_shown(entries[item.index]) if item.index < len(entries) else None),
             item.result) for item in result.credentials]


def _render(form: VerifyForm, *, status: int = 200, error: str | None = None,
            submitted: Submitted | None = None, result: VerificationResult | None = None,
            email_given: bool = False, presentation: PresentationResult | None = None,
            presented: Any = None) -> Response:
    summary = holder = None
    if submitted is not None and presentation is None and ob2.is_ob2(submitted.verifiable):
        summary = ob2.summary(submitted.verifiable) or {}  # an OB 2.0 assertion, and
        fetched = (result.about if result is not None else None) or {}  # its BadgeClass
        summary.update({name: value for name, value in fetched.items() if value})
    elif submitted is not None and presentation is None:
        summary = summarize(submitted.document if submitted.kind == "json"
                            else credential_input.jwt_credential(submitted.text))
    elif submitted is not None:
        shown = _shown(presented)
        holder = shown.get("holder") if isinstance(shown, dict) else None
        holder = holder.get("id") if isinstance(holder, dict) else holder
    html = render_template(
        "verify.html", form=form, error=error, submitted=submitted, result=result,
        summary=summary, labels=STATUS_LABELS, email_given=email_given,
        max_kib=verifying.MAX_CREDENTIAL_BYTES // 1024, presentation=presentation,
        holder=holder if isinstance(holder, str) else None,
        credentials=_presented(presented, presentation) if presentation else [],
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


def _options(form: VerifyForm) -> PresentationOptions | None:
    """The presentation options of the form; None (with field errors) when one is too long."""
    values = {}
    for name, field_ in (("challenge", form.challenge), ("domain", form.domain)):
        value = (field_.data or "").strip() or None
        if value is not None and len(value) > MAX_OPTION_LENGTH:
            field_.errors = [f"At most {MAX_OPTION_LENGTH} characters."]
            return None
        values[name] = value
    return PresentationOptions(**values, allow_unsigned=bool(form.unsigned.data))


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
    options = _options(form)
    if options is None:
        return _render(form, status=422)
    try:
        submitted = _submitted(form)
    except UnreadableCredential as exc:
        return _render(form, status=422, error=str(exc))
    # A compact JWS (VC-JWT) is verified as text: issuer.verification.vcjwt; an Open Badges
    # 2.0 assertion (JSON, JWS or a baked URL) the OB 2.0 way: issuer.verification.ob2.
    credential = submitted.verifiable
    if is_presentation(credential):
        if email is not None:
            form.email.errors = ["The email is matched against a credential; leave it empty "
                                 "for a presentation."]
            return _render(form, status=422)
        outcome = verifying.verify_presentation(credential, options)
        return _render(VerifyForm(formdata=None), submitted=submitted,
                       result=outcome.presentation, presentation=outcome, presented=credential)
    if options != PresentationOptions():
        return _render(form, status=422, error="The challenge, domain and unsigned "
                       "option apply to a presentation; this is a credential. Leave them "
                       "empty.")
    result = verifying.verify(credential, recipient_email=email)
    # A fresh form under the answer: what was handed in (and the email) is not echoed back.
    return _render(VerifyForm(formdata=None), submitted=submitted, result=result,
                   email_given=email is not None)
