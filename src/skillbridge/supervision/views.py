"""Pages: findings (list with filters and export, detail with evidence, history and the workflow forms), scans,
inspections (督查) and notices (通报), credit ratings (list, compute, the page that explains a grade).

Thin views: scope (get_in_scope → 404 outside it) → form → one service → redirect. A refused action
(ServiceError) is shown by ServiceErrorMiddleware as a message, or as a form error here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import ServiceError
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error

from . import selectors, services
from .forms import (
    AnswerForm,
    AssignForm,
    CloseForm,
    FindingFilterForm,
    FollowUpForm,
    InspectionPlanForm,
    NoticeForm,
    RatingForm,
    ReportForm,
    ReturnForm,
    RevokeForm,
    VisitForm,
)
from .models import CreditRating, Finding, FindingStatus, Inspection, InspectionStatus, ScanRun
from .rating import FACTORS
from .services.common import is_supervisor, supervises

# ---- findings ------------------------------------------------------------------------------------------

FINDING_HEADERS = [
    "编号", "规则", "风险等级", "问题摘要", "责任单位", "相关机构", "对象", "年度", "状态", "承办人", "发现时间",
    "办结结论",
]  # fmt: skip


@login_required
def finding_list(request):
    form = FindingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.findings(
        request.user,
        rule=filters.get("rule", ""),
        status=filters.get("status", ""),
        year=filters.get("year"),
        q=filters.get("q", ""),
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "风险问题.xlsx",
            "风险问题",
            FINDING_HEADERS,
            (
                (
                    f.pk,
                    f.get_rule_display(),
                    f.get_severity_display(),
                    f.summary,
                    f.unit.name if f.unit_id else "",
                    f.institution.name if f.institution_id else "",
                    f.object_label,
                    f.year,
                    f.get_status_display(),
                    f.assigned_to.full_name if f.assigned_to_id else "",
                    timezone.localtime(f.created_at).strftime("%Y-%m-%d %H:%M"),
                    f.get_outcome_display(),
                )
                for f in rows.iterator(chunk_size=1000)
            ),
        )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/finding_list.html",
        {
            "form": form,
            "page": page,
            "can_scan": request.user.organisation.org_type
            not in ("training_institution", "evaluation_institution")
            and request.user.has_role("operator", "reviewer", "unit_head"),
            "scans": selectors.scans(request.user)[:5],
            "page_title": "风险问题",
        },
    )


@login_required
def finding_detail(request, pk):
    finding = get_in_scope(Finding, request.user, pk=pk)
    user = request.user
    supervisor = supervises(user, finding.responsible) if finding.responsible else False
    can_answer = finding.status == FindingStatus.ASSIGNED and (
        user.pk == finding.assigned_to_id or user.organisation_id == finding.assigned_to.organisation_id
    )
    forms = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign" and supervisor:
                form = AssignForm(request.POST, users=selectors.assignable_users(finding), prefix="assign")
                forms["assign"] = form
                if form.is_valid():
                    services.finding_assign(actor=user, finding=finding, **form.cleaned_data)
                    messages.success(request, "已分派")
                    return redirect("supervision:finding_detail", pk)
            elif action == "answer" and can_answer:
                form = forms["answer"] = AnswerForm(request.POST, prefix="answer")
                if form.is_valid():
                    services.finding_answer(actor=user, finding=finding, answer=form.cleaned_data["answer"])
                    messages.success(request, "已答复")
                    return redirect("supervision:finding_detail", pk)
            elif action == "return" and supervisor:
                form = forms["return"] = ReturnForm(request.POST, prefix="return")
                if form.is_valid():
                    services.finding_return(actor=user, finding=finding, note=form.cleaned_data["note"])
                    messages.success(request, "已退回重新答复")
                    return redirect("supervision:finding_detail", pk)
            elif action == "close" and supervisor:
                form = forms["close"] = CloseForm(request.POST, prefix="close")
                if form.is_valid():
                    services.finding_close(actor=user, finding=finding, **form.cleaned_data)
                    messages.success(request, "已办结")
                    return redirect("supervision:finding_detail", pk)
            else:
                messages.error(request, "您不能对该问题执行此操作")
                return redirect("supervision:finding_detail", pk)
        except ServiceError as exc:
            form_error(form, exc)
    context = {
        "f": finding,
        "events": finding.events.select_related("actor"),
        "evidence_rows": _evidence_rows(finding.evidence),
        "supervisor": supervisor,
        "can_answer": can_answer,
        "assign_form": forms.get("assign")
        or AssignForm(users=selectors.assignable_users(finding), prefix="assign"),
        "answer_form": forms.get("answer") or AnswerForm(prefix="answer"),
        "return_form": forms.get("return") or ReturnForm(prefix="return"),
        "close_form": forms.get("close") or CloseForm(prefix="close"),
        "page_title": f"风险问题#{finding.pk}",
    }
    return render(request, "supervision/finding_detail.html", context)


EVIDENCE_LABELS = {
    "person": "人员", "person_id": "人员（系统编号）", "overlap": "重叠期间", "classes": "涉及培训班", "left_on": "离开日期",
    "left_how": "离开方式", "sessions": "课次", "trainees": "班级人数", "identical_sessions": "雷同课次数",
    "threshold": "阈值", "threshold_source": "阈值依据", "certificate_id": "证书编号（系统）",
    "official_number": "证书编号", "issue_date": "发证日期", "issuer": "发证机构", "class_id": "培训班编号",
    "class": "培训班", "class_end": "结业日期", "class_end_is_planned": "结业日期为计划日期", "year": "年度",
    "count": "次数/人次", "cap": "上限", "source": "依据", "lines": "申领明细", "window": "重复限制",
    "claimant": "申领机构", "filled_on": "填表日期", "problems": "问题", "institution": "机构", "date_from": "开班日期",
    "line_id": "明细编号", "amount": "申领金额", "standard_amount": "补贴标准", "excess": "超出金额",
    "standard_id": "标准编号", "teacher": "教师", "date": "日期", "ended_on": "结业日期", "deadline": "录入期限",
    "data_entered_on": "录入日期", "overdue_working_days": "逾期工作日", "rule": "规则", "month": "月份",
    "baseline_months": "对比月数", "baseline_monthly_average": "前期月均", "previous_months": "前期各月",
    "factor": "倍数阈值", "min_count": "人次下限", "unit": "单位", "from": "起", "to": "止",
    "enrolment_status": "学员状态", "session_id": "课次编号", "minutes": "出勤分钟", "venue": "场地", "region": "地区代码",
    "subject": "职业（工种）", "level": "等级", "certificate_date": "发证日期", "claim_id": "申领编号",
}  # fmt: skip


def _evidence_rows(evidence: dict) -> list[tuple[str, object, bool]]:
    """(label, value, is_table) — lists of dicts are shown as small tables."""
    rows = []
    for key, value in evidence.items():
        table = isinstance(value, list) and value and isinstance(value[0], dict)
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, list) and not table:
            value = (
                " 至 ".join(str(v) for v in value) if key == "overlap" else "、".join(str(v) for v in value)
            )
        elif isinstance(value, dict):
            value = "；".join(f"{k}：{v}" for k, v in value.items())
        if table:
            headers = list(value[0])
            value = {
                "headers": [EVIDENCE_LABELS.get(h, h) for h in headers],
                "rows": [[row.get(h) for h in headers] for row in value],
            }
        rows.append((EVIDENCE_LABELS.get(key, key), value, bool(table)))
    return rows


# ---- scans ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def scan_create(request):
    run = services.scan_request(actor=request.user)
    messages.success(request, f"已发起风险扫描#{run.pk}，后台运行完成后结果显示在问题清单中")
    return redirect("supervision:scan_detail", run.pk)


@login_required
def scan_detail(request, pk):
    run = get_in_scope(ScanRun, request.user, pk=pk)
    new_findings = (
        Finding.objects.for_user(request.user).filter(first_scan=run).select_related("unit", "institution")
    )
    return render(
        request,
        "supervision/scan_detail.html",
        {"run": run, "findings": new_findings[:200], "page_title": f"风险扫描#{run.pk}"},
    )


# ---- inspections and notices ---------------------------------------------------------------------------


@login_required
def inspection_list(request):
    rows = selectors.inspections(request.user).order_by("-planned_on", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "督查.xlsx",
            "督查",
            ["编号", "督查事项", "督查单位", "被督查单位", "计划日期", "检查日期", "整改期限", "状态"],
            (
                (
                    i.pk,
                    i.title,
                    i.inspector_org.name,
                    i.target.name,
                    i.planned_on,
                    i.visited_on,
                    i.rectification_deadline,
                    i.get_status_display(),
                )
                for i in rows
            ),
        )
    form = None
    if is_supervisor(request.user):
        form = InspectionPlanForm(request.POST or None, targets=selectors.supervised_targets(request.user))
        if request.method == "POST" and form.is_valid():
            try:
                inspection = services.inspection_plan(actor=request.user, **form.cleaned_data)
                messages.success(request, "督查计划已建立")
                return redirect("supervision:inspection_detail", inspection.pk)
            except ServiceError as exc:
                form_error(form, exc)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    notices = selectors.notices(request.user)[:20]
    return render(
        request,
        "supervision/inspection_list.html",
        {"page": page, "form": form, "notices": notices, "page_title": "督查与通报"},
    )


@login_required
def inspection_detail(request, pk):
    inspection = get_in_scope(Inspection, request.user, pk=pk)
    user = request.user
    is_inspector = is_supervisor(user) and user.organisation_id == inspection.inspector_org_id
    is_target = user.organisation_id == inspection.target_id and user.has_role(
        "operator", "reviewer", "unit_head"
    )
    visit_form = VisitForm(request.POST if request.POST.get("action") == "visit" else None)
    report_form = ReportForm(request.POST if request.POST.get("action") == "report" else None)
    follow_form = FollowUpForm(request.POST if request.POST.get("action") == "follow_up" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "visit" and is_inspector and visit_form.is_valid():
                data = visit_form.cleaned_data
                services.inspection_visit(
                    actor=user, inspection=inspection, visited_on=data["visited_on"], inspectors=data["inspectors"],
                    visit_record=data["visit_record"], issues=data["issues"].splitlines(),
                    rectification_required=data["rectification_required"], deadline=data["deadline"],
                )  # fmt: skip
                messages.success(request, "已记录检查情况")
                return redirect("supervision:inspection_detail", pk)
            if action == "report" and is_target and report_form.is_valid():
                services.inspection_report(actor=user, inspection=inspection, **report_form.cleaned_data)
                messages.success(request, "已报告整改情况")
                return redirect("supervision:inspection_detail", pk)
            if action == "follow_up" and is_inspector and follow_form.is_valid():
                services.inspection_follow_up(actor=user, inspection=inspection, **follow_form.cleaned_data)
                messages.success(request, "已记录复查结论")
                return redirect("supervision:inspection_detail", pk)
        except ServiceError as exc:
            form_error({"visit": visit_form, "report": report_form, "follow_up": follow_form}[action], exc)
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "i": inspection,
            "issues": inspection.issues.all(),
            "notices": inspection.notices.all(),
            "is_inspector": is_inspector,
            "is_target": is_target,
            "visit_form": visit_form,
            "report_form": report_form,
            "follow_form": follow_form,
            "S": InspectionStatus,
            "page_title": inspection.title,
        },
    )


@login_required
def notice_create(request):
    form = NoticeForm(request.POST or None, targets=selectors.supervised_targets(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_issue(actor=request.user, **form.cleaned_data)
            messages.success(request, "通报已发布")
            return redirect("supervision:inspection_list")
        except ServiceError as exc:
            form_error(form, exc)
    return render(request, "supervision/notice_form.html", {"form": form, "page_title": "发布通报"})


# ---- credit ratings ------------------------------------------------------------------------------------


@login_required
def rating_list(request):
    rows = selectors.ratings(request.user)
    year = request.GET.get("year")
    if year and year.isdigit():
        rows = rows.filter(year=int(year))
    form = None
    if is_supervisor(request.user):
        institutions = selectors.supervised_targets(request.user).filter(
            org_type__in=["training_institution", "evaluation_institution"]
        )
        form = RatingForm(request.POST or None, institutions=institutions)
        if request.method == "POST" and form.is_valid():
            try:
                rating = services.rating_compute(actor=request.user, **form.cleaned_data)
                messages.success(request, f"已评定：{rating.grade}级（{rating.score}分）")
                return redirect("supervision:rating_detail", rating.pk)
            except ServiceError as exc:
                form_error(form, exc)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "机构信用评价.xlsx",
            "信用评价",
            ["机构", "年度", "得分", "等级", "评定时间"],
            (
                (
                    r.institution.name,
                    r.year,
                    float(r.score),
                    r.grade,
                    timezone.localtime(r.computed_at).strftime("%Y-%m-%d"),
                )
                for r in rows
            ),
        )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request, "supervision/rating_list.html", {"page": page, "form": form, "page_title": "机构信用评价"}
    )


@login_required
def rating_detail(request, pk):
    rating = get_in_scope(CreditRating, request.user, pk=pk)
    revoke_form = RevokeForm(request.POST or None)
    can_revoke = supervises(request.user, rating.institution) and request.user.organisation.org_type in (
        "city_hrss", "city_justice",
    )  # fmt: skip
    if request.method == "POST" and can_revoke and revoke_form.is_valid():
        try:
            revoked = services.rating_revoke_designations(
                actor=request.user, rating=rating, **revoke_form.cleaned_data
            )
            messages.success(request, f"已撤销定点认定{len(revoked)}项")
            return redirect("supervision:rating_detail", pk)
        except ServiceError as exc:
            form_error(revoke_form, exc)
    facts = rating.facts
    history = (
        CreditRating.objects.for_user(request.user).filter(institution=rating.institution).order_by("-year")
    )
    return render(
        request,
        "supervision/rating_detail.html",
        {
            "r": rating,
            "items": rating.reasons["items"],
            "facts": facts,
            "factors": FACTORS,
            "history": history,
            "can_revoke": can_revoke,
            "revoke_form": revoke_form,
            "anomalies": Finding.objects.for_user(request.user).filter(
                pk__in=facts.get("attendance_anomaly_ids", [])
            ),
            "page_title": f"{rating.institution.name}{rating.year}年度信用评价",
        },
    )


# ---- home page ------------------------------------------------------------------------------------------


def home_panel(request) -> str | None:
    """What waits for this user in supervision: findings to assign or close (authorities), findings to answer
    and rectifications to report (the responsible organisation)."""
    from django.template.loader import render_to_string

    user = request.user
    if not getattr(user, "is_authenticated", False) or user.organisation.org_type == "platform":
        return None
    visible = Finding.objects.for_user(user)
    rows = []
    if is_supervisor(user):
        to_assign = visible.filter(status=FindingStatus.OPEN).count()
        to_close = visible.filter(status=FindingStatus.ANSWERED).count()
        if to_assign:
            rows.append(("待分派的风险问题", to_assign, "?status=open"))
        if to_close:
            rows.append(("已答复待办结的风险问题", to_close, "?status=answered"))
    to_answer = visible.filter(
        status=FindingStatus.ASSIGNED, assigned_to__organisation=user.organisation
    ).count()
    if to_answer:
        rows.append(("待本单位答复的风险问题", to_answer, "?status=assigned"))
    rectifying = Inspection.objects.filter(
        target=user.organisation, status=InspectionStatus.RECTIFYING
    ).first()
    if not rows and rectifying is None:
        return None
    return render_to_string("supervision/_home_panel.html", {"rows": rows, "rectifying": rectifying}, request)
