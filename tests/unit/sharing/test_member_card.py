"""The member's Open Graph card: a 1200×630 PNG with their picture (or initials), name,
headline, badge count and badges; a broken image is left out rather than failing."""

from __future__ import annotations

import io

from PIL import Image

from issuer.sharing import member_card


def _png(color, size=(300, 300), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG")
    return out.getvalue()


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def test_card_draws_picture_text_and_badges():
    data = member_card.render_card(member_card.MemberCard(
        name="Ada Lovelace", headline="Analyst of engines " * 10, badge_count=7,
        site_name="Example University", avatar_png=_png((200, 30, 30)),
        badge_pngs=tuple(_png((20, 160, 60)) for _ in range(7))))
    image = _open(data)
    assert image.size == (member_card.WIDTH, member_card.HEIGHT) == (1200, 630)
    assert image.getpixel((172, 190)) == (200, 30, 30)  # the avatar's middle
    assert image.getpixel((72 + 75, 370 + 75)) == (20, 160, 60)  # the first badge
    row = [image.getpixel((x, 445)) == (20, 160, 60) for x in range(1200)]
    runs = sum(1 for x in range(1, 1200) if row[x] and not row[x - 1])
    assert runs == member_card.MAX_BADGES  # five shown, then "+2"
    assert image.getpixel((5, 5)) == member_card.ACCENT  # the top band


def test_without_picture_the_card_shows_initials_and_survives_bad_images():
    data = member_card.render_card(member_card.MemberCard(
        name="grace hopper", headline=None, badge_count=1, site_name="Badges",
        avatar_png=b"\x89PNG broken", badge_pngs=(b"not an image",)))
    image = _open(data)
    assert image.getpixel((80, 190)) == member_card.ACCENT  # the initials' disc
    assert member_card.initials("grace hopper") == "GH"
    assert member_card.initials("  ") == "?" and member_card.initials("Ada") == "A"


def test_transparent_badges_keep_the_background():
    data = member_card.render_card(member_card.MemberCard(
        name="Ann", headline="h", badge_count=1, site_name="s",
        badge_pngs=(_png((0, 0, 0, 0), mode="RGBA"),)))
    assert _open(data).getpixel((72 + 75, 370 + 75)) == member_card.BACKGROUND
