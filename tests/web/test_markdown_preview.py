"""The achievement form's Markdown preview (issue 14, item 3): POST /admin/markdown/preview
answers the HTML the public page shows (python-markdown, cleaned by nh3), behind sign-in and
CSRF, bounded; without scripts the form's Preview button shows the same and saves nothing;
the form keeps every value after any error."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from issuer import db
from issuer.models import Achievement
from tests.service_fixtures import csrf_token

URL = "/admin/markdown/preview"


def _count(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(Achievement))


def test_the_preview_is_the_cleaned_html_of_the_public_page(admin_client):
    token = csrf_token(admin_client, "/admin/achievements/new")
    text = ("**Bold** and [a link](https://example.org)\n\n<script>alert(1)</script>\n\n"
            "[bad](javascript:alert(1)) <img src=x onerror=alert(1)>")
    response = admin_client.post(URL, data={"text": text, "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">a link</a>' in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_preview_needs_the_csrf_token_and_a_signed_in_admin(app, client, admin_client):
    refused = admin_client.post(URL, data={"text": "**x**"})
    assert refused.status_code == 400
    stranger = app.test_client()
    token = csrf_token(stranger, "/admin/login")
    anonymous = stranger.post(URL, data={"text": "**x**", "csrf_token": token})
    assert anonymous.status_code in (302, 401, 403)
    assert "<strong>" not in anonymous.get_data(as_text=True)


def test_the_preview_is_bounded(admin_client):
    token = csrf_token(admin_client, "/admin/achievements/new")
    too_long = admin_client.post(URL, data={"text": "a" * 20_001, "csrf_token": token})
    assert too_long.status_code == 422
    assert "at most 20000" in too_long.get_data(as_text=True)
    huge = admin_client.post(URL, data={"text": "a" * 200_000, "csrf_token": token})
    assert huge.status_code == 413


def test_the_preview_button_shows_the_markdown_and_saves_nothing(app, admin_client):
    token = csrf_token(admin_client, "/admin/achievements/new")
    response = admin_client.post("/admin/achievements/new", data={
        "csrf_token": token, "name": "Preview me", "description": "Some *emphasis*",
        "criteria_narrative": "1. First\n2. **Second**", "image_source": "design",
        "preview_markdown": "1",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<em>emphasis</em>" in page and "<strong>Second</strong>" in page
    assert 'value="Preview me"' in page
    assert _count(app) == 0


def test_every_error_shows_at_once_and_every_value_stays(app, admin_client):
    token = csrf_token(admin_client, "/admin/achievements/new")
    response = admin_client.post("/admin/achievements/new", data={
        "csrf_token": token, "name": "", "description": "Keeps **this**",
        "criteria_narrative": "Also *this*", "achievement_type": "Certification",
        "tags": "one, two", "alignments": "Bad | not-a-url",
        "image_source": "design", "design_shape": "hexagon", "design_background": "#123456",
        "design_accent": "#abcdef", "design_foreground": "#ffffff", "design_icon": "book",
        "design_ribbon": "R",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in page and 'id="alignments-error"' in page
    assert "Keeps **this**</textarea>" in page and "Also *this*</textarea>" in page
    assert "Bad | not-a-url</textarea>" in page and 'value="one, two"' in page
    assert re.search(r'<option selected value="Certification">|'
                     r'<option value="Certification" selected>', page)
    assert re.search(r'value="hexagon"[^>]*checked|checked[^>]*value="hexagon"', page)
    assert 'value="#123456"' in page and 'value="R"' in page
    assert "Keeps <strong>this</strong>" in page  # and the preview of what was typed
    assert _count(app) == 0


def test_achievement_types_have_readable_names(admin_client):
    page = admin_client.get("/admin/achievements/new").get_data(as_text=True)
    assert ">Certificate of completion</option>" in page
    assert ">CertificateOfCompletion<" not in page
