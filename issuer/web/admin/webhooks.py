"""Admin pages for webhooks: endpoints per issuer profile (register, edit, rotate the secret,
disable, enable), their delivery log, and *Redeliver*.

A new signing secret is shown once, on the page that answers the form (never cached, never
logged); it is stored encrypted only.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField

from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.services import profiles
from issuer.services.tx import atomic
from issuer.web.admin import guard
from issuer.web.admin.auth import require_admin
from issuer.web.admin.confirm import confirmed
from issuer.web.admin.forms import EmptyForm, checkboxes, show_errors
from issuer.web.core import deps
from issuer.webhooks import delivery, endpoints, events, schedule

bp = Blueprint("admin_webhooks", __name__, url_prefix="/admin/webhooks")
LOG_SIZE = 50

bp.before_request(require_admin)


class EndpointForm(FlaskForm):
    issuer = SelectField("Issuer profile", validate_choice=False)
    url = StringField("Receiver URL")
    description = StringField("Description (optional)")
    owner_email = StringField("Owner email (told if the endpoint is disabled)")
    events = checkboxes("Events", events.EVENT_TYPES, default=[events.CREDENTIAL_ISSUED])


def _form(**kwargs) -> EndpointForm:
    form = EndpointForm(**kwargs)
    form.issuer.choices = [SelectChoice(p.slug, f"{p.name} ({p.slug})")
                           for p in guard.only_owned_profiles(profiles.all_profiles(
                               deps.session()))]
    return form


def _allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def _index(form=None, general=(), status=200):
    return render_template("admin/webhooks/index.html",
                           endpoints=guard.only_owned(endpoints.list_endpoints(deps.session())),
                           form=form or _form(owner_email=current_user.user.email),
                           general_errors=list(general),
                           disable_hours=int(schedule.DISABLE_AFTER.total_seconds() // 3600)
                           ), status


def _secret_page(endpoint, secret: str, *, rotated: bool) -> Response:
    response = Response(render_template("admin/webhooks/secret.html", endpoint=endpoint,
                                        secret=secret, rotated=rotated,
                                        grace_hours=int(endpoints.ROTATION_GRACE
                                                        .total_seconds() // 3600)),
                        mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index():
    return _index()


@bp.post("/")
def create():
    form = _form()
    if not form.validate_on_submit():
        return _index(form, status=422)
    session = deps.session()
    try:
        with atomic(session):
            try:
                profile = profiles.profile_by_slug(session, form.issuer.data or "")
            except NotFound:
                raise ValidationFailed({"issuer": "Choose an issuer profile."}) from None
            registered = endpoints.register(
                session, profile=profile, url=form.url.data, events=form.events.data or [],
                owner_email=form.owner_email.data, description=form.description.data,
                secret_key=current_app.config["SECRET_KEY"], allow_private=_allow_private(),
                now=deps.now(), created_by=current_user.user)
    except ValidationFailed as error:
        return _index(form, general=show_errors(form, error), status=422)
    return _secret_page(registered.endpoint, registered.secret, rotated=False)


def _endpoint_page(endpoint, form=None, general=(), status=200):
    session = deps.session()
    if form is None:
        form = _form(issuer=endpoint.profile.slug, url=endpoint.url,
                     description=endpoint.description, owner_email=endpoint.owner_email,
                     events=list(endpoint.events))
    return render_template(
        "admin/webhooks/endpoint.html", endpoint=endpoint, form=form, action_form=EmptyForm(),
        deliveries=delivery.deliveries_of(session, endpoint, limit=LOG_SIZE),
        general_errors=list(general), retry_plan=schedule.plan(),
        jitter_percent=round(schedule.JITTER * 100)), status


@bp.get("/<endpoint_id>")
def endpoint(endpoint_id: str):
    return _endpoint_page(endpoints.get_endpoint(deps.session(), endpoint_id))


@bp.post("/<endpoint_id>")
def update(endpoint_id: str):
    session = deps.session()
    row = endpoints.get_endpoint(session, endpoint_id)
    form = _form()
    if not form.validate_on_submit():
        return _endpoint_page(row, form, status=422)
    try:
        with atomic(session):
            endpoints.update(session, row, url=form.url.data, events=form.events.data or [],
                             owner_email=form.owner_email.data,
                             description=form.description.data,
                             allow_private=_allow_private(), now=deps.now())
    except ValidationFailed as error:
        return _endpoint_page(row, form, general=show_errors(form, error), status=422)
    flash("The endpoint is saved.")
    return redirect(url_for("admin_webhooks.endpoint", endpoint_id=row.id))


@bp.post("/<endpoint_id>/rotate")
def rotate(endpoint_id: str):
    session = deps.session()
    row = endpoints.get_endpoint(session, endpoint_id)
    if not EmptyForm().validate_on_submit() or not confirmed("rotate_secret"):
        return redirect(url_for("admin_webhooks.endpoint", endpoint_id=row.id))
    with atomic(session):
        secret = endpoints.rotate_secret(session, row,
                                         secret_key=current_app.config["SECRET_KEY"],
                                         now=deps.now())
    return _secret_page(row, secret, rotated=True)


@bp.post("/<endpoint_id>/disable")
def disable(endpoint_id: str):
    session = deps.session()
    row = endpoints.get_endpoint(session, endpoint_id)
    if EmptyForm().validate_on_submit() and row.enabled and confirmed("disable_webhook"):
        with atomic(session):
            endpoints.disable(row, reason=f"disabled by {current_user.user.email}",
                              now=deps.now())
        flash("The endpoint is disabled: no events are sent to it.")
    return redirect(url_for("admin_webhooks.endpoint", endpoint_id=row.id))


@bp.post("/<endpoint_id>/enable")
def enable(endpoint_id: str):
    session = deps.session()
    row = endpoints.get_endpoint(session, endpoint_id)
    if EmptyForm().validate_on_submit():
        try:
            with atomic(session):
                endpoints.enable(row, now=deps.now())
        except Conflict as exc:
            flash(str(exc))
        else:
            flash("The endpoint is enabled. Redeliver what it missed from the log below.")
    return redirect(url_for("admin_webhooks.endpoint", endpoint_id=row.id))


def _delivery_of(endpoint_id: str, delivery_id: int):
    session = deps.session()
    row = delivery.get_delivery(session, delivery_id)
    if row.endpoint_id != endpoint_id:
        raise NotFound("no such webhook delivery")
    return row


@bp.get("/<endpoint_id>/deliveries/<int:delivery_id>")
def delivery_detail(endpoint_id: str, delivery_id: int):
    row = _delivery_of(endpoint_id, delivery_id)
    return render_template("admin/webhooks/delivery.html", delivery=row, endpoint=row.endpoint,
                           attempts=delivery.attempts_of(deps.session(), row),
                           body_indented=json.dumps(json.loads(row.event.body), indent=2,
                                                    ensure_ascii=False),
                           action_form=EmptyForm())


@bp.post("/<endpoint_id>/deliveries/<int:delivery_id>/redeliver")
def redeliver(endpoint_id: str, delivery_id: int):
    row = _delivery_of(endpoint_id, delivery_id)
    if EmptyForm().validate_on_submit():
        try:
            delivery.redeliver(deps.session(), row.id, now=deps.now())
        except Conflict as exc:
            flash(str(exc))
        else:
            from issuer.jobs import jobs_of

            jobs_of(current_app._get_current_object()).webhooks.deliver(row.id)
            flash(f"Delivery {row.id} is queued again (same webhook-id {row.event_id}).")
    return redirect(url_for("admin_webhooks.delivery_detail", endpoint_id=endpoint_id,
                            delivery_id=row.id))
