"""A reportlab canvas that writes each finished page to its file at once, so memory stays flat.

reportlab keeps every page (its content, its objects) in memory until `save()`, then builds the whole
file in memory again: a 2,000-kit batch grew by ~40 KB a slip. Here, each time a page is shown, the
objects that are final by then (the page, its content stream, the forms it placed) are written and
dropped, leaving only a stub that still answers to the object's name. What can only be written at
the end (the fonts, whose subsets grow while text is drawn, the page tree, the catalogue) is written
by `save()` with the cross-reference table.

It relies on `PDFDocument`'s object table (`numberToId`, `idToObject`, `idToOffset`), the same one
its own `format()` walks; reportlab is pinned below 6 in pyproject, and the slips tests read every
file back with two independent readers.
"""

from __future__ import annotations

from typing import IO, Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas


class _Written(pdfdoc.PDFObject):
    """What remains of an object once written: its name, for the references still to be formatted."""

    def __init__(self, name: str) -> None:
        self.__InternalName__ = name

    def format(self, document: Any) -> bytes:  # pragma: no cover - never formatted twice
        raise RuntimeError(f"{self.__InternalName__} was already written")


class _StreamingDocument(pdfdoc.PDFDocument):
    def __init__(self, out: IO[bytes], **options: Any) -> None:
        super().__init__(**options)
        self._out = out
        self._offset = 0
        self._next = 1  # the next object number to consider writing
        self._held: list[int] = []  # objects written only at the end
        self._write(pdfdoc.PDFFile(self._pdfVersion).format(self))  # the header

    def _write(self, data: bytes) -> int:
        offset = self._offset
        self._out.write(data)
        self._offset += len(data)
        return offset

    def _is_final(self, obj: Any, name: str) -> bool:
        """Pages, their streams and forms are final once shown; the font dictionary, the page tree
        and the catalogue are not."""
        return not (name == pdfdoc.BasicFonts or obj is self.Pages or obj is self.Catalog)

    def _write_object(self, number: int) -> None:
        name = self.numberToId[number]
        formatted = pdfdoc.PDFIndirectObject(name, self.idToObject[name]).format(self)
        self.idToOffset[name] = self._write(formatted)
        self.idToObject[name] = _Written(name)

    def addPage(self, page: Any) -> None:
        page_name = self.thisPageName()
        super().addPage(page)
        # Formatting a page registers its content stream (and the page tree, held): keep going
        # until no new object appears.
        while self._next <= self.objectcounter:
            name = self.numberToId[self._next]
            if self._is_final(self.idToObject[name], name):
                self._write_object(self._next)
            else:
                self._held.append(self._next)
            self._next += 1
        self.Pages.pages[-1] = self.idToObject[page_name]  # the stub: the page tree only needs its name

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
        for number in self._held:
            self._write_object(number)
        while self._next <= self.objectcounter:  # fonts, catalogue, info, and what they register
            self._write_object(self._next)
            self._next += 1
        count = len(self.numberToId)
        xref = pdfdoc.PDFCrossReferenceTable()
        xref.addsection(0, [self.numberToId[number] for number in range(1, count + 1)])
        start = self._write(xref.format(self))
        trailer = pdfdoc.PDFTrailer(
            startxref=start,
            Size=count + 1,
            Root=self.Reference(self.Catalog),
            Info=self.Reference(self.info),
            Encrypt=None,
            ID=self.ID(),
        )
        self._write(trailer.format(self))


class StreamingCanvas(Canvas):
    """A `Canvas` on a writable binary file that writes each page as soon as it is shown."""

    def __init__(self, out: IO[bytes], *, pagesize: tuple[float, float], invariant: bool = True) -> None:
        super().__init__(out, pagesize=pagesize, pageCompression=1, invariant=int(invariant))
        self._doc = _StreamingDocument(out, compression=1, invariant=int(invariant))
        self._make_preamble()  # the initial font, registered in the new document
