"""Badge images, baked badges and QR codes rendered once into rendered_files (issue 13,
item 4): the stored bytes are the ones a fresh render gives; an edit of the achievement's
image or name is served at once and replaces the old render; strong ETags answer 304; each
document has the Cache-Control the README's caching table gives it."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import delete, func, select

from issuer import db
from issuer.clock import utc_now
from issuer.models import Achievement, IssuedCredential
from issuer.render_models import RenderedFile
from issuer.services import badge_files, images
from issuer.services.tx import atomic
from issuer.sharing import qr
from tests.service_fixtures import (
    BASE_URL,
    SAFE_SVG,
    change_status,
    issue_credential,
    make_achievement,
    png_bytes,
)

JSON = {"Accept": "application/ld+json"}


@pytest.fixture
def achievement_id(app, profile):
    return make_achievement(app, name="Rendered Badge")


@pytest.fixture
def credential_id(app, achievement_id):
    return issue_credential(app, achievement_id)


def _renders(app) -> dict[str, str]:
    """subject -> key of every stored render."""
    with db.engine_of(app).connect() as connection:
        return dict(connection.execute(select(RenderedFile.subject, RenderedFile.key)).all())


def _forget(app) -> None:
    with db.engine_of(app).begin() as connection:
        connection.execute(delete(RenderedFile.__table__))


def _set_image(app, achievement_id: str, data: bytes | None, *, name: str | None = None):
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            achievement = session.get(Achievement, achievement_id)
            if data is not None:
                achievement.image_id = images.store_image(session, data, max_bytes=1 << 20,
                                                          now=utc_now()).id
            if name is not None:
                achievement.name = name


@pytest.mark.parametrize("path, subject", [
    ("/credentials/{c}/baked.png", "baked:{c}:png"),
    ("/credentials/{c}/baked.svg", "baked:{c}:svg"),
    ("/credentials/{c}/qr.png", "qr:{c}:png"),
    ("/credentials/{c}/qr.svg", "qr:{c}:svg"),
    ("/achievements/{a}/badge.png", "badge:{a}:png"),
    ("/achievements/{a}/badge.svg", "badge:{a}:svg"),
])
def test_a_stored_render_is_the_fresh_render(app, client, achievement_id, credential_id, path,
                                             subject):
    url = path.format(c=credential_id, a=achievement_id)
    fresh = client.get(url)
    assert fresh.status_code == 200
    assert subject.format(c=credential_id, a=achievement_id) in _renders(app)
    again = client.get(url)
    assert again.get_data() == fresh.get_data()
    assert again.headers["ETag"] == fresh.headers["ETag"] == \
        f'"{hashlib.sha256(fresh.get_data()).hexdigest()}"'
    _forget(app)
    assert client.get(url).get_data() == fresh.get_data()


def test_stored_bytes_equal_the_renderers_output(app, client, credential_id):
    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        for fmt in ("png", "svg"):
            direct = badge_files.baked(session, row, base_url=BASE_URL, fmt=fmt).data
            assert client.get(f"/credentials/{credential_id}/baked.{fmt}").get_data() == direct
            assert client.get(f"/credentials/{credential_id}/baked.{fmt}").get_data() == direct
    url = f"{BASE_URL}/credentials/{credential_id}"
    assert client.get(f"/credentials/{credential_id}/qr.png").get_data() == qr.qr_png(url)
    assert client.get(f"/credentials/{credential_id}/qr.svg").get_data() == \
        qr.qr_svg(url).encode("utf-8")


def test_an_achievement_image_change_replaces_its_renders(app, client, achievement_id,
                                                          credential_id):
    default = client.get(f"/achievements/{achievement_id}/badge.svg")
    baked = client.get(f"/credentials/{credential_id}/baked.svg")
    subject = f"badge:{achievement_id}:svg"
    old_key = _renders(app)[subject]
    _set_image(app, achievement_id, png_bytes((32, 32), "teal"))
    wrapped = client.get(f"/achievements/{achievement_id}/badge.svg")
    assert wrapped.get_data() != default.get_data()
    assert b"data:image/png;base64," in wrapped.get_data()  # the new PNG, wrapped in SVG
    assert _renders(app)[subject] != old_key  # the old render is gone, not kept beside it
    with db.engine_of(app).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(RenderedFile.__table__)
                                 .where(RenderedFile.subject == subject)) == 1
    # The credential names no image of ours: its bake follows the achievement's new image.
    rebaked = client.get(f"/credentials/{credential_id}/baked.svg")
    assert rebaked.get_data() != baked.get_data()
    assert rebaked.headers["ETag"] != baked.headers["ETag"]


def test_a_renamed_achievement_redraws_its_default_badge(app, client, achievement_id):
    before = client.get(f"/achievements/{achievement_id}/badge.svg").get_data()
    assert b"Rendered Badge" in before
    _set_image(app, achievement_id, None, name="Renamed Badge")
    after = client.get(f"/achievements/{achievement_id}/badge.svg").get_data()
    assert b"Renamed Badge" in after and b"Rendered Badge" not in after


def test_an_uploaded_image_asked_for_as_is_is_not_copied(app, client, achievement_id):
    _set_image(app, achievement_id, SAFE_SVG)
    response = client.get(f"/achievements/{achievement_id}/badge.svg")
    assert response.get_data() == SAFE_SVG
    assert f"badge:{achievement_id}:svg" not in _renders(app)


def test_revoking_leaves_the_bake_alone(app, client, credential_id):
    """The bake holds the credential's text only, which a revocation does not change."""
    before = client.get(f"/credentials/{credential_id}/baked.png")
    change_status(app, credential_id, "revoke")
    after = client.get(f"/credentials/{credential_id}/baked.png")
    assert after.get_data() == before.get_data()


@pytest.mark.parametrize("path, headers, cache_control", [
    ("/credentials/{c}/qr.png", {}, "public, max-age=86400"),
    ("/credentials/{c}/qr.svg", {}, "public, max-age=86400"),
    ("/credentials/{c}/baked.png", {}, "public, max-age=300"),
    ("/credentials/{c}/baked.svg", {}, "public, max-age=300"),
    ("/achievements/{a}/badge.png", {}, "public, max-age=300"),
    ("/credentials/{c}", JSON, "public, max-age=300"),
    ("/achievements/{a}", JSON, "public, max-age=300"),
    ("/issuers/main", JSON, "public, no-cache"),
    ("/.well-known/did.json", {}, "public, no-cache"),
])
def test_etag_and_cache_control(app, client, achievement_id, credential_id, path, headers,
                                cache_control):
    url = path.format(c=credential_id, a=achievement_id)
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == cache_control
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha256(first.get_data()).hexdigest()}"'  # strong, of the bytes
    revalidated = client.get(url, headers={**headers, "If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.get_data() == b""
    assert client.get(url, headers={**headers, "If-None-Match": '"other"'}).status_code == 200


def test_stored_images_are_immutable_and_revalidate(app, client, achievement_id):
    _set_image(app, achievement_id, png_bytes((16, 16), "red"))
    with app.app_context():
        image = db.get_session().get(Achievement, achievement_id).image
        path, etag = f"/images/{image.id}.png", f'"{image.sha256}"'
    response = client.get(path)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_status_lists_keep_their_minute(client, credential_id):
    document = client.get(f"/credentials/{credential_id}", headers=JSON).get_json()
    url = document["credentialStatus"]["statusListCredential"]
    response = client.get(url.removeprefix(BASE_URL))
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert client.get(url.removeprefix(BASE_URL), headers={
        "If-None-Match": response.headers["ETag"]}).status_code == 304
