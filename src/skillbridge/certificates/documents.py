"""Printable documents: the certificate page with its QR code, and the personal training archive (PDF/xlsx)."""

import io

from django.urls import reverse
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from skillbridge.web.pdf import Paragraph, Spacer, cjk_font, grid_table, render, styles

from . import codes, signing
from .selectors import subject_display


def verification_path(certificate, *, with_payload: bool = True) -> str:
    path = reverse("certificates:verify_code", args=[certificate.verification_code])
    if with_payload and certificate.signature:
        path += f"?p={signing.qr_token(certificate)}"
    return path


def qr_drawing(text: str, size: float) -> Drawing:
    widget = QrCodeWidget(text, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    width, height = x2 - x1, y2 - y1
    drawing = Drawing(size, size, transform=[size / width, 0, 0, size / height, 0, 0])
    drawing.add(widget)
    return drawing


def certificate_pdf(certificate, base_url: str) -> bytes:
    """One landscape A4 page: the certificate's particulars, its status and the QR code that opens the
    public verification page (with the signed record for offline checks)."""
    font = cjk_font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = pdf_canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"{certificate.certificate_type.name} {certificate.official_number}")
    c.setStrokeColor(colors.HexColor("#8A6D3B"))
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    c.setFillColor(colors.HexColor("#7A1F1F"))
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 42 * mm, certificate.certificate_type.name)
    c.setFillColor(colors.black)
    c.setFont(font, 11)
    c.drawCentredString(width / 2, height - 52 * mm, "证书信息与查验凭证")
    rows = [
        ("姓　　名", certificate.person.name),
        ("身份证号", certificate.person.masked_id_number),
        ("职业（工种）/项目", subject_display(certificate) or "—"),
        ("等　　级", str(certificate.level) if certificate.level_id else "—"),
        ("证书编号", certificate.official_number),
        ("发证机构", certificate.issuer.name),
        (
            "发证日期",
            f"{certificate.issue_date.year}年{certificate.issue_date.month}月{certificate.issue_date.day}日",
        ),
        ("查 验 码", codes.display(certificate.verification_code)),
    ]
    y = height - 72 * mm
    for label, value in rows:
        c.setFont(font, 13)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawRightString(80 * mm, y, label)
        c.setFillColor(colors.black)
        c.setFont(font, 15)
        c.drawString(86 * mm, y, str(value))
        y -= 11 * mm
    if certificate.status != "valid":
        c.setFillColor(colors.HexColor("#B00020"))
        c.setFont(font, 16)
        c.drawString(
            86 * mm, y - 2 * mm, f"状态：{certificate.get_status_display()}（{certificate.status_reason}）"
        )
        c.setFillColor(colors.black)
    url = base_url.rstrip("/") + verification_path(certificate)
    size = 62 * mm
    renderPDF.draw(qr_drawing(url, size), c, width - 30 * mm - size, 40 * mm)
    c.setFont(font, 9.5)
    c.drawCentredString(width - 30 * mm - size / 2, 34 * mm, "扫码查验证书真伪与状态")
    c.setFont(font, 9)
    c.setFillColor(colors.HexColor("#555555"))
    verify_page = base_url.rstrip("/") + reverse("certificates:verify")
    c.drawString(25 * mm, 26 * mm, f"查验网址：{verify_page}　（输入查验码，或持证人姓名与证书编号）")
    c.drawString(
        25 * mm, 21 * mm, "二维码含发证记录的电子签名（Ed25519），可离线核验；证书当前状态以查验页面为准。"
    )
    c.showPage()
    c.save()
    return buffer.getvalue()


ARCHIVE_CLASS_HEADERS = [
    "培训班",
    "培训机构",
    "培训时间",
    "状态",
    "面授（分钟）",
    "在线计入（分钟）",
    "合计学时",
]
ARCHIVE_CERT_HEADERS = ["证书类型", "职业（工种）/项目", "等级", "证书编号", "发证机构", "发证日期", "状态"]
ARCHIVE_CREDIT_HEADERS = ["日期", "来源", "学分", "规则版本", "说明"]


def archive_rows(archive) -> dict[str, list[list]]:
    classes = [
        [
            str(row.enrolment.training_class.application.subject_display),
            row.enrolment.training_class.institution.name,
            f"{row.enrolment.training_class.date_from:%Y-%m-%d} 至 {row.enrolment.training_class.date_to:%Y-%m-%d}",
            row.enrolment.get_status_display(),
            row.classroom_minutes,
            row.online_minutes,
            str(row.hours),
        ]
        for row in archive.classes
    ]
    certs = [
        [
            c.certificate_type.name,
            subject_display(c) or "—",
            str(c.level) if c.level_id else "—",
            c.official_number,
            c.issuer.name,
            f"{c.issue_date:%Y-%m-%d}",
            c.get_status_display(),
        ]
        for c in archive.certificates
    ]
    credits = [
        [f"{e.created_at:%Y-%m-%d}", e.get_source_display(), str(e.amount), e.rule_version, e.note]
        for e in archive.credits
    ]
    return {"classes": classes, "certificates": certs, "credits": credits}


def archive_pdf(archive) -> bytes:
    s = styles()
    person = archive.person
    rows = archive_rows(archive)
    width = 174 * mm
    flow = [
        Paragraph("职业技能培训电子档案", s["title"]),
        Spacer(1, 4 * mm),
        Paragraph(
            f"姓名：{person.name}　性别：{person.get_sex_display()}　身份证号：{person.masked_id_number}　"
            f"文化程度：{person.get_education_display() or '—'}",
            s["subtitle"],
        ),
        Spacer(1, 4 * mm),
        Paragraph("一、培训经历", s["body"]),
        grid_table(
            [ARCHIVE_CLASS_HEADERS] + (rows["classes"] or [["暂无"] + [""] * 6]),
            [40 * mm, 30 * mm, 34 * mm, 16 * mm, 18 * mm, 20 * mm, 16 * mm],
            header_rows=1,
        ),
        Spacer(1, 4 * mm),
        Paragraph("二、考核成绩", s["body"]),
    ]
    if archive.results_available and archive.results:
        flow.append(
            grid_table(
                [["考核", "理论", "实操", "结果"]]
                + [
                    [
                        str(r.application),
                        "—" if r.theory_score is None else str(r.theory_score),
                        "—" if r.practical_score is None else str(r.practical_score),
                        r.get_outcome_display(),
                    ]
                    for r in archive.results
                ],
                [width * 0.4, width * 0.2, width * 0.2, width * 0.2],
                header_rows=1,
            )
        )
    else:
        flow.append(Paragraph("暂无考核成绩记录", s["body"]))
    flow += [
        Spacer(1, 4 * mm),
        Paragraph("三、取得证书", s["body"]),
        grid_table(
            [ARCHIVE_CERT_HEADERS] + (rows["certificates"] or [["暂无"] + [""] * 6]),
            [26 * mm, 28 * mm, 20 * mm, 34 * mm, 30 * mm, 20 * mm, 16 * mm],
            header_rows=1,
        ),
        Spacer(1, 4 * mm),
        Paragraph(f"四、学分（累计 {archive.credit_total} 学分）", s["body"]),
        grid_table(
            [ARCHIVE_CREDIT_HEADERS] + (rows["credits"] or [["暂无"] + [""] * 4]),
            [22 * mm, 20 * mm, 16 * mm, 30 * mm, 86 * mm],
            header_rows=1,
        ),
    ]
    return render(flow, title=f"{person.name}培训档案")
