"""Members' own pages: password-less sign-in by emailed link (which also lets any badge
recipient claim a page), editing one's page and badge visibility, and claim links from the
"you have earned" email (the first opening of one is a
``credential.claimed`` webhook event). The public page is in member_page.py, addresses in
member_addresses.py.

A member's session is a server-side row (issuer/services/sessions.py) whose random token the
signed session cookie carries; nothing is kept in process memory. Signing out deletes the
row (a copied cookie stops working), *on every device* deletes all of the member's. Sign-in
link requests are throttled per email and per client address (issuer/web/core/throttling.py),
counting every request: the answer is the same whether or not the address is a member's.
Emailed links carry their token in the URL's #fragment, which browsers never send; a
small script POSTs it, so tokens are in no request line, access log, Referer or served HTML.
Sign-in links are used by that POST alone (a mail scanner prefetching the page cannot).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField

from issuer.community import addresses, claims, members, outbox
from issuer.community.models import Member, OutboxMessage
from issuer.errors import InvalidImage, ValidationFailed
from issuer.models import IssuedCredential
from issuer.services import activity, backpack, images, urls
from issuer.services.tx import atomic
from issuer.sharing import linkedin
from issuer.web.core import counting, deps, throttling
from issuer.web.core.security import SCRIPT_PAGE_CSP
from issuer.web.public import wallet_offer
from issuer.webhooks import events as webhook_events

bp = Blueprint("members", __name__)

SESSION_KEY = "member_session"
NEXT_KEY = "member_next"  # a path on this site to return to after signing in (OB API consent)
SIGN_IN_INTERVAL = 60  # seconds between two sign-in emails to one member


class EmailForm(FlaskForm):
    email = EmailField("Email")


class PageForm(FlaskForm):
    display_name = StringField("Name shown on your page")
    headline = StringField("Headline")
    bio = TextAreaField("About you (Markdown)")
    interests = StringField("Interests (comma-separated)")
    links = TextAreaField("Links (one per line: Label | https://…)")
    did = StringField("Your DID (optional, for future credentials)")
    avatar = FileField("Picture (PNG, JPEG, WebP or GIF)")
    page_hidden = BooleanField("Hide my page (it answers 404 to everyone)")


class BadgesForm(FlaskForm):
    """Checkboxes named ``public`` with credential ids (built in the template)."""


class ConfirmForm(FlaskForm):
    """Only the CSRF token: set up a page, or sign out."""


class TokenForm(FlaskForm):
    """A sign-in or claim token, filled in from the link's #fragment by member_link.js."""

    token = HiddenField()


# -- the member session -----------------------------------------------------------------------


def sign_in(member: Member) -> None:
    """Start a server-side session for ``member`` (committed) and name it in the cookie."""
    session = deps.session()
    with atomic(session):
        token = members.SESSIONS.start(session, owner_id=member.id, now=deps.now(),
                                       policy=deps.member_session_policy())
    cookie[SESSION_KEY] = token


def current_member() -> Member | None:
    token = cookie.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    session = deps.session()
    with atomic(session):  # saves last_seen_at now and then
        return members.SESSIONS.owner(session, token, now=deps.now(),
                                      policy=deps.member_session_policy())


def sign_in_url() -> str:
    return url_for("members.sign_in_form")


def _after_sign_in():
    """Back to the page that asked for the sign-in (a local path only), else one's page."""
    target = cookie.pop(NEXT_KEY, None)
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        return redirect(target)
    return redirect(url_for("members.edit"))


def require_member() -> Member:
    member = current_member()
    if member is None:
        abort(redirect(url_for("members.sign_in_form")))
    return member


def mail_on() -> bool:
    return bool(current_app.config.get("SMTP_URL"))


# -- sign-in by emailed link ------------------------------------------------------------------


@bp.route("/members/sign-in", methods=["GET", "POST"])
def sign_in_form():
    form = EmailForm()
    if not form.validate_on_submit():
        return _sign_in_page(form, status_code=400 if request.method == "POST" else 200)
    try:
        email = members.check_email(form.email.data or "")
    except ValidationFailed as error:
        email = None
        form.email.errors = [error.errors["email"]]
    tried = throttling.attempt("member", email)
    wait = throttling.refused(tried)
    if wait:
        return _sign_in_page(form, status_code=429, retry_after=wait)
    throttling.failed(tried)  # every request counts: there is no "success" to tell apart
    if email is None:
        return _sign_in_page(form, status_code=422)
    session = deps.session()
    now = deps.now()
    member = members.member_by_email(session, email) if mail_on() else None
    if member is None and mail_on():  # badges were sent here: the recipient may claim a page
        member = members.claim_for_recipient(session, email, now=now)
    if member is not None and not _recently_sent(session, member, now):
        with atomic(session):
            message = outbox.sign_in_mail(session, member, now=now,
                                          address=addresses.verified_row(session, email))
        enqueue_mail(message.id)
    # The same answer whether or not it is a member's; without mail, no link is promised.
    return _sign_in_page(form, sent=mail_on())


