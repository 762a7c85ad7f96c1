"""Packing slips figure (SPEC §12): 500 shipments × 100 lines (≈1,500 pages) in ≤ 6 s, memory bounded.

Prints one JSON line per size (1, 100 and 500 slips) with pages, seconds, pages/s, peak memory and
PDF size, then one line for the baseline the issue names (a straightforward platypus build: tables
with a repeated header, reportlab's QR widget, the Code128 flowable) measured in the same run on a
smaller batch, with its pages/s and the seconds it would need for the full batch at that rate.

Each measurement runs in its own process so the peak memory (`ru_maxrss`) belongs to it alone; the
"delta" is the peak minus the process size just before rendering (fonts loaded, slips built).

    DEBUG=1 .venv/bin/python bench/packing_slips.py [--sizes 1,100,500] [--baseline 25]
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINES_PER_SLIP = 100
TARGET_SECONDS = 6.0


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def realistic_slips(count: int, lines: int = LINES_PER_SLIP) -> list:
    """A La Redoute-like kit: a promotion pack and garments from bins across the warehouse."""
    from kits.slips.render import Slip, SlipLine

    colours = ["Bleu marine", "Écru", "Rouge", "Vert sapin", "Noir"]
    sizes = ["XS", "S", "M", "L", "XL"]
    kit = tuple(
        SlipLine(
            sku="PROMO-PACK" if index == 0 else f"AW26-{index:05d}",
            description="Kit de promotion" if index == 0 else f"Pull en laine côtelée Ørsted n°{index}",
            variant="" if index == 0 else f"{colours[index % 5]} / {sizes[index % 5]}",
            bin_location=f"{chr(65 + index % 8)}-{index % 40:02d}-{index % 5}",
            quantity=1 if index % 7 else 2,
            returnable=index != 0,
            unit_value=Decimal("0.00") if index == 0 else Decimal("49.90"),
        )
        for index in range(lines)
    )
    first_names = ["Zoë", "Camille", "Łucja", "Inès", "Søren", "Núria"]
    return [
        Slip(
            number=f"KIT-2026-{number:06d}",
            brand="Soirée",
            campaign_name="Automne-hiver 2026 — La collection",
            confirm_url=f"https://soiree.example.com/portal/kit/KIT-2026-{number:06d}/",
            ship_to_name=f"{first_names[number % 6]} Łukasiewicz-Nuñez",
            ship_to_address=(
                f"{number + 1} rue de la Chaussée-d'Antin",
                "Bâtiment B, 3e étage",
                "75009 Paris",
                "FR",
            ),
            ship_to_phone="+33 6 12 34 56 78",
            referral_code=f"ZOE-{number % 1000:03d}K",
            return_due_on=date(2027, 3, 31),
            currency="EUR",
            lines=kit,
        )
        for number in range(count)
    ]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kilobytes on Linux


def count_pages(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def measure_fast(count: int) -> dict:
    from kits.slips.drawing import register_fonts
    from kits.slips.render import render_packing_slips

    slips = realistic_slips(count)
    register_fonts()  # once per process, like a worker that has printed before
    before = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    pdf = render_packing_slips(slips)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = peak_rss_mb()
    assert pdf is not None
    pages = count_pages(pdf)
    return {
        "figure": "packing_slips",
        "renderer": "kits.slips.render (canvas, forms, QR path)",
        "slips": count,
        "lines_per_slip": LINES_PER_SLIP,
        "pages": pages,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "pages_per_s": round(pages / seconds, 1),
        "peak_rss_mb": round(peak, 1),
        "peak_rss_delta_mb": round(peak - before, 1),
        "pdf_mb": round(len(pdf) / 1e6, 2),
        "target_seconds": TARGET_SECONDS if count == 500 else None,
        "meets_target": seconds <= TARGET_SECONDS if count == 500 else None,
        "load_average_1m": os.getloadavg()[0],
    }


def measure_platypus(count: int) -> dict:
    """The straightforward build: platypus flowables, a Table per slip, reportlab's QR widget."""
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from kits.slips.drawing import FONT, FONT_BOLD, register_fonts
    from kits.slips.render import pick_list

    register_fonts()
    slips = realistic_slips(count)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9)
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=16)
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8.5),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ]
    )
    story: list = [Paragraph("Pick list", title)]
    pick = [["Bin", "SKU", "Description", "Colour / size", "Units"]]
    pick += [[p.bin_location, p.sku, p.description, p.variant, str(p.units)] for p in pick_list(slips)]
    story += [Table(pick, repeatRows=1, style=style), PageBreak()]
    for slip in slips:
        qr = QrCodeWidget(slip.confirm_url)
        x0, y0, x1, y1 = qr.getBounds()
        drawing = Drawing(90, 90, transform=[90 / (x1 - x0), 0, 0, 90 / (y1 - y0), 0, 0])
        drawing.add(qr)
        story += [
            Paragraph(slip.brand, title),
            Paragraph(slip.campaign_name, body),
            Code128(slip.number, barHeight=40, barWidth=1.1),
            Paragraph(slip.number, body),
            drawing,
            Paragraph(slip.ship_to_name, body),
            *[Paragraph(line, body) for line in slip.ship_to_address],
            Paragraph(slip.ship_to_phone, body),
            Spacer(1, 8),
        ]
        rows = [["SKU", "Description", "Colour / size", "Qty", "Return", "✓"]]
        rows += [
            [
                line.sku,
                line.description,
                line.variant,
                str(line.quantity),
                "yes" if line.returnable else "—",
                "☐",
            ]
            for line in slip.lines
        ]
        story += [
            Table(rows, repeatRows=1, style=style),
            Paragraph(f"Total units: {slip.total_units} · Declared value: {slip.declared_value} EUR", body),
            Paragraph(f"Return by {slip.return_due_on}", body),
            PageBreak(),
        ]

    def footer(canvas, document):
        canvas.setFont(FONT, 8)
        canvas.drawRightString(559, 36, f"page {document.page}")

    out = io.BytesIO()
    before = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    SimpleDocTemplate(out, pagesize=A4).build(story, onFirstPage=footer, onLaterPages=footer)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = peak_rss_mb()
    pages = count_pages(out.getvalue())
    full_pages = measure_fast_pages_for_500()
    return {
        "figure": "packing_slips_baseline",
        "renderer": "platypus tables + QrCodeWidget + Code128 flowable",
        "slips": count,
        "lines_per_slip": LINES_PER_SLIP,
        "pages": pages,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "pages_per_s": round(pages / seconds, 1),
        "peak_rss_delta_mb": round(peak - before, 1),
        "estimated_seconds_for_500_slips": round(full_pages / (pages / seconds), 1),
    }


def measure_fast_pages_for_500() -> int:
    from kits.slips.render import slip_pages

    return 500 * len(slip_pages(LINES_PER_SLIP)) + 1


def child(kind: str, count: int) -> None:
    setup_django()
    result = measure_fast(count) if kind == "fast" else measure_platypus(count)
    print(json.dumps(result, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1,100,500", help="numbers of slips, comma-separated")
    parser.add_argument("--baseline", type=int, default=25, help="slips for the platypus baseline (0: skip)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    runs = [("fast", int(size)) for size in args.sizes.split(",") if size.strip()]
    if args.baseline:
        runs.append(("platypus", args.baseline))
    for kind, count in runs:
        subprocess.run([sys.executable, __file__, "--child", kind, str(count)], check=True)


if __name__ == "__main__":
    main()
