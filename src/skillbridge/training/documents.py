"""Printable documents: the 附件4 办班申报表 (xlsx and PDF laid out like the paper form) and the session
sign-in sheet (签到表: names and a blank signature column)."""

import io
from datetime import date

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Table, TableStyle
from xlsxwriter import Workbook

from skillbridge.web.exports import form_sheet
from skillbridge.web.pdf import Paragraph, Spacer, cell, mm, render, styles

from .checks import CLASS_HOUR_MINUTES
from .selectors import application_stage_opinions

FORM_TITLE = "江苏省特殊人群职业技能培训办班申报表"
BUREAU_TYPES = ("provincial_prison_bureau", "provincial_rehab_bureau")


def _cn(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


def _opinion_boxes(application) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """(heading, opinion, date) of the two opinion boxes from the latest round (blank until decided)."""
    bureau = ("省监狱管理局（省戒毒管理局）意见：", "", _cn(None))
    city = ("XX市人力资源和社会保障局意见：", "", _cn(None))
    for stage in application_stage_opinions(application):
        if stage.org.org_type == "city_hrss":
            city = (f"{stage.org.name}意见：", "", _cn(None))
        if not stage.decision:
            continue
        opinion = "同意。" if stage.opinion == "同意" else f"{stage.get_decision_display()}。{stage.opinion}"
        box = (f"{stage.org.name}意见：", opinion, _cn(timezone.localdate(stage.decided_at)))
        if stage.org.org_type in BUREAU_TYPES:
            bureau = box
        elif stage.org.org_type == "city_hrss":
            city = box
    return bureau, city


def form_fields(application) -> list[tuple[str, str]]:
    a = application
    return [
        ("培训机构名称", a.institution.name),
        ("培训工种类别、名称", a.subject_display),
        ("培训人数", f"{a.trainees}人"),
        ("培训班期", f"第{a.period_number}期 共{a.period_total}班"),
        (
            "培训时间",
            f"从{_cn(a.date_from)}至{_cn(a.date_to)}共{a.days}天{a.class_hours}课时"
            f"（理论{a.theory_hours}课时、实操{a.practice_hours}课时）",
        ),
        ("授课教师", a.teachers),
        ("使用教材", a.textbooks),
        ("教学场地", a.venue),
    ]


def application_xlsx(application) -> bytes:
    """附件4 as a worksheet: the title row, the unit and date, then the form's fields and opinions."""
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    bureau, city = _opinion_boxes(application)
    form_sheet(
        book,
        "办班申报表",
        title=FORM_TITLE,
        widths=(22, 70),
        seal=f"{application.unit.name}（盖章）",
        filled=f"填报日期：{_cn(application.filled_on)}",
        fields=form_fields(application),
        opinions=[
            (name, f"{opinion}\n（盖章）{day}".strip())
            for name, (_, opinion, day) in (
                ("省监狱管理局（省戒毒管理局）意见", bureau),
                ("市人力资源和社会保障局意见", city),
            )
        ],
    )
    book.close()
    return buffer.getvalue()


def _box(box: tuple[str, str, str]) -> list:
    """An opinion box: heading and opinion at the top, （盖章） and the date at the bottom right."""
    heading, opinion, day = box
    st = styles()
    right = ParagraphStyle("right", parent=st["cell"], alignment=TA_RIGHT)
    lines = 1 + (len(opinion) // 22 + 1 if opinion else 0)
    return [
        cell(heading),
        cell(opinion),
        Spacer(1, max(46 - 5 * lines, 8) * mm),
        Paragraph(f"（盖章）<br/>{day}", right),
    ]


def application_pdf(application) -> bytes:
    """附件4 on A4 portrait, the grid of the paper form with the two opinion boxes side by side."""
    st = styles()
    right = ParagraphStyle("right", parent=st["subtitle"], alignment=TA_RIGHT)
    a = application
    fields = dict(form_fields(a))
    width = 174 * mm
    cols = [30 * mm, 52 * mm, 18 * mm, 22 * mm, 18 * mm, 34 * mm]
    bureau, city = _opinion_boxes(a)
    rows = [
        ["培训机构\n名称", fields["培训机构名称"], "", "", "", ""],
        [
            "培训工种\n类别、名称",
            fields["培训工种类别、名称"],
            "培训\n人数",
            fields["培训人数"],
            "培训\n班期",
            fields["培训班期"],
        ],
        ["培训时间", fields["培训时间"], "", "", "", ""],
        ["授课教师", fields["授课教师"], "", "", "", ""],
        ["使用教材", fields["使用教材"], "", "", "", ""],
        ["教学场地", fields["教学场地"], "", "", "", ""],
    ]
    heights = [None] * 6 + [62 * mm]  # text rows grow with their content; the opinion boxes as on paper
    table = Table(
        [[cell(c) for c in row] for row in rows] + [[_box(bureau), "", "", _box(city), "", ""]],
        colWidths=cols,
        rowHeights=heights,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -2), "MIDDLE"),
                ("VALIGN", (0, -1), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 10),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                *[("SPAN", (1, r), (5, r)) for r in (0, 2, 3, 4, 5)],
                ("SPAN", (0, 6), (2, 6)),
                ("SPAN", (3, 6), (5, 6)),
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
    header.setStyle(TableStyle([("ALIGN", (1, 0), (1, 0), "RIGHT"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    flowables = [
        Paragraph("附件4", st["subtitle"]),
        Spacer(1, 4 * mm),
        Paragraph(FORM_TITLE, st["title"]),
        Spacer(1, 6 * mm),
        header,
        Spacer(1, 2 * mm),
        table,
    ]
    return render(flowables, title=FORM_TITLE)


def sign_in_pdf(session, enrolments) -> bytes:
    """签到表 of one session: class, time, content and teacher, then a row per trainee to sign."""
    st = styles()
    c = session.training_class
    a = c.application
    lessons = session.minutes / CLASS_HOUR_MINUTES
    info = (
        f"培训班：{a.unit.name} {a.subject_display} 第{a.period_number}期　培训机构：{c.institution.name}<br/>"
        f"时间：{_cn(session.date)} {session.start_time:%H:%M}，{session.minutes}分钟（约{lessons:.1f}课时）"
        f"　类型：{session.get_kind_display()}　授课教师：{session.teacher}<br/>内容：{session.topic}"
    )
    rows = [["序号", "姓名", "罪犯编号", "签名", "备注"]]
    rows += [
        [str(i), e.person.name, e.episode.inmate_number, "", ""] for i, e in enumerate(enrolments, start=1)
    ]
    table = Table(
        [[cell(x) for x in row] for row in rows],
        colWidths=[14 * mm, 34 * mm, 36 * mm, 56 * mm, 34 * mm],
        rowHeights=[9 * mm] + [11 * mm] * (len(rows) - 1),
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F7")),
            ]
        )
    )
    flowables = [
        Paragraph("培训签到表", st["title"]),
        Spacer(1, 4 * mm),
        Paragraph(info, st["body"]),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph("考勤民警（签名）：________________　　授课教师（签名）：________________", st["body"]),
    ]
    return render(flowables, title="培训签到表")
