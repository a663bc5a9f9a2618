"""The official forms of the planning step, as files: xlsx laid out like the paper forms (a title row, the
form's header line, then the columns) and printable PDFs (ReportLab with the embedded CJK font).

- 常司发〔2022〕42号 附件1《年度监狱培训项目及人员信息表》: 序号, 监狱, 参加人数, 培训项目, 具体项目人数 —
  one block per prison (序号/监狱/参加人数 merged over its items). The seed prints only the columns.
- 附件2《江苏省特殊人群职业技能工作年度计划表》: the seed names it without columns; here 序号, 单位, 培训类别,
  职业（工种）/项目, 等级, 计划人数, 计划班次, 经费预算（元）, 备注, with a 合计 line (xlsx and PDF to seal).
- 附件5《特殊人群职业技能培训合作协议》: PDF following the template's parts (甲方/乙方, 一 … 六, signatures).
- 皖司通〔2019〕45号 附件1《全省服刑人员、戒毒人员培训计划申报表》 (unit level; the seed prints no columns):
  序号, 培训工种（项目）, 培训等级, 培训类别, 计划培训人数（人）, 计划班次, 经费预算数（元）, 备注.
- 附件2《全省服刑人员、戒毒人员培训计划表》 (bureau): 序号, 驻在地市, 监狱或戒毒所名称, 年度培训计划数(人),
  经费预算数(元) — the budget is trainees × the pack's per-capita standard.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import KeepTogether, Table, TableStyle
from xlsxwriter import Workbook

from skillbridge.errors import NotFound
from skillbridge.web import pdf

from .models import Agreement, AnnualPlan, PlanItem
from .selectors import CompiledRow, city_name, items_totals

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- xlsx ---------------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """A form as a grid: rows of values; `merges` are (first_row, first_col, last_row, last_col) in data rows."""

    title: str
    headers: Sequence[str]
    rows: list[list] = field(default_factory=list)
    note_left: str = ""
    note_right: str = ""
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: Sequence[int] = ()
    total_row: list | None = None
    footer: str = ""


def _write(sheet: Sheet, book: Workbook) -> None:
    ws = book.add_worksheet(sheet.title[:31].replace("、", ""))
    ncols = len(sheet.headers)
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    note = book.add_format({"font_size": 11})
    note_r = book.add_format({"font_size": 11, "align": "right"})
    head = book.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "bg_color": "#EEF2F7",
        }
    )
    cell = book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    number = book.add_format({"border": 1, "valign": "vcenter", "num_format": "#,##0.00"})
    bold = book.add_format({"border": 1, "bold": True, "valign": "vcenter"})
    bold_number = book.add_format({"border": 1, "bold": True, "valign": "vcenter", "num_format": "#,##0.00"})
    ws.merge_range(0, 0, 0, ncols - 1, sheet.title, title)
    ws.set_row(0, 32)
    half = max(ncols // 2, 1)
    for first_col, last_col, text, fmt in (
        (0, half - 1, sheet.note_left, note),
        (half, ncols - 1, sheet.note_right, note_r),
    ):
        if last_col > first_col:
            ws.merge_range(1, first_col, 1, last_col, text, fmt)
        else:
            ws.write(1, first_col, text, fmt)
    for col, header in enumerate(sheet.headers):
        ws.write(2, col, header, head)
        width = sheet.widths[col] if col < len(sheet.widths) else max(10, len(header) * 2 + 2)
        ws.set_column(col, col, width)
    ws.set_row(2, 30)
    first = 3

    def put(r, c, value, plain, money):
        if value is None:
            ws.write_blank(r, c, None, plain)
        elif isinstance(value, Decimal):
            ws.write_number(r, c, float(value), money)
        else:
            ws.write(r, c, value, plain)

    merged_cells = set()
    for r0, c0, r1, c1 in sheet.merges:
        if (r0, c0) == (r1, c1):
            continue
        value = sheet.rows[r0][c0]
        fmt = number if isinstance(value, Decimal) else cell
        ws.merge_range(first + r0, c0, first + r1, c1, "", fmt)
        put(first + r0, c0, value, cell, number)
        merged_cells |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if (r, c) not in merged_cells:
                put(first + r, c, value, cell, number)
    end = first + len(sheet.rows)
    if sheet.total_row is not None:
        for c, value in enumerate(sheet.total_row):
            put(end, c, value, bold, bold_number)
        end += 1
    if sheet.footer:
        ws.merge_range(end + 1, 0, end + 1, ncols - 1, sheet.footer, note)


def xlsx_form(filename: str, *sheets: Sheet) -> HttpResponse:
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    for sheet in sheets:
        _write(sheet, book)
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# Official forms per pack: (code, label); every plan also has the generic Jiangsu 附件2.
FORMS_BY_PACK = {
    "changzhou": [
        ("cz1", "附件1 年度监狱培训项目及人员信息表（Excel）"),
        ("cz2", "附件2 江苏省特殊人群职业技能工作年度计划表（Excel）"),
        ("cz2pdf", "附件2 年度计划表（PDF，打印盖章）"),
    ],
    "anhui": [("ah1", "附件1 全省服刑人员、戒毒人员培训计划申报表（Excel）")],
}
DEFAULT_FORMS = [
    ("cz2", "年度计划表（Excel）"),
    ("cz2pdf", "年度计划表（PDF，打印盖章）"),
]


def plan_forms(plan: AnnualPlan) -> list[tuple[str, str]]:
    return FORMS_BY_PACK.get(plan.unit.policy_pack, DEFAULT_FORMS)


def plan_form_response(plan: AnnualPlan, code: str) -> HttpResponse:
    """One official form of a plan as a download; NotFound for a form the plan's pack does not have."""
    if code not in {c for c, _ in plan_forms(plan)}:
        raise NotFound("该计划没有此报表")
    items = list(plan.items.all())
    name = f"{plan.unit.name}{plan.year}"
    if code == "cz1":
        sheet = cz_attachment1(plan.year, [(plan.unit.name, items)])
        return xlsx_form(f"年度监狱培训项目及人员信息表-{name}.xlsx", sheet)
    if code == "cz2":
        return xlsx_form(f"年度计划表-{name}.xlsx", cz_attachment2(plan, items))
    if code == "cz2pdf":
        return pdf.pdf_response(f"年度计划表-{name}.pdf", cz_attachment2_pdf(plan, items))
    return xlsx_form(f"培训计划申报表-{name}.xlsx", ah_attachment1(plan, items))


