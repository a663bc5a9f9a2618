"""The two workbooks of an import: the template (headers, a sample row, 填写说明) and the error report."""

import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

from xlsxwriter import Workbook

from .base import Column, Importer
from .models import ImportJob

KIND_LABELS = {
    "text": "文本",
    "date": "日期",
    "int": "整数",
    "decimal": "数字",
    "bool": "是/否",
    "choice": "选项",
}
DATA_ROWS = 10_000  # how far down the template's formats and drop-down lists reach
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet_name(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "数据"


def _allowed(column: Column) -> str:
    if column.kind == "choice" and column.choices:
        return "、".join(column.choices)
    if column.kind == "bool":
        return "是、否"
    if column.kind == "date":
        return "日期，如 2026-03-01"
    return ""


def _write_sample(sheet, col: int, column: Column, fmt) -> None:
    sample = column.sample
    if sample == "":
        return
    if column.kind in ("int", "decimal"):
        try:
            sheet.write_number(1, col, float(Decimal(sample)), fmt)
            return
        except (InvalidOperation, TypeError):
            pass
    if column.kind == "date":
        try:
            sheet.write_datetime(1, col, dt.datetime.strptime(sample, "%Y-%m-%d"), fmt)
            return
        except ValueError:
            pass
    sheet.write_string(1, col, sample, fmt)


def template_xlsx(importer: type[Importer] | Importer) -> bytes:
    """Row 1: the exact headers (required ones in red); row 2: a sample row; sheet 2: 填写说明."""
    out = io.BytesIO()
    book = Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_sheet_name(importer.title))
    header = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "font_color": "#C00000"})
    formats = {
        "text": book.add_format({"num_format": "@"}),  # keeps ID numbers and codes as text
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    for col, column in enumerate(importer.columns):
        sheet.write_string(0, col, column.header, required if column.required else header)
        fmt = formats.get(column.kind)
        sheet.set_column(col, col, max(12, len(column.header) * 2 + 4), fmt)
        _write_sample(sheet, col, column, fmt)
        if column.help:
            sheet.write_comment(0, col, column.help)
        if column.kind == "bool" or (column.kind == "choice" and column.choices):
            source = ["是", "否"] if column.kind == "bool" else list(column.choices)
            if len(",".join(source)) <= 255:  # Excel's limit for an inline list
                sheet.data_validation(
                    1,
                    col,
                    DATA_ROWS,
                    col,
                    {"validate": "list", "source": source, "error_message": "请从下拉列表中选择"},
                )
    sheet.freeze_panes(1, 0)

    notes = book.add_worksheet("填写说明")
    for col, (title, width) in enumerate((("列名", 20), ("是否必填", 10), ("类型", 10), ("可选值/格式", 40))):
        notes.write_string(0, col, title, header)
        notes.set_column(col, col, width)
    notes.write_string(0, 4, "说明", header)
    notes.set_column(4, 4, 60)
    for r, column in enumerate(importer.columns, start=1):
        notes.write_string(r, 0, column.header)
        notes.write_string(r, 1, "必填" if column.required else "选填")
        notes.write_string(r, 2, KIND_LABELS[column.kind])
        notes.write_string(r, 3, _allowed(column))
        limit = f"（不超过{column.max_length}个字符）" if column.max_length else ""
        notes.write_string(r, 4, column.help + limit)
    tips = (
        "第一个工作表的第1行为表头，请勿修改、删除或调整表头文字；可以删除选填列。",
        "第2行为示例数据，导入前请删除或改为真实数据。",
        "整个文件校验通过后才会写入；有任何错误时不写入任何数据，可下载错误报告逐行修改后重新上传。",
        "同一文件重复导入会更新已有记录，不会重复新增。",
    )
    for i, tip in enumerate(tips, start=len(importer.columns) + 2):
        notes.write_string(i, 0, tip)
    book.close()
    return out.getvalue()


def errors_xlsx(job: ImportJob) -> bytes:
    """行号, 列, 错误说明 for every kept error; a last line says how many more there were."""
    out = io.BytesIO()
    book = Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("错误报告")
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    for col, (title, width) in enumerate((("行号", 8), ("列", 20), ("错误说明", 80))):
        sheet.write_string(0, col, title, bold)
        sheet.set_column(col, col, width)
    r = 0
    for r, (row, header, message) in enumerate(job.errors, start=1):
        sheet.write_number(r, 0, row)
        sheet.write_string(r, 1, header)
        sheet.write_string(r, 2, message)
    if job.error_total > len(job.errors):
        sheet.write_string(
            r + 1, 2, f"另有 {job.error_total - len(job.errors)} 处错误未列出，请先修改以上错误"
        )
    elif not job.errors and job.message:
        sheet.write_string(1, 2, job.message)
    book.close()
    return out.getvalue()
