"""QR codes for the portal (share links, party pages), as PNG or SVG bytes."""

import io

import qrcode
import qrcode.image.svg


def qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(data, box_size=12, border=4).save(buffer)
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    return qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=4).to_string()
