"""Reading packing slips back as a warehouse would, with independent tools: text through pypdf and
poppler's `pdftotext`, codes through zxing-cpp and zbar (`zbarimg`) on a 200 dpi rendering
(pypdfium2 for zxing, poppler's `pdftoppm` for zbar).

poppler and zbar are programs, installed by `.ci/run`: in CI a missing one fails the test; on a
developer's machine it skips with the reason.
"""

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp

DPI = 200


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed (apt-get install poppler-utils zbar-tools)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: .ci/run installs it, so CI must have it")
        pytest.skip(message)
    return path


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text (pypdf) with runs of whitespace folded to one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [fold(page.extract_text()) for page in reader.pages]


def poppler_texts(pdf: bytes) -> list[str]:
    """Each page's text as poppler reads it, in the order it was drawn (`-raw`), folded."""
    result = subprocess.run(
        [need("pdftotext"), "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    pages = result.stdout.decode().split("\f")
    return [fold(page) for page in pages[: pypdf_page_count(pdf)]]


def pypdf_page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def fold(text: str) -> str:
    """Whitespace folded to one space, and a value wrapped after a hyphen (`SOIREE-AW26-` on one line,
    `ROBE-001-XS` on the next) joined back."""
    return re.sub(r"\s+", " ", re.sub(r"-[ \t]*\n\s*", "-", text)).strip()


def both_texts(pdf: bytes) -> list[tuple[str, str]]:
    """Per page, the text read by pypdf and by poppler."""
    return list(zip(page_texts(pdf), poppler_texts(pdf), strict=True))


def zxing_codes(pdf: bytes, index: int) -> dict[str, str]:
    """The codes zxing-cpp reads on one page rendered at 200 dpi (pdfium), by format."""
    image = pypdfium2.PdfDocument(pdf)[index].render(scale=DPI / 72).to_pil()
    return {result.format.name: result.text for result in zxingcpp.read_barcodes(image)}


def zbar_codes(pdf: bytes, index: int) -> dict[str, str]:
    """The codes zbar reads on one page rendered at 200 dpi by poppler, by symbology."""
    pdftoppm, zbarimg = need("pdftoppm"), need("zbarimg")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "slips.pdf"
        source.write_bytes(pdf)
        page = str(index + 1)
        subprocess.run(
            [
                pdftoppm,
                "-r",
                str(DPI),
                "-f",
                page,
                "-l",
                page,
                "-png",
                "-singlefile",
                source,
                f"{folder}/page",
            ],
            check=True,
        )
        result = subprocess.run(
            [zbarimg, "--quiet", "-Sdisable", "-Scode128.enable", "-Sqrcode.enable", f"{folder}/page.png"],
            capture_output=True,
            text=True,
        )
    codes = {}
    for line in result.stdout.splitlines():
        symbology, _, data = line.partition(":")
        codes[symbology] = data
    return codes
