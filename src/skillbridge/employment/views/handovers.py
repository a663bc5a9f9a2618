"""Handovers (receive, start, close), follow-ups and the follow-ups due."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import NotFound, ServiceError
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import follow_up_schedule
from skillbridge.registry.idnumbers import mask_id_number
from skillbridge.web.exports import xlsx_response

from .. import selectors, services
from ..forms import (
    DueFilterForm,
    FollowUpForm,
    HandoverActionForm,
    HandoverFilterForm,
)
from ..models import (
    Handover,
    HandoverStatus,
)
from .common import is_writer_of, today

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
    recipient_writer = is_writer_of(user, handover.recipient_id)
    schedule = selectors.schedule_for(handover, handover.released, today())
    follow_up_form = None
    if recipient_writer and handover.status in (HandoverStatus.RECEIVED, HandoverStatus.IN_SERVICE):
        open_rows = [(r.months, r.due_on) for r in schedule if r.state != "done"]
        if open_rows:
            follow_up_form = FollowUpForm(initial={"done_on": today()}, milestones=open_rows)
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
    elif is_writer_of(user, handover.unit_id) and handover.status == HandoverStatus.HANDED_OVER:
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
            "action_form": HandoverActionForm(initial={"on": today()}),
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
                today=today(),
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
    rows = selectors.due_follow_ups(request.user, today=today(), states=states)
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
