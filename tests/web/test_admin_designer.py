"""The badge designer through the admin's real forms: saving a design (an SVG and the PNG
rendered from it), bad values, the live preview endpoint, uploads replacing a design, and
baked downloads of designed badges carrying the credential."""

from __future__ import annotations

import base64
import io

import defusedxml.ElementTree as SafeET
import pytest
from PIL import Image
from sqlalchemy import func, select

from issuer import db
from issuer.models import Achievement, IssuedCredential, StoredImage
from issuer.openbadges import baking
from tests.service_fixtures import SAFE_SVG, csrf_token, issue_credential, png_bytes

SVG = "{http://www.w3.org/2000/svg}"
ACHIEVEMENT = {"name": "Data Wrangler", "description": "Cleans data sets.",
               "criteria_narrative": "Clean a data set."}
DESIGN = {"image_source": "design", "design_shape": "hexagon", "design_background": "#0F766E",
          "design_accent": "#fbbf24", "design_foreground": "#ffffff", "design_icon": "code",
          "design_title": "", "design_ribbon": "Level <1> & up"}


def _post(client, path, data):
    data = {"csrf_token": csrf_token(client, path), **data}
    return client.post(path, data=data, content_type="multipart/form-data")


def _images(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(StoredImage))


def _achievement(app) -> Achievement:
    with app.app_context():
        session = db.get_session()
        found = session.scalar(select(Achievement))
        found.image, found.design_svg  # noqa: B018 (loaded while the session is open)
        session.expunge_all()
        return found


