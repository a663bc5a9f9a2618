"""Every write of the assessment app: applications (附件6) through the review chain, results per candidate,
certificates for the candidates who passed. Keyword-only `<entity>_<action>` functions, each one
transaction with its audit event."""

from datetime import date

from django.db import transaction

from skillbridge.accounts.models import Organisation, Role
from skillbridge.accounts.scope import UNIT_TYPES
from skillbridge.approvals import services as approvals
from skillbridge.approvals.models import DocType
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.training.models import ClassStatus, EnrolmentStatus, TrainingClass

from .checks import application_problems, clean_result
from .models import AssessmentApplication, AssessmentResult, Outcome
from .routes import route_for_class

WRITERS = (Role.OPERATOR, Role.UNIT_HEAD)
APPLICATION_FIELDS = ("training_class", "examiner", "assessment_date", "candidates", "filled_on")


def require_unit_writer(actor, unit: Organisation) -> None:
    if actor is None or actor.organisation_id != unit.pk or not actor.has_role(*WRITERS):
        raise Forbidden(f"只有{unit.name}的经办人或负责人可以办理")


def require_result_writer(actor, application: AssessmentApplication) -> None:
    """Results and certificates: the examining institution, or the unit that applied."""
    allowed = (application.examiner_id, application.unit_id)
    if actor is None or actor.organisation_id not in allowed or not actor.has_role(*WRITERS):
        raise Forbidden(
            f"只有{application.examiner.name}或{application.unit.name}的经办人可以录入成绩、颁发证书"
        )


def require_examiner(actor, application: AssessmentApplication) -> None:
    """Certificates are issued by the examining institution's own staff (it is the issuer)."""
    if actor is None or actor.organisation_id != application.examiner_id or not actor.has_role(*WRITERS):
        raise Forbidden(f"证书由考核评价机构{application.examiner.name}的经办人颁发")


def _clean(actor, data: dict) -> dict:
    data = {key: data.get(key) for key in APPLICATION_FIELDS}
    c = data["training_class"]
    if not isinstance(c, TrainingClass) or c.unit_id != actor.organisation_id:
        raise ServiceError("培训班：请选择本单位的培训班", field="training_class")
    if c.status != ClassStatus.COMPLETED:
        raise ServiceError(f"培训班：“{c}”尚未结业，结业后才能申报鉴定", field="training_class")
    if not isinstance(data["examiner"], Organisation):
        raise ServiceError("考核评价机构：请选择机构", field="examiner")
    for key, label in (("assessment_date", "鉴定日期"), ("filled_on", "填报日期")):
        if not isinstance(data[key], date):
            raise ServiceError(f"{label}：请填写日期", field=key)
    if not isinstance(data["candidates"], int) or data["candidates"] < 1:
        raise ServiceError("鉴定人数须为正整数", field="candidates")
    decision = route_for_class(c)
    if data["examiner"].org_type != decision.examiner_org_type:
        raise ServiceError(
            f"考核评价机构：本班为“{decision.route_display}”（{decision.reason}），"
            f"所选{data['examiner'].name}不是相应的机构",
            field="examiner",
        )
    subject = c.application
    data.update(
        occupation=subject.occupation,
        special_item=subject.special_item,
        level=subject.level,
        route=decision.route,
        certificate_type=decision.certificate_type,
    )
    return data


def _changes(data: dict) -> dict:
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}


@transaction.atomic
def application_create(*, actor, data: dict) -> AssessmentApplication:
    """A draft 鉴定申报表 of the actor's unit for one of its completed classes."""
    unit = actor.organisation if actor else None
    if unit is None or unit.org_type not in UNIT_TYPES:
        raise Forbidden("只有监狱、戒毒所等单位可以申报鉴定")
    require_unit_writer(actor, unit)
    data = _clean(actor, data)
    application = AssessmentApplication.objects.create(unit=unit, created_by=actor, **data)
    audit_record(action="assessment.application.create", actor=actor, obj=application, changes=_changes(data))
    return application


