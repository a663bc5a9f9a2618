"""Pages: claims list, building a claim from a class, the claim page (lines with their checks, line
decisions, review, notice and objections, disbursement, payment), the forms, and the public notice list.

Thin views: scope (get_in_scope → 404 outside it) → one service → redirect. A refused action
(ServiceError) is shown by ServiceErrorMiddleware as a message.
"""

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillbridge.accounts.models import REVIEW_ROLES, OrgType
from skillbridge.accounts.scope import get_in_scope
from skillbridge.certificates.models import Certificate
from skillbridge.errors import ServiceError
from skillbridge.training.models import TrainingClass
from skillbridge.web.exports import xlsx_response
from skillbridge.web.pdf import pdf_response

from . import checks, documents, selectors, services
from .models import Claim, ClaimKind, ClaimLine, ClaimStatus, LineDecision, NoticeObjection

LIST_HEADERS = [
    "编号",
    "类型",
    "申领机构",
    "单位",
    "培训（鉴定）工种",
    "等级",
    "年度",
    "申领人数",
    "申领金额",
    "核定人数",
    "核定金额",
    "状态",
]


def _xlsx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _date(value: str, label: str, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise ServiceError(f"{label}格式不正确（例如 2026-12-01）", field=field) from None


@login_required
def claim_list(request):
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    year = request.GET.get("year", "")
    rows = selectors.claims_for(
        request.user,
        kind=kind if kind in ClaimKind.values else "",
        status=status if status in ClaimStatus.values else "",
        year=int(year) if year.isdigit() else None,
        q=request.GET.get("q", "").strip(),
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "补贴申领.xlsx",
            "补贴申领",
            LIST_HEADERS,
            (
                (c.pk, c.get_kind_display(), c.claimant_name, c.unit.name, c.subject_name, c.level_name, c.year,
                 c.line_count, float(c.claimed_total), c.accepted_count, float(c.accepted_total), c.get_status_display())
                for c in rows.iterator(chunk_size=1000)
            ),
        )  # fmt: skip
    org_type = request.user.organisation.org_type
    can_create = org_type in (OrgType.TRAINING_INSTITUTION, OrgType.EVALUATION_INSTITUTION)
    return render(
        request,
        "subsidies/claim_list.html",
        {
            "page": Paginator(rows, 20).get_page(request.GET.get("page")),
            "kinds": ClaimKind.choices,
            "statuses": ClaimStatus.choices,
            "filters": {"kind": kind, "status": status, "year": year, "q": request.GET.get("q", "")},
            "can_create": can_create,
            "page_title": "补贴申领",
        },
    )


def _claimable_classes(user):
    org = user.organisation
    if org.org_type == OrgType.TRAINING_INSTITUTION:
        return TrainingClass.objects.filter(institution=org), ClaimKind.TRAINING
    issued = Certificate.objects.filter(issuer=org, training_class__isnull=False).values("training_class_id")
    return TrainingClass.objects.filter(pk__in=issued), ClaimKind.ASSESSMENT


@login_required
def claim_create(request):
    classes, kind = _claimable_classes(request.user)
    if request.method == "POST":
        training_class = classes.filter(pk=request.POST.get("training_class") or 0).first()
        if training_class is None:
            messages.error(request, "请选择培训班")
            return redirect("subsidies:claim_create")
        claim = services.claim_create(actor=request.user, kind=kind, training_class=training_class)
        messages.success(request, f"已生成申领，共 {claim.lines.count()} 条明细，已逐条核查。")
        return redirect("subsidies:claim_detail", pk=claim.pk)
    classes = classes.select_related("application__occupation", "application__level", "unit").order_by(
        "-date_from"
    )
    taken = set(
        Claim.objects.filter(kind=kind, training_class__in=classes)
        .exclude(status__in=["rejected", "withdrawn"])
        .values_list("training_class_id", flat=True)
    )
    return render(
        request,
        "subsidies/claim_create.html",
        {
            "classes": classes,
            "taken": taken,
            "kind_label": ClaimKind(kind).label,
            "page_title": "新建补贴申领",
        },
    )


def _actions(user, claim: Claim, today: date) -> dict:
    org = user.organisation_id
    writer = user.has_role("operator", "unit_head")
    stage = claim.review.current_stage if claim.review_id and claim.status == ClaimStatus.IN_REVIEW else None
    city_hrss = services._city_org(claim.unit, OrgType.CITY_HRSS)
    city_finance = services._city_org(claim.unit, OrgType.CITY_FINANCE)
    notice_running = claim.status == ClaimStatus.NOTICE and claim.notice_end and today <= claim.notice_end
    return {
        "claimant": org == claim.claimant_id and writer,
        "editable": org == claim.claimant_id and writer and claim.is_editable,
        "reviewer": bool(stage and stage.org_id == org and user.has_role(*REVIEW_ROLES)),
        "stage": stage,
        "hrss": bool(city_hrss and org == city_hrss.pk),
        "finance": bool(city_finance and org == city_finance.pk and claim.status == ClaimStatus.APPROVED),
        "unit_pay": org == claim.unit_id and writer and claim.status == ClaimStatus.DISBURSED,
        "notice_running": notice_running,
    }


@login_required
def claim_detail(request, pk: int):
    claim = selectors.claim_get(request.user, pk)
    today = timezone.localdate()
    lines = list(selectors.claim_lines(claim))
    for line in lines:
        line.problems = checks.failing(line.checks)
    return render(
        request,
        "subsidies/claim_detail.html",
        {
            "claim": claim,
            "fields": documents.form_fields(claim),
            "opinions": documents.opinions(claim),
            "lines": lines,
            "objections": claim.objections.select_related("line__person", "resolved_by").order_by("id"),
            "can": _actions(request.user, claim, today),
            "today": today,
            "page_title": str(claim),
        },
    )


@login_required
@require_POST
def claim_action(request, pk: int, action: str):
    claim = get_in_scope(Claim, request.user, pk=pk)
    user, post = request.user, request.POST
    if action == "submit":
        services.claim_submit(actor=user, claim=claim)
        messages.success(request, "已报送审核。")
    elif action == "recheck":
        services.claim_recheck(actor=user, claim=claim)
        messages.success(request, "已重新核查全部明细。")
    elif action == "withdraw":
        services.claim_withdraw(actor=user, claim=claim)
        messages.success(request, "申领已撤回。")
    elif action in ("approve", "return", "reject"):
        services.claim_review(actor=user, claim=claim, action=action, opinion=post.get("opinion", ""),
                              stage_id=int(post.get("stage_id") or 0) or None)  # fmt: skip
        messages.success(request, "审核意见已提交。")
    elif action == "objection":
        line = ClaimLine.objects.filter(claim=claim, pk=post.get("line") or 0).first()
        services.objection_record(
            actor=user, claim=claim, raised_by=post.get("raised_by", ""), content=post.get("content", ""),
            received_on=_date(post.get("received_on", ""), "收到日期", "received_on"), line=line,
        )  # fmt: skip
        messages.success(request, "异议已登记。")
    elif action == "close_notice":
        services.claim_notice_close(actor=user, claim=claim)
        messages.success(request, "公示结束，已转市财政局拨付。")
    elif action == "disburse":
        services.claim_disburse(
            actor=user, claim=claim, voucher_no=post.get("voucher_no", ""),
            disbursed_on=_date(post.get("disbursed_on", ""), "拨付日期", "disbursed_on"), amount=post.get("amount", ""),
        )  # fmt: skip
        messages.success(request, "已拨付至单位专账。")
    elif action == "pay":
        services.claim_pay_institution(
            actor=user,
            claim=claim,
            paid_on=_date(post.get("paid_on", ""), "支付日期", "paid_on"),
            amount=post.get("amount", ""),
        )
        messages.success(request, f"已从专账支付{claim.claimant_name}。")
    else:
        messages.error(request, "未知的操作")
    return redirect("subsidies:claim_detail", pk=pk)


@login_required
@require_POST
def line_decide(request, pk: int):
    line = get_in_scope(ClaimLine, request.user, pk=pk)
    decision = request.POST.get("decision", "")
    services.claim_line_decide(
        actor=request.user, line=line, decision=decision, reason=request.POST.get("reason", "")
    )
    label = LineDecision(decision).label if decision in LineDecision.values else decision
    messages.success(request, f"{line.person.name}：{label}。")
    return redirect("subsidies:claim_detail", pk=line.claim_id)


@login_required
@require_POST
def line_amount(request, pk: int):
    line = get_in_scope(ClaimLine, request.user, pk=pk)
    services.claim_line_amount_set(actor=request.user, line=line, amount=request.POST.get("amount", ""))
    messages.success(request, "金额已修改并重新核查。")
    return redirect("subsidies:claim_detail", pk=line.claim_id)


@login_required
@require_POST
def objection_resolve(request, pk: int):
    objection = get_in_scope(NoticeObjection, request.user, pk=pk)
    services.objection_resolve(
        actor=request.user,
        objection=objection,
        upheld=request.POST.get("upheld") == "1",
        resolution=request.POST.get("resolution", ""),
    )
    messages.success(request, "异议已处理。")
    return redirect("subsidies:claim_detail", pk=objection.claim_id)


@login_required
def claim_form_xlsx(request, pk: int):
    claim = get_in_scope(Claim, request.user, pk=pk)
    return _xlsx(
        f"{claim.form_number}{claim.detail_form_number}_补贴申领_{claim.pk}.xlsx", documents.claim_xlsx(claim)
    )


@login_required
def claim_form_pdf(request, pk: int):
    claim = get_in_scope(Claim, request.user, pk=pk)
    return pdf_response(f"{claim.form_number}_补贴申领表_{claim.pk}.pdf", documents.claim_pdf(claim))


NOTICE_HEADERS = [
    "申领编号",
    "申领机构",
    "单位",
    "类型",
    "姓名",
    "身份证号码",
    "职业（工种）",
    "等级",
    "证书类型",
    "补贴金额（元）",
    "公示期",
]


def public_notice(request):
    """公示: no login needed; names and ID numbers masked."""
    claims = list(selectors.public_notice_claims())
    blocks = [(claim, selectors.public_notice_rows(claim)) for claim in claims]
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "补贴申领公示.xlsx",
            "补贴申领公示",
            NOTICE_HEADERS,
            (
                [claim.pk, claim.claimant_name, claim.unit.name, claim.get_kind_display(), r["name"], r["id_number"],
                 r["subject"], r["level"], r["certificate_type"], float(r["amount"]),
                 f"{claim.notice_start:%Y-%m-%d} 至 {claim.notice_end:%Y-%m-%d}"]
                for claim, rows in blocks for r in rows
            ),
        )  # fmt: skip
    return render(request, "subsidies/public_notice.html", {"blocks": blocks, "page_title": "补贴申领公示"})
