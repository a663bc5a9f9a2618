"""Pages of the employment services: people approaching release, profiles, handovers, events, agreements,
follow-ups due and the employment rate. Thin: scope → form → one service → redirect. Lists are paginated
with filters and an xlsx export (ID numbers masked)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import NotFound, ServiceError
from skillbridge.policy.errors import PolicyError
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import follow_up_schedule
from skillbridge.registry.idnumbers import mask_id_number
from skillbridge.registry.models import Episode, Person
from skillbridge.web.exports import xlsx_response

from . import selectors, services
from .forms import (
    AgreementFilterForm,
    AgreementForm,
    DueFilterForm,
    EventFilterForm,
    EventForm,
    FollowUpForm,
    HandoverActionForm,
    HandoverFilterForm,
    HandoverForm,
    PeopleFilterForm,
    ProfileForm,
    RateForm,
)
from .models import (
    PES,
    AssistanceAgreement,
    EmploymentProfile,
    EventAttendance,
    Handover,
    HandoverStatus,
    ServiceEvent,
)
from .services import ORGANISER_TYPES, UNIT_TYPES, WRITERS


def _form_error(form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    for detail in exc.details[1:]:
        form.add_error(detail.get("field") if detail.get("field") in form.fields else None, detail["message"])


def _is_writer_of(user, org_id) -> bool:
    return user.organisation_id == org_id and user.has_role(*WRITERS)


def _is_unit_writer(user) -> bool:
    return user.organisation.org_type in UNIT_TYPES and user.has_role(*WRITERS)


def _today() -> date:
    return timezone.localdate()


@login_required
def index(request):
    if selectors.is_service_org(request.user):
        return redirect("employment:handover_list")
    return redirect("employment:people")


# ---- people approaching release ------------------------------------------------------------------------

PEOPLE_HEADERS = [
    "单位", "姓名", "身份证号码", "罪犯编号", "预计释放日期", "释放日期", "就业意向", "有效证书（本）",
    "就业需求", "释放后去向", "就业服务状态", "接收机构",
]  # fmt: skip


@login_required
def people(request):
    if selectors.is_service_org(request.user):
        return redirect("employment:handover_list")
    units = selectors.units_for_user(request.user)
    form = PeopleFilterForm(request.GET or None, units=units)
    phase, unit, status = "approaching", None, ""
    if form.is_valid():
        phase = form.cleaned_data["phase"] or "approaching"
        unit, status = form.cleaned_data["unit"], form.cleaned_data["status"]
    rows = selectors.people_rows(request.user, today=_today(), phase=phase, unit=unit, status=status)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "刑释前就业服务名单.xlsx",
            "就业服务名单",
            PEOPLE_HEADERS,
            (
                (
                    r.episode.unit.name,
                    r.episode.person.name,
                    mask_id_number(r.episode.person.id_number),
                    r.episode.inmate_number,
                    r.release_date,
                    r.released_on,
                    r.episode.employment_intention,
                    r.certificates,
                    r.profile.needs_display if r.profile else "",
                    r.profile.destination_region if r.profile else "",
                    r.status_display,
                    r.handover.recipient.name if r.handover else "",
                )
                for r in rows
            ),
        )
    windows = []
    for u in units if unit is None else [unit]:
        try:
            rule = get_pack(u.policy_pack).employment.pre_release_window_months
        except PolicyError:
            rule = None
        windows.append((u, rule))
    return render(
        request,
        "employment/people.html",
        {
            "form": form,
            "page": Paginator(rows, 20).get_page(request.GET.get("page")),
            "phase": phase,
            "windows": windows,
            "can_write": _is_unit_writer(request.user),
            "page_title": "刑释前就业服务",
        },
    )


def _unit_episode(user, episode_pk: int) -> Episode:
    """An episode for the profile form: the unit side only (a public employment service never reaches
    registry episodes, whatever its registry scope)."""
    if selectors.is_service_org(user):
        raise NotFound("羁押（矫正）记录不存在或不在您的数据权限范围内")
    return get_in_scope(Episode, user, pk=episode_pk)


@login_required
def profile_edit(request, episode_pk: int):
    episode = _unit_episode(request.user, episode_pk)
    profile = EmploymentProfile.objects.filter(episode=episode).first()
    initial = {"employment_intention": episode.employment_intention}
    if profile:
        initial.update(
            destination_region=profile.destination_region,
            destination_address=profile.destination_address,
            needs=profile.needs,
            needs_note=profile.needs_note,
        )
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_save(actor=request.user, episode=episode, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status in (403, 409):
                raise
            _form_error(form, exc)
        else:
            messages.success(request, "就业档案已保存。")
            return redirect("employment:profile_detail", pk=profile.pk)
    return render(
        request,
        "employment/profile_form.html",
        {
            "form": form,
            "episode": episode,
            "profile": profile,
            "certificates": selectors.certificates_of(episode.person_id),
            "page_title": f"就业档案：{episode.person.name}",
        },
    )


@login_required
def profile_detail(request, pk: int):
    get_in_scope(EmploymentProfile, request.user, pk=pk)
    profile = selectors.profile_for_view(request.user, pk)
    user = request.user
    handovers = list(profile.handovers.all())
    open_handover = next((h for h in handovers if h.is_open), None)
    handover_form = None
    if _is_writer_of(user, profile.unit_id) and open_handover is None:
        rules = get_pack(profile.unit.policy_pack).employment
        recipients = selectors.service_orgs(rules.handover_to.value if rules.handover_to else PES).filter(
            region_code__startswith=profile.destination_region[:4]
        )
        handover_form = HandoverForm(initial={"handed_over_on": _today()}, recipients=recipients)
    agreement_form = None
    if open_handover and _is_writer_of(user, open_handover.recipient_id):
        agreement_form = AgreementForm(initial={"signed_on": _today()})
    attended = (
        EventAttendance.objects.filter(person_id=profile.person_id, event__in=selectors.events(user))
        .select_related("event")
        .order_by("-event__held_on")
    )
    return render(
        request,
        "employment/profile_detail.html",
        {
            "profile": profile,
            "episode": profile.episode,
            "certificates": selectors.certificates_of(profile.person_id),
            "handovers": handovers,
            "agreements": selectors.agreements(user).filter(profile=profile),
            "attended": attended,
            "handover_form": handover_form,
            "agreement_form": agreement_form,
            "can_edit": _is_writer_of(user, profile.unit_id),
            "released_on": selectors.released_on(profile.episode),
            "page_title": f"就业档案：{profile.person.name}",
        },
    )


@login_required
@require_POST
def handover_create(request, pk: int):
    profile = get_in_scope(EmploymentProfile, request.user, pk=pk)
    recipients = Organisation.objects.filter(org_type=PES)
    form = HandoverForm(request.POST, recipients=recipients)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("employment:profile_detail", pk=pk)
    try:
        handover = services.handover_create(actor=request.user, profile=profile, **form.cleaned_data)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
        return redirect("employment:profile_detail", pk=pk)
    messages.success(request, f"已移交{handover.recipient.name}。")
    return redirect("employment:handover_detail", pk=handover.pk)


# ---- handovers -----------------------------------------------------------------------------------------

HANDOVER_HEADERS = [
    "编号", "姓名", "身份证号码", "移交单位", "接收机构", "移交日期", "接收日期", "释放日期", "就业意向", "状态",
]  # fmt: skip


@login_required
def handover_list(request):
    form = HandoverFilterForm(request.GET or None)
    rows = selectors.handovers(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["q"]:
            rows = rows.filter(person__name__startswith=form.cleaned_data["q"].strip())
    rows = rows.order_by("-handed_over_on", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "就业服务移交.xlsx",
            "就业服务移交",
            HANDOVER_HEADERS,
            (
                (
                    h.pk,
                    h.person.name,
                    mask_id_number(h.person.id_number),
                    h.unit.name,
                    h.recipient.name,
                    h.handed_over_on,
                    h.received_on,
                    h.released,
                    h.profile.episode.employment_intention,
                    h.get_status_display(),
                )
                for h in rows.iterator(chunk_size=1000)
            ),
        )
    return render(
        request,
        "employment/handover_list.html",
        {
            "form": form,
            "page": Paginator(rows, 20).get_page(request.GET.get("page")),
            "page_title": "就业服务移交",
        },
    )


@login_required
def handover_detail(request, pk: int):
    get_in_scope(Handover, request.user, pk=pk)
    handover = selectors.handovers(request.user).prefetch_related("steps__actor", "follow_ups").get(pk=pk)
    user = request.user
    recipient_writer = _is_writer_of(user, handover.recipient_id)
    schedule = selectors.schedule_for(handover, handover.released, _today())
    follow_up_form = None
    if recipient_writer and handover.status in (HandoverStatus.RECEIVED, HandoverStatus.IN_SERVICE):
        open_rows = [(r.months, r.due_on) for r in schedule if r.state != "done"]
        if open_rows:
            follow_up_form = FollowUpForm(initial={"done_on": _today()}, milestones=open_rows)
    actions = []
    if recipient_writer:
        actions = [
            (name, label)
            for name, label, allowed in [
                ("receive", "接收", handover.status == HandoverStatus.HANDED_OVER),
                ("start", "开始服务", handover.status == HandoverStatus.RECEIVED),
                ("close", "结束服务", handover.is_open),
            ]
            if allowed
        ]
    elif _is_writer_of(user, handover.unit_id) and handover.status == HandoverStatus.HANDED_OVER:
        actions = [("close", "撤回移交")]
    return render(
        request,
        "employment/handover_detail.html",
        {
            "handover": handover,
            "profile": handover.profile,
            "schedule": schedule,
            "follow_up_form": follow_up_form,
            "actions": actions,
            "action_form": HandoverActionForm(initial={"on": _today()}),
            "certificates": selectors.certificates_of(handover.person_id),
            "page_title": f"就业服务移交：{handover.person.name}",
        },
    )


@login_required
@require_POST
def handover_action(request, pk: int, action: str):
    handover = get_in_scope(Handover, request.user, pk=pk)
    form = HandoverActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写日期")
        return redirect("employment:handover_detail", pk=pk)
    on, note = form.cleaned_data["on"], form.cleaned_data["note"]
    try:
        if action == "receive":
            services.handover_receive(actor=request.user, handover=handover, on=on, note=note)
        elif action == "start":
            services.handover_start_service(actor=request.user, handover=handover, on=on, note=note)
        elif action == "close":
            services.handover_close(actor=request.user, handover=handover, on=on, reason=note)
        else:
            raise NotFound("未知的操作")
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "已办理。")
    return redirect("employment:handover_detail", pk=pk)


@login_required
@require_POST
def follow_up_create(request, pk: int):
    handover = get_in_scope(Handover, request.user, pk=pk)
    released = selectors.released_on(handover.profile.episode)
    milestones = follow_up_schedule(released, get_pack(handover.unit.policy_pack)) if released else ()
    form = FollowUpForm(request.POST, milestones=milestones)
    if form.is_valid():
        data = form.service_data()
        try:
            services.follow_up_record(
                actor=request.user,
                handover=handover,
                milestone_months=data.pop("milestone_months"),
                data=data,
                today=_today(),
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, "回访已登记。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("employment:handover_detail", pk=pk)


# ---- follow-ups due ------------------------------------------------------------------------------------

DUE_HEADERS = ["姓名", "身份证号码", "移交单位", "接收机构", "释放日期", "回访节点", "应回访日期", "状态"]


@login_required
def follow_up_due(request):
    form = DueFilterForm(request.GET or None)
    states = ("due", "overdue")
    if form.is_valid() and form.cleaned_data["state"]:
        states = (form.cleaned_data["state"],)
    rows = selectors.due_follow_ups(request.user, today=_today(), states=states)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "就业回访.xlsx",
            "就业回访",
            DUE_HEADERS,
            (
                (
                    r.handover.person.name,
                    mask_id_number(r.handover.person.id_number),
                    r.handover.unit.name,
                    r.handover.recipient.name,
                    r.released_on,
                    f"释放后{r.months}个月",
                    r.due_on,
                    r.state_display,
                )
                for r in rows
            ),
        )
    return render(
        request,
        "employment/follow_up_due.html",
        {
            "form": form,
            "page": Paginator(rows, 20).get_page(request.GET.get("page")),
            "page_title": "就业回访",
        },
    )


# ---- events --------------------------------------------------------------------------------------------

EVENT_HEADERS = ["编号", "活动日期", "活动类型", "活动名称", "举办单位", "服务机构", "地点", "参加人数"]


@login_required
def event_list(request):
    form = EventFilterForm(request.GET or None)
    rows = selectors.events(request.user).annotate(attendees=Count("attendances"))
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["date_from"]:
            rows = rows.filter(held_on__gte=data["date_from"])
        if data["date_to"]:
            rows = rows.filter(held_on__lte=data["date_to"])
    rows = rows.order_by("-held_on", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "就业服务活动.xlsx",
            "就业服务活动",
            EVENT_HEADERS,
            (
                (
                    e.pk,
                    e.held_on,
                    e.get_kind_display(),
                    e.title,
                    e.unit.name,
                    e.organiser.name if e.organiser else "",
                    e.venue,
                    e.attendees,
                )
                for e in rows
            ),
        )
    return render(
        request,
        "employment/event_list.html",
        {
            "form": form,
            "page": Paginator(rows, 20).get_page(request.GET.get("page")),
            "can_create": _is_unit_writer(request.user),
            "page_title": "就业服务活动",
        },
    )


def _organisers(unit: Organisation):
    return Organisation.objects.filter(
        org_type__in=ORGANISER_TYPES, region_code__startswith=unit.city_prefix, is_active=True
    ).order_by("org_type", "name")


@login_required
def event_create(request):
    unit = request.user.organisation
    form = EventForm(request.POST or None, initial={"held_on": _today()}, organisers=_organisers(unit))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status == 403:
                raise
            _form_error(form, exc)
        else:
            messages.success(request, "活动已登记，请登记参加人员。")
            return redirect("employment:event_detail", pk=event.pk)
    return render(request, "employment/event_form.html", {"form": form, "page_title": "登记就业服务活动"})


@login_required
def event_detail(request, pk: int):
    event = get_in_scope(ServiceEvent, request.user, pk=pk)
    writer = _is_writer_of(request.user, event.unit_id)
    candidates = []
    if writer:
        present = set(event.attendances.values_list("person_id", flat=True))
        candidates = [
            r
            for r in selectors.people_rows(request.user, today=event.held_on, unit=event.unit)
            if r.episode.person_id not in present
        ]
    return render(
        request,
        "employment/event_detail.html",
        {
            "event": event,
            "attendees": selectors.event_attendees(request.user, event),
            "total": event.attendances.count(),
            "candidates": candidates,
            "can_write": writer,
            "page_title": str(event),
        },
    )


@login_required
@require_POST
def event_attendance(request, pk: int):
    event = get_in_scope(ServiceEvent, request.user, pk=pk)
    ids = [int(i) for i in request.POST.getlist("people") if i.isdigit()]
    people = list(Person.objects.filter(pk__in=ids))
    try:
        services.attendance_add(actor=request.user, event=event, people=people)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        for detail in exc.details or [{"message": exc.message}]:
            messages.error(request, detail["message"])
    else:
        messages.success(request, f"已登记{len(people)}人参加。")
    return redirect("employment:event_detail", pk=pk)


# ---- agreements ----------------------------------------------------------------------------------------

AGREEMENT_HEADERS = [
    "协议编号",
    "姓名",
    "身份证号码",
    "单位",
    "帮扶机构",
    "签订日期",
    "帮扶期限至",
    "帮扶目标",
    "状态",
]


@login_required
def agreement_list(request):
    form = AgreementFilterForm(request.GET or None)
    rows = selectors.agreements(request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    rows = rows.order_by("-signed_on", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "个性化就业帮扶协议.xlsx",
            "帮扶协议",
            AGREEMENT_HEADERS,
            (
                (
                    a.number,
                    a.person.name,
                    mask_id_number(a.person.id_number),
                    a.unit.name,
                    a.provider.name,
                    a.signed_on,
                    a.valid_until,
                    a.goals,
                    a.get_status_display(),
                )
                for a in rows
            ),
        )
    return render(
        request,
        "employment/agreement_list.html",
        {
            "form": form,
            "page": Paginator(rows, 20).get_page(request.GET.get("page")),
            "page_title": "个性化就业帮扶协议",
        },
    )


@login_required
@require_POST
def agreement_create(request, pk: int):
    profile = get_in_scope(EmploymentProfile, request.user, pk=pk)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("employment:profile_detail", pk=pk)
    try:
        services.agreement_create(actor=request.user, profile=profile, data=form.cleaned_data)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "帮扶协议已登记。")
    return redirect("employment:profile_detail", pk=pk)


@login_required
@require_POST
def agreement_status(request, pk: int):
    agreement = get_in_scope(AssistanceAgreement, request.user, pk=pk)
    services.agreement_set_status(
        actor=request.user, agreement=agreement, status=request.POST.get("status", "")
    )
    messages.success(request, "协议状态已更新。")
    return redirect("employment:agreement_list")


# ---- employment rate -----------------------------------------------------------------------------------


@login_required
def rate(request):
    today = _today()
    units = selectors.units_for_user(request.user)
    data = request.GET or {"date_from": date(today.year, 1, 1).isoformat(), "date_to": today.isoformat()}
    form = RateForm(data, units=units)
    figure = None
    if form.is_valid():
        figure = selectors.employment_rate(
            request.user,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            unit=form.cleaned_data["unit"],
            milestone=form.cleaned_data["milestone"],
        )
    return render(
        request,
        "employment/rate.html",
        {"form": form, "figure": figure, "show_units": units.exists(), "page_title": "刑释人员就业率"},
    )