def _lock(application: AssessmentApplication) -> AssessmentApplication:
    return (
        AssessmentApplication.objects.select_for_update(of=("self",))
        .select_related("review")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_update(*, actor, application: AssessmentApplication, data: dict) -> AssessmentApplication:
    require_unit_writer(actor, application.unit)
    application = _lock(application)
    if not application.is_editable:
        raise Conflict(f"鉴定申报当前状态为“{application.status_display}”，不能修改", field="status")
    data = _clean(actor, data)
    for key, value in data.items():
        setattr(application, key, value)
    application.save()
    audit_record(action="assessment.application.update", actor=actor, obj=application, changes=_changes(data))
    return application


@transaction.atomic
def application_delete(*, actor, application: AssessmentApplication) -> None:
    require_unit_writer(actor, application.unit)
    application = _lock(application)
    if application.review_id:
        raise Conflict("已报送过的鉴定申报不能删除", field="status")
    audit_record(action="assessment.application.delete", actor=actor, obj=application)
    application.delete()


def review_title(application: AssessmentApplication) -> str:
    a = application
    return (
        f"{a.unit.name}{a.subject_display}职业技能鉴定申报（{a.assessment_date:%Y-%m-%d}，{a.candidates}人）"
    )


@transaction.atomic
def application_submit(*, actor, application: AssessmentApplication) -> AssessmentApplication:
    """Run the pre-submission checks, then submit (or resubmit) through the pack's chain, the examining
    institution being the party the chain's first stage names."""
    require_unit_writer(actor, application.unit)
    application = _lock(application)
    examiner = application.examiner
    case = approvals.document_submit(
        actor=actor,
        document=application,
        name="鉴定申报",
        doc_type=DocType.ASSESSMENT_APPLICATION,
        title=review_title,
        problems=application_problems,
        parties={"evaluation_institution": examiner, "training_institution": examiner},
    )
    audit_record(
        action="assessment.application.submit", actor=actor, obj=application, changes={"review": case.pk}
    )
    return application


# ---- results ---------------------------------------------------------------------------------------------


def _enrolments(application: AssessmentApplication) -> dict[int, object]:
    """The class's enrolments by person id (every status: a non-completed one gets a specific message)."""
    return {e.person_id: e for e in application.training_class.enrolments.select_related("person", "episode")}


def check_result_rows(application: AssessmentApplication, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Validate result rows ({"person_id", "theory_score", "practical_score", "outcome", "row"}) for the
    application → (clean rows with their enrolment, errors [{"row", "field", "message"}])."""
    enrolments = _enrolments(application)
    existing = {r.person_id: r for r in application.results.all()}
    clean_rows, errors, seen = [], [], set()
    for i, values in enumerate(rows, start=1):
        label = values.get("row", i)
        person_id = values.get("person_id")
        enrolment = enrolments.get(person_id)
        if enrolment is None:
            errors.append({"row": label, "field": "person", "message": "不是本班学员，不能录入鉴定成绩"})
            continue
        if enrolment.status != EnrolmentStatus.COMPLETED:
            errors.append(
                {
                    "row": label,
                    "field": "person",
                    "message": f"{enrolment.person.name}在本班的状态为“{enrolment.get_status_display()}”，"
                    "未结业不能参加鉴定",
                }
            )
            continue
        if person_id in seen:
            errors.append({"row": label, "field": "person", "message": f"{enrolment.person.name}重复出现"})
            continue
        seen.add(person_id)
        current = existing.get(person_id)
        if current is not None and current.certificate_id:
            errors.append(
                {
                    "row": label,
                    "field": "person",
                    "message": f"{enrolment.person.name}已颁发证书，成绩不能修改",
                }
            )
            continue
        clean, problems = clean_result(values)
        for field, message in problems:
            errors.append({"row": label, "field": field, "message": message})
        if not problems:
            clean_rows.append({**clean, "enrolment": enrolment})
    return clean_rows, errors


def _row_error(errors: list[dict]) -> ServiceError:
    first = errors[0]
    return ServiceError(
        f"第{first['row']}行：{first['message']}" + (f"（共{len(errors)}处错误）" if len(errors) > 1 else ""),
        field=first["field"],
        code="row_errors",
        details=errors,
    )


@transaction.atomic
def results_save(*, actor, application: AssessmentApplication, rows: list[dict]) -> tuple[int, int]:
    """Enter or correct the results of many candidates at once; nothing is written unless every row is
    valid. Returns (created, updated)."""
    require_result_writer(actor, application)
    application = _lock(application)
    if not application.is_approved:
        raise Conflict(
            f"鉴定申报当前状态为“{application.status_display}”，审核通过后才能录入成绩", field="status"
        )
    if not rows:
        raise ServiceError("没有要保存的成绩", field="rows")
    clean_rows, errors = check_result_rows(application, rows)
    if errors:
        raise _row_error(errors)
    existing = {r.enrolment_id: r for r in application.results.all()}
    created = updated = 0
    for row in clean_rows:
        enrolment = row["enrolment"]
        values = {k: row[k] for k in ("theory_score", "practical_score", "outcome")}
        result = existing.get(enrolment.pk)
        if result is None:
            AssessmentResult.objects.create(
                application=application,
                enrolment=enrolment,
                person=enrolment.person,
                entered_by=actor,
                **values,
            )
            created += 1
        else:
            for key, value in values.items():
                setattr(result, key, value)
            result.entered_by = actor
            result.save()
            updated += 1
    audit_record(
        action="assessment.results.save",
        actor=actor,
        obj=application,
        changes={
            "created": created,
            "updated": updated,
            "outcomes": {str(r["enrolment"].person_id): r["outcome"] for r in clean_rows},
        },
    )
    return created, updated


# ---- certificates ----------------------------------------------------------------------------------------


@transaction.atomic
def certificates_issue(
    *, actor, application: AssessmentApplication, items: list[dict], issue_date: date
) -> list:
    """Issue the certificates of passed candidates: items [{"result": AssessmentResult, "official_number",
    "row"}]. Each certificate goes through the certificates service (its checks, e.g. a number already
    issued for the type, come back as that row's error); nothing is issued unless every row succeeds."""
    from skillbridge.certificates.services import certificate_issue

    require_examiner(actor, application)
    application = _lock(application)
    if not isinstance(issue_date, date):
        raise ServiceError("发证日期：请填写日期", field="issue_date")
    if not items:
        raise ServiceError("没有要颁发的证书", field="rows")
    cert_type = application.certificate_type
    certificates, errors = [], []
    for i, item in enumerate(items, start=1):
        label = item.get("row", i)
        result = item["result"]
        if result.application_id != application.pk:
            errors.append({"row": label, "field": "person", "message": "不是本次鉴定的考生"})
            continue
        if result.outcome != Outcome.PASSED:
            errors.append(
                {
                    "row": label,
                    "field": "outcome",
                    "message": f"{result.person.name}鉴定结果为“{result.get_outcome_display()}”，不能颁发证书",
                }
            )
            continue
        if result.certificate_id:
            errors.append({"row": label, "field": "person", "message": f"{result.person.name}已颁发证书"})
            continue
        number = (item.get("official_number") or "").strip()
        if not number:
            errors.append({"row": label, "field": "official_number", "message": "证书编号不能为空"})
            continue
        try:
            with transaction.atomic():
                certificate = certificate_issue(
                    actor=actor,
                    person=result.person,
                    unit=application.unit,
                    certificate_type=cert_type,
                    issuer=application.examiner,
                    issue_date=issue_date,
                    official_number=number,
                    occupation=application.occupation,
                    special_item=application.special_item,
                    level=application.level if cert_type.has_levels else None,
                    training_class=application.training_class,
                )
                result.certificate = certificate
                result.save(update_fields=["certificate"])
        except ServiceError as exc:
            if isinstance(exc, Forbidden):
                raise
            errors.append({"row": label, "field": exc.field or "official_number", "message": exc.message})
            continue
        certificates.append(certificate)
    if errors:
        raise _row_error(errors)
    audit_record(
        action="assessment.certificates.issue",
        actor=actor,
        obj=application,
        changes={"certificates": [c.pk for c in certificates], "issue_date": issue_date.isoformat()},
    )
    return certificates
