"""Pages: class applications (附件4) and classes (roster, sessions, attendance, online minutes, completion).

Thin views: scope (get_in_scope → 404 outside it) → form → one service → redirect or htmx fragment. A
refused action (ServiceError) on a plain POST is shown by ServiceErrorMiddleware as a message.
"""

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
from skillbridge.registry.models import Person
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error
from skillbridge.web.pdf import pdf_response

from . import documents, selectors, services
from .checks import CLASS_HOUR_MINUTES, application_problems, completion_ratio
from .forms import (
    ApplicationFilterForm,
    ApplicationForm,
    ClassFilterForm,
    DateForm,
    ExitForm,
    OnlineForm,
    SessionForm,
)
from .models import (
    ClassApplication,
    Enrolment,
    EnrolmentStatus,
    OnlineLearning,
    TrainingClass,
    TrainingSession,
)
from .services.applications import WRITERS


def _is_unit_writer(user, unit) -> bool:
    return user.organisation_id == unit.pk and user.has_role(*WRITERS)


def _xlsx_bytes(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ---- applications --------------------------------------------------------------------------------------

APPLICATION_HEADERS = [
    "编号", "单位", "计划年度", "培训机构", "培训工种类别、名称", "培训人数", "班期", "开始日期", "结束日期",
    "天数", "课时", "状态",
]  # fmt: skip


@login_required
def application_list(request):
    form = ApplicationFilterForm(request.GET or None)
    rows = selectors.applications(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["year"]:
            rows = rows.filter(plan_year=data["year"])
        if data["status"] == "draft":
            rows = rows.filter(review__isnull=True)
        elif data["status"]:
            rows = rows.filter(review__status=data["status"])
    rows = rows.order_by("-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "办班申报.xlsx",
            "办班申报",
            APPLICATION_HEADERS,
            (
                (
                    a.pk,
                    a.unit.name,
                    a.plan_year,
                    a.institution.name,
                    a.subject_display,
                    a.trainees,
                    f"第{a.period_number}期 共{a.period_total}班",
                    a.date_from,
                    a.date_to,
                    a.days,
                    a.class_hours,
                    a.status_display,
                )
                for a in rows.iterator(chunk_size=1000)
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
        "training/application_list.html",
        {"form": form, "page": page, "can_create": can_create, "page_title": "办班申报"},
    )


@login_required
def application_create(request):
    form = ApplicationForm(request.POST or None, unit=request.user.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status == 403:
                raise
            form_error(form, exc)
        else:
            messages.success(request, "办班申报已保存为草稿，请检查后报送。")
            return redirect("training:application_detail", pk=application.pk)
    return render(
        request,
        "training/application_form.html",
        {"form": form, "application": None, "page_title": "新建办班申报"},
    )


@login_required
def application_edit(request, pk: int):
    application = get_in_scope(ClassApplication, request.user, pk=pk)
    initial = {key: getattr(application, key) for key in services.APPLICATION_FIELDS}
    form = ApplicationForm(request.POST or None, unit=application.unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(actor=request.user, application=application, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status in (403, 409):
                raise
            form_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("training:application_detail", pk=pk)
    return render(
        request,
        "training/application_form.html",
        {"form": form, "application": application, "page_title": f"修改办班申报：{application}"},
    )


@login_required
def application_detail(request, pk: int):
    get_in_scope(ClassApplication, request.user, pk=pk)
    application = selectors.applications(request.user).get(pk=pk)
    writer = _is_unit_writer(request.user, application.unit)
    problems = application_problems(application) if application.is_editable else []
    return render(
        request,
        "training/application_detail.html",
        {
            "application": application,
            "fields": documents.form_fields(application),
            "stages": selectors.application_stage_opinions(application),
            "problems": problems,
            "can_edit": writer and application.is_editable,
            "can_delete": writer and not application.review_id,
            "training_class": getattr(application, "training_class", None),
            "page_title": str(application),
        },
    )


@login_required
@require_POST
def application_submit(request, pk: int):
    application = get_in_scope(ClassApplication, request.user, pk=pk)
    services.application_submit(actor=request.user, application=application)
    messages.success(request, "已报送审核。")
    return redirect("training:application_detail", pk=pk)


@login_required
@require_POST
def application_delete(request, pk: int):
    application = get_in_scope(ClassApplication, request.user, pk=pk)
    services.application_delete(actor=request.user, application=application)
    messages.success(request, "草稿已删除。")
    return redirect("training:application_list")


@login_required
def application_form_xlsx(request, pk: int):
    application = get_in_scope(ClassApplication, request.user, pk=pk)
    return _xlsx_bytes(f"办班申报表_{application.pk}.xlsx", documents.application_xlsx(application))


@login_required
def application_form_pdf(request, pk: int):
    application = get_in_scope(ClassApplication, request.user, pk=pk)
    return pdf_response(f"办班申报表_{application.pk}.pdf", documents.application_pdf(application))


# ---- classes -------------------------------------------------------------------------------------------

CLASS_HEADERS = [
    "编号",
    "单位",
    "培训机构",
    "培训工种类别、名称",
    "班期",
    "开班日期",
    "结业日期",
    "核定人数",
    "在册人数",
    "状态",
]


@login_required
def class_list(request):
    form = ClassFilterForm(request.GET or None)
    rows = selectors.classes(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["year"]:
            rows = rows.filter(date_from__year=form.cleaned_data["year"])
    rows = rows.order_by("-date_from", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "培训班.xlsx",
            "培训班",
            CLASS_HEADERS,
            (
                (
                    c.pk,
                    c.unit.name,
                    c.institution.name,
                    c.application.subject_display,
                    f"第{c.application.period_number}期",
                    c.date_from,
                    c.ended_on or c.date_to,
                    c.application.trainees,
                    c.enrolments.exclude(status__in=["released", "transferred", "withdrawn"]).count(),
                    c.get_status_display(),
                )
                for c in rows.iterator(chunk_size=500)
            ),
        )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "training/class_list.html", {"form": form, "page": page, "page_title": "培训班"})


def _class(request, pk: int) -> TrainingClass:
    get_in_scope(TrainingClass, request.user, pk=pk)
    return selectors.classes(request.user).get(pk=pk)


@login_required
def class_detail(request, pk: int):
    training_class = _class(request, pk)
    today = timezone.localdate()
    summary = selectors.attendance_summary(training_class)
    enrolments = list(selectors.roster(training_class))
    writer = _is_unit_writer(request.user, training_class.unit)
    return render(
        request,
        "training/class_detail.html",
        {
            "c": training_class,
            "a": training_class.application,
            "roster": [
                (e, summary.get(e.pk), ExitForm(prefix=f"x{e.pk}", initial={"on": today})) for e in enrolments
            ],
            "sessions": training_class.sessions.all(),
            "share": selectors.session_share(training_class),
            "deadline": selectors.data_entry_status(training_class, today),
            "online_rule": selectors.online_credit_ratio(training_class),
            "threshold": training_class.completion_ratio or completion_ratio(),
            "class_hour_minutes": CLASS_HOUR_MINUTES,
            "can_write": writer and training_class.status == "open",
            "can_session": training_class.status == "open"
            and request.user.organisation_id in (training_class.unit_id, training_class.institution_id)
            and request.user.has_role(*WRITERS),
            "is_unit_writer": writer,
            "today": today,
            "page_title": str(training_class),
        },
    )


@login_required
def roster_add(request, pk: int):
    training_class = _class(request, pk)
    services.require_unit_writer(request.user, training_class.unit)
    today = timezone.localdate()
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("person") if i.isdigit()]
        people = list(Person.objects.for_user(request.user).filter(pk__in=ids))
        try:
            added = services.enrolments_add(
                actor=request.user, training_class=training_class, people=people, today=today
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            for detail in exc.details or [{"message": exc.message}]:
                messages.error(request, detail["message"])
        else:
            messages.success(request, f"已加入{len(added)}名学员。")
            return redirect("training:class_detail", pk=pk)
    candidates = selectors.roster_candidates(request.user, training_class, today=today)
    return render(
        request,
        "training/roster_add.html",
        {"c": training_class, "candidates": candidates, "page_title": f"添加学员：{training_class}"},
    )


@login_required
@require_POST
def enrolment_exit(request, pk: int):
    enrolment = get_in_scope(Enrolment, request.user, pk=pk)
    form = ExitForm(request.POST, prefix=f"x{pk}")
    if not form.is_valid():
        raise ServiceError("请填写离班类型、日期和说明", field="reason")
    data = form.cleaned_data
    services.enrolment_exit(
        actor=request.user, enrolment=enrolment, status=data["status"], on=data["on"], reason=data["reason"]
    )
    messages.success(request, f"已登记{enrolment.person.name}离班。")
    return redirect("training:class_detail", pk=enrolment.training_class_id)


ROSTER_HEADERS = [
    "姓名",
    "身份证号码",
    "罪犯编号",
    "状态",
    "面授出勤（分钟）",
    "在线学习（分钟）",
    "在线计入（分钟）",
    "出勤率",
    "离班日期",
    "说明",
]


@login_required
def roster_export(request, pk: int):
    training_class = _class(request, pk)
    summary = selectors.attendance_summary(training_class)
    rows = []
    for e in selectors.roster(training_class):
        s = summary[e.pk]
        rows.append(
            (
                e.person.name,
                e.person.masked_id_number,
                e.episode.inmate_number,
                e.get_status_display(),
                s.classroom_minutes,
                s.online_session_minutes + s.platform_minutes,
                s.online_credited,
                f"{s.ratio:.2%}",
                e.exit_on,
                e.exit_reason,
            )
        )
    return xlsx_response(f"学员名单_{training_class.pk}.xlsx", "学员名单", ROSTER_HEADERS, rows)


# ---- sessions and attendance ---------------------------------------------------------------------------


@login_required
def session_create(request, pk: int):
    training_class = _class(request, pk)
    form = SessionForm(
        request.POST or None, initial={"date": training_class.date_from, "minutes": 2 * CLASS_HOUR_MINUTES}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_create(actor=request.user, training_class=training_class, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status in (403, 409):
                raise
            form_error(form, exc)
        else:
            messages.success(request, "课次已添加。")
            return redirect("training:class_detail", pk=pk)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "c": training_class, "session": None, "page_title": "添加课次"},
    )


@login_required
def session_edit(request, pk: int):
    session = get_in_scope(TrainingSession, request.user, pk=pk)
    training_class = _class(request, session.training_class_id)
    initial = {key: getattr(session, key) for key in services.SESSION_FIELDS}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, session=session, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status in (403, 409):
                raise
            form_error(form, exc)
        else:
            messages.success(request, "课次已保存。")
            return redirect("training:class_detail", pk=training_class.pk)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "c": training_class, "session": session, "page_title": "修改课次"},
    )


def _attendance_context(request, session, errors=(), saved=""):
    training_class = session.training_class
    return {
        "saved": saved,
        "session": session,
        "c": training_class,
        "rows": selectors.attendance_grid(session),
        "can_mark": _is_unit_writer(request.user, training_class.unit)
        and not session.is_locked
        and training_class.status == "open",
        "errors": errors,
        "page_title": f"考勤：{session}",
    }


@login_required
def session_attendance(request, pk: int):
    session = get_in_scope(TrainingSession, request.user, pk=pk)
    if request.GET.get("export") == "xlsx":
        rows = (
            (
                e.person.name,
                e.episode.inmate_number,
                e.get_status_display(),
                a.minutes if a else "",
                a.note if a else "",
            )
            for e, a in selectors.attendance_grid(session)
        )
        headers = ["姓名", "罪犯编号", "学员状态", f"出勤（分钟，满{session.minutes}）", "说明"]
        return xlsx_response(f"考勤_{session.pk}.xlsx", "考勤", headers, rows)
    return render(request, "training/attendance.html", _attendance_context(request, session))


@login_required
@require_POST
def attendance_save(request, pk: int):
    """The grid's exceptions: every row's minutes as posted (htmx re-renders the grid in place)."""
    session = get_in_scope(TrainingSession, request.user, pk=pk)
    entries, errors, saved = [], [], ""
    for key, value in request.POST.items():
        if not key.startswith("m_"):
            continue
        person_id = int(key[2:]) if key[2:].isdigit() else None
        value = value.strip()
        if value == "":
            continue
        if not value.isdigit():
            errors.append(f"出勤分钟“{value}”不是非负整数")
            continue
        entries.append(
            {"person_id": person_id, "minutes": int(value), "note": request.POST.get(f"n_{key[2:]}", "")}
        )
    if not errors:
        try:
            count = services.attendance_set(actor=request.user, session=session, entries=entries)
        except ServiceError as exc:
            if exc.status == 403:
                raise
            errors = [d["message"] for d in exc.details] or [exc.message]
        else:
            saved = f"已保存{count}人的考勤。"
    if request.headers.get("HX-Request"):
        # The fragment shows the outcome itself: a message stored here would surface on the next page.
        session.refresh_from_db()
        return render(
            request, "training/_attendance_grid.html", _attendance_context(request, session, errors, saved)
        )
    if saved:
        messages.success(request, saved)
    for error in errors:
        messages.error(request, error)
    return redirect("training:session_attendance", pk=pk)


@login_required
@require_POST
def attendance_all_present(request, pk: int):
    session = get_in_scope(TrainingSession, request.user, pk=pk)
    count = services.attendance_mark_all_present(actor=request.user, session=session)
    messages.success(request, f"已为{count}名学员登记全勤（{session.minutes}分钟）；已登记的考勤保持不变。")
    return redirect("training:session_attendance", pk=pk)


@login_required
@require_POST
def session_sign_off(request, pk: int):
    session = get_in_scope(TrainingSession, request.user, pk=pk)
    services.session_sign_off(actor=request.user, session=session)
    messages.success(request, "考勤已签认并锁定。")
    return redirect("training:session_attendance", pk=pk)


@login_required
def sign_in_sheet(request, pk: int):
    session = get_in_scope(TrainingSession, request.user, pk=pk)
    enrolments = [e for e in selectors.roster(session.training_class) if e.status == EnrolmentStatus.ACTIVE]
    return pdf_response(
        f"签到表_{session.date:%Y%m%d}_{session.pk}.pdf", documents.sign_in_pdf(session, enrolments)
    )


SESSION_HEADERS = ["日期", "开始时间", "时长（分钟）", "类型", "内容", "授课教师", "考勤签认"]


@login_required
def sessions_export(request, pk: int):
    training_class = _class(request, pk)
    rows = (
        (
            s.date,
            s.start_time.strftime("%H:%M"),
            s.minutes,
            s.get_kind_display(),
            s.topic,
            s.teacher,
            timezone.localtime(s.signed_off_at).strftime("%Y-%m-%d %H:%M") if s.signed_off_at else "未签认",
        )
        for s in training_class.sessions.all()
    )
    return xlsx_response(f"课次_{training_class.pk}.xlsx", "课次", SESSION_HEADERS, rows)


# ---- online learning, completion, data entry -----------------------------------------------------------


@login_required
def online_minutes(request, pk: int):
    training_class = _class(request, pk)
    active = [e for e in selectors.roster(training_class) if e.status == EnrolmentStatus.ACTIVE]
    form = OnlineForm(request.POST or None, enrolments=active)
    records = (
        OnlineLearning.objects.for_user(request.user)
        .filter(enrolment__training_class=training_class)
        .select_related("enrolment__person", "entered_by")
        .order_by("enrolment__person__name", "platform")
    )
    if request.GET.get("export") == "xlsx":
        rows = (
            (
                r.enrolment.person.name,
                r.enrolment.person.masked_id_number,
                r.platform,
                r.minutes,
                r.get_source_display(),
                timezone.localtime(r.updated_at).strftime("%Y-%m-%d %H:%M"),
            )
            for r in records
        )
        return xlsx_response(
            f"在线学习_{training_class.pk}.xlsx",
            "在线学习",
            ["姓名", "身份证号码", "平台名称", "学习分钟数", "来源", "更新时间"],
            rows,
        )
    if request.method == "POST" and form.is_valid():
        enrolment = get_in_scope(
            Enrolment, request.user, pk=form.cleaned_data["enrolment"], training_class=training_class
        )
        try:
            services.online_minutes_set(
                actor=request.user,
                enrolment=enrolment,
                platform=form.cleaned_data["platform"],
                minutes=form.cleaned_data["minutes"],
            )
        except ServiceError as exc:
            if exc.status in (403, 409):
                raise
            form_error(form, exc)
        else:
            messages.success(request, "在线学习分钟数已保存。")
            return redirect("training:online_minutes", pk=pk)
    return render(
        request,
        "training/online.html",
        {
            "c": training_class,
            "form": form,
            "records": records,
            "rule": selectors.online_credit_ratio(training_class),
            "can_write": _is_unit_writer(request.user, training_class.unit)
            and training_class.status == "open",
            "page_title": f"在线学习：{training_class}",
        },
    )


@login_required
@require_POST
def class_complete(request, pk: int):
    training_class = _class(request, pk)
    form = DateForm(request.POST)
    if not form.is_valid():
        raise ServiceError("请填写考核结业日期", field="ended_on")
    services.class_complete(
        actor=request.user, training_class=training_class, ended_on=form.cleaned_data["on"]
    )
    messages.success(request, "已办理结业。")
    return redirect("training:class_detail", pk=pk)


@login_required
@require_POST
def class_data_entered(request, pk: int):
    training_class = _class(request, pk)
    form = DateForm(request.POST)
    if not form.is_valid():
        raise ServiceError("请填写录入日期", field="on")
    services.class_data_entered(actor=request.user, training_class=training_class, on=form.cleaned_data["on"])
    messages.success(request, "已登记学员信息录入。")
    return redirect("training:class_detail", pk=pk)
