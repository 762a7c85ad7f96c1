"""The insights page's charts as geometry for inline SVG, drawn on the server: no script, no
library. Every chart has its figures in a table beside it, which is its text equivalent."""

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

# The départements of metropolitan France (`maps/README.md` for its source and licence).
FRANCE_MAP = Path(__file__).resolve().parent / "maps" / "france-departments.svg"
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
# Net sales from least to most; a département without a sale stays blank.
SHADES = ("#d4e4f1", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_SALES = "#e3dcd6"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    x: float
    y: float
    width: float
    height: float


def horizontal_bars(values: list[tuple[str, Decimal]], *, width: int = 300, row: int = 24) -> list[Bar]:
    """One bar per value, as long as its share of the largest (negative values draw nothing)."""
    largest = max((value for _, value in values), default=Decimal(0))
    return [
        Bar(
            label=label,
            value=value,
            x=0,
            y=index * row,
            width=round(float(value / largest) * width, 1) if largest > 0 and value > 0 else 0,
            height=row - 6,
        )
        for index, (label, value) in enumerate(values)
    ]


@dataclass(frozen=True)
class Column:
    label: str
    series: int  # 0 or 1: which of the two series
    value: Decimal
    x: float
    y: float
    width: float
    height: float


def paired_columns(
    points: list[tuple[str, Decimal, Decimal]], *, width: int = 600, height: int = 200
) -> list[Column]:
    """Two columns per point (e.g. net sales and rewards per week), on one scale, from the baseline."""
    largest = max((max(a, b) for _, a, b in points), default=Decimal(0))
    if not points:
        return []
    slot = width / len(points)
    columns = []
    for index, (label, *values) in enumerate(points):
        for series, value in enumerate(values):
            tall = round(float(value / largest) * height, 1) if largest > 0 and value > 0 else 0
            columns.append(
                Column(
                    label=label,
                    series=series,
                    value=value,
                    x=round(index * slot + slot * 0.1 + series * slot * 0.4, 1),
                    y=round(height - tall, 1),
                    width=round(slot * 0.4, 1),
                    height=tall,
                )
            )
    return columns


@dataclass(frozen=True)
class MapShape:
    code: str  # the département's number as the map has it: `75`, `2A`
    name: str
    path: str


@functools.cache
def france_shapes() -> tuple[str, tuple[MapShape, ...]]:
    """The map's view box and one shape per département, read once from the shipped file."""
    root = ElementTree.parse(FRANCE_MAP).getroot()  # noqa: S314 (our own file, shipped with the code)
    shapes = tuple(
        MapShape(code=path.attrib["id"], name=path.attrib.get("aria-label", ""), path=path.attrib["d"])
        for path in root.iter(f"{SVG_NAMESPACE}path")
    )
    return root.attrib["viewBox"], shapes


def report_prefix(code: str) -> str:
    """The report's postal prefix of a map département: Corsica's 2A and 2B share `20`."""
    return "20" if code in ("2A", "2B") else code


def shade(value: Decimal, largest: Decimal) -> str:
    """The fill of an area by its share of the largest value: five equal steps."""
    if largest <= 0 or value <= 0:
        return NO_SALES
    step = math.ceil(float(value / largest) * len(SHADES)) - 1
    return SHADES[min(max(step, 0), len(SHADES) - 1)]


def legend(largest: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    """The map's key: each shade with the range of net sales it stands for."""
    if largest <= 0:
        return []
    size = largest / len(SHADES)
    return [
        (colour, (size * index).quantize(Decimal(1)), (size * (index + 1)).quantize(Decimal(1)))
        for index, colour in enumerate(SHADES)
    ]
