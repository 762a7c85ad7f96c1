"""A reportlab canvas that writes each finished page to its file at once, so memory stays flat.

reportlab keeps every page (its content, its objects) in memory until `save()`, then builds the whole
file in memory again: a 2,000-kit batch grew by ~40 KB a slip. Here, each time a page is shown, the
objects that are final by then (the page, its content stream, the forms it placed) are written and
dropped, keeping only their offset and, for the names later objects refer to (pages, forms), their
number. What can only be written at the end (the fonts, whose subsets grow while text is drawn, the
page tree, the catalogue) is written by `save()` with the cross-reference table.

It relies on `PDFDocument`'s object table (`numberToId`, `idToObject`, `idToObjectNumberAndVersion`),
the same one its own `format()` walks; reportlab is pinned below 6 in pyproject, and the slips tests read every
file back with two independent readers.
"""

from __future__ import annotations

from array import array
from typing import IO, Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas


class _StreamingDocument(pdfdoc.PDFDocument):
    def __init__(self, out: IO[bytes], **options: Any) -> None:
        super().__init__(**options)
        self._out = out
        self._offset = 0
        self._next = 1  # the next object number to consider writing
        self._held: list[int] = []  # objects written only at the end
        self._offsets = array("q")  # by object number (index 0 unused): where each object starts
        self._write(pdfdoc.PDFFile(self._pdfVersion).format(self))  # the header

    def _write(self, data: bytes) -> int:
        offset = self._offset
        self._out.write(data)
        self._offset += len(data)
        return offset

    def _is_final(self, obj: Any, name: str) -> bool:
        """Pages, their streams and forms are final once shown; the fonts (the font dictionary
        refers to them when it is written, last), the page tree and the catalogue are not."""
        fonts = {internal.lstrip("/") for internal in self.fontMapping.values()}
        return not (name == pdfdoc.BasicFonts or name in fonts or obj is self.Pages or obj is self.Catalog)

    def _write_object(self, number: int, *, forget: bool = True) -> None:
        """Write one object and forget it. Only the names later objects may still refer to (pages, in
        the page tree; forms, placed again on later pages) keep their number; at the end (`forget`
        off: fonts refer to their files by name) every name does."""
        name = self.numberToId[number]
        obj = self.idToObject[name]
        formatted = pdfdoc.PDFIndirectObject(name, obj).format(self)
        if len(self._offsets) <= number:
            self._offsets.extend([0] * (number + 1 - len(self._offsets)))
        self._offsets[number] = self._write(formatted)
        if forget:
            del self.numberToId[number], self.idToObject[name]
            if not name.startswith(("Page", pdfdoc.xObjectName(""))):
                del self.idToObjectNumberAndVersion[name]

    def addPage(self, page: Any) -> None:
        page_name = self.thisPageName()
        super().addPage(page)
        self.Pages.pages[-1] = pdfdoc.PDFObjectReference(page_name)  # the page tree only needs its name
        # Formatting a page registers its content stream (and the page tree, held): keep going
        # until no new object appears.
        while self._next <= self.objectcounter:
            name = self.numberToId[self._next]
            if self._is_final(self.idToObject[name], name):
                self._write_object(self._next)
            else:
                self._held.append(self._next)
            self._next += 1

    def SaveToFile(self, filename: Any, canvas: Any) -> None:
        for font in self.delayedFonts:
            font.addObjects(self)
        self.info.invariant = self.invariant
        self.info.digest(self.signature)
        self.Reference(self.Catalog)
        self.Reference(self.info)
        self.Outlines.prepare(self, canvas)
        if self.Outlines.ready < 0:
            self.Catalog.Outlines = None
        self.encrypt.prepare(self)
        catalog, info = self.Reference(self.Catalog), self.Reference(self.info)
        for number in self._held:
            self._write_object(number, forget=False)
        while self._next <= self.objectcounter:  # fonts, catalogue, info, and what they register
            self._write_object(self._next, forget=False)
            self._next += 1
        count = self.objectcounter
        entries = [b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1)]
        entries += [b"%010d 00000 n \n" % self._offsets[number] for number in range(1, count + 1)]
        start = self._write(b"".join(entries))
        trailer = pdfdoc.PDFTrailer(
            startxref=start, Size=count + 1, Root=catalog, Info=info, Encrypt=None, ID=self.ID()
        )
        self._write(trailer.format(self))


class StreamingCanvas(Canvas):
    """A `Canvas` on a writable binary file that writes each page as soon as it is shown."""

    def __init__(self, out: IO[bytes], *, pagesize: tuple[float, float], invariant: bool = True) -> None:
        super().__init__(out, pagesize=pagesize, pageCompression=1, invariant=int(invariant))
        self._doc = _StreamingDocument(out, compression=1, invariant=int(invariant))
        self._make_preamble()  # the initial font, registered in the new document
