from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.api.pagination import PageNumber
from skillbridge.errors import ServiceError

from . import selectors, services
from .models import (
    CertificateType,
    Designation,
    DesignationApplication,
    DesignationCall,
    Occupation,
    ShortageOccupation,
    SkillLevel,
    SpecialAbilityItem,
    SubsidyStandard,
)
from .selectors import STANDARD_ORDER

router = Router(tags=["目录与机构"])


class OccupationOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent_code: str | None = Field(None, alias="parent.code")
    green: bool = Field(description="绿色职业（L）")
    digital: bool = Field(description="数字职业（S）")


class OccupationFilter(Schema):
    q: str = Field("", description="编码前缀（如 4-03）或名称关键字")
    level: int | None = Field(None, ge=1, le=4, description="1 大类 … 4 职业（细类）")


class LevelOut(Schema):
    code: int
    name: str
    title: str


class CertificateTypeOut(Schema):
    code: str
    name: str
    is_national: bool = Field(description="国家证书（经评价机构考核颁发）；否则为培训机构颁发的培训合格证书")
    issuer_org_type: str
    has_levels: bool
    for_special_items: bool


class SpecialItemOut(Schema):
    id: int
    code: str
    name: str
    region_code: str
    occupation_code: str | None = Field(None, alias="occupation.code")


class StandardOut(Schema):
    id: int
    region_code: str
    year: int
    occupation_code: str | None = Field(None, alias="occupation.code")
    special_item_code: str | None = Field(None, alias="special_item.code")
    subject_name: str
    level: int | None = Field(None, alias="level_id")
    certificate_type: str = Field(alias="certificate_type_id")
    amount: Decimal
    valid_from: date
    valid_to: date | None
    previous_id: int | None
    note: str


class StandardFilter(Schema):
    region: str | None = Field(None, pattern=r"^\d{6}$", description="市行政区划代码，默认本人所在市")
    year: int | None = None
    occupation: str | None = Field(None, description="职业编码前缀")
    on: date | None = Field(None, description="只列该日执行的标准")
    history: bool = Field(False, description="含已调整（失效）的历史标准")


class StandardIn(Schema):
    year: int
    occupation_code: str | None = None
    special_item_code: str | None = None
    level: int | None = Field(None, ge=1, le=5)
    certificate_type: str
    amount: Decimal
    valid_from: date | None = None
    note: str = Field("", max_length=200)


class StandardChangeIn(Schema):
    amount: Decimal
    effective_on: date
    note: str = Field("", max_length=200)


class ShortageOut(Schema):
    id: int
    region_code: str
    year: int
    occupation_code: str = Field(alias="occupation.code")
    occupation_name: str = Field(alias="occupation.name")
    note: str


class InstitutionOut(Schema):
    id: int
    name: str
    org_type: str
    region_code: str
    credit_code: str | None = Field(None, alias="institution_profile.credit_code")
    legal_representative: str | None = Field(None, alias="institution_profile.legal_representative")
    address: str | None = Field(None, alias="institution_profile.address")
    contact_person: str | None = Field(None, alias="institution_profile.contact_person")
    contact_phone: str | None = Field(None, alias="institution_profile.contact_phone")
    qualifications: str | None = Field(None, alias="institution_profile.qualifications")
    capacity: int | None = Field(None, alias="institution_profile.capacity")
    bank_name: str | None = Field(None, description="仅机构本身及所在市人社、司法、财政部门可见")
    bank_account: str | None = Field(None, description="仅机构本身及所在市人社、司法、财政部门可见")

    @staticmethod
    def _bank(obj, context, field):
        profile = getattr(obj, "institution_profile", None)
        if profile is None or not selectors.can_view_bank_account(context["request"].user, obj):
            return None
        return getattr(profile, field)

    @staticmethod
    def resolve_bank_name(obj, context):
        return InstitutionOut._bank(obj, context, "bank_name")

    @staticmethod
    def resolve_bank_account(obj, context):
        return InstitutionOut._bank(obj, context, "bank_account")


class ApprovedOut(Schema):
    occupation_code: str | None = Field(None, alias="occupation.code")
    occupation_name: str | None = Field(None, alias="occupation.name")
    special_item_name: str | None = Field(None, alias="special_item.name")
    levels: list[int] = Field(description="核准的技能等级代码（5 五级/初级工 … 1 一级/高级技师）")

    @staticmethod
    def resolve_levels(obj) -> list[int]:
        return sorted((level.code for level in obj.levels.all()), reverse=True)


class DishonestyOut(Schema):
    source: str
    recorded_on: date
    until: date | None = Field(description="为空表示长期有效")
    description: str


