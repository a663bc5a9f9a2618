"""Employment services API: profiles, handovers, service events, assistance agreements, follow-ups and the
employment rate. Every read goes through ``for_user`` (a public employment service sees only the people
handed over to it); every write through the same services as the pages. ID numbers are masked."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.errors import NotFound, ServiceError
from skillbridge.registry.models import Episode, Person

from . import selectors, services
from .models import AssistanceAgreement, EmploymentProfile, Handover, ServiceEvent

router = Router(tags=["就业服务"])


# ---- schemas -------------------------------------------------------------------------------------------


class ProfileIn(Schema):
    employment_intention: str = ""
    destination_region: str = Field(description="释放后去向，6位行政区划代码")
    destination_address: str = ""
    needs: list[str] = Field(
        default_factory=list,
        description="job_referral 岗位推荐 / career_guidance 职业指导 / skills_training 技能培训 / "
        "entrepreneurship 创业扶持 / social_insurance 社会保险接续 / living_assistance 生活救助 / housing 住所安置",
    )
    needs_note: str = ""


class ProfileOut(Schema):
    id: int
    episode_id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    id_number: str = Field(alias="person.masked_id_number")
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    inmate_number: str = Field(alias="episode.inmate_number")
    expected_release_date: date = Field(alias="episode.expected_release_date")
    employment_intention: str = Field(alias="episode.employment_intention")
    destination_region: str
    destination_address: str
    needs: list[str]
    needs_display: str
    needs_note: str


class HandoverIn(Schema):
    profile_id: int
    recipient_id: int
    handed_over_on: date
    note: str = ""


class HandoverActionIn(Schema):
    on: date
    note: str = Field("", description="说明；结束（撤回）时为结束原因，必填")


class HandoverOut(Schema):
    id: int
    profile_id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    id_number: str = Field(alias="person.masked_id_number")
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    recipient_id: int
    recipient_name: str = Field(alias="recipient.name")
    status: str
    status_display: str = Field(alias="get_status_display")
    handed_over_on: date
    received_on: date | None
    closed_on: date | None
    close_reason: str
    released_on: date | None = None

    @staticmethod
    def resolve_released_on(obj):
        return getattr(obj, "released", None)


class EventIn(Schema):
    kind: str = Field(description="policy_consultation 政策咨询 / job_introduction 岗位推介 / "
                      "career_guidance 职业指导 / entrepreneurship_guidance 创业指导")  # fmt: skip
    title: str
    held_on: date
    venue: str = ""
    content: str = ""
    organiser_id: int | None = None


class EventOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    organiser_id: int | None
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    title: str
    held_on: date
    venue: str
    content: str


class AttendanceIn(Schema):
    person_ids: list[int] = Field(min_length=1)


class AttendeeOut(Schema):
    person_id: int
    person_name: str = Field(alias="person.name")


class AgreementIn(Schema):
    profile_id: int
    number: str
    signed_on: date
    valid_until: date
    goals: str
    measures: str
    contact: str = ""


class AgreementOut(Schema):
    id: int
    profile_id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    unit_id: int
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    number: str
    signed_on: date
    valid_until: date
    goals: str
    measures: str
    contact: str
    status: str


class StatusIn(Schema):
    status: str = Field(description="completed 已完成 / terminated 已终止")


class FollowUpIn(Schema):
    handover_id: int
    milestone_months: int
    done_on: date
    employment_form: str = Field(
        description="employed 单位就业 / self_employed 自主创业 / flexible 灵活就业 / unemployed 未就业"
    )
    employer_name: str = ""
    employer_sector: str = Field("", description="GB/T 4754-2017 门类 A–T")
    uses_trained_occupation: bool | None = None
    note: str = ""


class FollowUpOut(Schema):
    id: int
    handover_id: int
    person_id: int = Field(alias="handover.person_id")
    person_name: str = Field(alias="handover.person.name")
    milestone_months: int
    due_on: date
    done_on: date
    employment_form: str
    employed: bool
    employer_name: str
    employer_sector: str
    uses_trained_occupation: bool | None
    note: str


class DueOut(Schema):
    handover_id: int
    person_id: int
    person_name: str
    released_on: date
    milestone_months: int
    due_on: date
    state: str


class RateGroupOut(Schema):
    key: str
    label: str
    persons: int
    employed: int
    uses_trained: int
    rate: Decimal | None = Field(description="就业率（%），一位小数")
    trained_share: Decimal | None = Field(description="从事所培训职业占就业人数（%）")


class RateOut(Schema):
    date_from: date
    date_to: date
    milestone: int | None
    groups: list[RateGroupOut]


# ---- profiles ------------------------------------------------------------------------------------------


def _profile(user, pk: int) -> EmploymentProfile:
    get_in_scope(EmploymentProfile, user, pk=pk)
    return EmploymentProfile.objects.select_related("person", "unit", "episode").get(pk=pk)


@router.get("/profiles", response=list[ProfileOut], summary="就业档案（按数据权限）")
@paginate(PageNumber)
def profile_list(request):
    return (
        EmploymentProfile.objects.for_user(request.user)
        .select_related("person", "unit", "episode")
        .order_by("-id")
    )


@router.get("/profiles/{profile_id}", response=ProfileOut, summary="就业档案详情")
def profile_get(request, profile_id: int):
    return _profile(request.user, profile_id)


@router.put("/episodes/{episode_id}/profile", response=ProfileOut, summary="建立或修改就业档案（监狱经办）")
def profile_save(request, episode_id: int, payload: ProfileIn):
    if selectors.is_service_org(request.user):
        raise NotFound("羁押（矫正）记录不存在或不在您的数据权限范围内")
    episode = get_in_scope(Episode, request.user, pk=episode_id)
    profile = services.profile_save(actor=request.user, episode=episode, data=payload.dict())
    return _profile(request.user, profile.pk)


# ---- handovers -----------------------------------------------------------------------------------------


def _handover(user, pk: int) -> Handover:
    get_in_scope(Handover, user, pk=pk)
    return selectors.handovers(user).get(pk=pk)


class HandoverFilter(Schema):
    status: str | None = Field(None, description="handed_over / received / in_service / closed")


@router.get(
    "/handovers", response=list[HandoverOut], summary="就业服务移交（接收机构只看到移交给本机构的人员）"
)
@paginate(PageNumber)
def handover_list(request, filters: Query[HandoverFilter]):
    rows = selectors.handovers(request.user)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.order_by("-handed_over_on", "-id")


@router.post("/handovers", response={201: HandoverOut}, summary="移交公共就业服务机构")
def handover_create(request, payload: HandoverIn):
    profile = get_in_scope(EmploymentProfile, request.user, pk=payload.profile_id)
    recipient = Organisation.objects.filter(pk=payload.recipient_id).first()
    if recipient is None:
        raise ServiceError("接收机构不存在", field="recipient_id")
    handover = services.handover_create(
        actor=request.user,
        profile=profile,
        recipient=recipient,
        handed_over_on=payload.handed_over_on,
        note=payload.note,
    )
    return Status(201, _handover(request.user, handover.pk))


@router.get("/handovers/{handover_id}", response=HandoverOut, summary="移交详情")
def handover_get(request, handover_id: int):
    return _handover(request.user, handover_id)


ACTIONS = {
    "receive": lambda actor, h, p: services.handover_receive(actor=actor, handover=h, on=p.on, note=p.note),
    "start": lambda actor, h, p: services.handover_start_service(
        actor=actor, handover=h, on=p.on, note=p.note
    ),
    "close": lambda actor, h, p: services.handover_close(actor=actor, handover=h, on=p.on, reason=p.note),
}


@router.post(
    "/handovers/{handover_id}/{action}",
    response=HandoverOut,
    summary="接收（receive）、开始服务（start）、结束或撤回（close）",
)
def handover_action(request, handover_id: int, action: str, payload: HandoverActionIn):
    handover = _handover(request.user, handover_id)
    if action not in ACTIONS:
        raise NotFound("未知的操作")
    ACTIONS[action](request.user, handover, payload)
    return _handover(request.user, handover_id)


# ---- events --------------------------------------------------------------------------------------------


class EventFilter(Schema):
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@router.get("/events", response=list[EventOut], summary="就业服务活动")
@paginate(PageNumber)
def event_list(request, filters: Query[EventFilter]):
    rows = selectors.events(request.user)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.date_from:
        rows = rows.filter(held_on__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(held_on__lte=filters.date_to)
    return rows.order_by("-held_on", "-id")


@router.post("/events", response={201: EventOut}, summary="登记就业服务活动（监狱经办）")
def event_create(request, payload: EventIn):
    data = payload.dict()
    organiser_id = data.pop("organiser_id")
    data["organiser"] = None
    if organiser_id is not None:
        data["organiser"] = Organisation.objects.filter(pk=organiser_id).first()
        if data["organiser"] is None:
            raise ServiceError("服务机构不存在", field="organiser_id")
    event = services.event_create(actor=request.user, data=data)
    return Status(201, selectors.events(request.user).get(pk=event.pk))


@router.get("/events/{event_id}", response=EventOut, summary="活动详情")
def event_get(request, event_id: int):
    get_in_scope(ServiceEvent, request.user, pk=event_id)
    return selectors.events(request.user).get(pk=event_id)


@router.get(
    "/events/{event_id}/attendees", response=list[AttendeeOut], summary="参加人员（接收机构仅见移交本机构者）"
)
def event_attendees(request, event_id: int):
    event = get_in_scope(ServiceEvent, request.user, pk=event_id)
    return list(selectors.event_attendees(request.user, event))


@router.post("/events/{event_id}/attendees", response=list[AttendeeOut], summary="登记参加人员（全部或全不）")
def event_attendance(request, event_id: int, payload: AttendanceIn):
    event = get_in_scope(ServiceEvent, request.user, pk=event_id)
    people = list(Person.objects.filter(pk__in=payload.person_ids))
    missing = set(payload.person_ids) - {p.pk for p in people}
    if missing:
        raise ServiceError(f"人员不存在：{'、'.join(str(i) for i in sorted(missing))}", field="person_ids")
    services.attendance_add(actor=request.user, event=event, people=people)
    return list(selectors.event_attendees(request.user, event))


# ---- agreements ----------------------------------------------------------------------------------------


class AgreementFilter(Schema):
    status: str | None = Field(None, description="in_force / completed / terminated")


@router.get("/agreements", response=list[AgreementOut], summary="个性化就业帮扶协议")
@paginate(PageNumber)
def agreement_list(request, filters: Query[AgreementFilter]):
    rows = selectors.agreements(request.user)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.order_by("-signed_on", "-id")


@router.post("/agreements", response={201: AgreementOut}, summary="签订帮扶协议（接收机构）")
def agreement_create(request, payload: AgreementIn):
    profile = get_in_scope(EmploymentProfile, request.user, pk=payload.profile_id)
    data = payload.dict()
    data.pop("profile_id")
    agreement = services.agreement_create(actor=request.user, profile=profile, data=data)
    return Status(201, selectors.agreements(request.user).get(pk=agreement.pk))


@router.post("/agreements/{agreement_id}/status", response=AgreementOut, summary="协议完成或终止")
def agreement_status(request, agreement_id: int, payload: StatusIn):
    agreement = get_in_scope(AssistanceAgreement, request.user, pk=agreement_id)
    services.agreement_set_status(actor=request.user, agreement=agreement, status=payload.status)
    return selectors.agreements(request.user).get(pk=agreement_id)


# ---- follow-ups ----------------------------------------------------------------------------------------


class FollowUpFilter(Schema):
    handover_id: int | None = None


@router.get("/follow-ups", response=list[FollowUpOut], summary="已登记的回访")
@paginate(PageNumber)
def follow_up_list(request, filters: Query[FollowUpFilter]):
    rows = selectors.follow_ups(request.user)
    if filters.handover_id:
        rows = rows.filter(handover_id=filters.handover_id)
    return rows.order_by("-done_on", "-id")


@router.get("/follow-ups/due", response=list[DueOut], summary="到期（应回访、已逾期）的回访及应回访日期")
def follow_up_due(request, on: date | None = None):
    rows = selectors.due_follow_ups(request.user, today=on or timezone.localdate())
    return [
        {
            "handover_id": r.handover.pk,
            "person_id": r.handover.person_id,
            "person_name": r.handover.person.name,
            "released_on": r.released_on,
            "milestone_months": r.months,
            "due_on": r.due_on,
            "state": r.state,
        }
        for r in rows
    ]


@router.post("/follow-ups", response={201: FollowUpOut}, summary="登记回访（接收机构）")
def follow_up_create(request, payload: FollowUpIn):
    handover = get_in_scope(Handover, request.user, pk=payload.handover_id)
    data = payload.dict()
    data.pop("handover_id")
    months = data.pop("milestone_months")
    follow_up = services.follow_up_record(
        actor=request.user, handover=handover, milestone_months=months, data=data, today=timezone.localdate()
    )
    return Status(201, selectors.follow_ups(request.user).get(pk=follow_up.pk))


# ---- employment rate -----------------------------------------------------------------------------------


class RateFilter(Schema):
    date_from: date = Field(description="释放日期从（含）")
    date_to: date = Field(description="释放日期至（含）")
    unit_id: int | None = None
    milestone: int | None = Field(None, description="回访节点（月）；缺省按最近一次回访")


@router.get("/rate", response=RateOut, summary="刑释人员就业率：持证与未持证")
def employment_rate(request, filters: Query[RateFilter]):
    if filters.date_to < filters.date_from:
        raise ServiceError("结束日期不能早于开始日期", field="date_to")
    unit = None
    if filters.unit_id is not None:
        unit = selectors.units_for_user(request.user).filter(pk=filters.unit_id).first()
        if unit is None:
            raise NotFound("单位不存在或不在您的数据权限范围内")
    figure = selectors.employment_rate(
        request.user,
        date_from=filters.date_from,
        date_to=filters.date_to,
        unit=unit,
        milestone=filters.milestone,
    )
    return {
        "date_from": figure.date_from,
        "date_to": figure.date_to,
        "milestone": figure.milestone,
        "groups": [
            {
                "key": g.key,
                "label": g.label,
                "persons": g.persons,
                "employed": g.employed,
                "uses_trained": g.uses_trained,
                "rate": g.rate,
                "trained_share": g.trained_share,
            }
            for g in figure.groups
        ],
    }
