"""The official forms: 附件7 / 附件9 申领表 (xlsx and PDF, the sealed forms) and 附件8 / 附件10 申领明细
(xlsx), with the exact fields of 常司发〔2022〕42号; the review opinions fill the 审核意见 boxes."""

import io
from datetime import date

from django.utils import timezone
from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle
from xlsxwriter import Workbook

from skillbridge.approvals.models import ReviewStage
from skillbridge.registry.idnumbers import mask_id_number
from skillbridge.web.exports import form_sheet
from skillbridge.web.pdf import Paragraph, Spacer, cell, mm, render, styles

from .models import Claim, ClaimKind

TITLES = {
    ClaimKind.TRAINING: (
        "江苏省特殊人群职业技能培训补贴资金申领表",
        "江苏省特殊人群职业技能培训补贴申领明细",
    ),
    ClaimKind.ASSESSMENT: (
        "江苏省特殊人群职业技能鉴定补贴资金申领表",
        "江苏省特殊人群职业技能鉴定补贴申领明细",
    ),
}
OPINION_BOXES = (
    ("unit_review", "监狱(戒毒所)审核意见"),
    ("bureau_review", "省监狱管理局(省戒毒管理局)审核意见"),
    ("city_hrss_review", "市人力资源和社会保障局审核意见"),
)
DETAIL_HEADERS = [
    "序号",
    "姓名",
    "身份证号码",
    "证书类型",
    "证书编号",
    "职业（工种）",
    "等级",
    "补贴标准（元）",
    "申领金额（元）",
    "审核结论",
]


def _cn(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "年  月  日"


def opinions(claim: Claim) -> list[tuple[str, str, str]]:
    """(heading, opinion, date) for the three boxes, from the latest round's decided stages."""
    decided = {}
    if claim.review_id:
        for stage in (
            ReviewStage.objects.filter(case_id=claim.review_id)
            .select_related("org")
            .exclude(decision="")
            .order_by("round", "index")
        ):
            decided[stage.key] = stage
    out = []
    for key, heading in OPINION_BOXES:
        stage = decided.get(key)
        text = f"{stage.get_decision_display()}：{stage.opinion}" if stage else ""
        if stage and key == "city_hrss_review":
            heading = f"{stage.org.name}审核意见"
        out.append((heading, text, _cn(timezone.localtime(stage.decided_at).date() if stage else None)))
    return out


def form_fields(claim: Claim) -> list[tuple[str, str]]:
    """附件7 / 附件9 fields in the order of the paper form."""
    what = "培训" if claim.kind == ClaimKind.TRAINING else "鉴定"
    org = "培训机构" if claim.kind == ClaimKind.TRAINING else "鉴定机构"
    people = claim.accepted_count if claim.status not in ("draft", "returned") else claim.line_count
    total = claim.accepted_total
    period = f"{claim.date_from:%Y-%m-%d} 至 {claim.date_to:%Y-%m-%d}"
    subject = claim.subject_name
    standards = sorted(
        {
            str(amount)
            for amount in claim.lines.filter(is_active=True).values_list("standard_amount", flat=True)
            if amount is not None
        }
    )
    standard = "、".join(f"{s}元/人" for s in standards)
    common = [
        (f"{org}名称", claim.claimant_name),
        ("组织机构代码", claim.credit_code),
        ("法定代表人姓名", claim.legal_representative),
        ("开户银行名称", claim.bank_name),
        ("银行账号", claim.bank_account),
        ("联系人姓名", claim.contact_person),
        ("联系电话", claim.contact_phone),
    ]
    if claim.kind == ClaimKind.TRAINING:
        facts = [
            (f"{what}工种", subject),
            (f"{what}等级", claim.level_name),
            (f"{what}时间", period),
            (f"{what}人数", str(people)),
            ("补贴标准", standard),
            ("申领金额", f"{total:.2f}元"),
        ]
    else:
        facts = [
            (f"{what}时间", period),
            (f"{what}工种", f"{subject}（{claim.level_name}）" if claim.level_name else subject),
            (f"{what}人数", str(people)),
            (f"{what}费用", f"{total:.2f}元"),
        ]
    return common + facts


def detail_rows(claim: Claim, *, reveal: bool = False):
    lines = claim.lines.select_related(
        "person", "certificate", "certificate_type", "occupation", "special_item", "level"
    ).order_by("id")
    for i, line in enumerate(lines, start=1):
        yield [
            i,
            line.person.name,
            line.person.id_number if reveal else mask_id_number(line.person.id_number),
            line.certificate_type.name,
            line.certificate.official_number,
            line.subject_name,
            str(line.level) if line.level_id else "",
            f"{line.standard_amount:.2f}" if line.standard_amount is not None else "",
            f"{line.amount:.2f}",
            line.get_decision_display(),
        ]


def claim_xlsx(claim: Claim) -> bytes:
    """Two sheets: the 申领表 (附件7/9) and the 申领明细 (附件8/10)."""
    form_title, detail_title = TITLES[claim.kind]
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    formats = form_sheet(
        book,
        claim.form_number + "申领表",
        title=form_title,
        widths=(34, 60),
        seal=f"{claim.claimant_name}（盖章）",
        filled=f"填表日期：{_cn(claim.filled_on)}",
        fields=form_fields(claim),
        opinions=[(heading, f"{text}\n(盖章) {day}".strip()) for heading, text, day in opinions(claim)],
    )
    title, label, value = formats["title"], formats["label"], formats["value"]
    detail = book.add_worksheet(claim.detail_form_number + "申领明细")
    detail.merge_range(0, 0, 0, len(DETAIL_HEADERS) - 1, detail_title, title)
    detail.write(
        1,
        0,
        f"申领机构：{claim.claimant_name}　单位：{claim.unit.name}　{claim.subject_name} {claim.level_name}",
    )
    for col, header in enumerate(DETAIL_HEADERS):
        detail.write(2, col, header, label)
        detail.set_column(col, col, max(10, len(header) * 2 + 2))
    r = 3
    for r, values in enumerate(detail_rows(claim), start=3):
        for c, v in enumerate(values):
            detail.write(r, c, v, value)
    detail.write(r + 1, 0, "合计", label)
    detail.write(r + 1, 8, f"{claim.accepted_total:.2f}", value)
    book.close()
    return buffer.getvalue()


def claim_pdf(claim: Claim) -> bytes:
    """附件7 / 附件9 on A4 portrait: the ruled grid of the paper form with the three sealed opinion rows."""
    st = styles()
    form_title, _ = TITLES[claim.kind]
    fields = form_fields(claim)
    rows = [[name, text] for name, text in fields]
    for heading, text, day in opinions(claim):
        rows.append([heading, f"{text}<br/><br/>(盖章)　{day}"])
    table = Table([[cell(a), Paragraph(b, st["cell"])] for a, b in rows], colWidths=[58 * mm, 116 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F4F6F9")),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, len(fields)), (-1, -1), 22),
            ]
        )
    )
    header = Paragraph(f"{claim.form_number}", st["subtitle"])
    org = Paragraph(f"{claim.claimant_name}（盖章）　　填表日期：{_cn(claim.filled_on)}", st["subtitle"])
    return render(
        [
            header,
            Spacer(1, 4 * mm),
            Paragraph(form_title, st["title"]),
            Spacer(1, 6 * mm),
            org,
            Spacer(1, 3 * mm),
            table,
        ],
        title=form_title,
    )
