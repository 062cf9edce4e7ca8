"""CSV files safe to open in a spreadsheet: no formula injection, as French spreadsheets expect.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
as a formula by Excel or LibreOffice (a name typed as ``=HYPERLINK(…)`` in SIECLE would run in the
staff's spreadsheet): such a cell gets a leading apostrophe, so it is shown as text. Files are
UTF-8 with a byte-order mark (Excel's hint to read UTF-8) and ``;``-separated. Every CSV export of
the platform (student lists, audit log, statistics) should write through ``write_rows``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
DELIMITER = ";"


def escape_cell(value: Any) -> str:
    """The cell's text, prefixed with an apostrophe when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_rows(stream: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write the header and the rows, every cell escaped, ``;``-separated, CRLF line ends."""
    writer = csv.writer(stream, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([escape_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The whole file as text, starting with the byte-order mark."""
    buffer = io.StringIO()
    buffer.write(BOM)
    write_rows(buffer, header, rows)
    return buffer.getvalue()


def to_csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole file encoded in UTF-8 (with its byte-order mark), ready to download."""
    return to_csv(header, rows).encode("utf-8")
