"""Service events held in prisons and their attendance."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import ServiceError
from skillbridge.registry.models import Person
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error

from .. import selectors, services
from ..forms import (
    EventFilterForm,
    EventForm,
)
from ..models import (
    ServiceEvent,
)
from ..services import ORGANISER_TYPES
from .common import is_unit_writer, is_writer_of, today

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
            "can_create": is_unit_writer(request.user),
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
    form = EventForm(request.POST or None, initial={"held_on": today()}, organisers=_organisers(unit))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            if exc.status == 403:
                raise
            form_error(form, exc)
        else:
            messages.success(request, "活动已登记，请登记参加人员。")
            return redirect("employment:event_detail", pk=event.pk)
    return render(request, "employment/event_form.html", {"form": form, "page_title": "登记就业服务活动"})


@login_required
def event_detail(request, pk: int):
    event = get_in_scope(ServiceEvent, request.user, pk=pk)
    writer = is_writer_of(request.user, event.unit_id)
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
