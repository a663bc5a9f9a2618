"""Class applications (附件4), classes, enrolments, sessions, attendance, online minutes and completion.

Every read goes through ``for_user`` (another unit's object is a 404, audited); every write through the
same services as the web pages.
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem
from skillbridge.errors import ServiceError
from skillbridge.registry.models import Person

from . import selectors, services
from .checks import application_problems, completion_ratio
from .models import (
    ClassApplication,
    Enrolment,
    EnrolmentStatus,
    OnlineLearning,
    TrainingClass,
    TrainingSession,
)

router = Router(tags=["办班与培训实施"])


# ---- schemas -------------------------------------------------------------------------------------------


class ProblemOut(Schema):
    field: str
    message: str


class StageOut(Schema):
    name: str
    org_name: str = Field(alias="org.name")
    decision: str
    opinion: str
    decided_at: datetime | None


class ApplicationIn(Schema):
    institution_id: int
    plan_year: int
    category: str = Field(description="employment 就业技能培训 / entrepreneurship 创业培训")
    occupation_id: int | None = None
    special_item_id: int | None = None
    project_name: str = ""
    level: int | None = Field(None, description="等级 5 五级/初级工 … 1 一级/高级技师")
    trainees: int
    period_number: int
    period_total: int
    date_from: date
    date_to: date
    days: int
    theory_hours: int
    practice_hours: int
    teachers: str
    textbooks: str
    venue: str
    filled_on: date | None = None


class ApplicationOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    institution_id: int
    institution_name: str = Field(alias="institution.name")
    plan_year: int
    category: str
    occupation_id: int | None
    special_item_id: int | None
    project_name: str
    level_id: int | None
    subject_display: str
    trainees: int
    period_number: int
    period_total: int
    date_from: date
    date_to: date
    days: int
    theory_hours: int
    practice_hours: int
    class_hours: int
    teachers: str
    textbooks: str
    venue: str
    filled_on: date
    status: str
    status_display: str
    review_id: int | None
    class_id: int | None = None

    @staticmethod
    def resolve_class_id(obj):
        training_class = getattr(obj, "training_class", None)
        return training_class.pk if training_class else None


class ApplicationDetailOut(ApplicationOut):
    problems: list[ProblemOut]
    stages: list[StageOut]

    @staticmethod
    def resolve_problems(obj):
        return application_problems(obj) if obj.is_editable else []

    @staticmethod
    def resolve_stages(obj):
        return selectors.application_stage_opinions(obj)


class DataEntryOut(Schema):
    deadline: date | None
    projected: bool
    source: str
    overdue: bool
    overdue_working_days: int | None
    note: str


class ClassOut(Schema):
    id: int
    application_id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    institution_id: int
    institution_name: str = Field(alias="institution.name")
    subject_display: str = Field(alias="application.subject_display")
    period_number: int = Field(alias="application.period_number")
    trainees: int = Field(alias="application.trainees")
    date_from: date
    date_to: date
    status: str
    ended_on: date | None
    data_entered_on: date | None


class ClassDetailOut(ClassOut):
    data_entry: DataEntryOut
    theory_minutes: int
    practice_minutes: int
    online_minutes: int
    completion_ratio: Decimal
    online_credit_ratio: Decimal | None


class EnrolmentOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    person_id: int
    person_name: str = Field(alias="person.name")
    inmate_number: str = Field(alias="episode.inmate_number")
    status: str
    status_display: str = Field(alias="get_status_display")
    warnings: list[dict]
    exit_on: date | None
    exit_reason: str
    classroom_minutes: int | None
    online_credited_minutes: int | None
    attendance_ratio: Decimal | None


class EnrolIn(Schema):
    person_ids: list[int] = Field(min_length=1)


class ExitIn(Schema):
    status: str = Field(description="released 刑满释放 / transferred 调出 / withdrawn 退训")
    on: date
    reason: str


class SessionIn(Schema):
    date: date
    start_time: time
    minutes: int
    kind: str = Field(description="theory 理论 / practice 实操 / online 在线学习")
    topic: str
    teacher: str


class SessionOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    date: date
    start_time: time
    minutes: int
    kind: str
    topic: str
    teacher: str
    locked: bool = Field(alias="is_locked")
    signed_off_at: datetime | None


class AttendanceEntryIn(Schema):
    person_id: int
    minutes: int
    note: str = ""


class AttendanceIn(Schema):
    entries: list[AttendanceEntryIn] = Field(min_length=1)


class AttendanceOut(Schema):
    person_id: int
    person_name: str
    enrolment_id: int
    minutes: int | None
    note: str


class OnlineIn(Schema):
    person_id: int
    platform: str
    minutes: int


class OnlineOut(Schema):
    id: int
    person_id: int = Field(alias="enrolment.person_id")
    person_name: str = Field(alias="enrolment.person.name")
    platform: str
    minutes: int
    source: str
    updated_at: datetime


class DateIn(Schema):
    on: date


class Count(Schema):
    count: int


# ---- applications --------------------------------------------------------------------------------------


def _get(model, pk, field, label):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ServiceError(f"{label}不存在", field=field)
    return obj


def _data(payload: ApplicationIn) -> dict:
    data = payload.dict()
    data["institution"] = _get(Organisation, data.pop("institution_id"), "institution_id", "培训机构")
    data["occupation"] = _get(Occupation, data.pop("occupation_id"), "occupation_id", "职业")
    data["special_item"] = _get(
        SpecialAbilityItem, data.pop("special_item_id"), "special_item_id", "专项职业能力"
    )
    data["level"] = _get(SkillLevel, data["level"], "level", "等级")
    data["filled_on"] = data["filled_on"] or timezone.localdate()
    return data


def _application(user, pk: int) -> ClassApplication:
    get_in_scope(ClassApplication, user, pk=pk)
    return selectors.applications(user).get(pk=pk)


class ApplicationFilter(Schema):
    year: int | None = None
    status: str | None = Field(None, description="draft / in_review / returned / approved / rejected")


@router.get("/applications", response=list[ApplicationOut], summary="办班申报（按数据权限）")
@paginate(PageNumber)
def application_list(request, filters: Query[ApplicationFilter]):
    rows = selectors.applications(request.user)
    if filters.year:
        rows = rows.filter(plan_year=filters.year)
    if filters.status == "draft":
        rows = rows.filter(review__isnull=True)
    elif filters.status:
        rows = rows.filter(review__status=filters.status)
    return rows.order_by("-id")


@router.post("/applications", response={201: ApplicationDetailOut}, summary="新建办班申报（草稿）")
def application_create(request, payload: ApplicationIn):
    application = services.application_create(actor=request.user, data=_data(payload))
    return Status(201, _application(request.user, application.pk))


@router.get(
    "/applications/{application_id}", response=ApplicationDetailOut, summary="办班申报详情与报送前检查"
)
def application_get(request, application_id: int):
    return _application(request.user, application_id)


@router.put(
    "/applications/{application_id}", response=ApplicationDetailOut, summary="修改（草稿或退回修改时）"
)
def application_update(request, application_id: int, payload: ApplicationIn):
    application = _application(request.user, application_id)
    services.application_update(actor=request.user, application=application, data=_data(payload))
    return _application(request.user, application_id)


@router.delete("/applications/{application_id}", response={204: None}, summary="删除从未报送的草稿")
def application_delete(request, application_id: int):
    services.application_delete(actor=request.user, application=_application(request.user, application_id))
    return Status(204, None)


@router.post("/applications/{application_id}/submit", response=ApplicationDetailOut, summary="报送审核")
def application_submit(request, application_id: int):
    services.application_submit(actor=request.user, application=_application(request.user, application_id))
    return _application(request.user, application_id)


# ---- classes -------------------------------------------------------------------------------------------


def _class(user, pk: int) -> TrainingClass:
    get_in_scope(TrainingClass, user, pk=pk)
    return selectors.classes(user).get(pk=pk)


def _class_detail(training_class: TrainingClass) -> TrainingClass:
    """The class with its computed figures attached for ClassDetailOut."""
    share = selectors.session_share(training_class)
    rule = selectors.online_credit_ratio(training_class)
    training_class.data_entry = selectors.data_entry_status(training_class, timezone.localdate()).__dict__
    training_class.theory_minutes = share.theory_minutes
    training_class.practice_minutes = share.practice_minutes
    training_class.online_minutes = share.online_minutes
    training_class.completion_ratio = training_class.completion_ratio or completion_ratio()
    training_class.online_credit_ratio = rule.value if rule else None
    return training_class


class ClassFilter(Schema):
    status: str | None = None
    year: int | None = None


@router.get("/classes", response=list[ClassOut], summary="培训班（按数据权限；培训机构看到自己承办的班）")
@paginate(PageNumber)
def class_list(request, filters: Query[ClassFilter]):
    rows = selectors.classes(request.user)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.year:
        rows = rows.filter(date_from__year=filters.year)
    return rows.order_by("-date_from", "-id")


@router.get("/classes/{class_id}", response=ClassDetailOut, summary="培训班详情（含学员信息录入时限）")
def class_get(request, class_id: int):
    return _class_detail(_class(request.user, class_id))


@router.post("/classes/{class_id}/complete", response=ClassDetailOut, summary="考核结业")
def class_complete(request, class_id: int, payload: DateIn):
    training_class = _class(request.user, class_id)
    services.class_complete(actor=request.user, training_class=training_class, ended_on=payload.on)
    return _class_detail(_class(request.user, class_id))


@router.post("/classes/{class_id}/data-entered", response=ClassDetailOut, summary="登记学员信息已录入")
def class_data_entered(request, class_id: int, payload: DateIn):
    services.class_data_entered(
        actor=request.user, training_class=_class(request.user, class_id), on=payload.on
    )
    return _class_detail(_class(request.user, class_id))


@router.get("/classes/{class_id}/enrolments", response=list[EnrolmentOut], summary="学员名单")
def enrolment_list(request, class_id: int):
    return list(selectors.roster(_class(request.user, class_id)))


@router.post(
    "/classes/{class_id}/enrolments", response={201: list[EnrolmentOut]}, summary="加入学员（全部或都不加入）"
)
def enrolment_add(request, class_id: int, payload: EnrolIn):
    training_class = _class(request.user, class_id)
    people = list(Person.objects.for_user(request.user).filter(pk__in=payload.person_ids))
    missing = set(payload.person_ids) - {p.pk for p in people}
    if missing:
        raise ServiceError(f"人员不存在或不在您的数据权限范围内：{sorted(missing)}", field="person_ids")
    people.sort(key=lambda p: payload.person_ids.index(p.pk))
    services.enrolments_add(
        actor=request.user, training_class=training_class, people=people, today=timezone.localdate()
    )
    return Status(201, list(selectors.roster(training_class)))


@router.post("/enrolments/{enrolment_id}/exit", response=EnrolmentOut, summary="登记离班（释放、调出、退训）")
def enrolment_exit(request, enrolment_id: int, payload: ExitIn):
    enrolment = get_in_scope(Enrolment, request.user, pk=enrolment_id)
    services.enrolment_exit(
        actor=request.user, enrolment=enrolment, status=payload.status, on=payload.on, reason=payload.reason
    )
    return Enrolment.objects.select_related("person", "episode").get(pk=enrolment_id)


# ---- sessions and attendance ---------------------------------------------------------------------------


@router.get("/classes/{class_id}/sessions", response=list[SessionOut], summary="课次")
def session_list(request, class_id: int):
    return list(_class(request.user, class_id).sessions.all())


@router.post("/classes/{class_id}/sessions", response={201: SessionOut}, summary="添加课次")
def session_create(request, class_id: int, payload: SessionIn):
    training_class = _class(request.user, class_id)
    session = services.session_create(actor=request.user, training_class=training_class, data=payload.dict())
    return Status(201, session)


@router.put("/sessions/{session_id}", response=SessionOut, summary="修改课次（签认前）")
def session_update(request, session_id: int, payload: SessionIn):
    session = get_in_scope(TrainingSession, request.user, pk=session_id)
    return services.session_update(actor=request.user, session=session, data=payload.dict())


def _attendance(session) -> list[dict]:
    return [
        {
            "person_id": e.person_id,
            "person_name": e.person.name,
            "enrolment_id": e.pk,
            "minutes": a.minutes if a else None,
            "note": a.note if a else "",
        }
        for e, a in selectors.attendance_grid(session)
    ]


@router.get("/sessions/{session_id}/attendance", response=list[AttendanceOut], summary="课次考勤")
def attendance_get(request, session_id: int):
    return _attendance(get_in_scope(TrainingSession, request.user, pk=session_id))


@router.post(
    "/sessions/{session_id}/attendance",
    response=list[AttendanceOut],
    summary="批量登记考勤（全部或都不登记）",
)
def attendance_set(request, session_id: int, payload: AttendanceIn):
    session = get_in_scope(TrainingSession, request.user, pk=session_id)
    services.attendance_set(actor=request.user, session=session, entries=[e.dict() for e in payload.entries])
    return _attendance(session)


@router.post(
    "/sessions/{session_id}/attendance/all-present",
    response=list[AttendanceOut],
    summary="全部出勤（满分钟；已登记的不变）",
)
def attendance_all_present(request, session_id: int):
    session = get_in_scope(TrainingSession, request.user, pk=session_id)
    services.attendance_mark_all_present(actor=request.user, session=session)
    return _attendance(session)


@router.post("/sessions/{session_id}/sign-off", response=SessionOut, summary="签认考勤并锁定")
def session_sign_off(request, session_id: int):
    session = get_in_scope(TrainingSession, request.user, pk=session_id)
    return services.session_sign_off(actor=request.user, session=session)


# ---- online learning -----------------------------------------------------------------------------------


@router.get(
    "/classes/{class_id}/online", response=list[OnlineOut], summary="在线学习分钟数（与面授考勤分开）"
)
def online_list(request, class_id: int):
    training_class = _class(request.user, class_id)
    return list(
        OnlineLearning.objects.for_user(request.user)
        .filter(enrolment__training_class=training_class)
        .select_related("enrolment__person")
        .order_by("enrolment__person__name", "platform")
    )


@router.post("/classes/{class_id}/online", response=OnlineOut, summary="录入某学员某平台的累计学习分钟数")
def online_set(request, class_id: int, payload: OnlineIn):
    training_class = _class(request.user, class_id)
    enrolment = training_class.enrolments.filter(person_id=payload.person_id).first()
    if enrolment is None or enrolment.status != EnrolmentStatus.ACTIVE:
        raise ServiceError("该人员不是本班在训学员", field="person_id")
    record = services.online_minutes_set(
        actor=request.user, enrolment=enrolment, platform=payload.platform, minutes=payload.minutes
    )
    return OnlineLearning.objects.select_related("enrolment__person").get(pk=record.pk)
