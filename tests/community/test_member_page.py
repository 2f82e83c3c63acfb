"""The public member page worth sharing: persona, badge grid, share links, Open Graph tags
and the server-rendered card image; pictures re-encoded without their metadata."""

from __future__ import annotations

import io
import re

from PIL import Image

from issuer import db
from issuer.clock import utc_now
from issuer.community import members
from issuer.services import images
from issuer.services.tx import atomic
from tests.community.helpers import sign_in_member
from tests.service_fixtures import csrf_token, issue_credential, make_achievement, png_bytes

ADA = "ada@example.org"


def _member(app, **changes) -> str:
    with app.app_context():
        session = db.get_session()
        member = members.ensure_member(session, members.Identity(email=ADA, name="Ada Lovelace"),
                                       now=utc_now())
        with atomic(session):
            for key, value in changes.items():
                setattr(member, key, value)
        return member.slug


def _jpeg_with_exif(size=(640, 480), orientation=6) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    image.paste((250, 250, 0), (0, 0, size[0] // 2, size[1]))  # left half yellow
    exif = Image.Exif()
    exif[0x0112] = orientation  # rotate 90° clockwise to view
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def test_pictures_are_re_encoded_upright_square_and_without_metadata():
    upload = _jpeg_with_exif()
    assert b"SecretCam" in upload
    png = images.avatar_png(upload, max_bytes=1 << 22)
    assert b"SecretCam" not in png and b"eXIf" not in png and b"tEXt" not in png
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (400, 400)
        assert not image.info.get("exif") and image.getexif() == {}
        # Orientation 6 turned the left (yellow) half to the top.
        top, bottom = image.convert("RGB").getpixel((200, 20)), image.convert(
            "RGB").getpixel((200, 380))
        assert min(top[:2]) > 240 and top[2] < 20  # yellow (JPEG rounds a little)
        assert bottom[2] > 180 and bottom[0] < 30


def test_pictures_that_are_not_images_or_too_large_are_refused():
    from issuer.errors import InvalidImage

    for data, message in ((b"", "empty"), (b"<svg/>", "PNG, JPEG, WebP or GIF"),
                          (png_bytes((64, 64))[:-30], "damaged"), (b"x" * 2000, "limit")):
        try:
            images.avatar_png(data, max_bytes=1000 if message == "limit" else 1 << 22)
        except InvalidImage as error:
            assert message in error.errors["image"]
        else:
            raise AssertionError(f"accepted {data[:10]!r}")
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, format="PNG")  # tiny file, 400 M pixels
    try:
        images.avatar_png(bomb.getvalue(), max_bytes=1 << 22)
    except InvalidImage as error:
        assert "too" in error.errors["image"]
    else:
        raise AssertionError("a decompression bomb was accepted")


def test_page_has_persona_grid_share_links_and_open_graph_card(app, client, profile):
    slug = _member(app, headline="Analyst of engines", bio="Loves <script>x</script>**maths**",
                   interests=["maths", "looms"],
                   links=[{"label": "Blog", "url": "https://ada.example.org"}])
    first = issue_credential(app, make_achievement(app, name="First Post"), email=ADA)
    issue_credential(app, make_achievement(app, name="Upgrade", private=True), email=ADA)
    html = client.get(f"/members/{slug}").get_data(as_text=True)
    assert "<script>x</script>" not in html and "<strong>maths</strong>" in html
    assert '<a href="https://ada.example.org" rel="me noopener">Blog</a>' in html
    assert f'data-credential="{first}"' in html and "Upgrade" not in html
    assert '<strong>1</strong> badge' in html
    card = f"http://localhost:5000/members/{slug}/card.png"
    assert f'<meta property="og:image" content="{card}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="og:description" content="Analyst of engines">' in html
    for network in ("linkedin", "x", "bluesky", "facebook", "email"):
        assert f'id="share-{network}"' in html
    assert 'id="mastodon-share"' in html and "share.js" in html
    assert re.search(r'href="https://www\.linkedin\.com/sharing/share-offsite/\?url='
                     r'http%3A%2F%2Flocalhost%3A5000%2Fmembers%2F' + slug, html)

    response = client.get(f"/members/{slug}/card.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size == (1200, 630)
    etag = response.headers["ETag"]
    again = client.get(f"/members/{slug}/card.png", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # A change of what the card shows changes its ETag.
    issue_credential(app, make_achievement(app, name="Second"), email=ADA)
    assert client.get(f"/members/{slug}/card.png").headers["ETag"] != etag
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            members.member_by_slug(session, slug).page_hidden = True
    assert client.get(f"/members/{slug}/card.png").status_code == 404


def test_uploading_a_photo_through_the_page_form(app, client, smtp_server, profile):
    slug = _member(app)
    sign_in_member(app, client, smtp_server)
    form = {"csrf_token": csrf_token(client, "/members/me"), "display_name": "Ada Lovelace",
            "headline": "", "bio": "", "interests": "", "links": "", "did": "",
            "avatar": (io.BytesIO(_jpeg_with_exif()), "me.jpg")}
    assert client.post("/members/me", data=form,
                       content_type="multipart/form-data").status_code == 302
    page = client.get(f"/members/{slug}").get_data(as_text=True)
    source = re.search(r'<img class="member-avatar" src="([^"]+)"', page).group(1)
    served = client.get(source)
    assert served.mimetype == "image/png" and b"SecretCam" not in served.data
    # Over the limit: a raw body (the test client would spool a dict one to a temp file
    # that stays open, since the body is never read).
    boundary = "b0undary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="avatar"; '
            f'filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n')
    body = head.encode() + b"\0" * (5 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    refused = client.post("/members/me", data=body,
                          content_type=f"multipart/form-data; boundary={boundary}")
    assert refused.status_code == 413
    html = refused.get_data(as_text=True)
    assert 'id="avatar-error">The picture is too large; the limit is 4 MiB.' in html
    assert 'value="Ada Lovelace"' in html  # the form, as saved
