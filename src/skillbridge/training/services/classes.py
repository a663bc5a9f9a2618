"""Running a class: roster, sessions, attendance, online learning minutes, completion, data entry."""

from dataclasses import asdict
from datetime import date, time

from django.db import transaction
from django.utils import timezone

from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import theory_practice_share
from skillbridge.registry.models import Person

from ..checks import completion_ratio, enrolment_check
from ..models import (
    MANUAL_EXITS,
    Attendance,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    OnlineLearning,
    OnlineSource,
    SessionKind,
    TrainingClass,
    TrainingSession,
)
from ..selectors import attendance_summary
from .applications import WRITERS, require_unit_writer

MAX_SESSION_MINUTES = 24 * 60
MAX_ONLINE_MINUTES = 100_000


def _lock_class(training_class: TrainingClass) -> TrainingClass:
    return (
        TrainingClass.objects.select_for_update(of=("self",))
        .select_related("unit", "application")
        .get(pk=training_class.pk)
    )


def _require_open(training_class: TrainingClass) -> None:
    if training_class.status != ClassStatus.OPEN:
        raise Conflict("培训班已结业，不能再修改", field="status")


def _fmt(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---- roster --------------------------------------------------------------------------------------------


@transaction.atomic
def enrolments_add(
    *, actor, training_class: TrainingClass, people: list[Person], today: date
) -> list[Enrolment]:
    """Add people to the roster: all of them or, if any is blocked, none (every block in `details`)."""
    require_unit_writer(actor, training_class.unit)
    training_class = _lock_class(training_class)
    _require_open(training_class)
    if not people:
        raise ServiceError("请选择要加入的学员", field="person")
    if len({p.pk for p in people}) != len(people):
        raise ServiceError("学员重复选择", field="person")
    details, accepted = [], []
    seats = training_class.application.trainees
    taken = training_class.enrolments.exclude(
        status__in=[EnrolmentStatus.RELEASED, EnrolmentStatus.TRANSFERRED, EnrolmentStatus.WITHDRAWN]
    ).count()
    for person in people:
        decision = enrolment_check(training_class, person, today=today)
        blocks = [r for r in decision.reasons if r.severity == "block"]
        for reason in blocks:
            details.append(
                {"field": "person", "person_id": person.pk, "message": f"{person.name}：{reason.message}"}
            )
        if not blocks:
            accepted.append((person, decision))
    if not details and taken + len(accepted) > seats:
        details.append(
            {
                "field": "person",
                "message": f"本班核定培训人数{seats}人，已有{taken}人，本次最多再加入{seats - taken}人",
            }
        )
    if details:
        raise ServiceError(details[0]["message"], field="person", code="enrolment_blocked", details=details)
    enrolments = []
    for person, decision in accepted:
        warnings = [asdict(r) for r in decision.reasons if r.severity == "warn"]
        enrolment = Enrolment.objects.create(
            training_class=training_class,
            person=person,
            episode=decision.value,
            warnings=warnings,
            enrolled_by=actor,
        )
        enrolments.append(enrolment)
        audit_record(
            action="training.enrolment.add",
            actor=actor,
            obj=enrolment,
            changes={
                "class": training_class.pk,
                "person": person.pk,
                "warnings": [w["message"] for w in warnings],
            },
        )
    return enrolments


@transaction.atomic
def enrolment_exit(*, actor, enrolment: Enrolment, status: str, on: date, reason: str) -> Enrolment:
    """Record that a trainee left the class: released, transferred or withdrawn."""
    training_class = enrolment.training_class
    require_unit_writer(actor, training_class.unit)
    training_class = _lock_class(training_class)
    _require_open(training_class)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if status not in MANUAL_EXITS:
        labels = "、".join(EnrolmentStatus(s).label for s in MANUAL_EXITS)
        raise ServiceError(f"离班类型须为{labels}之一（结业、未结业由结业办理确定）", field="status")
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict(f"该学员当前状态为“{enrolment.get_status_display()}”，不能再办理离班", field="status")
    if not isinstance(on, date) or on < training_class.date_from:
        raise ServiceError(f"离班日期不能早于开班日期{_fmt(training_class.date_from)}", field="on")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写离班说明", field="reason")
    enrolment.status, enrolment.exit_on, enrolment.exit_reason = status, on, reason[:300]
    enrolment.save(update_fields=["status", "exit_on", "exit_reason"])
    audit_record(
        action="training.enrolment.exit",
        actor=actor,
        obj=enrolment,
        changes={"status": status, "on": on, "reason": enrolment.exit_reason},
    )
    return enrolment


# ---- sessions ------------------------------------------------------------------------------------------

SESSION_FIELDS = ("date", "start_time", "minutes", "kind", "topic", "teacher")


def _require_session_writer(actor, training_class: TrainingClass) -> None:
    """Sessions (the timetable) are kept by the unit or by the institution that teaches the class."""
    allowed = (training_class.unit_id, training_class.institution_id)
    if actor is None or actor.organisation_id not in allowed or not actor.has_role(*WRITERS):
        raise Forbidden("只有本班所属单位或培训机构的经办人、负责人可以安排课次")


def _clean_session(training_class: TrainingClass, data: dict) -> dict:
    data = {key: data.get(key) for key in SESSION_FIELDS}
    day = data["date"]
    if not isinstance(day, date):
        raise ServiceError("请填写日期", field="date")
    if not training_class.date_from <= day <= training_class.date_to:
        raise ServiceError(
            f"日期：{_fmt(day)}不在培训时间（{_fmt(training_class.date_from)}至{_fmt(training_class.date_to)}）内",
            field="date",
        )
    if not isinstance(data["start_time"], time):
        raise ServiceError("请填写开始时间", field="start_time")
    if not isinstance(data["minutes"], int) or not 1 <= data["minutes"] <= MAX_SESSION_MINUTES:
        raise ServiceError(f"时长须为1至{MAX_SESSION_MINUTES}分钟", field="minutes")
    if data["kind"] not in SessionKind.values:
        raise ServiceError("类型须为理论、实操或在线学习", field="kind")
    for key, label in (("topic", "内容"), ("teacher", "授课教师")):
        data[key] = (data[key] or "").strip()
        if not data[key]:
            raise ServiceError(f"{label}不能为空", field=key)
    return data


def _audit_session(data: dict) -> dict:
    return {**data, "start_time": data["start_time"].strftime("%H:%M")}


@transaction.atomic
def session_create(*, actor, training_class: TrainingClass, data: dict) -> TrainingSession:
    _require_session_writer(actor, training_class)
    training_class = _lock_class(training_class)
    _require_open(training_class)
    data = _clean_session(training_class, data)
    session = TrainingSession.objects.create(training_class=training_class, created_by=actor, **data)
    audit_record(action="training.session.create", actor=actor, obj=session, changes=_audit_session(data))
    return session


@transaction.atomic
def session_update(*, actor, session: TrainingSession, data: dict) -> TrainingSession:
    _require_session_writer(actor, session.training_class)
    training_class = _lock_class(session.training_class)
    _require_open(training_class)
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.is_locked:
        raise Conflict("该课次考勤已签认锁定，不能修改", field="session")
    data = _clean_session(training_class, data)
    longest = session.attendance.order_by("-minutes").values_list("minutes", flat=True).first()
    if longest and data["minutes"] < longest:
        raise ServiceError(f"时长不能短于已登记的出勤分钟数（{longest}分钟）", field="minutes")
    for key, value in data.items():
        setattr(session, key, value)
    session.save()
    audit_record(action="training.session.update", actor=actor, obj=session, changes=_audit_session(data))
    return session


# ---- attendance ----------------------------------------------------------------------------------------


def _lock_session(actor, session: TrainingSession) -> TrainingSession:
    require_unit_writer(actor, session.training_class.unit)
    _require_open(_lock_class(session.training_class))
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("training_class")
        .get(pk=session.pk)
    )
    if session.is_locked:
        raise Conflict(
            f"该课次考勤已于{timezone.localtime(session.signed_off_at):%Y-%m-%d %H:%M}签认锁定，不能修改",
            field="session",
        )
    return session


