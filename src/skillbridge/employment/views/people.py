"""People approaching release / released, employment profiles, handing over."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import NotFound, ServiceError
from skillbridge.policy.errors import PolicyError
from skillbridge.policy.loader import get_pack
from skillbridge.registry.idnumbers import mask_id_number
from skillbridge.registry.models import Episode
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error

from .. import selectors, services
from ..forms import (
    AgreementForm,
    HandoverForm,
    PeopleFilterForm,
    ProfileForm,
)
from ..models import (
    PES,
    EmploymentProfile,
    EventAttendance,
)
from .common import is_unit_writer, is_writer_of, today

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
    rows = selectors.people_rows(request.user, today=today(), phase=phase, unit=unit, status=status)
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
            section = get_pack(u.policy_pack).employment
        except PolicyError:
            windows.append((u, None))
            continue
        windows.append(
            (u, section.follow_up_months if phase == "released" else section.pre_release_window_months)
        )
    return render(
        request,
        "employment/people.html",
        {
            "form": form,
            "page": Paginator(rows, 20).get_page(request.GET.get("page")),
            "phase": phase,
            "windows": windows,
            "can_write": is_unit_writer(request.user),
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
            form_error(form, exc)
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
    if is_writer_of(user, profile.unit_id) and open_handover is None:
        rules = get_pack(profile.unit.policy_pack).employment
        recipients = selectors.service_orgs(rules.handover_to.value if rules.handover_to else PES).filter(
            region_code__startswith=profile.destination_region[:4]
        )
        handover_form = HandoverForm(initial={"handed_over_on": today()}, recipients=recipients)
    agreement_form = None
    if open_handover and is_writer_of(user, open_handover.recipient_id):
        agreement_form = AgreementForm(initial={"signed_on": today()})
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
            "can_edit": is_writer_of(user, profile.unit_id),
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
