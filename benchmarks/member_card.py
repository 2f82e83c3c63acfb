"""How long the server takes to draw a member's Open Graph card and to re-encode a picture.

Usage: python -m benchmarks.member_card [--seconds N]   (from the repository root)

Prints calls/second and milliseconds per call for
  card         issuer.sharing.member_card.render_card: 1200×630 PNG with a 400 px picture and
               five 300 px badges (what /members/<slug>/card.png draws on a cache miss; a
               revalidation with the ETag draws nothing)
  avatar       issuer.services.images.avatar_png on a 3000×2000 JPEG photo with EXIF (what a
               picture upload costs once)
"""

from __future__ import annotations

import io
import sys

from PIL import Image, ImageDraw

from benchmarks.sign_verify import environment_line, measure, parse_seconds
from issuer.services.images import avatar_png
from issuer.sharing.member_card import MemberCard, render_card


def _png(size: tuple[int, int], color: str) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, size[0] - 1, size[1] - 1), fill=color)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _photo() -> bytes:
    image = Image.linear_gradient("L").resize((3000, 2000)).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    args = parse_seconds(__doc__.splitlines()[0], argv)
    card = MemberCard(name="Ada Lovelace", headline="Analyst of engines, poet of science",
                      badge_count=12, site_name="Example University",
                      avatar_png=avatar_png(_photo(), max_bytes=1 << 24),
                      badge_pngs=tuple(_png((300, 300), color) for color in
                                       ("teal", "orange", "purple", "navy", "crimson")))
    photo = _photo()
    print(environment_line())
    print(f"{'what':<10} {'per s':>8} {'ms each':>9} {'calls':>6}")
    for name, function in (("card", lambda: render_card(card)),
                           ("avatar", lambda: avatar_png(photo, max_bytes=1 << 24))):
        rate, calls = measure(function, args.seconds)
        print(f"{name:<10} {rate:>8.1f} {1000 / rate:>9.1f} {calls:>6}")
    print(f"card PNG: {len(render_card(card)) // 1024} KiB; photo {len(photo) // 1024} KiB -> "
          f"avatar {len(avatar_png(photo, max_bytes=1 << 24)) // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