def _active_roster(session: TrainingSession) -> dict[int, Enrolment]:
    return {
        e.person_id: e
        for e in session.training_class.enrolments.filter(status=EnrolmentStatus.ACTIVE).select_related(
            "person"
        )
    }


@transaction.atomic
def attendance_mark_all_present(*, actor, session: TrainingSession) -> int:
    """Everyone in training present for the full session; entries already made are kept (exceptions)."""
    session = _lock_session(actor, session)
    roster = _active_roster(session)
    marked = set(session.attendance.values_list("enrolment_id", flat=True))
    new = [
        Attendance(session=session, enrolment=e, minutes=session.minutes, marked_by=actor)
        for e in roster.values()
        if e.pk not in marked
    ]
    Attendance.objects.bulk_create(new)
    audit_record(
        action="training.attendance.all_present",
        actor=actor,
        obj=session,
        changes={"minutes": session.minutes, "marked": len(new), "kept": len(marked)},
    )
    return len(new)


@transaction.atomic
def attendance_set(*, actor, session: TrainingSession, entries: list[dict]) -> int:
    """Set minutes for some trainees: ``entries`` = [{"person_id", "minutes", "note"?}]. All or nothing."""
    session = _lock_session(actor, session)
    roster = _active_roster(session)
    details, clean = [], []
    seen = set()
    # Names of people of the class's own unit who are not in training, for a readable error.
    others = dict(
        Person.objects.filter(
            pk__in={e.get("person_id") for e in entries} - set(roster),
            episodes__unit=session.training_class.unit_id,
        ).values_list("pk", "name")
    )
    for index, entry in enumerate(entries, start=1):
        person_id, minutes = entry.get("person_id"), entry.get("minutes")
        enrolment = roster.get(person_id)
        who = enrolment.person.name if enrolment else others.get(person_id, f"人员（编号{person_id}）")
        if enrolment is None:
            details.append(
                {"field": "person_id", "row": index, "message": f"{who}不是本班在训学员，不能登记考勤"}
            )
        elif person_id in seen:
            details.append({"field": "person_id", "row": index, "message": f"{who}重复登记"})
        elif not isinstance(minutes, int) or minutes < 0:
            details.append({"field": "minutes", "row": index, "message": f"{who}：出勤分钟须为非负整数"})
        elif minutes > session.minutes:
            details.append(
                {
                    "field": "minutes",
                    "row": index,
                    "message": f"{who}：出勤{minutes}分钟超过本课次时长{session.minutes}分钟",
                }
            )
        else:
            clean.append((enrolment, minutes, (entry.get("note") or "").strip()[:200]))
        seen.add(person_id)
    if not entries:
        details.append({"field": "entries", "message": "没有要登记的考勤"})
    if details:
        raise ServiceError(
            details[0]["message"], field=details[0]["field"], code="attendance_invalid", details=details
        )
    existing = {a.enrolment_id: a for a in session.attendance.all()}
    changes = []
    for enrolment, minutes, note in clean:
        record = existing.get(enrolment.pk)
        if record is None:
            Attendance.objects.create(
                session=session, enrolment=enrolment, minutes=minutes, note=note, marked_by=actor
            )
        else:
            record.minutes, record.note, record.marked_by = minutes, note, actor
            record.save(update_fields=["minutes", "note", "marked_by", "marked_at"])
        changes.append([enrolment.person_id, minutes])
    audit_record(action="training.attendance.set", actor=actor, obj=session, changes={"entries": changes})
    return len(clean)


