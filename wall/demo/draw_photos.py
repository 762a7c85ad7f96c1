"""Draw the demo wall's party pictures (run from the project root: `python -m wall.demo.draw_photos`).

Each picture is an illustration of a home party drawn from shapes: a string of lights, a clothes
rail with the collection's coats, a table with glasses. Nothing is photographed and no third-party
image is used (see LICENCE.md beside the pictures). Seeded, so a new run draws the same pictures.
"""

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

FOLDER = Path(__file__).resolve().parent / "photos"
SIZE = (720, 540)
WALLS = [(74, 42, 66), (38, 52, 82), (92, 58, 40), (44, 70, 62), (82, 40, 52), (58, 48, 86)]
COATS = [(196, 150, 98), (128, 32, 48), (30, 44, 80), (170, 170, 160), (60, 90, 70), (210, 120, 80)]


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", SIZE, top)
    draw = ImageDraw.Draw(image)
    for y in range(SIZE[1]):
        t = y / SIZE[1]
        draw.line(
            [(0, y), (SIZE[0], y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return image


def draw(index: int) -> Image.Image:
    rng = random.Random(f"soiree-wall-{index}")
    wall = WALLS[index % len(WALLS)]
    image = _gradient(tuple(min(255, c + 40) for c in wall), wall)  # type: ignore[arg-type]
    glow = Image.new("RGB", SIZE, (0, 0, 0))
    lights = ImageDraw.Draw(glow)
    # a string of lights across the top
    for n in range(14):
        x = 20 + n * 50
        y = 40 + int(18 * abs((n % 6) - 3))
        lights.ellipse((x - 9, y - 9, x + 9, y + 9), fill=(255, 214, 140))
    image = Image.blend(image, glow.filter(ImageFilter.GaussianBlur(8)), 0.35)
    draw = ImageDraw.Draw(image)
    # the clothes rail and coats
    rail_y = 150
    draw.line([(60, rail_y), (420, rail_y)], fill=(200, 200, 200), width=6)
    for n in range(5):
        x = 80 + n * 68
        colour = COATS[(index + n) % len(COATS)]
        draw.line([(x + 25, rail_y), (x + 25, rail_y + 18)], fill=(220, 220, 220), width=3)
        draw.rounded_rectangle(
            (x, rail_y + 18, x + 52, rail_y + 190 + rng.randint(0, 40)), radius=14, fill=colour
        )
        draw.line(
            [(x + 26, rail_y + 24), (x + 26, rail_y + 150)],
            fill=tuple(max(0, c - 40) for c in colour),
            width=2,
        )
    # two guests, as silhouettes
    for x, height in ((470, 230), (610, 210)):
        draw.ellipse((x, height - 70, x + 56, height - 14), fill=(30, 24, 30))
        draw.rounded_rectangle((x - 14, height - 10, x + 70, 430), radius=30, fill=(30, 24, 30))
    # the table and glasses
    draw.rectangle((0, 420, SIZE[0], SIZE[1]), fill=(60, 40, 30))
    draw.ellipse((440, 392, 700, 480), fill=(235, 225, 210))
    for n in range(4):
        x = 470 + n * 55
        draw.polygon([(x, 340), (x + 28, 340), (x + 14, 372)], fill=(250, 245, 235))
        draw.rectangle((x + 12, 372, x + 16, 400), fill=(250, 245, 235))
        draw.polygon(
            [(x + 4, 344), (x + 24, 344), (x + 14, 362)], fill=(150, 30, 60) if n % 2 else (240, 200, 90)
        )
    return image


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for index in range(6):
        draw(index).save(
            FOLDER / f"party-{index + 1}.jpg", format="JPEG", quality=72, optimize=True, progressive=True
        )


if __name__ == "__main__":
    main()
