"""Excel export for every list: streamed row by row (xlsxwriter constant-memory) to a temp file."""

import tempfile
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import FileResponse
from xlsxwriter import Workbook


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> FileResponse:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it after sending
    book = Workbook(
        handle,
        {
            "constant_memory": True,
            "in_memory": False,
            "remove_timezone": True,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    for col, header in enumerate(headers):
        sheet.write(0, col, header, bold)
        sheet.set_column(col, col, max(10, len(header) * 2 + 2))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, "" if value is None else value)
    book.close()
    handle.seek(0)
    response = FileResponse(
        handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def form_sheet(book: Workbook, name: str, *, title, widths, seal, filled, fields, opinions) -> dict:
    """An official paper form as a two-column worksheet: the title, who seals it and when it was filled in,
    a row per (label, text) field, then a tall row per (heading, text) opinion box. Returns the formats, so
    further sheets of the same book look the same."""
    formats = {
        "title": book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "label": book.add_format(
            {"bold": True, "border": 1, "bg_color": "#EEF2F7", "valign": "vcenter", "text_wrap": True}
        ),
        "value": book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True}),
    }
    sheet = book.add_worksheet(name)
    sheet.set_column(0, 0, widths[0])
    sheet.set_column(1, 1, widths[1])
    sheet.merge_range(0, 0, 0, 1, title, formats["title"])
    sheet.set_row(0, 30)
    sheet.write(1, 0, seal)
    sheet.write(1, 1, filled)
    row = 2
    for label, text in fields:
        sheet.write(row, 0, label, formats["label"])
        sheet.write(row, 1, text, formats["value"])
        row += 1
    for heading, text in opinions:
        sheet.write(row, 0, heading, formats["label"])
        sheet.write(row, 1, text, formats["value"])
        sheet.set_row(row, 60)
        row += 1
    return formats
