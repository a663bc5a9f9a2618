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