def _create(client, **changes) -> str:
    response = _post(client, "/admin/achievements/new", {**ACHIEVEMENT, **DESIGN, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def test_the_form_offers_the_designer_with_a_live_preview(admin_client):
    response = admin_client.get("/admin/achievements/new")
    html = response.get_data(as_text=True)
    assert 'id="badge-designer"' in html and 'id="badge-preview"' in html
    assert 'src="/admin/designer/preview.svg?' in html
    assert 'value="rosette"' in html and 'value="graduation-cap"' in html
    assert "badge_designer.js" in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'value="keep"' not in html  # nothing to keep yet


def test_saving_a_design_stores_its_svg_and_png(app, admin_client):
    achievement_id = _create(admin_client)
    saved = _achievement(app)
    assert saved.design == {"version": 1, "shape": "hexagon", "background": "#0f766e",
                            "accent": "#fbbf24", "foreground": "#ffffff", "icon": "code",
                            "title": "Data Wrangler", "ribbon": "Level <1> & up"}
    svg = saved.design_svg.data
    assert saved.design_svg.content_type == "image/svg+xml"
    root = SafeET.fromstring(svg)
    assert "Data Wrangler" in "".join(root.itertext()) and b"Level &lt;1&gt; &amp; up" in svg
    assert saved.image.content_type == "image/png"
    with Image.open(io.BytesIO(saved.image.data)) as image:
        assert image.size == (512, 512)
    # The hosted achievement (and so every credential issued) names the PNG.
    document = admin_client.get(f"/achievements/{achievement_id}",
                                headers={"Accept": "application/ld+json"}).get_json(force=True)
    assert document["image"]["id"].endswith(f"/images/{saved.image.id}.png")
    # The edit page shows the saved design, with "keep" offered now.
    html = admin_client.get(f"/admin/achievements/{achievement_id}").get_data(as_text=True)
    assert 'id="design_shape-hexagon" checked' in html and 'value="keep"' in html
    assert 'value="Level &lt;1&gt; &amp; up"' in html


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"design_background": "red"}, "design_background", "#rrggbb"),
    ({"design_accent": "#12345"}, "design_accent", "#rrggbb"),
    ({"design_icon": "../icons/evil"}, "design_icon", "Choose one of the icons."),
    ({"design_shape": "<svg onload=x>"}, "design_shape", "Choose one of the shapes."),
    ({"design_ribbon": "r" * 25}, "design_ribbon", "at most 24"),
    ({"design_title": "t" * 61}, "design_title", "at most 60"),
])
def test_bad_design_values_are_shown_and_nothing_saved(app, admin_client, changes, field,
                                                       message):
    response = _post(admin_client, "/admin/achievements/new",
                     {**ACHIEVEMENT, **DESIGN, "description": "", **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html.replace("&#34;", '"') and "Enter a description." in html  # together
    assert "<svg onload" not in html
    assert _images(app) == 0
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(Achievement)) == 0


def test_an_upload_replaces_the_design_and_keep_keeps_it(app, admin_client):
    achievement_id = _create(admin_client)
    path = f"/admin/achievements/{achievement_id}"
    designed = _achievement(app).image.id
    for source in ({"image_source": "keep"}, DESIGN):  # the same design again: nothing new
        response = _post(admin_client, path, {**ACHIEVEMENT, **source})
        assert response.status_code == 302
        assert _achievement(app).image.id == designed and _achievement(app).design is not None
    assert _images(app) == 2
    response = _post(admin_client, path, {**ACHIEVEMENT, "image_source": "upload",
                                          "image": (io.BytesIO(SAFE_SVG), "badge.svg")})
    assert response.status_code == 302
    saved = _achievement(app)
    assert saved.image.data == SAFE_SVG and saved.design is None and saved.design_svg is None
    response = _post(admin_client, path, {**ACHIEVEMENT, **DESIGN, "design_shape": "star"})
    assert response.status_code == 302 and _achievement(app).design["shape"] == "star"


def test_upload_chosen_without_a_file_is_a_form_error(app, admin_client):
    response = _post(admin_client, "/admin/achievements/new",
                     {**ACHIEVEMENT, "image_source": "upload"})
    assert response.status_code == 422
    assert "Choose a PNG or SVG file" in response.get_data(as_text=True)


def test_preview_draws_checked_values_only(client, admin_client):
    query = {"shape": "rosette", "background": "#112233", "accent": "#445566",
             "foreground": "#ffffff", "icon": "initials", "title": "Ada & <Co>", "ribbon": ""}
    response = admin_client.get("/admin/designer/preview.svg", query_string=query)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert b"Ada &amp; &lt;Co&gt;" in response.data and b">AC</text>" in response.data
    bad = admin_client.get("/admin/designer/preview.svg",
                           query_string={**query, "background": "url(#x)", "icon": "nope"},
                           headers={"Accept": "application/json"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"design_background", "design_icon"}


def test_preview_needs_an_admin(client):
    response = client.get("/admin/designer/preview.svg?shape=circle")
    assert response.status_code in (302, 401)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_baked_downloads_of_a_designed_badge_carry_the_credential(app, admin_client, fmt):
    achievement_id = _create(admin_client)
    credential_id = issue_credential(app, achievement_id)
    with app.app_context():
        stored = db.get_session().get(IssuedCredential, credential_id).document
    saved = _achievement(app)
    response = admin_client.get(f"/credentials/{credential_id}/baked.{fmt}")
    assert response.status_code == 200
    found = baking.extract_credential(response.data)
    assert (found.text, found.container) == (stored, fmt)
    if fmt == "png":  # the rendered design with the credential added
        assert baking.bake(saved.image.data, stored) == response.data
    else:  # the designed SVG itself, not a wrapper or a generated disc
        assert baking.bake(saved.design_svg.data, stored) == response.data
        assert b"<image" not in response.data


def test_baked_svg_of_a_png_upload_embeds_that_png(app, admin_client):
    png = png_bytes((48, 48), "teal")
    response = _post(admin_client, "/admin/achievements/new",
                     {**ACHIEVEMENT, "image_source": "upload",
                      "image": (io.BytesIO(png), "badge.png")})
    achievement_id = response.headers["Location"].rsplit("/", 1)[1]
    credential_id = issue_credential(app, achievement_id)
    svg = admin_client.get(f"/credentials/{credential_id}/baked.svg").data
    image = SafeET.fromstring(svg).find(f"{SVG}image")
    assert base64.b64decode(image.get("href").split(",", 1)[1]) == png
    assert baking.extract_credential(svg).container == "svg"


def test_an_achievement_without_an_image_shows_its_designed_default(app, admin_client):
    from tests.service_fixtures import make_achievement

    achievement_id = make_achievement(app, name="Open Data Champion")
    page = admin_client.get(f"/achievements/{achievement_id}").get_data(as_text=True)
    assert f'class="badge" src="/achievements/{achievement_id}/badge.svg"' in page
    assert f'og:image" content="http://localhost:5000/achievements/{achievement_id}/badge.png"' \
        in page
    assert f'src="/achievements/{achievement_id}/badge.svg"' in admin_client.get("/").get_data(
        as_text=True)
    svg = admin_client.get(f"/achievements/{achievement_id}/badge.svg")
    assert svg.mimetype == "image/svg+xml" and "sandbox" in svg.headers["Content-Security-Policy"]
    assert b">OD</text>" in svg.data and b"Open Data" in svg.data
    png = admin_client.get(f"/achievements/{achievement_id}/badge.png")
    with Image.open(io.BytesIO(png.data)) as image:
        assert image.size == (512, 512)
    assert admin_client.get(f"/achievements/{achievement_id}/badge.gif").status_code == 404
    # The admin's designer starts from that default: saving it keeps the same look.
    edit = admin_client.get(f"/admin/achievements/{achievement_id}").get_data(as_text=True)
    assert 'id="design_icon-initials" checked' in edit and 'id="design_shape-circle" checked' in edit
    response = _post(admin_client, f"/admin/achievements/{achievement_id}", {
        **ACHIEVEMENT, "name": "Open Data Champion", "image_source": "design",
        "design_shape": "circle", "design_icon": "initials",
        **{f"design_{key}": value for key, value in _default_colours("Open Data Champion")}})
    assert response.status_code == 302
    assert _achievement(app).design_svg.data == svg.data


def _default_colours(name: str):
    from issuer.badgedesign.design import default_design

    design = default_design(name)
    return [("background", design.background), ("accent", design.accent),
            ("foreground", design.foreground)]
