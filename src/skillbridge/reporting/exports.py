"""The dashboard (live or frozen in a report) as an xlsx workbook and a PDF, from the same figures dict."""

import io
from urllib.parse import quote

from django.http import HttpResponse
from xlsxwriter import Workbook

from skillbridge.web import pdf

from .selectors import METRIC_LABELS

LEVEL_NAMES = {"city": "设区市", "unit": "单位"}
MAIN_METRICS = ("due", "due_certified", "cert_rate", "enrolled", "completed", "assessed", "certified", "classes",
                "deadlines_missed")  # fmt: skip
MONEY_COLUMNS = ("claim_lines", "claimed_amount", "approved_lines", "approved_amount", "rejected_lines",
                 "noticed_lines", "noticed_amount", "disbursed_amount", "paid_amount")  # fmt: skip


def main_metrics(data: dict) -> tuple[str, ...]:
    return tuple(m for m in MAIN_METRICS if m != "assessed" or data.get("has_assessment"))


def fmt_rate(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def fmt_number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def metric_value(key: str, value):
    return fmt_rate(value) if key == "cert_rate" else value


def row_level_name(data: dict) -> str:
    rows = data.get("rows") or []
    return LEVEL_NAMES.get(rows[0]["level"], "范围") if rows else "范围"


def _sheets(data: dict) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) for every table of the dashboard."""
    level = row_level_name(data)
    metrics = main_metrics(data)
    rows_main = [[r["name"], *(metric_value(m, r[m]) for m in metrics)] for r in data["rows"]]
    rows_main.append(["合计", *(metric_value(m, data["totals"][m]) for m in metrics)])
    sheets = [("培训与取证", [level, *(METRIC_LABELS[m] for m in metrics)], rows_main)]
    if data.get("has_subsidies"):
        money = [[r["name"], *(r[m] for m in MONEY_COLUMNS)] for r in data["rows"]]
        money.append(["合计", *(data["totals"][m] for m in MONEY_COLUMNS)])
        sheets.append(("补贴申领与拨付", [level, *(METRIC_LABELS[m] for m in MONEY_COLUMNS)], money))
    sheets.append(
        (
            "目标进度",
            ["目标", "口径", "目标值", "完成值", "完成进度", "按进度测算期末值", "期间", "依据"],
            [
                [
                    t["name"],
                    t["measure"],
                    fmt_rate(t["target"]) if t["unit"] == "比例" else f"{fmt_number(t['target'])}{t['unit']}",
                    fmt_rate(t["actual"]) if t["unit"] == "比例" else fmt_number(t["actual"]),
                    fmt_rate(t["progress"]),
                    fmt_rate(t["projected"]) if t["unit"] == "比例" else fmt_number(t["projected"]),
                    t["window"],
                    t["source"],
                ]
                for t in data["targets"]
            ],
        )
    )
    for key, title, label in (
        ("occupation", "开班-按职业", "职业（工种）"),
        ("level", "开班-按等级", "等级"),
        ("institution", "开班-按机构", "培训机构"),
    ):
        sheets.append(
            (
                title,
                [label, "开班（个）", "参训（人次）"],
                [[r["name"], r["classes"], r["enrolled"]] for r in data["breakdown"][key]],
            )
        )
    pva = data["plan_vs_actual"]
    for key, title, label in (
        ("by_unit", "计划与完成-按单位", "单位"),
        ("by_occupation", "计划与完成-按职业", "职业（工种）"),
    ):
        sheets.append(
            (
                title,
                [label, f"{pva['year']}年计划培训（人）", "实际参训（人次）", "完成率"],
                [[r["name"], r["planned"], r["actual"], fmt_rate(r["rate"])] for r in pva[key]],
            )
        )
    sheets.append(
        (
            "逾期事项",
            ["单位", "事项", "截止日期", "办理日期"],
            [[d["unit"], d["what"], d["deadline"], d["done_on"] or "未办理"] for d in data["deadlines"]],
        )
    )
    return sheets


def workbook_bytes(data: dict, *, title: str) -> bytes:
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True})
    heading = book.add_format({"bold": True, "font_size": 13})
    for sheet_title, headers, rows in _sheets(data):
        sheet = book.add_worksheet(sheet_title[:31])
        sheet.write(0, 0, title, heading)
        sheet.write(1, 0, f"统计范围：{data['scope']['name']}　统计期间：{data['period']['label']}"
                          f"（{data['period']['start']}至{data['period']['end']}）　数据截至：{data['as_of']}")  # fmt: skip
        for col, header in enumerate(headers):
            sheet.write(3, col, header, bold)
            sheet.set_column(col, col, 28 if col == 0 else max(12, len(header) * 2))
        for r, row in enumerate(rows, start=4):
            for c, value in enumerate(row):
                sheet.write(r, c, "" if value is None else value)
    book.close()
    return buffer.getvalue()


def xlsx_download(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def pdf_bytes(data: dict, *, title: str, subtitle: str, body: str = "") -> bytes:
    st = pdf.styles()
    flow = [
        pdf.Paragraph(title, st["title"]),
        pdf.Spacer(1, 4 * pdf.mm),
        pdf.Paragraph(subtitle, st["subtitle"]),
    ]
    if body:
        flow += [pdf.Spacer(1, 3 * pdf.mm)]
        flow += [pdf.Paragraph(p, st["body"]) for p in body.splitlines() if p.strip()]
    for sheet_title, headers, rows in _sheets(data):
        if not rows:
            continue
        flow += [
            pdf.Spacer(1, 5 * pdf.mm),
            pdf.Paragraph(f"<b>{sheet_title}</b>", st["subtitle"]),
            pdf.Spacer(1, 2 * pdf.mm),
        ]
        width = 261 * pdf.mm
        first = 50 * pdf.mm if len(headers) > 4 else 90 * pdf.mm
        other = (width - first) / max(1, len(headers) - 1)
        flow.append(pdf.grid_table([headers, *rows], [first] + [other] * (len(headers) - 1), header_rows=1))
    return pdf.render(flow, title=title, landscape_page=True)


def simple_workbook(title: str, header_lines, columns, rows, *, footer=()) -> bytes:
    """One sheet: title and header lines, a ruled table, footer lines (for sealing)."""
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    heading = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    ruled = book.add_format({"border": 1})
    sheet.write(0, 0, title, heading)
    for i, line in enumerate(header_lines, start=1):
        sheet.write(i, 0, line)
    top = len(header_lines) + 2
    for col, name in enumerate(columns):
        sheet.write(top, col, name, bold)
        sheet.set_column(col, col, 22 if col in (1, 3) or len(columns) <= 2 else 12)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row):
            sheet.write(r, c, "" if value is None else value, ruled)
    bottom = top + len(rows) + 2
    for i, line in enumerate(footer):
        sheet.write(bottom + i, 0, line)
    book.close()
    return buffer.getvalue()


def statement_rows(data: dict) -> list[list]:
    rows = [
        ["计划培训人数（人）", data["planned"]],
        ["开班（个）", data["classes"]],
        ["参训（人次）", data["enrolled"]],
        ["结业（人次）", data["completed"]],
        ["取证（人次）", data["certified"]],
        ["计划完成率（参训/计划）", fmt_rate(data["plan_rate"])],
    ]
    budget = data.get("budget")
    if budget:
        rows += [
            ["经费预算数（元）", budget["budget"]],
            ["人均标准（元）", budget["standard"]],
            ["应预拨金额（元）", budget["prepayment_amount"] or "—"],
            ["市财政局收到资金日期", budget["funds_received_on"] or "—"],
            [
                "清算：实际取证人数",
                budget["certified_trainees"] if budget["certified_trainees"] is not None else "未清算",
            ],
            ["清算：按实际取证应拨（元）", budget["settlement_due"] or "—"],
            ["清算差额（元，正为补拨、负为退回）", budget["settlement_difference"] or "—"],
        ]
    else:
        rows.append(["经费预算", "未登记年度经费预算"])
    fund = data.get("fund")
    if fund:
        rows += [
            ["专账年初余额（元）", fund["opening"]],
            ["本年收入（元）", fund["income"]],
            ["本年支出（元）", fund["expense"]],
            ["专账年末余额（元）", fund["closing"]],
        ]
        rows += [[f"其中：{k}（元）", v] for k, v in fund["by_kind"].items()]
        rows += [[f"支出用途：{c['label']}（元）", c["net"]] for c in fund["categories"]]
    return rows


def statement_pdf(title: str, recipient: str, rows) -> bytes:
    st = pdf.styles()
    flow = [
        pdf.Paragraph(title, st["title"]),
        pdf.Spacer(1, 4 * pdf.mm),
        pdf.Paragraph(f"报送：{recipient}", st["subtitle"]),
        pdf.Spacer(1, 3 * pdf.mm),
        pdf.grid_table([["项目", "数值"], *rows], [100 * pdf.mm, 70 * pdf.mm], header_rows=1),
        pdf.Spacer(1, 12 * pdf.mm),
        pdf.Paragraph("单位（盖章）：　　　　　　　　负责人：　　　　　　　　填报日期：", st["body"]),
    ]
    return pdf.render(flow, title=title)
