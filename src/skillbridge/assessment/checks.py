"""What an assessment application must satisfy before it is submitted, and the checks of result rows.

Each problem names the field at fault and says, in Chinese, what is wrong; the detail page lists them all
before submission and `services.application_submit` refuses with them.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from skillbridge.approvals.models import ReviewStatus
from skillbridge.catalog.models import ApprovedOccupation
from skillbridge.training.models import ClassStatus, EnrolmentStatus

from .models import AssessmentApplication, Outcome, Route
from .routes import route_for_class


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def _fmt(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def completed_enrolments(training_class):
    return training_class.enrolments.filter(status=EnrolmentStatus.COMPLETED)


def other_open_application(application: AssessmentApplication) -> AssessmentApplication | None:
    """Another application for the same class that is not rejected (one assessment per class)."""
    return (
        AssessmentApplication.objects.filter(training_class=application.training_class_id)
        .exclude(pk=application.pk)
        .exclude(review__status=ReviewStatus.REJECTED)
        .first()
    )


def application_problems(application: AssessmentApplication) -> list[Problem]:
    a = application
    c = a.training_class
    problems: list[Problem] = []
    if c.status != ClassStatus.COMPLETED:
        problems.append(Problem("training_class", f"培训班：“{c}”尚未结业，结业后才能申报鉴定"))
    elif c.ended_on and a.assessment_date < c.ended_on:
        problems.append(
            Problem(
                "assessment_date",
                f"鉴定日期：{_fmt(a.assessment_date)}早于培训班考核结业日期{_fmt(c.ended_on)}",
            )
        )
    finished = completed_enrolments(c).count()
    if a.candidates > finished:
        problems.append(Problem("candidates", f"鉴定人数：{a.candidates}人超过本班结业学员{finished}人"))
    decision = route_for_class(c)
    if decision.route != a.route or decision.certificate_type.pk != a.certificate_type_id:
        problems.append(
            Problem("route", f"考核评价方式已变化（现为{decision.route_display}），请重新保存申报表")
        )
    if a.examiner.org_type != decision.examiner_org_type:
        problems.append(
            Problem(
                "examiner",
                f"考核评价机构：{decision.route_display}须由{_org_type_label(decision.examiner_org_type)}实施",
            )
        )
    if decision.route == Route.COMPLETION and a.examiner_id != c.institution_id:
        problems.append(
            Problem("examiner", f"考核评价机构：结业考核由承担本班培训的{c.institution.name}组织")
        )
    if decision.route == Route.EVALUATION and (a.occupation_id or a.special_item_id):
        approved = ApprovedOccupation.objects.filter(
            institution=a.examiner_id, occupation=a.occupation_id, special_item=a.special_item_id
        ).first()
        if approved is None:
            problems.append(
                Problem("examiner", f"考核评价机构：{a.examiner.name}未备案承担“{a.subject_name}”的鉴定评价")
            )
        elif a.level_id and not approved.levels.filter(pk=a.level_id).exists():
            problems.append(
                Problem(
                    "examiner", f"考核评价机构：{a.examiner.name}备案的“{a.subject_name}”等级不含{a.level}"
                )
            )
    other = other_open_application(a)
    if other is not None:
        problems.append(
            Problem("training_class", f"培训班：本班已有鉴定申报（编号{other.pk}，{other.status_display}）")
        )
    return problems


def _org_type_label(org_type: str) -> str:
    from skillbridge.accounts.models import OrgType

    try:
        return OrgType(org_type).label
    except ValueError:
        return org_type


# ---- result rows ----------------------------------------------------------------------------------------

SCORE_FIELDS = {"theory_score": "理论成绩", "practical_score": "实操成绩"}


def clean_score(value, label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{label}“{value}”不是有效数字") from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise ValueError(f"{label}须在0至100之间")
    if score != score.quantize(Decimal("0.1")):
        raise ValueError(f"{label}最多保留1位小数")
    return score


def clean_result(values: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Scores and outcome of one row → (clean values, [(field, message)])."""
    errors: list[tuple[str, str]] = []
    clean: dict = {}
    outcome = values.get("outcome")
    if outcome not in Outcome.values:
        errors.append(("outcome", "结果须为合格、不合格或缺考"))
    clean["outcome"] = outcome
    for key, label in SCORE_FIELDS.items():
        try:
            clean[key] = clean_score(values.get(key), label)
        except ValueError as exc:
            errors.append((key, str(exc)))
            clean[key] = None
    if not errors:
        scores = [clean[k] for k in SCORE_FIELDS]
        if outcome == Outcome.ABSENT and any(s is not None for s in scores):
            errors.append(("outcome", "缺考的考生不应有成绩"))
        if outcome in (Outcome.PASSED, Outcome.FAILED) and all(s is None for s in scores):
            errors.append(("theory_score", "请填写理论成绩或实操成绩"))
    return clean, errors
