"""Admin pages for API access: API tokens and OAuth clients per issuer profile.

A new token or client secret is shown once, on the page that answers the form (never
cached, never logged); only its SHA-256 is kept.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from issuer.errors import NotFound, ValidationFailed
from issuer.services import apiauth, profiles
from issuer.services.tx import atomic
from issuer.web.admin import guard
from issuer.web.admin.auth import require_admin
from issuer.web.admin.confirm import confirmed
from issuer.web.admin.forms import EmptyForm
from issuer.web.core import deps
from issuer.web.core.security import SCRIPT_PAGE_CSP

bp = Blueprint("admin_access", __name__, url_prefix="/admin/api-access")

bp.before_request(require_admin)


class CredentialForm(FlaskForm):
    issuer = SelectField("Issuer profile", validate_choice=False)
    name = StringField("Name (who or what uses it)")
    scopes = SelectMultipleField(
        "Scopes", choices=[SelectChoice(name, f"{name}: {text}")
                           for name, text in apiauth.SCOPES.items()],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        validate_choice=False, default=["issue"],
    )


def _form(prefix: str) -> CredentialForm:
    form = CredentialForm(prefix=prefix)
    form.issuer.choices = [SelectChoice(p.slug, f"{p.name} ({p.slug})")  # the owned ones
                           for p in guard.only_owned_profiles(profiles.all_profiles(
                               deps.session()))]
    return form


def _page(token_form=None, client_form=None, general=(), status=200):
    session = deps.session()
    return render_template(
        "admin/api_access.html",
        tokens=guard.only_owned(apiauth.list_api_tokens(session)),
        clients=guard.only_owned(apiauth.list_oauth_clients(session)),
        token_form=token_form or _form("token"), client_form=client_form or _form("client"),
        revoke_form=EmptyForm(), general_errors=list(general), scopes=apiauth.SCOPES,
    ), status


def _secret_page(**context) -> Response:
    response = Response(render_template("admin/api_secret.html", **context), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP  # static/copy.js
    return response


@bp.get("/")
def index():
    return _page()


def _create(kind: str):
    form = _form(kind)
    if not form.validate_on_submit():
        return _page(**{f"{kind}_form": form}, status=422)
    session = deps.session()
    try:
        with atomic(session):
            try:
                profile = profiles.profile_by_slug(session, form.issuer.data or "")
            except NotFound:
                raise ValidationFailed({"issuer": "Choose an issuer profile."}) from None
            create = apiauth.create_api_token if kind == "token" else apiauth.create_oauth_client
            created = create(session, profile=profile, scopes=form.scopes.data or [],
                             name=form.name.data, now=deps.now(), created_by=current_user.user)
    except ValidationFailed as error:
        general = []
        for field_name, message in error.errors.items():
            field = getattr(form, field_name, None)
            if field is not None:
                field.errors = [*list(field.errors or ()), message]
            else:
                general.append(message)
        return _page(**{f"{kind}_form": form}, general=general, status=422)
    return _secret_page(kind=kind, created=created, profile=profile,
                        token_url=url_for("oauth.token", _external=False))


@bp.post("/tokens")
def create_token():
    return _create("token")


@bp.post("/clients")
def create_client():
    return _create("client")


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    if EmptyForm().validate_on_submit() and confirmed("revoke_token"):
        session = deps.session()
        with atomic(session):
            row = apiauth.revoke_api_token(session, token_id, now=deps.now())
        flash(f"API token {row.lookup} is revoked.")
    return redirect(url_for("admin_access.index"))


@bp.post("/clients/<int:client_pk>/revoke")
def revoke_client(client_pk: int):
    if EmptyForm().validate_on_submit() and confirmed("revoke_client"):
        session = deps.session()
        with atomic(session):
            client = apiauth.revoke_oauth_client(session, client_pk, now=deps.now())
        flash(f"OAuth client {client.client_id} is revoked, with its access tokens.")
    return redirect(url_for("admin_access.index"))