@transaction.atomic
def session_sign_off(*, actor, session: TrainingSession) -> TrainingSession:
    """Sign off a session's attendance: every trainee in training must have an entry; then it is locked."""
    session = _lock_session(actor, session)
    marked = set(session.attendance.values_list("enrolment_id", flat=True))
    missing = [e.person.name for e in _active_roster(session).values() if e.pk not in marked]
    if missing:
        raise ServiceError(f"以下学员尚未登记考勤：{'、'.join(missing)}", field="attendance")
    session.signed_off_at, session.signed_off_by = timezone.now(), actor
    session.save(update_fields=["signed_off_at", "signed_off_by"])
    audit_record(
        action="training.session.sign_off", actor=actor, obj=session, changes={"entries": len(marked)}
    )
    return session


# ---- online learning -----------------------------------------------------------------------------------


def clean_online(platform, minutes) -> tuple[str, int]:
    platform = (platform or "").strip()
    if not platform:
        raise ServiceError("平台名称不能为空", field="platform")
    if len(platform) > 100:
        raise ServiceError("平台名称不能超过100个字符", field="platform")
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_ONLINE_MINUTES:
        raise ServiceError(f"学习分钟数须为0至{MAX_ONLINE_MINUTES}的整数", field="minutes")
    return platform, minutes


def online_upsert(*, actor, enrolment: Enrolment, platform: str, minutes: int, source: str) -> bool:
    """Write one platform total (inside the caller's transaction); True when it was created."""
    _, created = OnlineLearning.objects.update_or_create(
        enrolment=enrolment,
        platform=platform,
        defaults={"minutes": minutes, "source": source, "entered_by": actor},
    )
    return created


@transaction.atomic
def online_minutes_set(*, actor, enrolment: Enrolment, platform: str, minutes: int) -> OnlineLearning:
    """Manual entry of a platform's total learning minutes for one trainee in training."""
    require_unit_writer(actor, enrolment.training_class.unit)
    _require_open(_lock_class(enrolment.training_class))
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict(f"该学员当前状态为“{enrolment.get_status_display()}”，不能录入学时", field="person")
    platform, minutes = clean_online(platform, minutes)
    online_upsert(
        actor=actor, enrolment=enrolment, platform=platform, minutes=minutes, source=OnlineSource.MANUAL
    )
    record = OnlineLearning.objects.get(enrolment=enrolment, platform=platform)
    audit_record(
        action="training.online.set",
        actor=actor,
        obj=record,
        changes={"person": enrolment.person_id, "platform": platform, "minutes": minutes},
    )
    return record


