"""Assessment applications (附件6), the route of a class or occupation, results (bulk) and certificates for
the candidates who passed. Every read goes through ``for_user`` (another unit's object is a 404, audited);
every write through the same services as the web pages."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.catalog.models import Occupation, SpecialAbilityItem
from skillbridge.errors import ServiceError
from skillbridge.training.models import TrainingClass

from . import selectors, services
from .checks import application_problems
from .models import AssessmentApplication
from .routes import route_for, route_for_class

router = Router(tags=["鉴定申报"])


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
    class_id: int = Field(description="本单位已结业的培训班")
    examiner_id: int = Field(description="考核评价机构（评价机构，或结业考核时为承担培训的培训机构）")
    assessment_date: date
    candidates: int
    filled_on: date | None = None


class ApplicationOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    class_id: int = Field(alias="training_class_id")
    occupation_id: int | None
    special_item_id: int | None
    level_id: int | None
    subject_display: str
    route: str
    route_display: str = Field(alias="get_route_display")
    certificate_type: str = Field(alias="certificate_type_id")
    certificate_type_name: str = Field(alias="certificate_type.name")
    examiner_id: int
    examiner_name: str = Field(alias="examiner.name")
    assessment_date: date
    candidates: int
    filled_on: date
    status: str
    status_display: str
    review_id: int | None


class ApplicationDetailOut(ApplicationOut):
    problems: list[ProblemOut]
    stages: list[StageOut]

    @staticmethod
    def resolve_problems(obj):
        return application_problems(obj) if obj.is_editable else []

    @staticmethod
    def resolve_stages(obj):
        return selectors.stage_opinions(obj)


class RouteOut(Schema):
    route: str
    route_display: str
    certificate_type: str
    certificate_type_name: str
    examiner_org_type: str
    reason: str


class ResultIn(Schema):
    person_id: int
    theory_score: Decimal | None = Field(None, description="0–100，缺考不填")
    practical_score: Decimal | None = Field(None, description="0–100，缺考不填")
    outcome: str = Field(description="passed 合格 / failed 不合格 / absent 缺考")


class ResultsIn(Schema):
    results: list[ResultIn] = Field(min_length=1)


class ResultOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    enrolment_id: int
    theory_score: Decimal | None
    practical_score: Decimal | None
    outcome: str
    outcome_display: str = Field(alias="get_outcome_display")
    certificate_id: int | None


class SaveOut(Schema):
    created: int
    updated: int


class CertificateItemIn(Schema):
    result_id: int
    official_number: str


class CertificatesIn(Schema):
    issue_date: date
    items: list[CertificateItemIn] = Field(min_length=1)


class CertificateOut(Schema):
    id: int
    person_id: int
    official_number: str
    verification_code: str
    number_warning: str
    status: str


def _application(user, pk: int) -> AssessmentApplication:
    get_in_scope(AssessmentApplication, user, pk=pk)
    return selectors.applications(user).get(pk=pk)


def _data(user, payload: ApplicationIn) -> dict:
    data = payload.dict()
    training_class = TrainingClass.objects.for_user(user).filter(pk=data.pop("class_id")).first()
    if training_class is None:
        raise ServiceError("培训班不存在或不在数据权限范围内", field="class_id")
    examiner = Organisation.objects.filter(pk=data.pop("examiner_id"), is_active=True).first()
    if examiner is None:
        raise ServiceError("考核评价机构不存在", field="examiner_id")
    data.update(
        training_class=training_class,
        examiner=examiner,
        filled_on=data["filled_on"] or timezone.localdate(),
    )
    return data


class ApplicationFilter(Schema):
    status: str | None = Field(None, description="draft / in_review / returned / approved / rejected")
    route: str | None = Field(None, description="evaluation 鉴定评价 / completion 结业考核")


@router.get("/applications", response=list[ApplicationOut], summary="鉴定申报（按数据权限）")
@paginate(PageNumber)
def application_list(request, filters: Query[ApplicationFilter]):
    rows = selectors.applications(request.user)
    if filters.status == "draft":
        rows = rows.filter(review__isnull=True)
    elif filters.status:
        rows = rows.filter(review__status=filters.status)
    if filters.route:
        rows = rows.filter(route=filters.route)
    return rows.order_by("-id")


@router.post("/applications", response={201: ApplicationDetailOut}, summary="新建鉴定申报（草稿）")
def application_create(request, payload: ApplicationIn):
    application = services.application_create(actor=request.user, data=_data(request.user, payload))
    return Status(201, _application(request.user, application.pk))


@router.get(
    "/applications/{application_id}", response=ApplicationDetailOut, summary="鉴定申报详情与报送前检查"
)
def application_get(request, application_id: int):
    return _application(request.user, application_id)


@router.put(
    "/applications/{application_id}", response=ApplicationDetailOut, summary="修改（草稿或退回修改时）"
)
def application_update(request, application_id: int, payload: ApplicationIn):
    application = _application(request.user, application_id)
    services.application_update(
        actor=request.user, application=application, data=_data(request.user, payload)
    )
    return _application(request.user, application_id)


@router.post("/applications/{application_id}/submit", response=ApplicationDetailOut, summary="报送审核")
def application_submit(request, application_id: int):
    services.application_submit(actor=request.user, application=_application(request.user, application_id))
    return _application(request.user, application_id)


@router.get("/applications/{application_id}/results", response=list[ResultOut], summary="鉴定成绩")
def results_list(request, application_id: int):
    return list(selectors.results(_application(request.user, application_id)))


@router.post(
    "/applications/{application_id}/results",
    response=SaveOut,
    summary="批量录入鉴定成绩（任一行有误则全部不保存，details 列出每行错误）",
)
def results_save(request, application_id: int, payload: ResultsIn):
    application = _application(request.user, application_id)
    rows = [{**r.dict(), "row": i} for i, r in enumerate(payload.results, start=1)]
    created, updated = services.results_save(actor=request.user, application=application, rows=rows)
    return {"created": created, "updated": updated}


@router.post(
    "/applications/{application_id}/certificates",
    response={201: list[CertificateOut]},
    summary="为合格考生颁发证书（任一本有误则全部不颁发）",
)
def certificates_issue(request, application_id: int, payload: CertificatesIn):
    application = _application(request.user, application_id)
    by_id = {r.pk: r for r in application.results.select_related("person")}
    items = []
    for i, item in enumerate(payload.items, start=1):
        result = by_id.get(item.result_id)
        if result is None:
            raise ServiceError(f"第{i}行：成绩记录{item.result_id}不属于本次鉴定", field="result_id")
        items.append({"result": result, "official_number": item.official_number, "row": i})
    issued = services.certificates_issue(
        actor=request.user, application=application, items=items, issue_date=payload.issue_date
    )
    return Status(201, issued)


class RouteQuery(Schema):
    class_id: int | None = Field(None, description="培训班（按其职业或专项职业能力）")
    occupation_code: str | None = Field(None, description="职业编码，如 6-31-01-03")
    special_item_id: int | None = None


@router.get("/route", response=RouteOut, summary="考核评价方式（由职业目录数据决定）")
def route(request, query: Query[RouteQuery]):
    if query.class_id is not None:
        get_in_scope(TrainingClass, request.user, pk=query.class_id)
        decision = route_for_class(TrainingClass.objects.get(pk=query.class_id))
    elif query.occupation_code:
        occupation = Occupation.objects.filter(code=query.occupation_code, level=4).first()
        if occupation is None:
            raise ServiceError("职业编码不存在（须为职业细类）", field="occupation_code")
        decision = route_for(occupation=occupation)
    elif query.special_item_id is not None:
        item = SpecialAbilityItem.objects.filter(pk=query.special_item_id).first()
        if item is None:
            raise ServiceError("专项职业能力不存在", field="special_item_id")
        decision = route_for(special_item=item)
    else:
        raise ServiceError("请指定 class_id、occupation_code 或 special_item_id", field="class_id")
    return {
        "route": decision.route,
        "route_display": decision.route_display,
        "certificate_type": decision.certificate_type.pk,
        "certificate_type_name": decision.certificate_type.name,
        "examiner_org_type": decision.examiner_org_type,
        "reason": decision.reason,
    }