# ---- plan lines -------------------------------------------------------------------------------------------


def subject_text(item: PlanItem) -> str:
    return item.subject_name


def level_text(item: PlanItem) -> str:
    return f"{item.level.name}/{item.level.title}" if item.level_id else "—"


def project_text(item: PlanItem) -> str:
    return f"{item.subject_name}（{item.level.name}）" if item.level_id else item.subject_name


# ---- 常州 附件1 ---------------------------------------------------------------------------------------------


def cz_attachment1(year: int, blocks: list[tuple[str, list[PlanItem]]]) -> Sheet:
    """One block per prison: 序号, 监狱 and 参加人数 merged over its items; one line per 培训项目."""
    sheet = Sheet(
        title=f"{year}年度监狱培训项目及人员信息表",
        headers=["序号", "监狱", "参加人数", "培训项目", "具体项目人数"],
        note_left="附件1",
        note_right="填报日期：    年  月  日",
        widths=[8, 22, 12, 34, 14],
    )
    total = 0
    for number, (unit_name, items) in enumerate(blocks, start=1):
        trainees = sum(i.planned_trainees for i in items)
        total += trainees
        start = len(sheet.rows)
        lines = items or [None]
        for line, item in enumerate(lines):
            sheet.rows.append(
                [
                    number if line == 0 else None,
                    unit_name if line == 0 else None,
                    trainees if line == 0 else None,
                    project_text(item) if item else "（无）",
                    item.planned_trainees if item else 0,
                ]
            )
        end = len(sheet.rows) - 1
        sheet.merges += [(start, c, end, c) for c in range(3)]
    sheet.total_row = ["合计", "", total, "", total]
    return sheet


# ---- 常州 附件2 ---------------------------------------------------------------------------------------------

CZ2_HEADERS = [
    "序号",
    "单位",
    "培训类别",
    "职业（工种）/项目",
    "等级",
    "计划人数",
    "计划班次",
    "经费预算（元）",
    "备注",
]


def _cz2_rows(unit_name: str, items: list[PlanItem]) -> list[list]:
    return [
        [
            n,
            unit_name,
            item.get_category_display(),
            subject_text(item),
            level_text(item),
            item.planned_trainees,
            item.planned_classes,
            item.budget,
            item.note,
        ]
        for n, item in enumerate(items, start=1)
    ]


