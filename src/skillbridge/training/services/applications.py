"""Class applications (附件4): draft, edit, delete, submit through the unit's review chain."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation, OrgType, Role
from skillbridge.accounts.scope import UNIT_TYPES
from skillbridge.approvals import services as approvals
from skillbridge.approvals.models import DocType, ReviewStatus
from skillbridge.audit.services import audit_record
from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.planning.models import PlanCategory

from ..checks import application_problems
from ..models import ClassApplication, ClassStatus, TrainingClass

WRITERS = (Role.OPERATOR, Role.UNIT_HEAD)
APPLICATION_FIELDS = (
    "institution",
    "plan_year",
    "category",
    "occupation",
    "special_item",
    "project_name",
    "level",
    "trainees",
    "period_number",
    "period_total",
    "date_from",
    "date_to",
    "days",
    "theory_hours",
    "practice_hours",
    "teachers",
    "textbooks",
    "venue",
    "filled_on",
)
TEXT_FIELDS = {"teachers": "授课教师", "textbooks": "使用教材", "venue": "教学场地"}


def require_unit_writer(actor, unit: Organisation) -> None:
    """Writes on a unit's applications and classes: its own operator or unit head."""
    if actor is None or actor.organisation_id != unit.pk or not actor.has_role(*WRITERS):
        raise Forbidden(f"只有{unit.name}的经办人或负责人可以办理")


def _clean(data: dict) -> dict:
    """Field-level checks on save (the policy checks run at submission, see checks.py)."""
    data = {key: data.get(key) for key in APPLICATION_FIELDS}
    for key, label in TEXT_FIELDS.items():
        data[key] = (data[key] or "").strip()
        if not data[key]:
            raise ServiceError(f"{label}不能为空", field=key)
    data["project_name"] = (data["project_name"] or "").strip()
    institution = data["institution"]
    if not isinstance(institution, Organisation) or institution.org_type != OrgType.TRAINING_INSTITUTION:
        raise ServiceError("培训机构：请选择培训机构", field="institution")
    if data["category"] not in PlanCategory.values:
        raise ServiceError("培训类别：请选择就业技能培训或创业培训", field="category")
    occupation, item = data["occupation"], data["special_item"]
    if occupation is not None and not isinstance(occupation, Occupation):
        raise ServiceError("培训工种：职业不存在", field="occupation")
    if item is not None and not isinstance(item, SpecialAbilityItem):
        raise ServiceError("专项职业能力不存在", field="special_item")
    if data["level"] is not None and not isinstance(data["level"], SkillLevel):
        raise ServiceError("等级不存在", field="level")
    if occupation and item:
        raise ServiceError("培训工种：职业与专项职业能力只能选择其一", field="occupation")
    if occupation and occupation.level != 4:
        raise ServiceError("培训工种：须选择职业（细类）", field="occupation")
    if not (occupation or item or data["project_name"]):
        raise ServiceError(
            "培训工种：请选择职业（工种）、专项职业能力，或填写创业培训项目名称", field="occupation"
        )
    for key, label in (("trainees", "培训人数"), ("period_number", "培训班期"), ("period_total", "共M班")):
        if not isinstance(data[key], int) or data[key] < 1:
            raise ServiceError(f"{label}须为正整数", field=key)
    if data["period_number"] > data["period_total"]:
        raise ServiceError(
            f"培训班期：第{data['period_number']}期不能大于共{data['period_total']}班", field="period_number"
        )
    for key in ("date_from", "date_to", "filled_on"):
        if not isinstance(data[key], date):
            raise ServiceError("请填写日期", field=key)
    if data["date_to"] < data["date_from"]:
        raise ServiceError("培训时间：结束日期不能早于开始日期", field="date_to")
    span = (data["date_to"] - data["date_from"]).days + 1
    if not isinstance(data["days"], int) or not 1 <= data["days"] <= span:
        raise ServiceError(f"共计天数须在1至{span}天之间（培训时间共{span}个日历日）", field="days")
    if not isinstance(data["plan_year"], int) or not 2000 <= data["plan_year"] <= 2100:
        raise ServiceError("计划年度不正确", field="plan_year")
    for key in ("theory_hours", "practice_hours"):
        if not isinstance(data[key], int) or data[key] < 0:
            raise ServiceError("课时须为非负整数", field=key)
    if data["theory_hours"] + data["practice_hours"] == 0:
        raise ServiceError("课时：理论与实操课时合计不能为0", field="theory_hours")
    return data


