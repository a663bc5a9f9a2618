"""Institution credit rating: gather the measured facts of a year, compute the grade with the pack's weights,
store both; revoke the designations of an institution rated at the pack's revocation grade."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from skillbridge.accounts.models import Organisation
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, ServiceError
from skillbridge.policy.loader import get_pack

from ..models import CreditRating, Finding, InspectionIssue, Outcome, Rule
from ..rating import RatingNotConfigured, compute_grade, grade_at_most, params_from_pack
from .common import require_supervisor

ATTENDANCE_RULES = (
    Rule.OVERLAPPING_CLASSES,
    Rule.ATTENDANCE_AFTER_EXIT,
    Rule.IDENTICAL_ATTENDANCE,
    Rule.TEACHER_DOUBLE_BOOKED,
)


def rating_facts(institution: Organisation, year: int, today: dt.date) -> dict:
    """Counts for one institution and year, each with the ids it was counted from."""
    from skillbridge.catalog.models import DishonestyRecord
    from skillbridge.certificates.models import Certificate
    from skillbridge.subsidies.models import ClaimLine, LineDecision
    from skillbridge.training.models import EnrolmentStatus, TrainingClass
    from skillbridge.training.selectors import data_entry_status

    classes = list(
        TrainingClass.objects.filter(institution=institution, ended_on__year=year).select_related("unit")
    )
    class_ids = [c.pk for c in classes]
    from skillbridge.training.models import Enrolment

    completed = set(
        Enrolment.objects.filter(
            training_class_id__in=class_ids, status=EnrolmentStatus.COMPLETED
        ).values_list("training_class_id", "person_id")
    )
    failed = Enrolment.objects.filter(training_class_id__in=class_ids, status=EnrolmentStatus.FAILED).count()
    certified = (
        set(
            Certificate.objects.filter(training_class_id__in=class_ids)
            .exclude(status="revoked")
            .values_list("training_class_id", "person_id")
        )
        & completed
    )
    anomalies = list(
        Finding.objects.filter(institution=institution, year=year, rule__in=ATTENDANCE_RULES)
        .exclude(outcome=Outcome.DISMISSED)
        .values_list("pk", flat=True)
    )
    lines = ClaimLine.objects.filter(claim__claimant=institution, year=year).exclude(
        claim__status__in=["draft", "withdrawn"]
    )
    rejected = list(lines.filter(decision=LineDecision.REJECTED).values_list("pk", flat=True))
    issues = list(
        InspectionIssue.objects.filter(
            inspection__target=institution, inspection__visited_on__year=year
        ).values_list("pk", flat=True)
    )
    records = list(
        DishonestyRecord.objects.filter(institution=institution, recorded_on__lte=dt.date(year, 12, 31))
        .filter(Q(until__isnull=True) | Q(until__gte=dt.date(year, 1, 1)))
        .values_list("pk", flat=True)
    )
    due = on_time = 0
    late_classes = []
    for tc in classes:
        status = data_entry_status(tc, today)
        if status.deadline is None:
            continue
        due += 1
        if status.overdue:
            late_classes.append(tc.pk)
        else:
            on_time += 1
    return {
        "classes": class_ids,
        "completed": len(completed),
        "failed": failed,
        "certified": len(certified),
        "attendance_anomalies": len(anomalies),
        "attendance_anomaly_ids": anomalies,
        "claim_lines": lines.count(),
        "rejected_claim_lines": len(rejected),
        "rejected_claim_line_ids": rejected,
        "inspection_issues": len(issues),
        "inspection_issue_ids": issues,
        "dishonesty_records": len(records),
        "dishonesty_record_ids": records,
        "classes_due": due,
        "classes_on_time": on_time,
        "late_class_ids": late_classes,
        "measured_on": today.isoformat(),
    }


@transaction.atomic
def rating_compute(
    *, actor, institution: Organisation, year: int, today: dt.date | None = None
) -> CreditRating:
    require_supervisor(actor, institution)
    if institution.org_type not in ("training_institution", "evaluation_institution"):
        raise ServiceError("只能对培训机构、评价机构进行信用评价", field="institution")
    today = today or timezone.localdate()
    if year > today.year or year < 2000:
        raise ServiceError("评价年度不能晚于本年度", field="year")
    try:
        params = params_from_pack(get_pack(institution.policy_pack))
    except RatingNotConfigured as exc:
        raise ServiceError(str(exc), field="institution") from exc
    facts = rating_facts(institution, year, today)
    result = compute_grade(facts, params)
    rating, created = CreditRating.objects.update_or_create(
        institution=institution,
        year=year,
        defaults={
            "region_code": institution.region_code,
            "score": Decimal(result["score"]),
            "grade": result["grade"],
            "facts": facts,
            "params": params,
            "reasons": {"items": result["reasons"], "summary": result["summary"]},
            "pack_code": params["pack"],
            "computed_by": actor,
        },
    )
    rating.refresh_from_db()
    audit_record(
        action="supervision.rating.compute",
        obj=rating,
        actor=actor,
        changes={"year": year, "score": result["score"], "grade": result["grade"], "recomputed": not created},
    )
    return rating


@transaction.atomic
def rating_revoke_designations(
    *, actor, rating: CreditRating, reason: str, effective_on: dt.date | None = None
):
    """Revoke the institution's designations in force, on the ground of a rating at the revocation grade."""
    from skillbridge.catalog import services as catalog
    from skillbridge.catalog.models import Designation

    pack = get_pack(rating.institution.policy_pack)
    limit = pack.supervision.revocation_grade
    if limit is None or not grade_at_most(rating.grade, limit.value):
        raise Conflict(
            f"信用等级为{rating.grade}级，未达到可撤销定点的等级"
            + (f"（{limit.value}级及以下）" if limit else "（政策包未规定）"),
            field="grade",
        )
    if not reason.strip():
        raise ServiceError("须填写撤销原因", field="reason")
    effective_on = effective_on or timezone.localdate()
    designations = Designation.objects.filter(
        institution=rating.institution, revoked_on__isnull=True, valid_to__gte=effective_on
    )
    revoked = []
    for designation in designations:
        catalog.designation_revoke(
            actor=actor,
            designation=designation,
            reason=f"{rating.year}年度信用等级{rating.grade}级：{reason.strip()}",
            effective_on=effective_on,
        )
        revoked.append(designation.pk)
    if not revoked:
        raise Conflict("该机构没有在有效期内的定点认定", field="designation")
    audit_record(
        action="supervision.rating.revoke",
        obj=rating,
        actor=actor,
        changes={"designations": revoked, "reason": reason.strip()},
    )
    return revoked