def cz_attachment2(plan: AnnualPlan, items: list[PlanItem]) -> Sheet:
    totals = items_totals(items)
    return Sheet(
        title=f"江苏省特殊人群职业技能工作{plan.year}年度计划表",
        headers=CZ2_HEADERS,
        rows=_cz2_rows(plan.unit.name, items),
        note_left=f"填报单位：{plan.unit.name}（盖章）",
        note_right=f"计划类型：{plan.get_kind_display()}    填报日期：    年  月  日",
        widths=[6, 18, 16, 24, 16, 10, 10, 16, 20],
        total_row=["合计", "", "", "", "", totals["trainees"], totals["classes"], totals["budget"], ""],
    )


def cz_attachment2_pdf(plan: AnnualPlan, items: list[PlanItem]) -> bytes:
    s = pdf.styles()
    totals = items_totals(items)
    rows = [CZ2_HEADERS]
    for row in _cz2_rows(plan.unit.name, items):
        rows.append([("" if v is None else f"{v:,.2f}" if isinstance(v, Decimal) else v) for v in row])
    rows.append(
        ["合计", "", "", "", "", totals["trainees"], totals["classes"], f"{totals['budget']:,.2f}", ""]
    )
    last = len(rows) - 1
    widths = [w * pdf.mm for w in (12, 34, 30, 46, 30, 18, 18, 30, 40)]
    table = pdf.grid_table(rows, widths, header_rows=1, spans=[((0, last), (4, last))])
    state = plan.status_label
    flowables = [
        pdf.Paragraph("附件2", s["subtitle"]),
        pdf.Paragraph(f"江苏省特殊人群职业技能工作{plan.year}年度计划表", s["title"]),
        pdf.Spacer(1, 4 * pdf.mm),
        _plain_table(
            [
                [
                    f"填报单位：{plan.unit.name}（盖章）",
                    f"计划类型：{plan.get_kind_display()}",
                    f"审核状态：{state}",
                    "填报日期：        年    月    日",
                ]
            ],
            [80 * pdf.mm, 55 * pdf.mm, 50 * pdf.mm, 70 * pdf.mm],
        ),
        pdf.Spacer(1, 3 * pdf.mm),
        table,
    ]
    if plan.reason:
        flowables += [pdf.Spacer(1, 3 * pdf.mm), pdf.Paragraph(f"编制说明：{plan.reason}", s["body"])]
    flowables += [
        pdf.Spacer(1, 8 * pdf.mm),
        _plain_table([["单位负责人：", "填表人：", "联系电话："]], [85 * pdf.mm, 85 * pdf.mm, 85 * pdf.mm]),
    ]
    return pdf.render(flowables, title=f"{plan.unit.name}{plan.year}年度计划表", landscape_page=True)


