"""Pages: the dashboard of the user's scope (with drill-down to cities, units and people), the people behind a
figure, and periodic / special reports (generate, edit, submit, receive, xlsx / PDF).

Thin views: scope (`scope_for`, 404 outside it) → selector or one service → page, redirect or file.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from skillbridge.accounts.scope import get_in_scope
from skillbridge.audit.services import audit_record
from skillbridge.certificates.models import Certificate, CertificateStatus
from skillbridge.errors import ServiceError
from skillbridge.registry.services import REVEAL_ROLES
from skillbridge.registry.tables import export_reveal, id_shown
from skillbridge.web.exports import xlsx_response

from . import exports, selectors, services
from .chain import report_recipient, reporters_status
from .forms import ReceiveForm, ReportEditForm, ReportForm
from .models import PeriodicReport, ReportKind, ReportStatus
from .periods import current_quarter, parse_period, period_choices
from .scopes import LEVEL_LABELS, require_people, scope_for, top_level


def _period(request, today):
    try:
        return parse_period(request.GET.get("period"), today=today)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return parse_period(None, today=today)


def _drill(request) -> dict:
    return {"city": request.GET.get("city") or None, "unit": request.GET.get("unit") or None}


def _audit_export(user, what: str, scope, period) -> None:
    with transaction.atomic():
        audit_record(
            action="reporting.export",
            actor=user,
            object_type="reporting.dashboard",
            object_id=f"{scope.level}:{scope.code}",
            object_repr=f"{scope.name}{period.label}{what}",
            changes={"what": what, "period": period.code},
        )


def _can_write(user) -> bool:
    return user.has_role(*services.WRITERS)


SHORT_LABELS = {
    "due": "应培训（人）",
    "due_certified": "刑释前获证（人）",
    "cert_rate": "刑释前获证率",
    "enrolled": "参训（人次）",
    "completed": "结业（人次）",
    "assessed": "鉴定（人次）",
    "certified": "取证（人次）",
    "classes": "开班（个）",
    "deadlines_missed": "逾期（件）",
}
BREAKDOWNS = [("occupation", "职业（工种）"), ("level", "等级"), ("institution", "培训机构")]


def figures_context(data: dict) -> dict:
    """What the shared figures partial needs, for a live dashboard and a frozen report alike."""
    return {
        "data": data,
        "metrics": exports.main_metrics(data),
        "money_metrics": exports.MONEY_COLUMNS,
        "labels": selectors.METRIC_LABELS,
        "short_labels": SHORT_LABELS,
        "cert_target": next((t for t in data["targets"] if t["key"].endswith("certification_rate")), None),
        "breakdowns": BREAKDOWNS,
        "rows_chart_height": max(300, 90 + 90 * len(data["rows"])),
        "plan_chart_height": max(300, 90 + 50 * len(data["plan_vs_actual"]["by_unit"])),
    }


ENDED_CLASSES_SHOWN = 100  # a unit finishes a few dozen classes a year; more are listed by a shorter period


@login_required
def dashboard(request):
    today = timezone.localdate()
    period = _period(request, today)
    scope = scope_for(request.user, **_drill(request))
    data = selectors.dashboard(scope, period, today=today)
    title = f"{scope.name}职业技能培训统计（{period.label}）"
    services.rollup_request_if_stale(actor=request.user, scope=scope, computed_at=data["computed_at"])
    computed_at = parse_datetime(data["computed_at"]) if data["computed_at"] else None
    if request.GET.get("export") == "xlsx":
        _audit_export(request.user, "统计数据", scope, period)
        return exports.xlsx_download(f"{title}.xlsx", exports.workbook_bytes(data, title=title))
    query = request.GET.copy()
    query.pop("export", None)
    ended = (
        list(selectors.classes_ended(scope, period)[: ENDED_CLASSES_SHOWN + 1])
        if scope.level == "unit"
        else None
    )
    return render(
        request,
        "reporting/dashboard.html",
        {
            "page_title": "统计报表",
            **figures_context(data),
            "title": title,
            "scope": scope,
            "period": period,
            "periods": period_choices(today),
            "query": query.urlencode(),
            "level_labels": LEVEL_LABELS,
            "live": True,
            "can_refresh": _can_write(request.user),
            "computed_at": timezone.localtime(computed_at) if computed_at else None,
            "people_keys": _people_keys(request.user, scope, data),
            "ended_classes": ended[:ENDED_CLASSES_SHOWN] if ended is not None else None,
            "ended_more": ended is not None and len(ended) > ENDED_CLASSES_SHOWN,
            "can_reveal": request.user.has_role(*REVEAL_ROLES),
            "can_generate": _can_write(request.user) and scope.trail[0][0] == top_level(request.user),
            "report_form": ReportForm(
                initial={
                    "kind": "quarterly" if period.kind == "quarter" else "annual",
                    "period": period.code,
                    "city": request.GET.get("city", ""),
                    "unit": request.GET.get("unit", ""),
                }
            ),
        },
    )


def _people_keys(user, scope, data) -> dict:
    """Which rows of the dashboard link to their people lists ("total" for the scope's own): all of them,
    except in a lead unit's group, where only the lead unit's own row does."""
    if not scope.figures_only:
        return {"total": True, **{r["key"]: True for r in data["rows"]}}
    own = str(user.organisation_id)
    return {r["key"]: True for r in data["rows"] if r["level"] == "unit" and r["key"] == own}


@login_required
@require_POST
def rollup_refresh(request):
    """Queue a background refresh of the figures of the dashboard's scope (the page keeps the current ones)."""
    scope = scope_for(request.user, **_drill_post(request))
    services.rollup_request(actor=request.user, scope=scope)
    messages.success(request, "已提交数据更新，后台计算完成后刷新本页即可看到最新数据。")
    query = request.POST.get("query", "")
    return redirect(f"{reverse('reporting:dashboard')}?{query}" if query else reverse("reporting:dashboard"))


def _drill_post(request) -> dict:
    return {"city": request.POST.get("city") or None, "unit": request.POST.get("unit") or None}


PEOPLE_HEADERS = ["姓名", "身份证号码", "单位", "罪犯编号", "预计释放（解除）日期", "状态", "证书情况"]


def _certificate_note(episode, certificates) -> str:
    mine = [c for c in certificates.get(episode.person_id, []) if c.issue_date >= episode.term_start]
    before = [c for c in mine if c.issue_date <= episode.expected_release_date]
    if before:
        return f"刑释前已取证（{before[0].issue_date:%Y-%m-%d}）"
    after = [c for c in mine if c.issue_date > episode.expected_release_date]
    if after:
        return f"释放后取证（{after[0].issue_date:%Y-%m-%d}），不计入刑释前获证"
    return "未取得证书"


def _certificates_of(episodes) -> dict:
    people = {e.person_id for e in episodes}
    out = {}
    for c in (
        Certificate.objects.filter(person_id__in=people)
        .exclude(status=CertificateStatus.REVOKED)
        .order_by("issue_date")
    ):
        out.setdefault(c.person_id, []).append(c)
    return out


@login_required
def people(request):
    today = timezone.localdate()
    period = _period(request, today)
    scope = scope_for(request.user, **_drill(request))
    require_people(request.user, scope)
    which = request.GET.get("which") or "missing_certificate"
    if which not in selectors.PEOPLE_LISTS:
        raise Http404
    rows = selectors.people(scope, period, which)
    title = f"{scope.name}{period.label}{selectors.PEOPLE_LISTS[which]}"
    if request.GET.get("export") == "xlsx":
        episodes = list(rows)
        reveal = export_reveal(request, title, len(episodes))  # full ID numbers as the registry's exports
        _audit_export(request.user, selectors.PEOPLE_LISTS[which], scope, period)
        certificates = _certificates_of(episodes)
        shown = id_shown(reveal)
        return xlsx_response(
            f"{title}.xlsx",
            selectors.PEOPLE_LISTS[which],
            PEOPLE_HEADERS,
            (
                (
                    e.person.name,
                    shown(e.person.id_number),
                    e.unit.name,
                    e.inmate_number,
                    e.expected_release_date,
                    e.get_status_display(),
                    _certificate_note(e, certificates),
                )
                for e in episodes
            ),
        )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    certificates = _certificates_of(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    back = request.GET.copy()
    for key in ("which", "page", "export"):
        back.pop(key, None)
    return render(
        request,
        "reporting/people.html",
        {
            "page_title": "统计报表",
            "title": title,
            "scope": scope,
            "period": period,
            "which": which,
            "lists": selectors.PEOPLE_LISTS,
            "page": page,
            "rows": [(e, _certificate_note(e, certificates)) for e in page.object_list],
            "query": query.urlencode(),
            "back": back.urlencode(),
            "can_reveal": request.user.has_role(*REVEAL_ROLES),
        },
    )


# ---- reports -------------------------------------------------------------------------------------------


@login_required
def report_list(request):
    reports = PeriodicReport.objects.for_user(request.user).select_related("author_org", "submitted_to")
    kind = request.GET.get("kind")
    if kind in ReportKind.values:
        reports = reports.filter(kind=kind)
    incoming = request.GET.get("box") == "incoming"
    if incoming:
        reports = reports.filter(submitted_to=request.user.organisation)
    page = Paginator(reports.order_by("-generated_at", "-id"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/report_list.html",
        {
            "page_title": "统计报告",
            "page": page,
            "kinds": ReportKind.choices,
            "kind": kind,
            "incoming": incoming,
            "can_generate": _can_write(request.user),
            "form": ReportForm(initial={"kind": "quarterly"}),
            **_reporters_status(request),
        },
    )


def _reporters_status(request) -> dict:
    """报送情况 of the organisations reporting to the user's one, for a chosen quarter or year."""
    today = timezone.localdate()
    try:
        period = parse_period(request.GET.get("status_period") or current_quarter(today), today=today)
    except ServiceError:
        period = parse_period(current_quarter(today), today=today)
    kind, rows = reporters_status(request.user, period)
    if not rows:
        return {"reporters": None}
    return {
        "reporters": rows,
        "status_period": period,
        "status_kind": ReportKind(kind).label,
        "status_periods": [c for c in period_choices(today) if "-" not in c[0]],
        "reporters_sent": sum(1 for _, report in rows if report),
    }


@login_required
@require_POST
def report_create(request):
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
        return redirect("reporting:report_list")
    data = form.cleaned_data
    today = timezone.localdate()
    try:
        period = parse_period(data["period"], today=today)
        scope = scope_for(request.user, city=data["city"] or None, unit=data["unit"] or None)
        report = services.report_generate(
            actor=request.user,
            scope=scope,
            period=period,
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            today=today,
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
        return redirect(request.META.get("HTTP_REFERER") or reverse("reporting:report_list"))
    messages.success(request, "报告已生成，数据已按生成时冻结。请核对后报送。")
    return redirect("reporting:report_detail", pk=report.pk)


def _report(request, pk) -> PeriodicReport:
    return get_in_scope(PeriodicReport, request.user, pk=pk)


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    data = report.figures
    user = request.user
    is_author = user.organisation_id == report.author_org_id and _can_write(user)
    return render(
        request,
        "reporting/report_detail.html",
        {
            "page_title": "统计报告",
            **figures_context(data),
            "report": report,
            "title": report.title,
            "live": False,
            "can_edit": is_author and report.status in services.EDITABLE,
            "can_receive": user.organisation_id == report.submitted_to_id
            and report.status == ReportStatus.SUBMITTED
            and _can_write(user),
            "recipient": report_recipient(report.author_org),
            "edit_form": ReportEditForm(initial={"title": report.title, "body": report.body}),
            "receive_form": ReceiveForm(),
        },
    )


@login_required
@require_POST
def report_edit(request, pk):
    report = _report(request, pk)
    form = ReportEditForm(request.POST)
    if form.is_valid():
        services.report_update_body(actor=request.user, report=report, **form.cleaned_data)
        messages.success(request, "报告已保存。")
    else:
        messages.error(request, "请填写标题")
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def report_submit(request, pk):
    report = services.report_submit(actor=request.user, report=_report(request, pk))
    messages.success(request, f"报告已报送至{report.submitted_to.name}。")
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def report_receive(request, pk):
    form = ReceiveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    report = services.report_receive(actor=request.user, report=_report(request, pk), note=note)
    messages.success(request, "已签收。")
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def report_return(request, pk):
    form = ReceiveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        report = services.report_return(actor=request.user, report=_report(request, pk), reason=note)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
        return redirect("reporting:report_detail", pk=pk)
    messages.success(request, f"已退回{report.author_org.name}。")
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def report_delete(request, pk):
    services.report_delete(actor=request.user, report=_report(request, pk))
    messages.success(request, "报告已删除。")
    return redirect("reporting:report_list")


def _subtitle(report: PeriodicReport) -> str:
    generated = timezone.localtime(report.generated_at)
    parts = [
        f"报送单位：{report.author_org.name}",
        f"统计范围：{report.scope_name}",
        f"统计期间：{report.period_label}（{report.period_start:%Y-%m-%d}至{report.period_end:%Y-%m-%d}）",
        f"数据生成：{generated:%Y-%m-%d %H:%M}（冻结）",
    ]
    if report.submitted_at:
        parts.append(
            f"报送：{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M} 至 {report.submitted_to.name}"
        )
    return "　".join(parts)


@login_required
def report_xlsx(request, pk):
    report = _report(request, pk)
    return exports.xlsx_download(
        f"{report.title}.xlsx", exports.workbook_bytes(report.figures, title=report.title)
    )


@login_required
def report_pdf(request, pk):
    from skillbridge.web.pdf import pdf_response

    report = _report(request, pk)
    content = exports.pdf_bytes(
        report.figures, title=report.title, subtitle=_subtitle(report), body=report.body
    )
    return pdf_response(f"{report.title}.pdf", content)


# ---- Anhui 002 二(四)/(五) -----------------------------------------------------------------------------


def _city_hrss_name(unit) -> str:
    from skillbridge.accounts.models import Organisation

    hrss = Organisation.objects.filter(org_type="city_hrss", region_code=unit.city_prefix + "00").first()
    return hrss.name if hrss else "驻在地设区的市人力资源社会保障局"


@login_required
def class_qualified_xlsx(request, pk):
    """培训合格人员名单 of one class, to be sealed and sent to the city HRSS (002 二(四)). ID numbers masked,
    or in full with ``?reveal_reason=`` from a permitted user (audited, as the registry's exports)."""
    from skillbridge.training.models import TrainingClass

    training_class = get_in_scope(TrainingClass, request.user, pk=pk)
    application = training_class.application
    rows = selectors.qualified_trainees(training_class)
    title = f"{training_class.unit.name}培训合格人员名单"
    filename = f"{title}（第{application.period_number}期）"
    shown = id_shown(export_reveal(request, filename, len(rows)))
    subject = application.subject_display
    header = [
        title,
        f"培训工种：{subject}　第{application.period_number}期　培训机构：{training_class.institution.name}",
        f"培训时间：{training_class.date_from:%Y-%m-%d}至{training_class.date_to:%Y-%m-%d}　考核结业："
        f"{training_class.ended_on:%Y-%m-%d}"
        if training_class.ended_on
        else "尚未结业",
        f"报送：{_city_hrss_name(training_class.unit)}　合格人数：{len(rows)}人",
    ]
    columns = ["序号", "姓名", "性别", "身份证号码", "出勤率", "结业日期", "证书编号", "备注"]
    data = [
        [
            i,
            e.person.name,
            e.person.get_sex_display(),
            shown(e.person.id_number),
            f"{e.attendance_ratio * 100:.1f}%" if e.attendance_ratio is not None else "",
            e.exit_on.isoformat() if e.exit_on else "",
            e.class_certificate.official_number if e.class_certificate else "",
            "",
        ]
        for i, e in enumerate(rows, start=1)
    ]
    with transaction.atomic():
        audit_record(
            action="reporting.export",
            actor=request.user,
            obj=training_class,
            changes={"what": "培训合格人员名单"},
        )
    content = exports.simple_workbook(title, header, columns, data, footer=["单位（盖章）：", "填报日期："])
    return exports.xlsx_download(f"{filename}.xlsx", content)


@login_required
def year_statement(request):
    """A unit's year-end completion and fund-use statement (002 二(五)), page + xlsx + PDF."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise ServiceError("年度格式不正确", field="year") from None
    scope = scope_for(request.user, **_drill(request))
    if scope.level != "unit":
        messages.info(request, "请先选择一个单位。")
        return redirect(f"{reverse('reporting:dashboard')}?period={year}")
    unit = scope.units[0]
    data = selectors.year_statement(unit, year, today=today)
    title = f"{unit.name}{year}年度培训任务完成及预拨资金使用情况"
    rows = exports.statement_rows(data)
    export = request.GET.get("export")
    if export in ("xlsx", "pdf"):
        _audit_export(request.user, "年度完成及资金使用情况", scope, parse_period(str(year), today=today))
        if export == "xlsx":
            content = exports.simple_workbook(title, [f"报送：{_city_hrss_name(unit)}"], ["项目", "数值"], rows,
                                              footer=["单位（盖章）：", "负责人：", "填报日期："])  # fmt: skip
            return exports.xlsx_download(f"{title}.xlsx", content)
        from skillbridge.web.pdf import pdf_response

        return pdf_response(f"{title}.pdf", exports.statement_pdf(title, _city_hrss_name(unit), rows))
    return render(
        request,
        "reporting/statement.html",
        {
            "page_title": "统计报表",
            "title": title,
            "rows": rows,
            "scope": scope,
            "year": year,
            "data": data,
            "query": request.GET.urlencode(),
        },
    )
