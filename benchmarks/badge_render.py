"""How long the badge designer takes: drawing a design as SVG, rendering it to a 512 × 512
PNG with CairoSVG, and baking a credential-sized text into each.

Usage: python benchmarks/badge_render.py [--rounds 50]

Prints the median and 95th percentile per operation, per shape. Pure functions, no server,
no database; a design is rendered to PNG once when it is saved, while the designed default of
an achievement without an image is rendered on each baked-PNG download.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from issuer.badgedesign.design import SHAPES, BadgeDesign
from issuer.badgedesign.raster import render_png
from issuer.badgedesign.svg import render_svg
from issuer.openbadges import baking

CREDENTIAL = '{"@context": ["https://www.w3.org/ns/credentials/v2"], "x": "' + "a" * 3000 + '"}'


def _time(function, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    print(f"python {platform.python_version()} on {platform.machine()}, {rounds} rounds")
    print(f"{'shape':<16}{'svg ms (p50/p95)':>20}{'png ms (p50/p95)':>20}"
          f"{'bake png ms':>14}{'png KiB':>10}")
    for shape in SHAPES:
        design = BadgeDesign(shape=shape, background="#1d4ed8", accent="#fbbf24",
                             foreground="#ffffff", icon="graduation-cap",
                             title="Introduction to Data Science", ribbon="2026")
        svg = render_svg(design)
        png = render_png(svg)
        svg_ms = _time(lambda: render_svg(design), rounds)
        png_ms = _time(lambda: render_png(svg), rounds)
        bake_ms = _time(lambda: baking.bake(png, CREDENTIAL), rounds)
        print(f"{shape:<16}{svg_ms[0]:>10.2f} / {svg_ms[1]:<7.2f}{png_ms[0]:>10.2f} / "
              f"{png_ms[1]:<7.2f}{bake_ms[0]:>12.2f}{len(png) / 1024:>10.1f}")


if __name__ == "__main__":
    main()