def _plain_table(rows, widths):
    """Text laid out in columns without rules (the header and signature lines of a printed form)."""
    style = pdf.styles()["subtitle"]
    table = Table([[pdf.Paragraph(str(c), style) for c in row] for row in rows], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


# ---- 安徽 附件1 / 附件2 --------------------------------------------------------------------------------------


def ah_attachment1(plan: AnnualPlan, items: list[PlanItem]) -> Sheet:
    totals = items_totals(items)
    return Sheet(
        title="全省服刑人员、戒毒人员培训计划申报表",
        headers=[
            "序号",
            "培训工种（项目）",
            "培训等级",
            "培训类别",
            "计划培训人数（人）",
            "计划班次",
            "经费预算数（元）",
            "备注",
        ],
        rows=[
            [
                n,
                subject_text(i),
                level_text(i),
                i.get_category_display(),
                i.planned_trainees,
                i.planned_classes,
                i.budget,
                i.note,
            ]
            for n, i in enumerate(items, start=1)
        ],
        note_left=f"申报单位：{plan.unit.name}（公章）　驻在地市：{city_name(plan.unit.region_code)}",
        note_right=f"申报年度：{plan.year}年",
        widths=[6, 26, 16, 18, 14, 10, 16, 20],
        total_row=["合计", "", "", "", totals["trainees"], totals["classes"], totals["budget"], ""],
    )


def ah_attachment2(year: int, bureau_name: str, rows: list[CompiledRow]) -> Sheet:
    return Sheet(
        title="全省服刑人员、戒毒人员培训计划表",
        headers=["序号", "驻在地市", "监狱或戒毒所名称", "年度培训计划数(人)", "经费预算数(元)"],
        rows=[[n, r.city, r.unit.name, r.trainees, r.budget] for n, r in enumerate(rows, start=1)],
        note_left=f"报送单位：{bureau_name}（公章）",
        note_right=f"编制年度：{year}年",
        widths=[8, 14, 30, 20, 20],
        total_row=["合计", "", "", sum(r.trainees for r in rows), sum((r.budget for r in rows), Decimal(0))],
    )


# ---- 附件5 合作协议 ------------------------------------------------------------------------------------------


def _day(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "　　年　　月　　日"


def _numbered(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [line if line[:1].isdigit() else f"{n}. {line}" for n, line in enumerate(lines, start=1)]


def agreement_pdf(agreement: Agreement) -> bytes:
    s = pdf.styles()
    P, gap = pdf.Paragraph, pdf.Spacer
    body = ParagraphStyle("indented", parent=s["body"], firstLineIndent=2 * s["body"].fontSize)
    plain = s["body"]
    city = city_name(agreement.unit.region_code)
    heading = ParagraphStyle("heading", parent=plain, fontSize=11.5, leading=20, spaceBefore=6)
    unit_copies = (agreement.copies + 1) // 2
    flowables = [
        P("附件5", s["subtitle"]),
        P(f"{city}特殊人群职业技能培训合作协议", s["title"]),
        P(f"协议编号：{agreement.number}", ParagraphStyle("no", parent=s["subtitle"], alignment=2)),
        gap(1, 4 * pdf.mm),
    ]
    for role, name, address, legal, contact in (
        (
            "甲方",
            agreement.unit.name,
            agreement.unit_address,
            agreement.unit_legal_representative,
            agreement.unit_contact,
        ),
        (
            "乙方",
            agreement.institution.name,
            agreement.institution_address,
            agreement.institution_legal_representative,
            agreement.institution_contact,
        ),
    ):
        flowables += [
            P(f"{role}：{name}", plain),
            P(f"地址：{address}", plain),
            P(f"法定代表人：{legal}", plain),
            P(f"联系方式：{contact}", plain),
            gap(1, 2 * pdf.mm),
        ]
    flowables += [
        P(
            "为落实《江苏省特殊人群职业技能培训及评价工作实施方案》和本市实施方案的要求，借助社会优质教育"
            "资源提高特殊人群职业技能培训的质量，甲乙双方本着平等自愿、互利合作的原则，经充分协商，就合作"
            "开展特殊人群职业技能培训事宜订立本协议，共同遵守。",
            body,
        ),
        P("一、合作内容", heading),
        P(
            f"甲方根据培训需求，委托乙方组织实施职业技能培训。培训内容主要包括：{agreement.content}；",
            body,
        ),
        P(f"培训方式为：{agreement.mode}；", body),
        P(f"培训人数为：{agreement.trainees}人。", body),
        P("二、合作期限", heading),
        P(f"合作期限自{_day(agreement.valid_from)}起至{_day(agreement.valid_to)}止。", body),
        P("三、培训费用", heading),
        P(
            f"培训费用按{agreement.fee_standard}标准支付，支付方式为：{agreement.payment_method}；"
            f"支付时间为：{agreement.payment_time}。",
            body,
        ),
        P("四、甲方责任与义务", heading),
        *[P(f"{line}", body) for line in _numbered(agreement.unit_duties)],
        P("五、乙方责任与义务", heading),
        *[P(f"{line}", body) for line in _numbered(agreement.institution_duties)],
    ]
    signature = _plain_table(
        [
            [f"甲方（盖章）：{agreement.unit.name}", f"乙方（盖章）：{agreement.institution.name}"],
            [f"签字人：{agreement.unit_signatory}", f"签字人：{agreement.institution_signatory}"],
            [_day(agreement.unit_signed_on), _day(agreement.institution_signed_on)],
        ],
        [87 * pdf.mm, 87 * pdf.mm],
    )
    flowables.append(
        KeepTogether(
            [
                P("六、附则", heading),
                P(
                    "1. 因本协议的理解或履行产生分歧的，双方应友好协商；协商不成的，任何一方均可向当地人民法院起诉。",
                    body,
                ),
                P("2. 本协议的变更、续签以及其他未尽事项，由双方另行协商约定。", body),
                P(
                    f"3. 本协议经双方签字并加盖公章后生效，有效期自{_day(agreement.valid_from)}至"
                    f"{_day(agreement.valid_to)}。",
                    body,
                ),
                P(
                    f"4. 本协议一式{agreement.copies}份，甲方执{unit_copies}份、乙方执"
                    f"{agreement.copies - unit_copies}份，具有同等效力。",
                    body,
                ),
                gap(1, 8 * pdf.mm),
                signature,
            ]
        )
    )
    if agreement.status == "terminated":
        flowables += [
            gap(1, 6 * pdf.mm),
            P(
                f"（本协议已于{_day(agreement.terminated_on)}终止。终止原因：{agreement.termination_reason}）",
                body,
            ),
        ]
    return pdf.render(flowables, title=f"合作协议 {agreement.number}")
