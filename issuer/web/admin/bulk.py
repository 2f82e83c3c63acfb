"""Admin pages for bulk issuance: upload a CSV, see every row checked (the preview), start
the background job, watch its live progress, resume it, download the results.

The job runs on the job queue (issuer.jobs), so it goes on when the browser closes. The
progress bar is updated by a small same-origin script (static/bulk_progress.js) polling the
JSON progress endpoint; only this page's CSP allows scripts, and only our own.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice, SelectField
from wtforms.validators import ValidationError

from issuer import jobs
from issuer.errors import InvalidRequest
from issuer.services import achievements, bulk
from issuer.services.tx import atomic
from issuer.web.admin.auth import require_admin
from issuer.web.admin import uploads
from issuer.web.admin.forms import EmptyForm, MaxFileSize
from issuer.web.core import deps
from issuer.web.core.security import SCRIPT_PAGE_CSP

bp = Blueprint("admin_bulk", __name__, url_prefix="/admin/bulk")
PREVIEW_ROWS = 200

bp.before_request(require_admin)
uploads.install(bp)  # the CSV may be up to BULK_MAX_BYTES; a larger one is a form error


def init_app(app) -> None:
    app.register_blueprint(bp)
    # The upload may be larger than the app-wide request limit: the view raises the limit
    # for itself and then checks the CSRF token.
    app.extensions["csrf"].exempt(upload)


class UploadForm(FlaskForm):
    class Meta:
        csrf = False  # checked by hand in upload(), after the body limit is raised

    achievement = SelectField("Achievement", validate_choice=False)
    file = FileField("CSV file", validators=[MaxFileSize("BULK_MAX_BYTES", "file")])


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.achievement.choices = [SelectChoice("", "— choose —")] + [
        SelectChoice(item.id, f"{item.name} ({item.profile.name})")
        for item in achievements.list_achievements(deps.session(), archived=False)
    ]
    return form


def _index(form: UploadForm, errors=(), status: int = 200):
    response = Response(render_template(
        "admin/bulk_index.html", form=form, general_errors=list(errors),
        jobs=bulk.list_jobs(deps.session()), columns=bulk.COLUMNS), status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP  # static/upload_limit.js
    return response


@bp.get("/")
def index():
    form = _upload_form()
    if request.args.get("achievement"):
        form.achievement.data = request.args["achievement"]
    return _index(form)


@bp.post("/")
def upload():
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        raise InvalidRequest("The form has expired: reload the page and upload again.") \
            from None
    form = _upload_form()
    storage = form.file.data
    if not isinstance(storage, FileStorage) or not storage.filename:
        return _index(form, ["Choose a CSV file to upload."], 422)
    if not form.file.validate(form):  # too large: the message is by the field
        return _index(form, status=413)
    data = storage.read()
    session = deps.session()
    checked = bulk.preview(session, achievement_id=form.achievement.data or "", data=data,
                           now=deps.now())
    if checked.achievement is None:
        return _index(form, checked.file_errors, 422)
    with atomic(session):
        job = bulk.create_job(session, checked, filename=storage.filename, now=deps.now(),
                              created_by=current_user.user)
    if checked.file_errors:
        flash(" ".join(checked.file_errors))
    return redirect(url_for("admin_bulk.job", job_id=job.id))


@bp.get("/<uuid:job_id>")
def job(job_id: str):
    session = deps.session()
    found = bulk.get_job(session, job_id)
    progress = bulk.progress(session, found)
    invalid = bulk.job_rows(session, found, statuses=[bulk.INVALID, bulk.FAILED],
                            limit=PREVIEW_ROWS)
    first_rows = bulk.job_rows(session, found, limit=20) if found.status == bulk.JOB_READY \
        else []
    response = Response(render_template(
        "admin/bulk_job.html", job=found, progress=progress, problem_rows=invalid,
        first_rows=first_rows, form=EmptyForm(), preview_limit=PREVIEW_ROWS,
    ), mimetype="text/html")
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<uuid:job_id>/start")
def start(job_id: str):
    """Start a checked job, or resume one whose worker stopped (only pending rows run)."""
    if not EmptyForm().validate_on_submit():
        raise InvalidRequest("The form has expired: reload the page and try again.")
    session = deps.session()
    found = bulk.get_job(session, job_id)
    with atomic(session):
        chunks = bulk.start_job(session, found, now=deps.now())
    jobs.enqueue_bulk_job(current_app._get_current_object(), found.id, chunks)
    pending = bulk.progress(session, found).counts.get(bulk.PENDING, 0)
    flash(f"Issuing {pending} credentials in the background; you may close this page."
          if chunks else "Nothing left to issue.")
    return redirect(url_for("admin_bulk.job", job_id=found.id))


@bp.get("/<uuid:job_id>/progress")
def progress(job_id: str):
    session = deps.session()
    response = jsonify(bulk.progress(session, bulk.get_job(session, job_id)).to_json())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<uuid:job_id>/results.csv")
def results(job_id: str):
    session = deps.session()
    found = bulk.get_job(session, job_id)
    response = Response(bulk.results_csv(session, found, base_url=deps.base_url()),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="bulk-{found.id[:8]}-results.csv"')
    return response
