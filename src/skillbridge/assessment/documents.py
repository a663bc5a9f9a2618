"""The 附件6 江苏省特殊人群职业技能鉴定申报表 (xlsx and PDF laid out like the paper form) with the opinions
of the stages of the latest review round, and the pre-filled results template of an application."""

import io
from datetime import date

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Table, TableStyle
from xlsxwriter import Workbook

from skillbridge.web.pdf import Paragraph, Spacer, cell, mm, render, styles

from .importers import ResultsImporter
from .selectors import stage_opinions

FORM_TITLE = "江苏省特殊人群职业技能鉴定申报表"
BUREAU_TYPES = ("provincial_prison_bureau", "provincial_rehab_bureau")


def _cn(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


def opinion_boxes(application) -> list[tuple[str, str, str]]:
    """(heading, opinion, date) of the form's three opinion boxes: the examining institution, the
    provincial bureau, the city HRSS — blank until the stage has decided."""
    boxes = {
        "examiner": [f"{application.examiner.name}意见", "", _cn(None)],
        "bureau": ["省监狱管理局（省戒毒管理局）意见", "", _cn(None)],
        "city": ["XX市人力资源和社会保障局意见", "", _cn(None)],
    }
    for stage in stage_opinions(application):
        if stage.org_id == application.examiner_id:
            slot = "examiner"
        elif stage.org.org_type in BUREAU_TYPES:
            slot = "bureau"
        elif stage.org.org_type == "city_hrss":
            slot = "city"
        else:
            continue  # the lead prison's aggregation has no box on the form
        boxes[slot][0] = f"{stage.org.name}意见"
        if stage.decision:
            opinion = (
                "同意。" if stage.opinion == "同意" else f"{stage.get_decision_display()}。{stage.opinion}"
            )
            boxes[slot][1] = opinion
            boxes[slot][2] = _cn(timezone.localdate(stage.decided_at))
    return [tuple(boxes[k]) for k in ("examiner", "bureau", "city")]


def form_values(application) -> list[tuple[str, str]]:
    a = application
    return [
        ("鉴定职业（工种）名称", a.subject_name),
        ("鉴定日期", _cn(a.assessment_date)),
        ("鉴定人数", f"{a.candidates}人"),
        ("鉴定等级", str(a.level) if a.level_id else "不分等级"),
    ]


def application_xlsx(application) -> bytes:
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("鉴定申报表")
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    label = book.add_format(
        {
            "bold": True,
            "border": 1,
            "bg_color": "#EEF2F7",
            "valign": "vcenter",
            "text_wrap": True,
            "align": "center",
        }
    )
    value = book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True, "align": "center"})
    box = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
    sheet.set_column(0, 3, 24)
    sheet.merge_range(0, 0, 0, 3, FORM_TITLE, title)
    sheet.set_row(0, 30)
    sheet.merge_range(1, 0, 1, 1, f"{application.unit.name}（盖章）")
    sheet.merge_range(1, 2, 1, 3, f"填报日期：{_cn(application.filled_on)}")
    values = form_values(application)
    for col, (name, text) in enumerate(values):
        sheet.write(2, col, name, label)
        sheet.write(3, col, text, value)
    sheet.set_row(3, 28)
    row = 4
    for heading, opinion, day in opinion_boxes(application):
        sheet.write(row, 0, heading, label)
        sheet.merge_range(row, 1, row, 3, f"{opinion}\n\n（盖章）{day}".strip(), box)
        sheet.set_row(row, 70)
        row += 1
    sheet.write(
        row + 1,
        0,
        f"考核评价方式：{application.get_route_display()}；颁发证书：{application.certificate_type.name}",
    )
    book.close()
    return buffer.getvalue()


def _box(heading: str, opinion: str, day: str) -> list:
    st = styles()
    right = ParagraphStyle("right", parent=st["cell"], alignment=TA_RIGHT)
    return [cell(opinion or " "), Spacer(1, 18 * mm), Paragraph(f"{day}（盖章）", right)]


def application_pdf(application) -> bytes:
    """附件6 on A4 portrait: the four fields in one row, then the three opinion boxes."""
    st = styles()
    right = ParagraphStyle("right", parent=st["subtitle"], alignment=TA_RIGHT)
    a = application
    width = 174 * mm
    values = form_values(a)
    rows = [[cell(name) for name, _ in values], [cell(text) for _, text in values]]
    for heading, opinion, day in opinion_boxes(a):
        rows.append([cell(heading), _box(heading, opinion, day), "", ""])
    table = Table(
        rows,
        colWidths=[width / 4] * 4,
        rowHeights=[12 * mm, 16 * mm] + [48 * mm] * 3,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
                ("VALIGN", (0, 2), (0, -1), "MIDDLE"),
                ("VALIGN", (1, 2), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F7")),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                *[("SPAN", (1, r), (3, r)) for r in (2, 3, 4)],
            ]
        )
    )
    header = Table(
        [
            [
                Paragraph(f"{a.unit.name}（盖章）", st["subtitle"]),
                Paragraph(f"填报日期：{_cn(a.filled_on)}", right),
            ]
        ],
        colWidths=[width / 2, width / 2],
    )
    header.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    flowables = [
        Paragraph("附件6", st["subtitle"]),
        Spacer(1, 4 * mm),
        Paragraph(FORM_TITLE, st["title"]),
        Spacer(1, 6 * mm),
        header,
        Spacer(1, 2 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(
            f"培训班：{a.training_class}（{a.training_class.institution.name}）；考核评价方式：{a.get_route_display()}；"
            f"颁发证书：{a.certificate_type.name}",
            st["body"],
        ),
    ]
    return render(flowables, title=FORM_TITLE)


def results_template_xlsx(application, enrolments, results_by_person: dict) -> bytes:
    """The import template pre-filled with the application number and its completed trainees (name and
    inmate number; no ID numbers) and any results already entered."""
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("鉴定成绩")
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    headers = [c.header for c in ResultsImporter.columns]
    for col, header in enumerate(headers):
        sheet.write(0, col, header, bold)
        sheet.set_column(col, col, 14)
    for r, e in enumerate(enrolments, start=1):
        result = results_by_person.get(e.person_id)
        sheet.write(r, 0, application.pk)
        sheet.write(r, 1, e.person.name)
        sheet.write(r, 3, e.episode.inmate_number)
        if result is not None:
            if result.theory_score is not None:
                sheet.write_number(r, 4, float(result.theory_score))
            if result.practical_score is not None:
                sheet.write_number(r, 5, float(result.practical_score))
            sheet.write(r, 6, result.get_outcome_display())
    book.close()
    return buffer.getvalue()
