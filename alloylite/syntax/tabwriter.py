"""Elastic tabstops and the trailing-blank trimmer behind `alloy fmt`.

Alloy's printer lays text out through Go's `text/tabwriter` (min width 0,
tab width 8, padding 1, pad character space, flags DiscardEmptyColumns and
TabIndent) and then through a trimmer. The alignment of `=` signs and of
trailing comments is a side effect of that model, so reproducing the
formatter byte for byte means reproducing the model, not approximating it.

Instead of in-band escape bytes, opaque text (comments) is passed as a
separate segment: it never splits a cell and the trimmer never touches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TAB_WIDTH = 8
PADDING = 1

_CELL_BREAK = re.compile(r"[\t\v\n\f]")

Segment = tuple[str, bool]
"""A piece of output text and whether it is opaque (comment text)."""


@dataclass(slots=True)
class _Cell:
    parts: list[Segment] = field(default_factory=list)
    size: int = 0
    width: int = 0
    htab: bool = False


class TabWriter:
    """Go's `text/tabwriter` with the configuration `alloy fmt` uses."""

    def __init__(self) -> None:
        self._lines: list[list[_Cell]] = [[]]
        self._cell = _Cell()
        self._widths: list[int] = []
        self._out: list[Segment] = []

    def write(self, text: str) -> None:
        """Write text in which TAB/VT end cells and `\\n`/FF end lines."""
        if _CELL_BREAK.search(text) is None:
            if text:
                cell = self._cell
                cell.parts.append((text, False))
                cell.size += len(text)
                cell.width += len(text)
            return
        start = 0
        for match in _CELL_BREAK.finditer(text):
            self._append(text[start : match.start()], opaque=False)
            start = match.end()
            ch = match.group()
            ncells = self._terminate_cell(htab=ch == "\t")
            if ch in "\n\f":
                self._lines.append([])
                # A line of one cell cannot influence later columns, so the
                # buffer can be laid out now, exactly when Go's writer does.
                if ch == "\f" or ncells == 1:
                    self._flush()
        self._append(text[start:], opaque=False)

    def write_opaque(self, text: str) -> None:
        """Write text that is kept verbatim inside the current cell."""
        self._append(text, opaque=True)

    def finish(self) -> list[Segment]:
        """Lay out what is buffered and return every segment written."""
        if self._cell.size:
            self._terminate_cell(htab=False)
        self._flush()
        return self._out

    def _append(self, text: str, *, opaque: bool) -> None:
        if text:
            self._cell.parts.append((text, opaque))
            self._cell.size += len(text)
            self._cell.width += len(text)

    def _terminate_cell(self, *, htab: bool) -> int:
        self._cell.htab = htab
        line = self._lines[-1]
        line.append(self._cell)
        self._cell = _Cell()
        return len(line)

    def _flush(self) -> None:
        self._format(0, len(self._lines))
        self._lines = [[]]

    def _format(self, line0: int, line1: int) -> None:
        column = len(self._widths)
        this = line0
        while this < line1:
            if column >= len(self._lines[this]) - 1:
                this += 1
                continue
            # This line has a cell in `column`: a column block starts here.
            self._write_lines(line0, this)
            line0 = this
            width = 0
            discardable = True
            while this < line1:
                line = self._lines[this]
                if column >= len(line) - 1:
                    break
                cell = line[column]
                width = max(width, cell.width + PADDING)
                if cell.width > 0 or cell.htab:
                    discardable = False
                this += 1
            if discardable:
                width = 0
            self._widths.append(width)
            self._format(line0, this)
            self._widths.pop()
            line0 = this
        self._write_lines(line0, line1)

    def _write_lines(self, line0: int, line1: int) -> None:
        widths = self._widths
        for i in range(line0, line1):
            use_tabs = True
            for j, cell in enumerate(self._lines[i]):
                if cell.size == 0:
                    if j < len(widths):
                        self._pad(cell.width, widths[j], use_tabs)
                    continue
                use_tabs = False
                self._out.extend(cell.parts)
                if j < len(widths):
                    self._pad(cell.width, widths[j], False)
            if i + 1 < len(self._lines):
                self._out.append(("\n", False))

    def _pad(self, text_width: int, cell_width: int, use_tabs: bool) -> None:
        if use_tabs:
            cell_width = -(-cell_width // TAB_WIDTH) * TAB_WIDTH
            count = -(-(cell_width - text_width) // TAB_WIDTH)
            if count:
                self._out.append(("\t" * count, False))
        elif cell_width > text_width:
            self._out.append((" " * (cell_width - text_width), False))


def trim(segments: list[Segment]) -> str:
    """Join segments, dropping blanks at line ends (never inside opaque text)."""
    out: list[str] = []
    pending = ""
    for text, opaque in segments:
        if opaque:
            out.append(pending)
            out.append(text)
            pending = ""
            continue
        for piece in re.split(r"([\t \v]+|[\n\f])", text):
            if not piece:
                continue
            if piece in ("\n", "\f"):
                out.append("\n")
                pending = ""
            elif piece[0] in "\t \v":
                pending += piece.replace("\v", "\t")
            else:
                out.append(pending)
                out.append(piece)
                pending = ""
    return "".join(out)
