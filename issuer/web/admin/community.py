"""Admin pages of the community programs: members (award by hand, end an award), award
rules (edit, remove, backfill), recent events and the email outbox (with retry).

Behind the admin sign-in like every /admin page; every form carries a CSRF token. A bad
field comes back as a message next to it, and nothing is saved.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from issuer.community import awards, events, members, outbox, services
from issuer.community.models import Award
from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.services import achievements
from issuer.services.tx import atomic
from issuer.web.admin.auth import require_admin
from issuer.web.admin.confirm import confirmed
from issuer.web.admin.forms import show_errors
from issuer.web.core import deps

bp = Blueprint("community_admin", __name__, url_prefix="/admin/community")

KIND_CHOICES = [
    SelectChoice("first", "the first time the member does the action"),
    SelectChoice("count", "when the member has done the action N times"),
    SelectChoice("all_of", "when the member has earned all of these achievements (meta badge)"),
]

bp.before_request(require_admin)


class AwardForm(FlaskForm):
    achievement = SelectField("Achievement", validate_choice=False)
    note = TextAreaField("Note (optional; shown on the credential as evidence)")


class EndForm(FlaskForm):
    end_note = StringField("Why it ends (optional)")
    revoke = BooleanField("Revoke the credential (verifiers will see it as revoked)",
                          default=True)
    successor = SelectField("Then award (optional)", validate_choice=False)


class RuleForm(FlaskForm):
    kind = SelectField("Award it", choices=KIND_CHOICES, validate_choice=False)
    action = StringField("Action (such as forum.post)")
    threshold = IntegerField("How many times (N)", validators=[Optional()])
    required = SelectMultipleField("Achievements that must all be earned (meta badge)",
                                   validate_choice=False)
    window_from = DateField("Only events from (optional)", validators=[Optional()],
                            format="%Y-%m-%d")
    window_until = DateField("Until, inclusive (optional)", validators=[Optional()],
                             format="%Y-%m-%d")


class ConfirmForm(FlaskForm):
    """Only the CSRF token (remove a rule, run a backfill, retry an email)."""


def _issuing() -> awards.Issuing:
    return awards.Issuing(keystore=deps.keystore(), base_url=deps.base_url())


def _tasks():
    from issuer.jobs import jobs_of

    return jobs_of().community


def _achievement_choices(session, *, empty: str | None = None):
    choices = [SelectChoice("", empty)] if empty is not None else []
    return choices + [SelectChoice(item.id, f"{item.name} ({item.profile.name})")
                      for item in sorted(achievements.list_achievements(session, archived=False),
                                         key=lambda item: item.name.lower())]



@bp.get("/")
def overview():
    session = deps.session()
    return render_template(
        "admin/community/overview.html",
        members=members.search_members(session, limit=10),
        rules=services.list_rules(session),
        outbox_counts=outbox.counts(session),
        mail_on=bool(current_app.config.get("SMTP_URL")),
    )


# -- members ----------------------------------------------------------------------------------


@bp.get("/members")
def member_list():
    query = request.args.get("q", "").strip()
    return render_template("admin/community/members.html", query=query,
                           rows=members.search_members(deps.session(), query, limit=200))


def _member_page(member, *, award_form=None, general=(), status_code=200):
    session = deps.session()
    award_form = award_form or AwardForm()
    award_form.achievement.choices = _achievement_choices(session, empty="— choose —")
    end_form = EndForm()
    end_form.successor.choices = _achievement_choices(session, empty="— nothing —")
    return render_template(
        "admin/community/member.html", member=member,
        awards=awards.awards_of(session, member),
        badges=members.badges(session, member, public_only=False),
        award_form=award_form, end_form=end_form, general_errors=list(general),
        page_url=members.member_url(deps.base_url(), member.slug),
    ), status_code


@bp.get("/members/<int:member_id>")
def member_detail(member_id: int):
    return _member_page(members.get_member(deps.session(), member_id))


@bp.post("/members/<int:member_id>/award")
def award_by_hand(member_id: int):
    session = deps.session()
    member = members.get_member(session, member_id)
    form = AwardForm()
    if not form.validate_on_submit():
        return _member_page(member, award_form=form, status_code=400)
    try:
        achievement = achievements.get_achievement(session, form.achievement.data or "")
    except NotFound:
        form.achievement.errors = ["Choose an achievement."]
        return _member_page(member, award_form=form, status_code=422)
    try:
        made = awards.award(session, member=member, achievement=achievement,
                            source=awards.SOURCE_ADMIN, issuing=_issuing(), now=deps.now(),
                            note=form.note.data, awarded_by=current_user.user)
    except ValidationFailed as error:
        general = show_errors(form, error)
        return _member_page(members.get_member(session, member_id), award_form=form,
                            general=general, status_code=422)
    if made is None:
        flash(f"{member.display_name} already has “{achievement.name}”.")
    else:
        flash(f"“{achievement.name}” is awarded to {member.display_name}.")
    return redirect(url_for("community_admin.member_detail", member_id=member_id))


@bp.post("/awards/<int:award_id>/end")
def end_award(award_id: int):
    session = deps.session()
    item = session.get(Award, award_id)
    if item is None:
        abort(404)
    member_id = item.member_id
    form = EndForm()
    if not form.validate_on_submit():
        abort(400)
    if not confirmed("end_award"):
        return redirect(url_for("community_admin.member_detail", member_id=member_id))
    successor = None
    if form.successor.data:
        try:
            successor = achievements.get_achievement(session, form.successor.data)
        except NotFound:
            flash("Choose an existing achievement to award next.")
            return redirect(url_for("community_admin.member_detail", member_id=member_id))
    try:
        revoked = awards.end_award(session, item, note=form.end_note.data,
                                   revoke=bool(form.revoke.data), ended_by=current_user.user,
                                   issuing=_issuing(), now=deps.now())
    except (Conflict, ValidationFailed) as error:
        flash(str(error.errors.get("end_note")) if isinstance(error, ValidationFailed)
              else str(error))
        return redirect(url_for("community_admin.member_detail", member_id=member_id))
    item = session.get(Award, award_id)
    message = f"“{item.achievement.name}” has ended" + (" and its credential is revoked."
                                                         if revoked else ".")
    if successor is not None:
        made = awards.award(session, member=item.member, achievement=successor,
                            source=awards.SOURCE_ADMIN, issuing=_issuing(), now=deps.now(),
                            note=f"Follows {item.achievement.name}",
                            awarded_by=current_user.user)
        message += (f" “{successor.name}” is awarded." if made is not None
                    else f" The member already had “{successor.name}”.")
    flash(message)
    return redirect(url_for("community_admin.member_detail", member_id=member_id))


# -- rules ------------------------------------------------------------------------------------


@bp.get("/rules")
def rule_list():
    session = deps.session()
    by_achievement = {row.achievement_id: row for row in services.list_rules(session)}
    return render_template("admin/community/rules.html",
                           achievements=achievements.list_achievements(session),
                           rules=by_achievement, describe=services.describe)


def _start_of_day(value) -> datetime | None:
    return datetime.combine(value, time(0, 0), tzinfo=UTC) if value else None


@bp.route("/rules/<uuid:achievement_id>", methods=["GET", "POST"])
def rule_form(achievement_id: str):
    session = deps.session()
    achievement = achievements.get_achievement(session, achievement_id)
    row = services.rule_for(session, achievement.id)
    form = RuleForm()
    form.required.choices = [choice for choice in _achievement_choices(session)
                             if choice.value != achievement.id]
    if request.method == "GET" and row is not None:
        form.required.data = sorted(row.component_ids)
        form.kind.data = row.kind
        form.action.data = row.action
        form.threshold.data = row.threshold
        form.window_from.data = row.window_from.date() if row.window_from else None
        form.window_until.data = ((row.window_until - timedelta(days=1)).date()
                                  if row.window_until else None)
    general: list[str] = []
    status_code = 200
    if form.validate_on_submit():
        until = _start_of_day(form.window_until.data)
        entered = services.RuleInput(
            kind=form.kind.data, action=form.action.data, threshold=form.threshold.data,
            required=tuple(form.required.data or ()), window_from=_start_of_day(form.window_from.data),
            window_until=until + timedelta(days=1) if until else None)
        try:
            with atomic(session):
                services.set_rule(session, achievement, entered, now=deps.now())
        except ValidationFailed as error:
            general = show_errors(form, error)
            status_code = 422
        else:
            flash("The award rule is saved. Run a backfill to apply it to past events.")
            return redirect(url_for("community_admin.rule_form", achievement_id=achievement.id))
    elif request.method == "POST":
        status_code = 422
    return render_template(
        "admin/community/rule_form.html", achievement=achievement, rule=row, form=form,
        general_errors=general,
        confirm_form=ConfirmForm(),
    ), status_code


@bp.post("/rules/<uuid:achievement_id>/delete")
def rule_delete(achievement_id: str):
    session = deps.session()
    achievement = achievements.get_achievement(session, achievement_id)
    if ConfirmForm().validate_on_submit() and confirmed("remove_rule"):
        with atomic(session):
            removed = services.remove_rule(session, achievement)
        flash("The award rule is removed; awards already made stay." if removed
              else "There was no rule.")
    return redirect(url_for("community_admin.rule_form", achievement_id=achievement_id))


@bp.post("/rules/<uuid:achievement_id>/backfill")
def rule_backfill(achievement_id: str):
    session = deps.session()
    achievement = achievements.get_achievement(session, achievement_id)
    if services.rule_for(session, achievement.id) is None:
        flash("Save a rule first.")
    elif ConfirmForm().validate_on_submit():
        _tasks().backfill(achievement.id)
        flash("The backfill is queued: the worker awards what past events earn.")
    return redirect(url_for("community_admin.rule_form", achievement_id=achievement_id))


# -- events and outbox ------------------------------------------------------------------------


@bp.get("/events")
def event_list():
    return render_template("admin/community/events.html",
                           rows=events.recent_events(deps.session(), limit=200))


@bp.get("/outbox")
def outbox_list():
    selected = request.args.get("status") or None
    if selected not in (None, *outbox.STATUSES):
        selected = None
    session = deps.session()
    return render_template("admin/community/outbox.html",
                           rows=outbox.list_messages(session, status=selected, limit=200),
                           counts=outbox.counts(session), selected=selected,
                           statuses=outbox.STATUSES, address=outbox.recipient_address,
                           form=ConfirmForm(), mail_on=bool(current_app.config.get("SMTP_URL")))


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            outbox.retry(deps.session(), message_id, now=deps.now())
        except Conflict as error:
            flash(str(error))
        else:
            _tasks().deliver_mail(message_id)
            flash("The email is queued again.")
    return redirect(url_for("community_admin.outbox_list"))
