"""Certificates (list, detail, issue, revoke, reissue), public verification (no auth), the personal
training archive and the certification-before-release figures.

Reads go through ``for_user`` (another unit's certificate is a 404, audited); writes through the same
services as the web pages.
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel, SpecialAbilityItem
from skillbridge.errors import ServiceError
from skillbridge.registry.models import Person

from . import selectors, services, verification
from .models import Certificate

router = Router(tags=["证书管理"])


# ---- schemas -------------------------------------------------------------------------------------------


class CertificateOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    person_id_number: str = Field(alias="person.masked_id_number", description="身份证号（遮蔽）")
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    certificate_type: str = Field(alias="certificate_type_id")
    certificate_type_name: str = Field(alias="certificate_type.name")
    occupation_code: str | None = None
    subject: str
    level: int | None = Field(None, alias="level_id")
    issuer_id: int
    issuer_name: str = Field(alias="issuer.name")
    issue_date: date
    official_number: str
    number_warning: str
    verification_code: str
    status: str
    status_reason: str
    supersedes_id: int | None = None
    training_class_id: int | None = None

    @staticmethod
    def resolve_subject(obj):
        return selectors.subject_display(obj)

    @staticmethod
    def resolve_occupation_code(obj):
        return obj.occupation.code if obj.occupation_id else None


class EventOut(Schema):
    action: str
    reason: str
    actor_name: str = Field(alias="actor.full_name")
    at: object


class CreditOut(Schema):
    id: int
    source: str
    amount: Decimal
    rule_version: str
    note: str
    certificate_id: int | None = None
    enrolment_id: int | None = None
    reverses_id: int | None = None
    created_at: object


class CertificateDetailOut(CertificateOut):
    events: list[EventOut]
    credits: list[CreditOut]

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor").order_by("id"))

    @staticmethod
    def resolve_credits(obj):
        return list(obj.credit_entries.order_by("id"))


class IssueIn(Schema):
    person_id: int
    unit_id: int
    certificate_type: str = Field(
        description="qualification / skill_level / special_ability / special_operation / special_equipment / training"
    )
    issuer_id: int
    issue_date: date
    official_number: str
    occupation_id: int | None = None
    special_item_id: int | None = None
    level: int | None = Field(None, description="5 五级/初级工 … 1 一级/高级技师")
    training_class_id: int | None = None


class RevokeIn(Schema):
    reason: str


class ReissueIn(Schema):
    reason: str
    official_number: str | None = None
    issue_date: date | None = None


class CertificateFilter(Schema):
    q: str | None = Field(None, description="姓名（前缀）或证书编号")
    certificate_type: str | None = None
    status: str | None = Field(None, description="valid / revoked / superseded")
    year: int | None = None
    person_id: int | None = None


class PublicCertificateOut(Schema):
    name: str = Field(description="持证人姓名（遮蔽）")
    type_name: str
    subject: str
    level: str
    issuer: str
    issue_date: date
    status: str
    status_display: str
    note: str


class VerifyOut(Schema):
    found: bool
    outcome: str
    message: str
    signature_valid: bool | None
    certificates: list[PublicCertificateOut]


class VerifyIn(Schema):
    code: str | None = None
    name: str | None = None
    number: str | None = None
    payload: str | None = Field(None, description="二维码中的签名记录（p 参数），可选")


class ArchiveClassOut(Schema):
    class_id: int
    subject: str
    institution: str
    date_from: date
    date_to: date
    status: str
    classroom_minutes: int
    online_credited_minutes: int
    hours: Decimal


class ArchiveOut(Schema):
    person_id: int
    name: str
    id_number: str
    classes: list[ArchiveClassOut]
    results_available: bool
    certificates: list[CertificateOut]
    credits: list[CreditOut]
    credit_total: Decimal


class ReleaseRowOut(Schema):
    person_id: int
    name: str
    release_date: date
    days_left: int
    certificate_id: int | None


class ReleaseOut(Schema):
    unit_id: int
    unit_name: str
    date_from: date
    date_to: date
    released: int
    certified_before_release: int
    rate: Decimal | None
    target: Decimal | None
    target_source: str
    missing_released: list[ReleaseRowOut]
    missing_upcoming: list[ReleaseRowOut]


# ---- helpers -------------------------------------------------------------------------------------------


def _get(model, pk, field, label):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ServiceError(f"{label}不存在", field=field)
    return obj


def _certificate(user, pk: int) -> Certificate:
    get_in_scope(Certificate, user, pk=pk)
    return selectors.certificates(user).get(pk=pk)


# ---- certificates --------------------------------------------------------------------------------------


@router.get(
    "/certificates", response=list[CertificateOut], summary="证书（按数据权限；发证机构看到自己颁发的）"
)
@paginate(PageNumber)
def certificate_list(request, filters: Query[CertificateFilter]):
    from django.db.models import Q

    rows = selectors.certificates(request.user)
    if filters.q:
        rows = rows.filter(Q(person__name__startswith=filters.q) | Q(official_number=filters.q))
    if filters.certificate_type:
        rows = rows.filter(certificate_type_id=filters.certificate_type)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.year:
        rows = rows.filter(issue_date__year=filters.year)
    if filters.person_id:
        rows = rows.filter(person_id=filters.person_id)
    return rows.order_by("-issue_date", "-id")


@router.get(
    "/certificates/{certificate_id}", response=CertificateDetailOut, summary="证书详情（含记录与学分）"
)
def certificate_get(request, certificate_id: int):
    return _certificate(request.user, certificate_id)


@router.post("/certificates", response={201: CertificateDetailOut}, summary="颁发证书（发证机构经办人）")
def certificate_issue(request, payload: IssueIn):
    training_class = None
    if payload.training_class_id is not None:
        from skillbridge.training.models import TrainingClass

        training_class = _get(TrainingClass, payload.training_class_id, "training_class_id", "培训班")
    certificate = services.certificate_issue(
        actor=request.user,
        person=_get(Person, payload.person_id, "person_id", "持证人"),
        unit=_get(Organisation, payload.unit_id, "unit_id", "单位"),
        certificate_type=_get(CertificateType, payload.certificate_type, "certificate_type", "证书类型"),
        issuer=_get(Organisation, payload.issuer_id, "issuer_id", "发证机构"),
        issue_date=payload.issue_date,
        official_number=payload.official_number,
        occupation=_get(Occupation, payload.occupation_id, "occupation_id", "职业"),
        special_item=_get(SpecialAbilityItem, payload.special_item_id, "special_item_id", "专项职业能力"),
        level=_get(SkillLevel, payload.level, "level", "等级"),
        training_class=training_class,
    )
    return Status(201, _certificate(request.user, certificate.pk))


@router.post("/certificates/{certificate_id}/revoke", response=CertificateDetailOut, summary="撤销证书")
def certificate_revoke(request, certificate_id: int, payload: RevokeIn):
    certificate = _certificate(request.user, certificate_id)
    services.certificate_revoke(actor=request.user, certificate=certificate, reason=payload.reason)
    return _certificate(request.user, certificate_id)


@router.post(
    "/certificates/{certificate_id}/reissue",
    response={201: CertificateDetailOut},
    summary="换发证书（生成新记录）",
)
def certificate_reissue(request, certificate_id: int, payload: ReissueIn):
    certificate = _certificate(request.user, certificate_id)
    new = services.certificate_reissue(
        actor=request.user,
        certificate=certificate,
        reason=payload.reason,
        official_number=payload.official_number,
        issue_date=payload.issue_date,
    )
    return Status(201, _certificate(request.user, new.pk))


# ---- public verification -------------------------------------------------------------------------------


@router.post(
    "/verify",
    auth=None,
    response={200: VerifyOut, 429: VerifyOut},
    summary="公开查验（无需登录）：查验码，或姓名+证书编号",
)
def verify(request, payload: VerifyIn):
    ip = request.META.get("REMOTE_ADDR") or None
    agent = request.META.get("HTTP_USER_AGENT", "")
    if payload.code:
        result = verification.verify_code(
            payload.code, ip=ip, payload=payload.payload or "", user_agent=agent
        )
    elif payload.name and payload.number:
        result = verification.verify_name_number(payload.name, payload.number, ip=ip, user_agent=agent)
    else:
        raise ServiceError("请填写查验码，或同时填写持证人姓名与证书编号", field="code")
    body = {
        "found": result.found,
        "outcome": "not_found" if result.outcome == "malformed" else result.outcome,
        "message": result.message,
        "signature_valid": result.signature_valid,
        "certificates": result.certificates,
    }
    return Status(429 if result.outcome == "rate_limited" else 200, body)


# ---- archive -------------------------------------------------------------------------------------------


@router.get("/archive/{person_id}", response=ArchiveOut, summary="个人培训电子档案（按数据权限）")
def archive(request, person_id: int):
    a = selectors.archive(request.user, person_id)
    return {
        "person_id": a.person.pk,
        "name": a.person.name,
        "id_number": a.person.masked_id_number,
        "classes": [
            {
                "class_id": row.enrolment.training_class_id,
                "subject": row.enrolment.training_class.application.subject_display,
                "institution": row.enrolment.training_class.institution.name,
                "date_from": row.enrolment.training_class.date_from,
                "date_to": row.enrolment.training_class.date_to,
                "status": row.enrolment.status,
                "classroom_minutes": row.classroom_minutes,
                "online_credited_minutes": row.online_minutes,
                "hours": row.hours,
            }
            for row in a.classes
        ],
        "results_available": a.results_available,
        "certificates": a.certificates,
        "credits": a.credits,
        "credit_total": a.credit_total,
    }


# ---- certification before release ---------------------------------------------------------------------


class ReleaseFilter(Schema):
    unit_id: int
    date_from: date | None = Field(None, description="释放日期从（缺省为当年1月1日）")
    date_to: date | None = Field(None, description="释放日期至（缺省为当年12月31日）")


def _rows(rows) -> list[dict]:
    return [
        {
            "person_id": r.person.pk,
            "name": r.person.name,
            "release_date": r.release_date,
            "days_left": r.days_left,
            "certificate_id": r.certificate.pk if r.certificate else None,
        }
        for r in rows
    ]


@router.get("/before-release", response=ReleaseOut, summary="刑释前获证率（单位、期间）")
def before_release(request, filters: Query[ReleaseFilter]):
    today = timezone.localdate()
    unit = Organisation.objects.visible_units(request.user).filter(pk=filters.unit_id).first()
    if unit is None:
        from django.http import Http404

        raise Http404
    date_from = filters.date_from or date(today.year, 1, 1)
    date_to = filters.date_to or date(today.year, 12, 31)
    if date_to < date_from:
        raise ServiceError("释放日期至不能早于释放日期从", field="date_to")
    f = selectors.release_figures(request.user, unit=unit, date_from=date_from, date_to=date_to, today=today)
    return {
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "date_from": date_from,
        "date_to": date_to,
        "released": f.released_count,
        "certified_before_release": f.certified_count,
        "rate": f.rate,
        "target": f.target,
        "target_source": f.target_source,
        "missing_released": _rows(f.missing_released),
        "missing_upcoming": _rows(f.missing_upcoming),
    }
