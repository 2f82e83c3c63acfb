"""Upload limits of the admin forms with a file field (issue 14, item 3).

Two limits, so a too-large file comes back as a form error with everything else the admin
typed still in the form:

* each file field has its own limit (``MAX_IMAGE_BYTES`` for badge and logo images,
  ``BULK_MAX_BYTES`` for the bulk CSV), checked by the form (:class:`MaxFileSize` in
  forms.py) after the body is parsed: the page is rendered again with the message by the
  field and every other value as posted;
* the body of those forms may be larger than the app-wide ``MAX_CONTENT_LENGTH`` so that it
  can be parsed (files are spooled to disk by Werkzeug, never held in memory): the larger of
  ``UPLOAD_BODY_MAX_BYTES`` and twice the field's limit plus 256 KiB. A body above that is
  not read: the answer is an HTML page in the admin layout saying what the limits are, with
  a link back to the form (problem-details JSON for callers that ask for JSON).

The browser checks the size first (static/upload_limit.js reads ``data-max-bytes``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from issuer.web.core.negotiation import JSON_TYPES, json_type_wanted
from issuer.web.core.problems import PROBLEM_JSON, problem

BODY_SLACK = 256 * 1024  # the form's other fields and the multipart framing

# endpoint → the setting that limits its file field
UPLOAD_ENDPOINTS = {
    "admin.new_profile": "MAX_IMAGE_BYTES",
    "admin.edit_profile": "MAX_IMAGE_BYTES",
    "admin.new_achievement": "MAX_IMAGE_BYTES",
    "admin.edit_achievement": "MAX_IMAGE_BYTES",
    "admin_bulk.upload": "BULK_MAX_BYTES",
}


def field_limit(setting: str = "MAX_IMAGE_BYTES", app: Flask | None = None) -> int:
    """The largest file one field takes, in bytes."""
    return int((app or current_app).config[setting])


def body_limit(setting: str, app: Flask | None = None) -> int:
    """The largest body read for a form whose file field is limited by ``setting``."""
    app = app or current_app
    return max(int(app.config["UPLOAD_BODY_MAX_BYTES"]),
               2 * field_limit(setting, app) + BODY_SLACK)


def size_text(size: int) -> str:
    """1536 → "1.5 KiB", 16777216 → "16 MiB"."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) or value >= 10 \
                else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _raise_body_limit(endpoint: str | None, _values) -> None:
    """URL value preprocessors run before every before_request function (the app's NUL check
    and CSRF protection read ``request.form``), so the limit is set before the body is read."""
    setting = UPLOAD_ENDPOINTS.get(endpoint or "")
    if setting is not None:
        request.max_content_length = body_limit(setting)


def _too_large(_error: RequestEntityTooLarge):
    setting = UPLOAD_ENDPOINTS.get(request.endpoint or "", "MAX_IMAGE_BYTES")
    limit, body = field_limit(setting), request.max_content_length or body_limit(setting)
    what = "CSV files" if setting == "BULK_MAX_BYTES" else "Images"
    detail = (f"The upload was too large to read: {what} may be at most {size_text(limit)}, "
              f"and a whole form at most {size_text(body)}. Nothing was saved.")
    if json_type_wanted(request, (*JSON_TYPES, PROBLEM_JSON)) is not None:
        return problem(413, "Upload too large", detail)
    back = request.full_path.rstrip("?")
    return render_template("admin/too_large.html", detail=detail, back_url=back), 413


def install(bp: Blueprint) -> None:
    """Give the upload endpoints of ``bp`` their body limit and the too-large page, and the
    templates ``file_limit(field)`` and ``| filesize``."""
    from issuer.web.admin.forms import file_limit

    bp.url_value_preprocessor(_raise_body_limit)
    bp.register_error_handler(RequestEntityTooLarge, _too_large)
    bp.add_app_template_global(file_limit, "file_limit")
    bp.add_app_template_filter(size_text, "filesize")
