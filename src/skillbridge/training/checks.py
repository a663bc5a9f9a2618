"""The checks a class application must pass before it is submitted, and those of an enrolment.

Each problem names the form field at fault and says, in Chinese, what is wrong and what the rule is; the
detail page shows them all before submission, `services.application_submit` refuses with them.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from skillbridge.approvals.models import ReviewStatus
from skillbridge.catalog.models import ApprovedOccupation
from skillbridge.catalog.selectors import is_designated
from skillbridge.planning.selectors import SubjectKey, agreement_in_force, planned_trainees
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import Decision, Reason, theory_practice_share
from skillbridge.registry.models import ACTIVE_STATUSES
from skillbridge.registry.selectors import current_episode, eligibility_at

from .models import OCCUPYING, ClassApplication, Enrolment, TrainingClass

# 1 课时 = 45 分钟 (local teaching practice; the seeds count 课时 without defining one). Used to turn the
# application's planned 课时 into minutes for the share rule and to show session minutes as 课时.
CLASS_HOUR_MINUTES = 45
# A trainee released within this many days after the class end may have no time left for assessment
# and certification before release (001 二: 刑释前获证率): a warning at enrolment, not a block.
RELEASE_MARGIN_DAYS = 90


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def subject_key(application: ClassApplication) -> SubjectKey:
    has_subject = application.occupation_id or application.special_item_id
    return SubjectKey(
        category=application.category,
        occupation_id=application.occupation_id,
        special_item_id=application.special_item_id,
        level_id=application.level_id,
        project_name="" if has_subject else application.project_name,
    )


def _fmt(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def capacity_used(application: ClassApplication) -> int:
    """Trainees of the unit's other applications for the same plan line that are not rejected."""
    others = (
        ClassApplication.objects.filter(
            subject_key(application).filter(), unit=application.unit_id, plan_year=application.plan_year
        )
        .exclude(pk=application.pk)
        .exclude(review__status=ReviewStatus.REJECTED)
    )
    return others.aggregate(total=Sum("trainees"))["total"] or 0


def application_problems(application: ClassApplication) -> list[Problem]:
    """Everything that stops `application` from being submitted, in the order of the form."""
    a = application
    problems: list[Problem] = []
    year = a.plan_year
    for field, day, label in (("date_from", a.date_from, "开始"), ("date_to", a.date_to, "结束")):
        if day.year != year:
            problems.append(
                Problem(
                    field,
                    f"培训时间：{label}日期{_fmt(day)}不在计划年度{year}年内"
                    f"（须在{year}年1月1日至{year}年12月31日之间）",
                )
            )
    if not is_designated(a.institution, a.unit.region_code, a.date_from):
        problems.append(
            Problem(
                "institution",
                f"培训机构：{a.institution.name}在开班日期{_fmt(a.date_from)}不是本市定点培训机构"
                "（未认定、认定已过期或已撤销）",
            )
        )
    agreement = agreement_in_force(a.unit, a.institution, a.date_from)
    if agreement is None or agreement.valid_to < a.date_to:
        problems.append(
            Problem(
                "institution",
                f"培训机构：本单位与{a.institution.name}没有覆盖培训时间（{_fmt(a.date_from)}至{_fmt(a.date_to)}）"
                "的已签订合作协议",
            )
        )
    if a.occupation_id or a.special_item_id:
        approved = ApprovedOccupation.objects.filter(
            institution=a.institution, occupation=a.occupation_id, special_item=a.special_item_id
        ).first()
        if approved is None:
            problems.append(
                Problem("occupation", f"培训工种：{a.institution.name}未核准承担“{a.subject_name}”的培训")
            )
        elif a.level_id and not approved.levels.filter(pk=a.level_id).exists():
            problems.append(
                Problem(
                    "level",
                    f"等级：{a.institution.name}核准的“{a.subject_name}”培训等级不含{a.level}",
                )
            )
    planned = planned_trainees(a.unit, year, subject_key(a))
    if planned is None:
        problems.append(
            Problem(
                "occupation",
                f"培训工种：本单位{year}年度已核准的培训计划中没有“{a.subject_display}”项目",
            )
        )
    else:
        used = capacity_used(a)
        left = max(planned - used, 0)
        if a.trainees > left:
            problems.append(
                Problem(
                    "trainees",
                    f"培训人数：{a.trainees}人超过计划剩余名额{left}人"
                    f"（{year}年度计划{planned}人，本单位其他未被否决的办班申报已占{used}人）",
                )
            )
    pack = get_pack(a.unit.policy_pack)
    share = theory_practice_share(
        a.theory_hours * CLASS_HOUR_MINUTES, a.practice_hours * CLASS_HOUR_MINUTES, pack
    )
    for reason in share.reasons:
        if reason.severity == "block":
            problems.append(Problem("theory_hours", f"课时安排：{reason.message}"))
    return problems


