"""Branding (issue 14, item 7): the header carries the default issuer profile's name and
logo, every page links the favicon (served as SVG and PNG with caching) and says its
language, and the landing page renders the issuer's Markdown description safely and has a
real empty state."""

from __future__ import annotations

import re

from issuer import db
from issuer.clock import utc_now
from issuer.services import images, profiles
from issuer.services.tx import atomic
from tests.service_fixtures import make_achievement, make_profile, png_bytes, sign_in


def _set_logo_and_description(app, description: str) -> str:
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            profile = profiles.default_profile(session)
            image = images.store_image(session, png_bytes((40, 20)), max_bytes=1 << 20,
                                       now=utc_now())
            profile.image = image
            profile.description = description
        return image.id


def test_header_shows_the_issuer_name_and_logo(app, client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="brand-name">Open Badges</span>', page)  # before init
    make_profile(app, name="Example <University>")
    image_id = _set_logo_and_description(app, "We *teach*.")
    for path in ("/", "/verify", "/admin/login"):
        page = client.get(path).get_data(as_text=True)
        assert '<html lang="en">' in page, path
        assert '<span class="brand-name">Example &lt;University&gt;</span>' in page, path
        assert f'<img class="brand-logo" src="/images/{image_id}.png" alt="">' in page, path
        assert 'rel="icon" href="/favicon.svg" type="image/svg+xml"' in page, path
        assert 'rel="icon" href="/favicon.png" type="image/png"' in page, path
        assert '<a class="skip-link" href="#content">' in page and 'id="content"' in page
    # The logo's URL is one the app serves.
    logo = client.get(f"/images/{image_id}.png")
    assert logo.status_code == 200 and logo.mimetype == "image/png"


def test_favicons_are_served_with_caching(client):
    with client.get("/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert svg.get_data().lstrip().startswith(b"<svg")
        assert "sandbox" in svg.headers["Content-Security-Policy"]
    for path in ("/favicon.svg", "/favicon.png", "/favicon.ico"):
        with client.get(path) as response:
            assert response.status_code == 200, path
            assert "public" in response.cache_control
            assert response.cache_control.max_age == 86400
            etag = response.headers.get("ETag")
            assert etag, path
        with client.get(path, headers={"If-None-Match": etag}) as again:
            assert again.status_code == 304, path
    with client.get("/favicon.png") as png:
        assert png.mimetype == "image/png"
        assert png.get_data().startswith(b"\x89PNG\r\n\x1a\n")


def test_landing_page_renders_the_description_as_safe_markdown(app, client):
    make_profile(app)
    _set_logo_and_description(
        app, "We **teach** [Python](https://example.org/py).\n\n<script>alert(1)</script>"
             "\n\n[bad](javascript:alert(1))")
    page = client.get("/").get_data(as_text=True)
    assert "<strong>teach</strong>" in page
    assert '<a href="https://example.org/py" rel="noopener noreferrer nofollow">Python</a>' \
        in page
    assert "<script>alert(1)" not in page and "javascript:" not in page


def test_landing_page_empty_state(app, client):
    make_profile(app, name="Fresh Academy")
    page = client.get("/").get_data(as_text=True)
    assert 'id="empty-state"' in page and "No achievements yet." in page
    assert "When Fresh Academy publishes an achievement" in page
    assert 'id="create-first-achievement"' not in page  # only a signed-in admin gets the link

    from tests.service_fixtures import make_admin
    make_admin(app)
    sign_in(client)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'id="create-first-achievement" href="/admin/achievements/new"', page)

    make_achievement(app, name="First Badge")
    page = client.get("/").get_data(as_text=True)
    assert 'id="empty-state"' not in page and "First Badge" in page
