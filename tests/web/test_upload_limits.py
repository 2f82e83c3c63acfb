"""Too-large uploads on the admin forms (issue 14, item 3): a file over its field's limit comes
back as a form error with every other value as typed and nothing saved; a body over the
upload body limit is not read and answers an HTML page in the admin layout with a way back."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.models import Achievement, BulkJob, IssuerProfile, StoredImage
from tests.service_fixtures import csrf_token, make_achievement, png_bytes

BOUNDARY = "b0undaryXYZ"
ACHIEVEMENT = {
    "name": "Data Wrangler",
    "description": "Cleans *data* sets.",
    "criteria_narrative": "1. Clean a data set\n2. **Explain** it",
    "achievement_type": "CertificateOfCompletion",
    "tags": "data, python",
    "alignments": "ESCO data | https://esco.example/data | ESCO | D1",
    "image_source": "upload",
    "design_shape": "shield", "design_background": "#0f766e", "design_accent": "#fbbf24",
    "design_foreground": "#ffffff", "design_icon": "star", "design_title": "DW",
    "design_ribbon": "2026",
}


@pytest.fixture
def app_config(app_config):
    # Small limits keep the bodies small: images ≤ 64 KiB, whole upload forms ≤ 1 MiB.
    return {**app_config, "MAX_IMAGE_BYTES": 64 * 1024, "UPLOAD_BODY_MAX_BYTES": 1024 * 1024}


def multipart(fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]) -> bytes:
    """A raw multipart body (the test client would spool a dict body to an unclosed file)."""
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    for name, (filename, content_type, data) in files.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                     + data + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post(client, path, fields, files, **headers):
    return client.post(path, data=multipart(fields, files), headers=headers,
                       content_type=f"multipart/form-data; boundary={BOUNDARY}")


def big_png(size: int) -> bytes:
    data = png_bytes()
    return data + b"\0" * (size - len(data))


def count(app, model) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(model))


def test_a_too_large_image_is_a_form_error_and_every_value_stays(app, admin_client):
    token = csrf_token(admin_client, "/admin/achievements/new")
    image = big_png(400 * 1024)  # over the field's 64 KiB, over the app-wide body limit too
    assert len(image) > app.config["MAX_CONTENT_LENGTH"]
    response = post(admin_client, "/admin/achievements/new",
                    {"csrf_token": token, **ACHIEVEMENT}, {"image": ("big.png", "image/png", image)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="image-error">The image is 400 KiB; the limit is 64 KiB. Choose a smaller file.' \
        in page
    assert 'value="Data Wrangler"' in page
    assert "Cleans *data* sets.</textarea>" in page
    assert "2. **Explain** it</textarea>" in page
    assert re.search(r'<option selected value="CertificateOfCompletion">|'
                     r'<option value="CertificateOfCompletion" selected>', page)
    assert 'value="data, python"' in page
    assert "ESCO data | https://esco.example/data | ESCO | D1</textarea>" in page
    assert re.search(r'value="shield"[^>]*checked|checked[^>]*value="shield"', page)
    assert 'value="#0f766e"' in page and 'value="2026"' in page
    assert re.search(r'value="upload"[^>]*checked|checked[^>]*value="upload"', page)
    assert count(app, Achievement) == 0 and count(app, StoredImage) == 0


def test_the_field_limit_is_shown_and_checked_in_the_browser(app, admin_client):
    page = admin_client.get("/admin/achievements/new")
    html = page.get_data(as_text=True)
    assert 'data-max-bytes="65536"' in html and "at most 64 KiB" in html
    assert "upload_limit.js" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_a_body_over_the_upload_limit_is_an_admin_page_with_a_way_back(app, admin_client):
    token = csrf_token(admin_client, "/admin/achievements/new")
    response = post(admin_client, "/admin/achievements/new?issuer=main",
                    {"csrf_token": token, **ACHIEVEMENT},
                    {"image": ("huge.png", "image/png", big_png(2 * 1024 * 1024))})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "<h1>Upload too large</h1>" in page
    assert "Images may be at most 64 KiB, and a whole form at most 1 MiB." in page
    assert 'href="/admin/achievements/new?issuer=main" id="back-to-form"' in page
    assert 'id="site-nav"' in page  # the site's layout, not a bare error
    assert count(app, Achievement) == 0


def test_a_json_caller_gets_problem_details(app, admin_client):
    token = csrf_token(admin_client, "/admin/achievements/new")
    response = post(admin_client, "/admin/achievements/new", {"csrf_token": token},
                    {"image": ("huge.png", "image/png", big_png(2 * 1024 * 1024))},
                    Accept="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert "at most 64 KiB" in response.get_json()["detail"]


def test_a_too_large_logo_keeps_the_profile_form(app, admin_client):
    token = csrf_token(admin_client, "/admin/profiles/main")
    fields = {"csrf_token": token, "name": "Renamed University", "url": "https://u.example",
              "email": "badges@u.example", "description": "**New** text"}
    response = post(admin_client, "/admin/profiles/main", fields,
                    {"image": ("logo.png", "image/png", big_png(100 * 1024))})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="image-error">The image is 100 KiB; the limit is 64 KiB.' in page
    assert 'value="Renamed University"' in page and "**New** text</textarea>" in page
    with app.app_context():
        profile = db.get_session().scalar(select(IssuerProfile))
        assert profile.name == "Example University" and profile.image is None


def test_a_too_large_image_on_a_new_profile_creates_nothing(app, admin_client):
    token = csrf_token(admin_client, "/admin/profiles/new")
    fields = {"csrf_token": token, "slug": "second", "name": "Second", "did_method": "web"}
    response = post(admin_client, "/admin/profiles/new", fields,
                    {"image": ("logo.svg", "image/svg+xml", b"<svg/>" + b" " * 70_000)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="image-error">The image is 68 KiB; the limit is 64 KiB.' in page
    assert 'value="second"' in page
    assert count(app, IssuerProfile) == 1


def test_a_too_large_bulk_csv_is_a_form_error(app, admin_client):
    app.config["BULK_MAX_BYTES"] = 4096
    achievement = make_achievement(app)
    token = csrf_token(admin_client, "/admin/bulk/")
    csv = b"email,name\n" + b"".join(f"p{i}@example.org,Person {i}\n".encode()
                                     for i in range(400))
    response = post(admin_client, "/admin/bulk/", {"csrf_token": token,
                                                   "achievement": achievement},
                    {"file": ("people.csv", "text/csv", csv)})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert re.search(r'id="file-error">The file is 1[01] KiB; the limit is 4 KiB\.', page)
    assert re.search(rf'<option selected value="{achievement}">|'
                     rf'<option value="{achievement}" selected>', page)
    assert 'data-max-bytes="4096"' in page
    assert count(app, BulkJob) == 0


def test_a_file_spooled_to_disk_is_measured_too(app, admin_client):
    """Werkzeug keeps an upload over 500 KiB in a temporary file: its size is read the same."""
    app.config["MAX_IMAGE_BYTES"] = 600 * 1024
    token = csrf_token(admin_client, "/admin/achievements/new")
    response = post(admin_client, "/admin/achievements/new",
                    {"csrf_token": token, **ACHIEVEMENT},
                    {"image": ("big.png", "image/png", big_png(700 * 1024))})
    assert response.status_code == 422
    assert 'id="image-error">The image is 700 KiB; the limit is 600 KiB.' in \
        response.get_data(as_text=True)
    assert count(app, Achievement) == 0