class InstitutionDetailOut(InstitutionOut):
    approved_occupations: list[ApprovedOut] = Field(description="核准的职业（工种）及等级")
    dishonesty_records: list[DishonestyOut] = Field(description="失信记录（含已过有效期的）")

    @staticmethod
    def resolve_approved_occupations(obj):
        return obj.approved_occupations.select_related("occupation", "special_item").prefetch_related(
            "levels"
        )

    @staticmethod
    def resolve_dishonesty_records(obj):
        return obj.dishonesty_records.order_by("-recorded_on", "-pk")


class DesignationOut(Schema):
    id: int
    institution_id: int
    institution_name: str = Field(alias="institution.name")
    region_code: str
    valid_from: date
    valid_to: date
    basis: str
    basis_note: str
    call_id: int | None
    application_id: int | None
    previous_id: int | None
    revoked_on: date | None
    revoke_reason: str
    occupations: list[str]

    @staticmethod
    def resolve_occupations(obj):
        return [o.code for o in obj.occupations.all()]


class DesignationFilter(Schema):
    region: str | None = Field(None, pattern=r"^\d{6}$")
    institution: int | None = None
    on: date | None = Field(None, description="只列该日有效（未撤销）的认定")


class CallOut(Schema):
    id: int
    region_code: str
    title: str
    content: str
    published_on: date
    deadline: date
    period_from: date
    period_to: date
    justice_org_id: int
    hrss_org_id: int
    status: str


class ApplicationOut(Schema):
    id: int
    call_id: int
    institution_id: int
    institution_name: str = Field(alias="institution.name")
    status: str
    opinion: str
    occupations: list[str]

    @staticmethod
    def resolve_occupations(obj):
        return [o.code for o in obj.occupations.all()]


class DecideIn(Schema):
    approve: bool
    opinion: str = Field("", max_length=500)
    valid_from: date | None = None
    valid_to: date | None = None


class ExemptIn(Schema):
    institution_id: int
    valid_from: date
    valid_to: date
    basis_note: str = Field(max_length=500)
    call_id: int | None = None


class RevokeIn(Schema):
    reason: str = Field(max_length=500)
    effective_on: date | None = None


def _city(request) -> str:
    return request.user.organisation.city_prefix + "00"


# ---- catalogues --------------------------------------------------------------------------------------


@router.get("/occupations", response=list[OccupationOut], summary="国家职业分类（按编码前缀或名称检索）")
@paginate(PageNumber)
def occupation_list(request, filters: Query[OccupationFilter]):
    return selectors.occupation_search(request.user, filters.q, level=filters.level)


@router.get("/occupations/{code}", response=OccupationOut, summary="职业详情")
def occupation_get(request, code: str):
    return get_object_or_404(Occupation.objects.for_user(request.user).select_related("parent"), code=code)


@router.get("/levels", response=list[LevelOut], summary="技能等级")
def level_list(request):
    return SkillLevel.objects.for_user(request.user)


@router.get("/certificate-types", response=list[CertificateTypeOut], summary="证书类型")
def certificate_type_list(request):
    return CertificateType.objects.for_user(request.user)


@router.get("/special-items", response=list[SpecialItemOut], summary="专项职业能力")
@paginate(PageNumber)
def special_item_list(request, region: str | None = None):
    return (
        SpecialAbilityItem.objects.for_user(request.user)
        .filter(region_code=(region or _city(request))[:4] + "00")
        .select_related("occupation")
    )


@router.get("/standards", response=list[StandardOut], summary="补贴标准（默认本人所在市、现行标准）")
@paginate(PageNumber)
def standard_list(request, filters: Query[StandardFilter]):
    region = (filters.region or _city(request))[:4] + "00"
    standards = SubsidyStandard.objects.for_user(request.user).filter(region_code=region)
    if filters.year:
        standards = standards.filter(year=filters.year)
    if filters.occupation:
        standards = standards.filter(occupation__code__startswith=filters.occupation)
    if filters.on:
        standards = selectors.in_force(standards, filters.on)
    elif not filters.history:
        standards = standards.filter(valid_to__isnull=True)
    return standards.select_related("occupation", "special_item").order_by(*STANDARD_ORDER)


def _standard_subject(request, payload: StandardIn):
    occupation = item = None
    if payload.occupation_code:
        occupation = Occupation.objects.filter(code=payload.occupation_code).first()
        if occupation is None:
            raise ServiceError(
                f"职业编码“{payload.occupation_code}”不在国家职业分类大典（2022）中", field="occupation_code"
            )
    if payload.special_item_code:
        item = SpecialAbilityItem.objects.filter(
            region_code=_city(request), code=payload.special_item_code
        ).first()
        if item is None:
            raise ServiceError(
                f"本市没有编码为“{payload.special_item_code}”的专项职业能力项目", field="special_item_code"
            )
    cert = CertificateType.objects.filter(code=payload.certificate_type).first()
    if cert is None:
        raise ServiceError(f"未知的证书类型：{payload.certificate_type}", field="certificate_type")
    level = SkillLevel.objects.get(code=payload.level) if payload.level else None
    return occupation, item, level, cert