# ---- enrolment -------------------------------------------------------------------------------------------


def _block(code: str, message: str, source: str = "") -> Reason:
    return Reason(code, message, source)


def enrolment_check(training_class: TrainingClass, person, *, today: date) -> Decision:
    """Whether `person` may join the class: blocks and warnings with reasons; value = the episode.

    Eligibility is judged at the class start, or at `today` for a late enrolment.
    """
    reasons: list[Reason] = []
    c = training_class
    episode = current_episode(list(person.episodes.select_related("unit")))
    if episode is None or episode.unit_id != c.unit_id or episode.status not in ACTIVE_STATUSES:
        reasons.append(_block("not_at_unit", f"不是{c.unit.name}在押（在所）人员"))
        return Decision.of(reasons)
    if Enrolment.objects.filter(training_class=c, person=person).exists():
        reasons.append(_block("already_enrolled", "已在本班学员名单中"))
    release = episode.expected_release_date
    if release <= c.date_to:
        reasons.append(
            _block(
                "release_before_end",
                f"预计释放日期{_fmt(release)}不晚于结业日期{_fmt(c.date_to)}，无法完成培训",
            )
        )
    elif release <= c.date_to + timedelta(days=RELEASE_MARGIN_DAYS):
        reasons.append(
            Reason(
                "release_soon",
                f"预计释放日期{_fmt(release)}距结业不足{RELEASE_MARGIN_DAYS}天，可能来不及参加鉴定取证",
                "平台提示（本地惯例）",
                "warn",
            )
        )
    at = max(c.date_from, today)
    decision = eligibility_at(person, at, episode)
    for reason in decision.reasons:
        if reason.severity == "block":
            reasons.append(Reason(reason.code, f"{_fmt(at)}不符合培训条件：{reason.message}", reason.source))
        else:
            reasons.append(reason)
    overlapping = (
        Enrolment.objects.filter(
            person=person,
            status__in=OCCUPYING,
            training_class__date_from__lte=c.date_to,
            training_class__date_to__gte=c.date_from,
        )
        .exclude(training_class=c)
        .select_related("training_class__application__occupation", "training_class__application__unit")
        .first()
    )
    if overlapping:
        other = overlapping.training_class
        reasons.append(
            _block(
                "overlap",
                f"已在培训时间重叠的培训班“{other}”（{_fmt(other.date_from)}至{_fmt(other.date_to)}）中",
            )
        )
    certified = already_certified(person, c.application)
    if certified is not None:
        setting = get_pack(c.unit.policy_pack).enrolment_checks.already_certified
        reasons.append(
            Reason(
                "already_certified",
                f"已持有有效的{certified.certificate_type.name}（{c.application.subject_name}"
                f"{f'，{certified.level}' if certified.level_id else ''}，编号{certified.official_number}，"
                f"{_fmt(certified.issue_date)}发证），与本班职业（工种）、等级相同",
                setting.source if setting else "平台默认（政策未规定）：已持同职业同等级有效证书者入班时提示",
                "block" if setting and setting.value == "block" else "warn",
            )
        )
    seats = c.application.trainees
    taken = c.enrolments.filter(status__in=OCCUPYING).count()
    if taken >= seats:
        reasons.append(_block("class_full", f"本班核定培训人数{seats}人已满"))
    return Decision.of(reasons, episode)


def already_certified(person, application: ClassApplication):
    """A valid certificate of `person` for the class's occupation (or special-ability item) and level, or
    None. A class with neither (a 创业培训 project) never matches."""
    from skillbridge.certificates.models import Certificate, CertificateStatus

    if not (application.occupation_id or application.special_item_id):
        return None
    return (
        Certificate.objects.filter(
            person=person,
            status=CertificateStatus.VALID,
            occupation=application.occupation_id,
            special_item=application.special_item_id,
            level=application.level_id,
        )
        .select_related("certificate_type", "level")
        .order_by("-issue_date")
        .first()
    )


# ---- completion ------------------------------------------------------------------------------------------

# Share of the class's classroom minutes a trainee must attend (online minutes counted by the pack's
# ratio) to complete. The seeds give no figure: 80% is local practice, set TRAINING_COMPLETION_RATIO in
# the Django settings to change it.
COMPLETION_ATTENDANCE_RATIO = "0.80"
COMPLETION_RATIO_SOURCE = (
    "平台默认（政策未规定）：本地惯例，出勤（含按比例计入的在线学时）达到面授总课时的80%方可结业"
)


def completion_ratio() -> Decimal:
    return Decimal(str(getattr(settings, "TRAINING_COMPLETION_RATIO", COMPLETION_ATTENDANCE_RATIO)))
