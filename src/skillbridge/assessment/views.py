"""Pages: assessment applications (附件6), results per candidate (one form for the whole list, or an xlsx
import) and certificates for the candidates who passed.

Thin views: scope (get_in_scope → 404 outside it) → form → one service → redirect. A refused action
(ServiceError) on a plain POST is shown by ServiceErrorMiddleware as a message.
"""

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import ServiceError
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error
from skillbridge.web.pdf import pdf_response

from . import documents, selectors, services
from .checks import application_problems
from .forms import OUTCOME_CHOICES, ApplicationForm, FilterForm
from .models import AssessmentApplication, Outcome
from .routes import route_for_class
from .services import WRITERS


def _xlsx_bytes(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _writer_of(user, *orgs) -> bool:
    return user.organisation_id in {o.pk for o in orgs} and user.has_role(*WRITERS)


# ---- applications --------------------------------------------------------------------------------------

HEADERS = [
    "编号", "单位", "鉴定职业（工种）", "鉴定等级", "培训班", "考核评价方式", "考核评价机构", "颁发证书",
    "鉴定日期", "鉴定人数", "填报日期", "状态",
]  # fmt: skip


@login_required
def application_list(request):
    form = FilterForm(request.GET or None)
    rows = selectors.applications(request.user)
    if form.is_valid():
        status, route = form.cleaned_data["status"], form.cleaned_data["route"]
        if status == "draft":
            rows = rows.filter(review__isnull=True)
        elif status:
            rows = rows.filter(review__status=status)
        if route:
            rows = rows.filter(route=route)
    rows = rows.order_by("-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "鉴定申报.xlsx",
            "鉴定申报",
            HEADERS,
            (
                (
                    a.pk,
                    a.unit.name,
                    a.subject_name,
                    str(a.level) if a.level_id else "",
                    str(a.training_class),
                    a.get_route_display(),
                    a.examiner.name,
                    a.certificate_type.name,
                    a.assessment_date,
                    a.candidates,
                    a.filled_on,
                    a.status_display,
                )
                for a in rows.iterator(chunk_size=500)
            ),
        )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    can_create = request.user.has_role(*WRITERS) and request.user.organisation.org_type in (
        "prison",
        "rehab_centre",
        "community_correction_office",
    )
    return render(
        request,
        "assessment/application_list.html",
        {"form": form, "page": page, "can_create": can_create, "page_title": "鉴定申报"},
    )


def _form_page(request, form, application):
    routes = []
    for c in form.fields["training_class"].queryset:
        try:
            decision = route_for_class(c)
        except ServiceError:
            continue
        routes.append((c, decision))
    return render(
        request,
        "assessment/application_form.html",
        {
            "form": form,
            "application": application,
            "routes": routes,
            "page_title": "修改鉴定申报" if application else "新建鉴定申报",
        },
    )


@login_required
def application_create(request):
    initial = {"filled_on": timezone.localdate()}
    if request.GET.get("class"):
        initial["training_class"] = request.GET["class"]
    form = ApplicationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status == 403:
                raise
            form_error(form, exc)
        else:
            messages.success(request, "鉴定申报已保存为草稿，请检查后报送。")
            return redirect("assessment:application_detail", pk=application.pk)
    return _form_page(request, form, None)


@login_required
def application_edit(request, pk: int):
    application = get_in_scope(AssessmentApplication, request.user, pk=pk)
    initial = {key: getattr(application, key) for key in services.APPLICATION_FIELDS}
    form = ApplicationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(actor=request.user, application=application, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status in (403, 409):
                raise
            form_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("assessment:application_detail", pk=pk)
    return _form_page(request, form, application)


@login_required
def application_detail(request, pk: int):
    get_in_scope(AssessmentApplication, request.user, pk=pk)
    application = selectors.applications(request.user).get(pk=pk)
    unit_writer = _writer_of(request.user, application.unit)
    return render(
        request,
        "assessment/application_detail.html",
        {
            "application": application,
            "fields": documents.form_values(application),
            "stages": selectors.stage_opinions(application),
            "problems": application_problems(application) if application.is_editable else [],
            "route": route_for_class(application.training_class),
            "counts": selectors.result_counts(application),
            "can_edit": unit_writer and application.is_editable,
            "can_delete": unit_writer and not application.review_id,
            "can_enter": application.is_approved
            and _writer_of(request.user, application.unit, application.examiner),
            "can_issue": application.is_approved and _writer_of(request.user, application.examiner),
            "page_title": str(application),
        },
    )


@login_required
@require_POST
def application_submit(request, pk: int):
    application = get_in_scope(AssessmentApplication, request.user, pk=pk)
    services.application_submit(actor=request.user, application=application)
    messages.success(request, "已报送审核。")
    return redirect("assessment:application_detail", pk=pk)


@login_required
@require_POST
def application_delete(request, pk: int):
    application = get_in_scope(AssessmentApplication, request.user, pk=pk)
    services.application_delete(actor=request.user, application=application)
    messages.success(request, "草稿已删除。")
    return redirect("assessment:application_list")


@login_required
def application_form_xlsx(request, pk: int):
    application = get_in_scope(AssessmentApplication, request.user, pk=pk)
    return _xlsx_bytes(f"鉴定申报表_{application.pk}.xlsx", documents.application_xlsx(application))


@login_required
def application_form_pdf(request, pk: int):
    application = get_in_scope(AssessmentApplication, request.user, pk=pk)
    return pdf_response(f"鉴定申报表_{application.pk}.pdf", documents.application_pdf(application))


# ---- results ---------------------------------------------------------------------------------------------


def _roster(application):
    return list(application.training_class.enrolments.select_related("person", "episode").order_by("id"))


@login_required
def results(request, pk: int):
    """All candidates of the class in one form; a row left entirely blank is not entered."""
    application = get_in_scope(AssessmentApplication, request.user, pk=pk)
    roster = _roster(application)
    existing = {r.person_id: r for r in selectors.results(application)}
    can_enter = application.is_approved and _writer_of(request.user, application.unit, application.examiner)
    errors: dict[int, list[str]] = {}
    posted: dict[int, dict] = {}
    if request.method == "POST":
        rows = []
        for i, e in enumerate(roster, start=1):
            values = {
                "theory_score": request.POST.get(f"theory_{e.person_id}", "").strip(),
                "practical_score": request.POST.get(f"practical_{e.person_id}", "").strip(),
                "outcome": request.POST.get(f"outcome_{e.person_id}", "").strip(),
            }
            posted[e.person_id] = values
            if any(values.values()):
                rows.append({**values, "person_id": e.person_id, "row": i})
        try:
            created, updated = services.results_save(actor=request.user, application=application, rows=rows)
        except ServiceError as exc:
            if exc.status in (403, 409, 404):
                raise
            by_row = {i: e.person_id for i, e in enumerate(roster, start=1)}
            for d in exc.details or [{"row": None, "message": exc.message}]:
                errors.setdefault(by_row.get(d.get("row")), []).append(d["message"])
            messages.error(request, f"成绩未保存：{exc.message}")
        else:
            messages.success(
                request, f"已保存{created + updated}名考生的成绩（新增{created}，更新{updated}）。"
            )
            return redirect("assessment:results", pk=pk)
    lines = []
    for i, e in enumerate(roster, start=1):
        r = existing.get(e.person_id)
        values = posted.get(e.person_id) or {
            "theory_score": "" if r is None or r.theory_score is None else r.theory_score,
            "practical_score": "" if r is None or r.practical_score is None else r.practical_score,
            "outcome": r.outcome if r else "",
        }
        lines.append(
            {
                "n": i,
                "enrolment": e,
                "result": r,
                "values": values,
                "errors": errors.get(e.person_id, []),
                "eligible": e.status == "completed" and not (r and r.certificate_id),
            }
        )
    return render(
        request,
        "assessment/results.html",
        {
            "application": application,
            "lines": lines,
            "form_errors": errors.get(None, []),
            "outcomes": OUTCOME_CHOICES,
            "can_enter": can_enter,
            "counts": selectors.result_counts(application),
            "page_title": f"鉴定成绩：{application}",
        },
    )


@login_required
def results_template(request, pk: int):
    application = get_in_scope(AssessmentApplication, request.user, pk=pk)
    enrolments = [e for e in _roster(application) if e.status == "completed"]
    existing = {r.person_id: r for r in selectors.results(application)}
    return _xlsx_bytes(
        f"鉴定成绩_{application.pk}.xlsx", documents.results_template_xlsx(application, enrolments, existing)
    )


# ---- certificates ----------------------------------------------------------------------------------------


@login_required
def certificates(request, pk: int):
    """Passed candidates with their certificate, or a number to fill in; one form issues them all."""
    application = get_in_scope(AssessmentApplication, request.user, pk=pk)
    rows = list(selectors.results(application))
    can_issue = application.is_approved and _writer_of(request.user, application.examiner)
    errors: dict[int, list[str]] = {}
    issue_date = request.POST.get("issue_date", "") or timezone.localdate().isoformat()
    if request.method == "POST":
        items = []
        for i, r in enumerate(rows, start=1):
            number = request.POST.get(f"number_{r.pk}", "").strip()
            if number and not r.certificate_id:
                items.append({"result": r, "official_number": number, "row": i})
        try:
            day = dt.date.fromisoformat(issue_date)
        except ValueError:
            day = None
        try:
            issued = services.certificates_issue(
                actor=request.user, application=application, items=items, issue_date=day
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            by_row = {i: r.pk for i, r in enumerate(rows, start=1)}
            for d in exc.details or [{"row": None, "message": exc.message}]:
                errors.setdefault(by_row.get(d.get("row")), []).append(d["message"])
            messages.error(request, f"证书未颁发：{exc.message}")
        else:
            messages.success(request, f"已颁发{len(issued)}本证书。")
            return redirect("assessment:certificates", pk=pk)
    lines = [
        {
            "n": i,
            "result": r,
            "number": request.POST.get(f"number_{r.pk}", ""),
            "errors": errors.get(r.pk, []),
            "passed": r.outcome == Outcome.PASSED,
        }
        for i, r in enumerate(rows, start=1)
    ]
    return render(
        request,
        "assessment/certificates.html",
        {
            "application": application,
            "lines": lines,
            "form_errors": errors.get(None, []),
            "issue_date": issue_date,
            "can_issue": can_issue,
            "page_title": f"颁发证书：{application}",
        },
    )
