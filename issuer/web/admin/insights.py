"""The admin dashboard (/admin/) and the credential list (/admin/credentials, and its CSV
export /admin/credentials.csv), on the admin blueprint of pages.py.

Every query parameter is checked by CredentialFilterForm / the dashboard's own choices: a bad
one comes back as a message on the page (400), never a 500. Pages are bounded (at most
credential_query.MAX_PAGE_SIZE rows); the export streams the whole filtered list in batches.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response, render_template, request, stream_with_context
from wtforms import SelectChoice

from issuer.services import achievements, credential_query, issuance, profiles
from issuer.services import dashboard as figures
from issuer.services.credential_query import CredentialFilter
from issuer.services.admins import VIEWER
from issuer.web.admin import guard
from issuer.web.admin.charts import bar_chart
from issuer.web.admin.forms import CredentialFilterForm
from issuer.web.admin.pages import bp
from issuer.web.core import deps

STATUS_LABELS = {"active": "Active", "suspended": "Suspended", "revoked": "Revoked",
                 "expired": "Expired"}
PATH_LABELS = {**issuance.ISSUING_PATHS, "vcapi": "VC-API",
               credential_query.NOT_RECORDED: "Not recorded"}
SORT_LABELS = {"issued": "Issued", "recipient": "Recipient", "achievement": "Achievement",
               "expires": "Expires", "status": "Status"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# -- dashboard --------------------------------------------------------------------------------


@bp.get("/")
def dashboard():
    session = deps.session()
    now = deps.now()
    every_profile = profiles.all_profiles(session)
    all_profiles = guard.only_visible_profiles(every_profile)  # issue 14: only theirs
    by_slug = {profile.slug: profile for profile in all_profiles}
    errors = []
    slug = request.args.get("issuer", "")
    if not slug and all_profiles and len(all_profiles) < len(every_profile):
        slug = all_profiles[0].slug  # the overall figures include profiles they cannot see
    if slug and slug not in by_slug:
        errors.append("Choose an issuer profile from the list.")
        slug = ""
    granularity = request.args.get("by", "month")
    if granularity not in figures.GRANULARITIES:
        errors.append("Show issuance by month or by day.")
        granularity = "month"
    selected = by_slug.get(slug)
    profile_id = selected.id if selected else None
    totals = figures.totals_by_profile(session, now=now)
    signed = figures.signed_by_profile(session)
    series = figures.issuance_series(session, now=now, granularity=granularity,
                                       profile_id=profile_id)
    points = [(bucket.label,
               MONTHS[bucket.start.month - 1] if granularity == "month" else str(bucket.start.day),
               bucket.count) for bucket in series]
    return render_template(
        "admin/dashboard.html",
        profiles=all_profiles,
        selected=selected,
        granularity=granularity,
        errors=errors,
        totals=totals.get(profile_id) or figures.empty_totals(),
        per_profile=[(profile, totals.get(profile.id) or figures.empty_totals(),
                      signed.get(profile.id, 0)) for profile in all_profiles],
        chart=bar_chart(points),
        series_first=series[0].label, series_last=series[-1].label,
        top=figures.top_achievements(session, profile_id=profile_id),
        paths=figures.by_path(session, profile_id=profile_id),
        path_labels=PATH_LABELS,
        recent=figures.recent_activity(session, profile_id=profile_id),
        views_30=figures.daily_views(session, now=now, profile_id=profile_id),
        achievements=achievements.list_achievements(session, selected, archived=False)
        if selected else achievements.list_achievements(session, archived=False),
        archived=achievements.list_achievements(session, selected, archived=True)
        if selected else achievements.list_achievements(session, archived=True),
        status_labels=STATUS_LABELS,
    ), 400 if errors else 200


# -- credential list --------------------------------------------------------------------------


def _filter_form(session) -> CredentialFilterForm:
    form = CredentialFilterForm(request.args)
    all_profiles = guard.only_visible_profiles(profiles.all_profiles(session))
    visible = {profile.id for profile in all_profiles}
    form.issuer.choices = [SelectChoice("", "All issuers")] + [
        SelectChoice(profile.slug, profile.name) for profile in all_profiles]
    form.achievement.choices = [SelectChoice("", "All achievements")] + [
        SelectChoice(item.id, item.name if len(all_profiles) < 2
                     else f"{item.name} ({item.profile.name})")
        for item in achievements.list_achievements(session) if item.profile_id in visible]
    form.status.choices = [SelectChoice("", "Any status")] + [
        SelectChoice(value, STATUS_LABELS[value]) for value in credential_query.STATUSES]
    form.via.choices = [SelectChoice("", "Any path")] + [
        SelectChoice(value, label) for value, label in PATH_LABELS.items() if value != "vcapi"]
    form.sort.choices = [SelectChoice(value, label) for value, label in SORT_LABELS.items()]
    form.direction.choices = [SelectChoice("desc", "Descending"),
                              SelectChoice("asc", "Ascending")]
    form.per_page.choices = [SelectChoice(str(size), str(size))
                             for size in credential_query.PAGE_SIZES]
    return form


def _query(session, form: CredentialFilterForm) -> CredentialFilter:
    profile_id = None
    if form.issuer.data:
        profile_id = profiles.profile_by_slug(session, form.issuer.data).id
    return CredentialFilter(
        text=form.q.data, profile_id=profile_id, achievement_id=form.achievement.data or None,
        status=form.status.data or None, issued_from=form.issued_from.data,
        issued_to=form.issued_to.data, via=form.via.data or None,
        visible_profiles=tuple(guard.profile_ids(VIEWER)),  # issue 14: only your profiles
    )


def _params(form: CredentialFilterForm, **changes) -> dict[str, str]:
    """The form's non-empty parameters (for sort, page and export links), with ``changes``."""
    names = ("q", "issuer", "achievement", "status", "via", "issued_from", "issued_to",
             "sort", "direction", "per_page")
    values = {name: request.args.get(name, "") for name in names}
    values.update({key: str(value) for key, value in changes.items()})
    return {key: value for key, value in values.items() if value}


