"""Draw the demo campaign's branding images (`seed_demo`): the logo and the cover of "Maison Automne",
an invented autumn-winter fashion brand. Everything is drawn here from shapes and the DejaVu font
the project ships (kits/fonts), so the images are ours to ship (see README.md beside this file).

    python backend/demo_media/make_images.py
"""

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent.parent / "kits" / "fonts" / "DejaVuSans-Bold.ttf"
BURGUNDY = (122, 31, 61)
MUSTARD = (201, 162, 39)
CAMEL = (193, 140, 93)
FOREST = (46, 74, 56)
IVORY = (246, 239, 226)


def leaf(draw: ImageDraw.ImageDraw, centre: tuple[float, float], size: float, angle: float, colour) -> None:
    """A leaf: two arcs meeting at the tips, and its vein."""
    points = []
    for step in range(41):
        t = step / 40
        x = (t - 0.5) * size
        y = math.sin(math.pi * t) * size * 0.28
        points.append((x, y))
    outline = points + [(x, -y) for x, y in reversed(points)]
    cos, sin = math.cos(angle), math.sin(angle)
    placed = [(centre[0] + x * cos - y * sin, centre[1] + x * sin + y * cos) for x, y in outline]
    draw.polygon(placed, fill=colour)
    tip, stem = placed[0], placed[40]
    draw.line([tip, stem], fill=tuple(max(c - 40, 0) for c in colour), width=max(int(size / 30), 1))


def logo() -> Image.Image:
    """The wordmark on a transparent ground, white: it sits on the brand's burgundy header."""
    image = Image.new("RGBA", (440, 96), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 8, 84, 88), outline=IVORY, width=5)
    leaf(draw, (44, 48), 56, -math.pi / 4, MUSTARD)
    font = ImageFont.truetype(str(FONT), 34)
    draw.text((104, 14), "MAISON", font=font, fill=IVORY)
    draw.text((104, 50), "AUTOMNE", font=font, fill=MUSTARD)
    return image


def cover() -> Image.Image:
    """A knit-like field in burgundy and camel with falling leaves (decorative, no words)."""
    width, height = 1200, 480
    image = Image.new("RGB", (width, height), BURGUNDY)
    draw = ImageDraw.Draw(image)
    for x in range(width):  # a warm gradient from burgundy to camel
        t = x / width
        colour = tuple(int(a + (b - a) * t * t) for a, b in zip(BURGUNDY, CAMEL, strict=True))
        draw.line([(x, 0), (x, height)], fill=colour)
    for row in range(0, height, 24):  # cable-knit chevrons
        for column in range(0, width, 32):
            offset = 16 if (row // 24) % 2 else 0
            x = column + offset
            draw.line([(x, row), (x + 16, row + 12), (x + 32, row)], fill=(255, 255, 255), width=1)
    image = Image.blend(image, Image.new("RGB", image.size, BURGUNDY), 0.15)
    draw = ImageDraw.Draw(image)
    rng = random.Random(2026)
    for _ in range(38):
        colour = rng.choice([MUSTARD, FOREST, CAMEL, IVORY, (168, 66, 40)])
        leaf(
            draw,
            (rng.uniform(0, width), rng.uniform(0, height)),
            rng.uniform(28, 90),
            rng.uniform(0, 6.3),
            colour,
        )
    return image.filter(ImageFilter.SMOOTH)


def main() -> None:
    logo().save(HERE / "logo.png", optimize=True)
    cover().save(HERE / "cover.jpg", quality=78, optimize=True, progressive=True)


if __name__ == "__main__":
    main()
