"""A signed-in member's email addresses: add one (a verification link is emailed through
the outbox), confirm it by that link, send the link again, make one primary, remove one.

Verification emails are rate-limited per address and per member, counted from the outbox
in the database (issuer/community/addresses.py ``send_wait``), and per client address by the
general rate limits when a Redis is configured. The link carries its token after ``#`` and
is used by a POST alone, as sign-in links are (static/member_link.js); it works without
being signed in (on another device), and signs nobody in.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import EmailField

from issuer.community import addresses, outbox
from issuer.community.models import Member
from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.services.tx import atomic
from issuer.web.core import deps, ratelimit, throttling
from issuer.web.public import members as member_views

bp = Blueprint("member_addresses", __name__)

CLIENT_LIMIT = 30  # verification emails per hour per client address (with a Redis)


class AddressForm(FlaskForm):
    email = EmailField("Another email address")


class ActionForm(FlaskForm):
    """Only the CSRF token: resend, make primary, remove."""


def _page(member: Member, form: AddressForm, *, status_code: int = 200, wait: int = 0):
    session = deps.session()
    response = current_app.make_response((render_template(
        "members/addresses.html", member=member, form=form, action_form=ActionForm(),
        rows=addresses.list_addresses(session, member), mail_on=member_views.mail_on(),
        wait=throttling.wait_text(wait) if wait else None), status_code))
    if wait:
        response.headers["Retry-After"] = str(wait)
    response.headers["Cache-Control"] = "no-store"
    return response


def _send(member: Member, address) -> int:
    """Queue the verification email of ``address``; the seconds to wait when refused."""
    session = deps.session()
    now = deps.now()
    wait = addresses.send_wait(session, member, address, now=now)
    if not wait:
        verdict = ratelimit.check("member-address", limit=CLIENT_LIMIT, window=3600)
        wait = 0 if verdict.allowed else verdict.retry_after
    if wait:
        return wait
    with atomic(session):
        message = outbox.verify_address_mail(session, address, now=now)
    member_views.enqueue_mail(message.id)
    return 0


@bp.get("/members/me/emails")
def list_page():
    return _page(member_views.require_member(), AddressForm())


@bp.post("/members/me/emails")
def add():
    member = member_views.require_member()
    form = AddressForm()
    if not form.validate_on_submit():
        return _page(member, form, status_code=400)
    if not member_views.mail_on():
        form.email.errors = ["Email is not set up on this site, so addresses cannot be "
                             "confirmed."]
        return _page(member, form, status_code=422)
    session = deps.session()
    try:
        with atomic(session):
            address = addresses.add_address(session, member, form.email.data or "",
                                            now=deps.now())
    except ValidationFailed as error:
        session.rollback()
        form.email.errors = [error.errors.get("email", "Enter a valid email address.")]
        return _page(member_views.require_member(), form, status_code=422)
    wait = _send(member, address)
    if wait:
        return _page(member, AddressForm(), status_code=429, wait=wait)
    flash(f"We sent a confirmation link to {address.email}. It works once, within "
          f"{int(addresses.VERIFY_TTL.total_seconds() // 3600)} hours.")
    return redirect(url_for("member_addresses.list_page"))


def _row(member: Member, address_id: int):
    try:
        return addresses.address_of(deps.session(), member, address_id)
    except NotFound:
        abort(404)


@bp.post("/members/me/emails/<int:address_id>/resend")
def resend(address_id: int):
    member = member_views.require_member()
    if not ActionForm().validate_on_submit():
        abort(400)
    address = _row(member, address_id)
    if address.verified:
        flash(f"{address.email} is already confirmed.")
        return redirect(url_for("member_addresses.list_page"))
    if not member_views.mail_on():
        abort(409)
    wait = _send(member, address)
    if wait:
        return _page(member, AddressForm(), status_code=429, wait=wait)
    flash(f"We sent a new confirmation link to {address.email}.")
    return redirect(url_for("member_addresses.list_page"))


def _change(address_id: int, change) -> Response:
    """Apply ``change(session, member, row)`` (which returns what to tell the member) to one
    of the signed-in member's addresses; a Conflict is told instead."""
    member = member_views.require_member()
    if not ActionForm().validate_on_submit():
        abort(400)
    session = deps.session()
    row = _row(member, address_id)
    try:
        with atomic(session):
            message = change(session, member, row)
    except Conflict as error:
        session.rollback()
        message = str(error).capitalize() + "."
    flash(message)
    return redirect(url_for("member_addresses.list_page"))


@bp.post("/members/me/emails/<int:address_id>/primary")
def make_primary(address_id: int):
    def change(session, member, row):
        addresses.make_primary(session, member, row.id, now=deps.now())
        return f"{row.email} is now your primary address."

    return _change(address_id, change)


@bp.post("/members/me/emails/<int:address_id>/remove")
def remove(address_id: int):
    def change(session, member, row):
        email = addresses.remove_address(session, member, row.id)
        return f"{email} was removed; badges sent to it are no longer on your page."

    return _change(address_id, change)


@bp.get("/members/me/emails/verify")
def verify_confirm():
    """One button: the POST uses the link (a scanner that prefetches the GET cannot)."""
    return member_views.link_page("members/verify_address.html",
                                  form=member_views.TokenForm())


@bp.post("/members/me/emails/verify")
def verify():
    form = member_views.TokenForm()
    if not form.validate_on_submit():
        abort(400)
    session = deps.session()
    result = addresses.redeem_verification_token(session, form.token.data or "",
                                                 now=deps.now())
    if result.address is None or result.taken:
        return member_views.link_page("members/verify_address.html", form=form,
                                      invalid=result.address is None, taken=result.taken,
                                      address=result.address), (
            400 if result.address is None else 409)
    signed_in = member_views.current_member()
    if signed_in is not None and signed_in.id == result.address.member_id:
        flash(f"{result.address.email} is confirmed: its badges are on your page.")
        return redirect(url_for("member_addresses.list_page"))
    return member_views.link_page("members/verify_address.html", form=form, done=True,
                                  address=result.address)
