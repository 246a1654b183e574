"""Every export a person downloads (XLSX, CSV) is written through here.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by Excel or LibreOffice (CSV injection, OWASP): :func:`neutralise` prefixes such a
value with a single quote, so it shows as the text it is. Numbers, dates and empty cells pass
unchanged. :func:`restore` undoes the prefix when a workbook the platform wrote is read back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_ROW = 4  # rows 1–3 of a workbook: title, subtitle, blank; row 4: column names


def neutralise(value: Any) -> Any:
    """``value``, with a leading quote if it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """The text :func:`neutralise` was given (for reading back an exported workbook)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_bytes(head: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (Excel then opens it correctly), every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(v) for v in head])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, subtitle: str, head: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a bold title, a subtitle, column names on :data:`HEADER_ROW`, then the rows."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
    ws.title = "Bao cao"

    def put(row: int, column: int, value: Any, *, bold: bool = False, size: float | None = None) -> None:
        cell = ws.cell(row=row, column=column, value=neutralise(value))
        if isinstance(cell.value, str):
            cell.data_type = TYPE_STRING  # never a formula, whatever openpyxl guessed
        if bold:
            cell.font = Font(bold=True, size=size)

    put(1, 1, title, bold=True, size=13)
    put(2, 1, subtitle)
    for col, name in enumerate(head, 1):
        put(HEADER_ROW, col, name, bold=True)
    for r, row in enumerate(rows, HEADER_ROW + 1):
        for col, value in enumerate(row, 1):
            put(r, col, value)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