@bp.get("/credentials")
def credentials():
    session = deps.session()
    form = _filter_form(session)
    sort = form.sort.data or "issued"
    descending = form.direction.data != "asc"
    result = None
    status = 200
    if form.validate():
        per_page = int(form.per_page.data or 50)
        result = credential_query.list_credentials(
            session, _query(session, form), now=deps.now(), sort=sort, descending=descending,
            page=form.page.data or 1, per_page=per_page)
    else:
        status = 400
    return render_template(
        "admin/credentials.html", form=form, result=result, sort=sort, descending=descending,
        params=lambda **changes: _params(form, **changes), sort_labels=SORT_LABELS,
        status_labels=STATUS_LABELS, path_labels=PATH_LABELS, query=form.q.data or "",
    ), status


def csv_cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula: text starting with = + - @
    (or a tab or carriage return) gets a leading apostrophe (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


CSV_HEADER = ("id", "url", "status", "issued_at", "valid_until", "recipient_name",
              "recipient_email", "achievement", "achievement_id", "issuer", "issued_via")


def _csv_lines(rows, base_url: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    for number, item in enumerate(rows, 1):
        row = item.credential
        writer.writerow([csv_cell(value) for value in (
            row.id, f"{base_url}/credentials/{row.id}", item.status,
            row.issued_at.isoformat(), row.valid_until.isoformat() if row.valid_until else "",
            row.recipient_name or "", row.recipient.email, row.achievement.name,
            row.achievement_id, row.profile.slug, row.issued_via or "",
        )])
        if number % 200 == 0:
            yield flush()
    yield flush()


@bp.get("/credentials.csv")
def credentials_csv():
    session = deps.session()
    form = _filter_form(session)
    if not form.validate():
        return credentials()  # the list page with the form's messages, status 400
    rows = credential_query.iter_credentials(
        session, _query(session, form), now=deps.now(), sort=form.sort.data or "issued",
        descending=form.direction.data != "asc")
    response = Response(stream_with_context(_csv_lines(rows, deps.base_url())),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="credentials.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