def _changes(data: dict) -> dict:
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}


@transaction.atomic
def application_create(*, actor, data: dict) -> ClassApplication:
    """A draft 办班申报表 of the actor's own unit."""
    unit = actor.organisation if actor else None
    if unit is None or unit.org_type not in UNIT_TYPES:
        raise Forbidden("只有监狱、戒毒所等单位可以办班申报")
    require_unit_writer(actor, unit)
    data = _clean(data)
    application = ClassApplication.objects.create(unit=unit, created_by=actor, **data)
    audit_record(action="training.application.create", actor=actor, obj=application, changes=_changes(data))
    return application


def _lock(application: ClassApplication) -> ClassApplication:
    return (
        ClassApplication.objects.select_for_update(of=("self",))
        .select_related("review")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_update(*, actor, application: ClassApplication, data: dict) -> ClassApplication:
    """Edit a draft, or an application returned for revision."""
    require_unit_writer(actor, application.unit)
    application = _lock(application)
    if not application.is_editable:
        raise Conflict(f"办班申报当前状态为“{application.status_display}”，不能修改", field="status")
    data = _clean(data)
    for key, value in data.items():
        setattr(application, key, value)
    application.save()
    audit_record(action="training.application.update", actor=actor, obj=application, changes=_changes(data))
    return application


@transaction.atomic
def application_delete(*, actor, application: ClassApplication) -> None:
    """Only a draft that was never submitted can be deleted."""
    require_unit_writer(actor, application.unit)
    application = _lock(application)
    if application.review_id:
        raise Conflict("已报送过的办班申报不能删除", field="status")
    audit_record(action="training.application.delete", actor=actor, obj=application)
    application.delete()


def review_title(application: ClassApplication) -> str:
    a = application
    return f"{a.unit.name}{a.plan_year}年{a.subject_name}第{a.period_number}期培训班办班申报"


@transaction.atomic
def application_submit(*, actor, application: ClassApplication) -> ClassApplication:
    """Run every pre-submission check, then submit (or resubmit after 退回修改) through the chain.

    The review case is created here, already submitted, so a draft cannot reach a reviewer unchecked.
    """
    require_unit_writer(actor, application.unit)
    application = _lock(application)
    case = approvals.document_submit(
        actor=actor,
        document=application,
        name="办班申报",
        doc_type=DocType.CLASS_APPLICATION,
        title=review_title,
        problems=application_problems,
    )
    audit_record(
        action="training.application.submit", actor=actor, obj=application, changes={"review": case.pk}
    )
    return application


# ---- opening the class of an approved application ------------------------------------------------------


@transaction.atomic
def class_open(*, actor, application: ClassApplication) -> TrainingClass:
    """Open the class of an approved application (idempotent). Runs as the review engine's on-approved
    follow-up, inside the transaction of the final approval."""
    application = _lock(application)
    existing = TrainingClass.objects.filter(application=application).first()
    if existing:
        return existing
    if application.status != ReviewStatus.APPROVED:
        raise Conflict("办班申报尚未审核通过，不能开班", field="status")
    training_class = TrainingClass.objects.create(
        application=application,
        unit=application.unit,
        institution=application.institution,
        date_from=application.date_from,
        date_to=application.date_to,
        status=ClassStatus.OPEN,
    )
    audit_record(
        action="training.class.open",
        actor=actor,
        organisation=application.unit,
        obj=training_class,
        changes={"application": application.pk, "approved_at": application.review.decided_at},
    )
    return training_class


def class_open_on_approval(case, actor) -> None:
    """The review engine's on-approved follow-up for class applications."""
    application = ClassApplication.objects.filter(review_id=case.pk).first()
    if application is not None:
        class_open(actor=actor, application=application)


def today() -> date:
    return timezone.localdate()