def _sign_in_page(form: EmailForm, *, status_code: int = 200, sent: bool = False,
                  retry_after: int = 0, expired: bool = False):
    response = current_app.make_response((render_template(
        "members/sign_in.html", form=form, sent=sent, mail_on=mail_on(), expired=expired,
        wait=throttling.wait_text(retry_after) if retry_after else None), status_code))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _recently_sent(session, member: Member, now) -> bool:
    latest = session.scalar(
        select(OutboxMessage.created_at)
        .where(OutboxMessage.member_id == member.id, OutboxMessage.kind == outbox.KIND_SIGN_IN)
        .order_by(OutboxMessage.created_at.desc()).limit(1))
    return latest is not None and (now - latest).total_seconds() < SIGN_IN_INTERVAL


def enqueue_mail(message_id: int) -> None:
    from issuer.jobs import jobs_of

    try:
        jobs_of().community.deliver_mail(message_id)
    except Exception:  # `issuer community requeue` queues it again
        current_app.logger.exception("could not enqueue an email")


def link_page(template: str, **context):
    """A page that moves a link's #token into its form (static/member_link.js)."""
    response = current_app.make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP
    return response


@bp.get("/members/sign-in/continue")
def sign_in_confirm():
    """One button: the POST uses the link (a scanner that prefetches the GET cannot)."""
    return link_page("members/sign_in_confirm.html", form=TokenForm())


@bp.post("/members/sign-in/continue")
def sign_in_with_link():
    form = TokenForm()
    if not form.validate_on_submit():
        abort(400)
    session = deps.session()
    member = members.redeem_sign_in_token(session, form.token.data or "", now=deps.now())
    if member is None:
        return _sign_in_page(EmailForm(), status_code=400, expired=True)
    sign_in(member)
    flash("You are signed in.")
    return _after_sign_in()


@bp.post("/members/sign-out")
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit():
        session = deps.session()
        member = current_member()
        with atomic(session):
            if member is not None and request.form.get("everywhere"):
                members.SESSIONS.end_all(session, owner_id=member.id)
            else:
                members.SESSIONS.end(session, cookie.get(SESSION_KEY))
        cookie.pop(SESSION_KEY, None)
        flash("You are signed out.")
    return redirect(url_for("members.sign_in_form"))


# -- editing one's page -----------------------------------------------------------------------


def _page_form(member: Member) -> PageForm:
    form = PageForm()
    if request.method == "GET":
        _fill(form, member)
    return form


def _fill(form: PageForm, member: Member) -> None:
    form.display_name.data = member.display_name
    form.headline.data = member.headline
    form.bio.data = member.bio
    form.interests.data = members.interests_text(member)
    form.links.data = members.links_text(member)
    form.did.data = member.did
    form.page_hidden.data = member.page_hidden


def _edit_page(member: Member, form: PageForm, general=(), status_code: int = 200):
    session = deps.session()
    badges = members.badges(session, member, public_only=False)
    return render_template(
        "members/edit.html", member=member, form=form, badges_form=BadgesForm(formdata=None),
        signout_form=ConfirmForm(formdata=None), badges=badges, general_errors=list(general),
        held=backpack.held_credentials(session, member),
        page_url=members.member_url(deps.base_url(), member.slug),
    ), status_code


def _page_body_limit() -> int:
    return deps.avatar_max_bytes() + 256 * 1024  # the picture and the rest of the form


def raise_body_limit():
    """Before any other request hook: the page form may carry a picture up to
    avatar_max_bytes (it is re-encoded to a small PNG); a larger body is not read, and the
    page comes back with the error by the picture field."""
    if request.endpoint != "members.edit":
        return None
    limit = _page_body_limit()
    request.max_content_length = limit
    if request.method != "POST" or (request.content_length or 0) <= limit:
        return None
    member = require_member()
    form = PageForm(formdata=None)  # as it was saved
    _fill(form, member)
    form.avatar.errors = [f"The picture is too large; the limit is "
                          f"{deps.avatar_max_bytes() // (1024 * 1024)} MiB."]
    return _edit_page(member, form, status_code=413)