@router.post("/standards", response={201: StandardOut}, summary="新增补贴标准（本市人社局）")
def standard_create(request, payload: StandardIn):
    occupation, item, level, cert = _standard_subject(request, payload)
    standard = services.standard_create(
        actor=request.user,
        region_code=_city(request),
        year=payload.year,
        occupation=occupation,
        special_item=item,
        level=level,
        certificate_type=cert,
        amount=payload.amount,
        valid_from=payload.valid_from,
        note=payload.note,
    )
    return Status(201, standard)


@router.post(
    "/standards/{standard_id}/change", response={201: StandardOut}, summary="调整补贴标准（保留历史）"
)
def standard_change(request, standard_id: int, payload: StandardChangeIn):
    standard = get_object_or_404(SubsidyStandard.objects.for_user(request.user), pk=standard_id)
    new = services.standard_change(
        actor=request.user,
        standard=standard,
        amount=payload.amount,
        effective_on=payload.effective_on,
        note=payload.note,
    )
    return Status(201, new)


@router.get("/standards/{standard_id}/history", response=list[StandardOut], summary="补贴标准调整记录")
def standard_history(request, standard_id: int):
    standard = get_object_or_404(SubsidyStandard.objects.for_user(request.user), pk=standard_id)
    return selectors.standard_history(standard).select_related("occupation", "special_item")


@router.get("/shortage", response=list[ShortageOut], summary="紧缺职业目录")
@paginate(PageNumber)
def shortage_list(request, region: str | None = None, year: int | None = None):
    entries = ShortageOccupation.objects.for_user(request.user).filter(
        region_code=(region or _city(request))[:4] + "00"
    )
    if year:
        entries = entries.filter(year=year)
    return entries.select_related("occupation")


# ---- institutions and designation --------------------------------------------------------------------


@router.get("/institutions", response=list[InstitutionOut], summary="培训和评价机构目录")
@paginate(PageNumber)
def institution_list(request, q: str = "", region: str | None = None):
    orgs = selectors.institutions(request.user)
    if q:
        orgs = orgs.filter(name__contains=q)
    if region:
        orgs = orgs.filter(region_code__startswith=region[:4])
    return orgs


@router.get(
    "/institutions/{org_id}", response=InstitutionDetailOut, summary="机构详情（含核准职业等级、失信记录）"
)
def institution_get(request, org_id: int):
    return get_object_or_404(selectors.institutions(request.user), pk=org_id)


@router.get("/designations", response=list[DesignationOut], summary="定点认定")
@paginate(PageNumber)
def designation_list(request, filters: Query[DesignationFilter]):
    designations = Designation.objects.for_user(request.user).select_related("institution")
    if filters.region:
        designations = designations.filter(region_code=filters.region[:4] + "00")
    if filters.institution:
        designations = designations.filter(institution_id=filters.institution)
    if filters.on:
        designations = designations.filter(valid_from__lte=filters.on, valid_to__gte=filters.on).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=filters.on)
        )
    return designations.prefetch_related("occupations")


@router.get("/designation-calls", response=list[CallOut], summary="定点机构征集公告")
@paginate(PageNumber)
def call_list(request):
    return DesignationCall.objects.for_user(request.user)


@router.get(
    "/designation-calls/{call_id}/applications",
    response=list[ApplicationOut],
    summary="申报情况（按数据权限）",
)
def application_list(request, call_id: int):
    return (
        DesignationApplication.objects.for_user(request.user)
        .filter(call_id=call_id)
        .select_related("institution")
        .prefetch_related("occupations")
    )


@router.post(
    "/designation-applications/{application_id}/decide", response=ApplicationOut, summary="认定（或不予认定）"
)
def application_decide(request, application_id: int, payload: DecideIn):
    application = get_object_or_404(DesignationApplication.objects.for_user(request.user), pk=application_id)
    return services.designation_decide(
        actor=request.user,
        application=application,
        approve=payload.approve,
        opinion=payload.opinion,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )


@router.post("/designations/exempt", response={201: DesignationOut}, summary="免于重新认定")
def designation_exempt(request, payload: ExemptIn):
    institution = get_object_or_404(selectors.institutions(request.user), pk=payload.institution_id)
    call = get_object_or_404(DesignationCall, pk=payload.call_id) if payload.call_id else None
    designation = services.designation_exempt(
        actor=request.user,
        institution=institution,
        region_code=_city(request),
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        basis_note=payload.basis_note,
        call=call,
    )
    return Status(201, designation)


@router.post("/designations/{designation_id}/revoke", response=DesignationOut, summary="撤销定点认定")
def designation_revoke(request, designation_id: int, payload: RevokeIn):
    designation = get_object_or_404(Designation.objects.for_user(request.user), pk=designation_id)
    return services.designation_revoke(
        actor=request.user,
        designation=designation,
        reason=payload.reason,
        effective_on=payload.effective_on or timezone.localdate(),
    )