# ---- completion and data entry -------------------------------------------------------------------------

# Follow-ups of later apps (e.g. class-hour credits), run inside the completing transaction.
_ON_COMPLETED: list = []


def register_on_class_completed(follow_up) -> None:
    """`follow_up(actor=, training_class=)` runs inside `class_complete`'s transaction, after the audit event."""
    if follow_up not in _ON_COMPLETED:
        _ON_COMPLETED.append(follow_up)


@transaction.atomic
def class_complete(*, actor, training_class: TrainingClass, ended_on: date) -> TrainingClass:
    """考核结业: every session signed off, the taught minutes' theory/practice share within the pack, then
    each trainee in training completes or not by the attendance threshold; the class is completed."""
    require_unit_writer(actor, training_class.unit)
    training_class = _lock_class(training_class)
    _require_open(training_class)
    sessions = list(training_class.sessions.all())
    if not sessions:
        raise ServiceError("本班尚未安排任何课次，不能结业", field="sessions")
    open_sessions = [s for s in sessions if not s.is_locked]
    if open_sessions:
        listed = "、".join(f"{s.date:%m-%d} {s.topic}" for s in open_sessions[:5])
        raise ServiceError(f"以下课次考勤尚未签认：{listed}（共{len(open_sessions)}个）", field="sessions")
    last = max(s.date for s in sessions)
    if not isinstance(ended_on, date) or ended_on < last:
        raise ServiceError(f"结业日期不能早于最后一次课（{_fmt(last)}）", field="ended_on")
    theory = sum(s.minutes for s in sessions if s.kind == SessionKind.THEORY)
    practice = sum(s.minutes for s in sessions if s.kind == SessionKind.PRACTICE)
    share = theory_practice_share(theory, practice, get_pack(training_class.unit.policy_pack))
    if not share.allowed:
        raise ServiceError(f"已上课时：{share.reasons[0].message}", field="sessions")
    threshold = completion_ratio()
    summary = attendance_summary(training_class)
    outcomes = {}
    for enrolment in training_class.enrolments.filter(status=EnrolmentStatus.ACTIVE):
        row = summary[enrolment.pk]
        enrolment.classroom_minutes = row.classroom_minutes
        enrolment.online_credited_minutes = row.online_credited
        enrolment.attendance_ratio = row.ratio
        enrolment.exit_on = ended_on
        if row.ratio >= threshold:
            enrolment.status, enrolment.exit_reason = EnrolmentStatus.COMPLETED, "考核结业"
        else:
            enrolment.status = EnrolmentStatus.FAILED
            enrolment.exit_reason = f"出勤率{row.ratio:.2%}，未达到结业要求{threshold:.0%}"
        enrolment.save(
            update_fields=[
                "status",
                "exit_on",
                "exit_reason",
                "classroom_minutes",
                "online_credited_minutes",
                "attendance_ratio",
            ]
        )
        outcomes[enrolment.person_id] = [enrolment.status, str(row.ratio)]
    training_class.status = ClassStatus.COMPLETED
    training_class.ended_on = ended_on
    training_class.completed_by, training_class.completed_at = actor, timezone.now()
    training_class.completion_ratio = threshold
    training_class.save(
        update_fields=["status", "ended_on", "completed_by", "completed_at", "completion_ratio"]
    )
    audit_record(
        action="training.class.complete",
        actor=actor,
        obj=training_class,
        changes={"ended_on": ended_on, "threshold": str(threshold), "outcomes": outcomes},
    )
    for follow_up in _ON_COMPLETED:
        follow_up(actor=actor, training_class=training_class)
    return training_class


@transaction.atomic
def class_data_entered(*, actor, training_class: TrainingClass, on: date) -> TrainingClass:
    """Record that the trainees' data were entered in the HRSS system (Anhui 二(四): within N working days)."""
    require_unit_writer(actor, training_class.unit)
    training_class = _lock_class(training_class)
    if training_class.status != ClassStatus.COMPLETED:
        raise Conflict("培训班结业后才能登记学员信息录入", field="status")
    if training_class.data_entered_on:
        raise Conflict(f"已于{_fmt(training_class.data_entered_on)}登记录入", field="status")
    if not isinstance(on, date) or on < training_class.ended_on:
        raise ServiceError(f"录入日期不能早于结业日期{_fmt(training_class.ended_on)}", field="on")
    if on > timezone.localdate():
        raise ServiceError("录入日期不能晚于今天", field="on")
    training_class.data_entered_on, training_class.data_entered_by = on, actor
    training_class.save(update_fields=["data_entered_on", "data_entered_by"])
    audit_record(action="training.class.data_entered", actor=actor, obj=training_class, changes={"on": on})
    return training_class