@bp.route("/members/me", methods=["GET", "POST"])
def edit():
    member = require_member()
    form = _page_form(member)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _edit_page(member, form, status_code=400)
        session = deps.session()
        try:
            with atomic(session):
                now = deps.now()
                avatar = None
                upload = form.avatar.data
                if upload is not None and getattr(upload, "filename", ""):
                    data = upload.read(deps.avatar_max_bytes() + 1)
                    try:
                        avatar = images.store_avatar(session, data, now=now,
                                                     max_bytes=deps.avatar_max_bytes())
                    except InvalidImage as error:  # named after this form's field
                        raise ValidationFailed({"avatar": error.errors["image"]}) from None
                members.update_member(member, members.MemberFields(
                    display_name=form.display_name.data or "", headline=form.headline.data,
                    bio=form.bio.data, interests=form.interests.data, links=form.links.data,
                    did=form.did.data), avatar=avatar, now=now)
                member.page_hidden = bool(form.page_hidden.data)
        except ValidationFailed as error:
            session.rollback()
            member = current_member()
            general = []
            for name, message in error.errors.items():
                field = getattr(form, name, None)
                if field is not None and hasattr(field, "errors"):
                    field.errors = [*list(field.errors or ()), message]
                else:
                    general.append(message)
            return _edit_page(member, form, general, 422)
        flash("Your page is saved.")
        return redirect(url_for("members.edit"))
    return _edit_page(member, form)


@bp.post("/members/me/badges")
def edit_badges():
    member = require_member()
    if not BadgesForm().validate_on_submit():
        abort(400)
    session = deps.session()
    with atomic(session):
        members.set_public_badges(session, member, set(request.form.getlist("public")))
    flash("Your badge choices are saved.")
    return redirect(url_for("members.edit"))


# -- claim links ------------------------------------------------------------------------------


CLAIM_KEY = "claim"


def claimed_ref() -> tuple[str, int] | None:
    """(credential id, recipient id) of the claim link this browser opened, if any."""
    value = cookie.get(CLAIM_KEY)
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        return value[0], value[1]
    return None


def _claimed() -> IssuedCredential:
    """The credential whose claim link this browser opened (kept in the signed session)."""
    value = cookie.get(CLAIM_KEY)
    if not (isinstance(value, list) and len(value) == 2):
        abort(404)
    session = deps.session()
    row = session.get(IssuedCredential, value[0]) if isinstance(value[0], str) else None
    if row is None or row.recipient_id != value[1]:
        abort(404)
    return row


@bp.get("/claim")
def claim_link():
    """The emailed claim link lands here; its #token is POSTed by the page's script."""
    return link_page("members/claim_link.html", form=TokenForm())


@bp.post("/claim")
def claim_open():
    form = TokenForm()
    if not form.validate_on_submit():
        abort(400)
    claim = claims.read_token(current_app.config["SECRET_KEY"], form.token.data or "")
    row = deps.session().get(IssuedCredential, claim.credential_id) if claim else None
    if row is None or row.recipient_id != claim.recipient_id:
        return render_template("members/claim_link.html", form=TokenForm(), invalid=True), 404
    webhook_events.credential_claimed(deps.session(), row, base_url=deps.base_url(),
                                      now=deps.now())  # the first time only
    cookie[CLAIM_KEY] = [row.id, row.recipient_id]
    return counting.count_after_response(redirect(url_for("members.claim")), row.id,
                                         activity.CLAIM, browsers_only=False)


@bp.get("/claim/credential")
def claim():
    row = _claimed()
    base_url = deps.base_url()
    page_url = urls.credential_url(base_url, row.id)
    member = members.member_for_recipient(deps.session(), row.recipient_id)
    response = current_app.make_response(render_template(
        "members/claim.html", credential=row, page_url=page_url, form=ConfirmForm(),
        member=member, wallet=wallet_offer.lcw_offer_for(row),
        oid4vci=wallet_offer.offer_for(row, "oid4vci"),
        linkedin_url=linkedin.add_to_profile_url(
            name=row.achievement.name, organization_name=row.profile.name,
            organization_id=current_app.config.get("LINKEDIN_ORGANIZATION_ID"),
            issued=row.valid_from, expires=row.valid_until, cert_url=page_url, cert_id=row.id),
    ))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/claim/credential")
def claim_member_page():
    """Set up (or sign in to) the member page of this credential's recipient."""
    row = _claimed()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session = deps.session()
    member = members.ensure_member(
        session, members.Identity(email=row.recipient.email, name=row.recipient_name),
        now=deps.now())
    sign_in(member)
    flash("Welcome! This is your member page; choose what it shows.")
    return redirect(url_for("members.edit"))
