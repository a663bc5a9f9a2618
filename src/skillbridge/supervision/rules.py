"""Risk rules: each a function `(ctx) -> list[Candidate]` reading the data of the scanned units.

A candidate carries a stable `key` (the same problem gives the same key on every scan, so a re-scan refreshes
the open finding instead of adding one), the responsible unit / institution, the evidence (JSON) a reviewer
can check, and a link to the object. Thresholds come from the unit's (or institution's) policy pack
(`[supervision]`, `[subsidy]`, `[deadlines]`); a pack that sets none skips the rule for that unit and the
scan notes it.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from django.urls import NoReverseMatch, reverse

from skillbridge.accounts.models import Organisation
from skillbridge.policy.errors import CalendarNotCovered, UnknownPack
from skillbridge.policy.loader import get_pack

from .models import Rule, Severity


@dataclass
class Candidate:
    rule: str
    key: str
    summary: str
    region_code: str
    year: int
    object_type: str
    object_id: str
    object_label: str
    object_url: str = ""
    unit_id: int | None = None
    institution_id: int | None = None
    claim_id: int | None = None
    severity: str = Severity.MEDIUM
    evidence: dict = field(default_factory=dict)


@dataclass
class ScanContext:
    unit_ids: list[int]
    today: dt.date
    claim_id: int | None = None
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _pack(code: str):
    try:
        return get_pack(code)
    except UnknownPack:
        return None


def _d(value) -> str | None:
    return value.isoformat() if value else None


def _class_end(training_class) -> dt.date:
    return training_class.ended_on or training_class.date_to


def _class_label(training_class) -> str:
    return str(training_class.application)


def _class_candidate(tc, rule, key, summary, year, severity, evidence) -> Candidate:
    """A finding on a training class: where it stands and who answers for it come from the class."""
    return Candidate(
        rule=rule,
        key=key,
        summary=summary,
        region_code=tc.unit.region_code,
        year=year,
        object_type="training.trainingclass",
        object_id=str(tc.pk),
        object_label=_class_label(tc),
        object_url=_url("training:class_detail", tc.pk),
        unit_id=tc.unit_id,
        institution_id=tc.institution_id,
        severity=severity,
        evidence=evidence,
    )


def _claim_candidate(claim, rule, key, summary, year, evidence) -> Candidate:
    """A finding on a subsidy claim (always high: it is money); the claimant answers for it."""
    return Candidate(
        rule=rule,
        key=key,
        summary=summary,
        region_code=claim.unit.region_code,
        year=year,
        object_type="subsidies.claim",
        object_id=str(claim.pk),
        object_label=str(claim),
        object_url=_url("subsidies:claim_detail", claim.pk),
        unit_id=claim.unit_id,
        institution_id=claim.claimant_id,
        claim_id=claim.pk,
        severity=Severity.HIGH,
        evidence=evidence,
    )


# ---- 1. the same person in two overlapping classes -------------------------------------------------------


def overlapping_classes(ctx: ScanContext) -> list[Candidate]:
    from skillbridge.training.models import MANUAL_EXITS, Enrolment

    in_scope = Enrolment.objects.filter(training_class__unit_id__in=ctx.unit_ids)
    people = in_scope.values("person_id")
    enrolments = (
        Enrolment.objects.filter(person_id__in=people)
        .exclude(status="withdrawn", exit_on__isnull=True)
        .select_related("person", "training_class__unit", "training_class__application__occupation")
        .select_related("training_class__application__level", "training_class__application__special_item")
    )
    by_person = defaultdict(list)
    for e in enrolments:
        end = e.exit_on if (e.status in MANUAL_EXITS and e.exit_on) else _class_end(e.training_class)
        by_person[e.person_id].append((e, e.training_class.date_from, end))
    found = []
    for rows in by_person.values():
        for (a, a_from, a_to), (b, b_from, b_to) in combinations(sorted(rows, key=lambda r: r[0].pk), 2):
            if a.training_class_id == b.training_class_id or not (a_from <= b_to and b_from <= a_to):
                continue
            if a.training_class.unit_id not in ctx.unit_ids and b.training_class.unit_id not in ctx.unit_ids:
                continue
            later = b  # the enrolment added second is the one that should have been refused
            tc = later.training_class
            overlap = (max(a_from, b_from), min(a_to, b_to))
            found.append(
                _class_candidate(
                    tc,
                    Rule.OVERLAPPING_CLASSES,
                    f"overlap:{a.pk}:{b.pk}",
                    f"{a.person.name}同时在两个培训班：{overlap[0]}至{overlap[1]}重叠",
                    overlap[0].year,
                    Severity.HIGH,
                    {
                        "person": a.person.name,
                        "person_id": a.person_id,
                        "overlap": [_d(overlap[0]), _d(overlap[1])],
                        "classes": [
                            {
                                "class_id": e.training_class_id,
                                "class": _class_label(e.training_class),
                                "unit": e.training_class.unit.name,
                                "from": _d(start),
                                "to": _d(end),
                                "enrolment_status": e.get_status_display(),
                            }
                            for e, start, end in ((a, a_from, a_to), (b, b_from, b_to))
                        ],
                    },
                )
            )
    return found


# ---- 2. attendance recorded after release or transfer ----------------------------------------------------


def attendance_after_exit(ctx: ScanContext) -> list[Candidate]:
    from skillbridge.registry.models import EpisodeStatus, StatusChange
    from skillbridge.training.models import Attendance, EnrolmentStatus

    rows = (
        Attendance.objects.filter(session__training_class__unit_id__in=ctx.unit_ids, minutes__gt=0)
        .select_related("session", "enrolment__person", "enrolment__training_class__unit")
        .select_related("enrolment__training_class__application__occupation")
        .order_by("enrolment_id", "session__date")
    )
    rows = list(rows)
    episodes = {r.enrolment.episode_id for r in rows}
    left_on: dict[int, tuple[dt.date, str]] = {}
    for change in StatusChange.objects.filter(
        episode_id__in=episodes, to_status__in=[EpisodeStatus.RELEASED, EpisodeStatus.TRANSFERRED]
    ).order_by("changed_on"):
        left_on.setdefault(change.episode_id, (change.changed_on, change.get_to_status_display()))
    per_enrolment: dict[int, list] = defaultdict(list)
    exit_of: dict[int, tuple[dt.date, str]] = {}
    for r in rows:
        e = r.enrolment
        exits = []
        if e.status in (EnrolmentStatus.RELEASED, EnrolmentStatus.TRANSFERRED) and e.exit_on:
            exits.append((e.exit_on, f"离班：{e.get_status_display()}"))
        if e.episode_id in left_on:
            day, label = left_on[e.episode_id]
            exits.append((day, f"羁押状态变动：{label}"))
        if not exits:
            continue
        exit_day = min(exits)
        if r.session.date > exit_day[0]:
            exit_of[e.pk] = exit_day
            per_enrolment[e.pk].append(r)
    found = []
    for enrolment_id, attendance in per_enrolment.items():
        e = attendance[0].enrolment
        tc = e.training_class
        day, why = exit_of[enrolment_id]
        found.append(
            _class_candidate(
                tc,
                Rule.ATTENDANCE_AFTER_EXIT,
                f"after_exit:{enrolment_id}",
                f"{e.person.name}于{day}{why.split('：')[-1]}后仍有{len(attendance)}次考勤",
                attendance[0].session.date.year,
                Severity.HIGH,
                {
                    "person": e.person.name,
                    "person_id": e.person_id,
                    "left_on": _d(day),
                    "left_how": why,
                    "sessions": [
                        {"session_id": a.session_id, "date": _d(a.session.date), "minutes": a.minutes}
                        for a in attendance
                    ],
                },
            )
        )
    return found


# ---- 3. identical attendance across a whole class ---------------------------------------------------------


def identical_attendance(ctx: ScanContext) -> list[Candidate]:
    from skillbridge.training.models import CLASSROOM_KINDS, Attendance, TrainingClass

    classes = TrainingClass.objects.filter(unit_id__in=ctx.unit_ids).select_related(
        "unit", "application__occupation", "application__level", "application__special_item"
    )
    found = []
    for tc in classes:
        pack = _pack(tc.unit.policy_pack)
        rules = pack.supervision if pack else None
        if (
            not rules
            or not rules.identical_attendance_min_sessions
            or not rules.identical_attendance_min_trainees
        ):
            ctx.note(f"{tc.unit.name}：政策包未设整班考勤雷同阈值，未检查该规则")
            continue
        enrolled = tc.enrolments.count()
        if enrolled < rules.identical_attendance_min_trainees.value:
            continue
        by_session: dict[int, list[int]] = defaultdict(list)
        dates = {}
        for session_id, date, minutes in Attendance.objects.filter(
            session__training_class=tc, session__kind__in=CLASSROOM_KINDS
        ).values_list("session_id", "session__date", "minutes"):
            by_session[session_id].append(minutes)
            dates[session_id] = date
        uniform = sorted(
            (
                sid
                for sid, minutes in by_session.items()
                if len(minutes) == enrolled and len(set(minutes)) == 1
            ),
            key=lambda sid: (dates[sid], sid),
        )
        threshold = rules.identical_attendance_min_sessions.value
        if len(uniform) < threshold:
            continue
        found.append(
            _class_candidate(
                tc,
                Rule.IDENTICAL_ATTENDANCE,
                f"identical:{tc.pk}",
                f"全班{enrolled}人在{len(uniform)}个课次考勤完全相同（阈值{threshold}）",
                tc.date_from.year,
                Severity.LOW,
                {
                    "trainees": enrolled,
                    "identical_sessions": len(uniform),
                    "threshold": threshold,
                    "threshold_source": rules.identical_attendance_min_sessions.source,
                    "sessions": [
                        {"session_id": sid, "date": _d(dates[sid]), "minutes": by_session[sid][0]}
                        for sid in uniform
                    ],
                },
            )
        )
    return found


# ---- 4. certificate dated before its class ended ----------------------------------------------------------


def certificate_before_end(ctx: ScanContext) -> list[Candidate]:
    from skillbridge.certificates.models import Certificate

    certs = (
        Certificate.objects.filter(unit_id__in=ctx.unit_ids, training_class__isnull=False)
        .exclude(status="superseded")
        .select_related("person", "unit", "training_class__application__occupation", "issuer")
    )
    found = []
    for cert in certs:
        tc = cert.training_class
        end = _class_end(tc)
        if cert.issue_date >= end:
            continue
        found.append(
            Candidate(
                rule=Rule.CERTIFICATE_BEFORE_END,
                key=f"cert_early:{cert.pk}",
                summary=f"{cert.person.name}的证书{cert.official_number}发证日期{cert.issue_date}早于结业日期{end}",
                region_code=cert.unit.region_code,
                year=cert.issue_date.year,
                object_type="certificates.certificate",
                object_id=str(cert.pk),
                object_label=f"{cert.person.name} {cert.official_number}",
                object_url=_url("training:class_detail", tc.pk),
                unit_id=cert.unit_id,
                institution_id=tc.institution_id,
                severity=Severity.HIGH,
                evidence={
                    "person": cert.person.name,
                    "certificate_id": cert.pk,
                    "official_number": cert.official_number,
                    "issue_date": _d(cert.issue_date),
                    "issuer": cert.issuer.name,
                    "class_id": tc.pk,
                    "class": _class_label(tc),
                    "class_end": _d(end),
                    "class_end_is_planned": tc.ended_on is None,
                },
            )
        )
    return found


# ---- 5. subsidy count per year / same occupation and level twice (all regions) ----------------------------


def _active_lines():
    from skillbridge.subsidies.models import ClaimLine

    return ClaimLine.objects.filter(is_active=True).exclude(claim__status__in=["rejected", "withdrawn"])


def subsidy_limit(ctx: ScanContext) -> list[Candidate]:
    lines = _active_lines()
    scoped = lines.filter(claim__unit_id__in=ctx.unit_ids)
    if ctx.claim_id:
        scoped = scoped.filter(claim_id=ctx.claim_id)
    people = set(scoped.values_list("person_id", flat=True))
    all_lines = list(
        lines.filter(person_id__in=people).select_related(
            "person", "claim__unit", "occupation", "special_item", "level"
        )
    )
    found = []
    by_person_year = defaultdict(list)
    by_subject = defaultdict(list)
    for line in all_lines:
        by_person_year[(line.person_id, line.year)].append(line)
        subject = f"O{line.occupation_id}" if line.occupation_id else f"I{line.special_item_id}"
        by_subject[(line.person_id, line.kind, subject, line.level_id)].append(line)

    def _line(line):
        return {
            "line_id": line.pk,
            "claim_id": line.claim_id,
            "unit": line.claim.unit.name,
            "region": line.claim.unit.region_code,
            "subject": line.subject_name,
            "level": str(line.level) if line.level_id else "",
            "certificate_date": _d(line.certificate_date),
            "amount": str(line.amount),
        }

    def _candidate(key, summary, lines_, extra):
        last = max(lines_, key=lambda x: (x.certificate_date, x.pk))
        in_scope = [x for x in lines_ if x.claim.unit_id in ctx.unit_ids] or [last]
        anchor = max(in_scope, key=lambda x: (x.certificate_date, x.pk))
        return _claim_candidate(
            anchor.claim,
            Rule.SUBSIDY_LIMIT,
            key,
            summary,
            anchor.year,
            {
                "person": anchor.person.name,
                "person_id": anchor.person_id,
                **extra,
                "lines": [_line(x) for x in sorted(lines_, key=lambda x: (x.certificate_date, x.pk))],
            },
        )

    for (person_id, year), rows in by_person_year.items():
        unit = rows[0].claim.unit
        pack = _pack(unit.policy_pack)
        cap = pack.subsidy.max_per_person_per_year if pack else None
        if cap is None:
            ctx.note(f"{unit.name}：政策包未规定每人每年补贴次数上限")
            continue
        certificates = {x.certificate_id for x in rows}
        if len(certificates) > cap.value:
            found.append(
                _candidate(
                    f"subsidy_count:{person_id}:{year}",
                    f"{rows[0].person.name}{year}年享受补贴{len(certificates)}次，超过上限{cap.value}次",
                    rows,
                    {"year": year, "count": len(certificates), "cap": cap.value, "source": cap.source},
                )
            )
    for (person_id, kind, subject, level_id), rows in by_subject.items():
        if len({x.certificate_id for x in rows}) < 2:
            continue
        pack = _pack(rows[0].claim.unit.policy_pack)
        window = pack.subsidy.same_occupation_level_window if pack else None
        if window is None:
            continue
        rows = sorted(rows, key=lambda x: x.certificate_date)
        repeated = [
            (a, b)
            for a, b in combinations(rows, 2)
            if a.certificate_id != b.certificate_id
            and (window.value == "never" or (b.certificate_date - a.certificate_date).days < 365)
        ]
        if not repeated:
            continue
        found.append(
            _candidate(
                f"subsidy_repeat:{person_id}:{kind}:{subject}:{level_id}",
                f"{rows[0].person.name}同一职业同一等级（{rows[0].subject_name}）重复享受补贴",
                rows,
                {"window": window.value, "source": window.source},
            )
        )
    return found


# ---- 6. claims / classes of an institution with a dishonesty record or outside its designation ------------


def institution_ineligible(ctx: ScanContext) -> list[Candidate]:
    from skillbridge.catalog import selectors as catalog
    from skillbridge.subsidies.models import Claim
    from skillbridge.training.models import TrainingClass

    found = []
    claims = Claim.objects.filter(unit_id__in=ctx.unit_ids).exclude(status__in=["rejected", "withdrawn"])
    if ctx.claim_id:
        claims = claims.filter(pk=ctx.claim_id)
    for claim in claims.select_related("unit", "claimant", "training_class"):
        problems = []
        on = claim.filled_on
        record = catalog.active_dishonesty(claim.claimant, on).first()
        if record:
            problems.append(f"申领时有失信记录（{record.source}，{record.recorded_on}）")
        if claim.kind == "training" and claim.training_class_id:
            start = claim.training_class.date_from
            if not catalog.is_designated(claim.claimant, claim.unit.region_code, start):
                problems.append(f"开班日{start}不在本市定点认定有效期内")
        if problems:
            found.append(
                _claim_candidate(
                    claim,
                    Rule.INSTITUTION_INELIGIBLE,
                    f"ineligible_claim:{claim.pk}",
                    f"{claim.claimant.name}：" + "；".join(problems),
                    claim.year,
                    {"claimant": claim.claimant.name, "filled_on": _d(on), "problems": problems},
                )
            )
    if ctx.claim_id:
        return found
    for tc in TrainingClass.objects.filter(unit_id__in=ctx.unit_ids).select_related(
        "unit", "institution", "application__occupation"
    ):
        problems = []
        record = catalog.active_dishonesty(tc.institution, tc.date_from).first()
        if record:
            problems.append(f"开班时有失信记录（{record.source}，{record.recorded_on}）")
        if not catalog.is_designated(tc.institution, tc.unit.region_code, tc.date_from):
            problems.append(f"开班日{tc.date_from}不在本市定点认定有效期内")
        if problems:
            found.append(
                _class_candidate(
                    tc,
                    Rule.INSTITUTION_INELIGIBLE,
                    f"ineligible_class:{tc.pk}",
                    f"{tc.institution.name}：" + "；".join(problems),
                    tc.date_from.year,
                    Severity.HIGH,
                    {
                        "institution": tc.institution.name,
                        "date_from": _d(tc.date_from),
                        "problems": problems,
                    },
                )
            )
    return found


# ---- 7. amounts above the standard -------------------------------------------------------------------------


def amount_above_standard(ctx: ScanContext) -> list[Candidate]:
    lines = _active_lines().filter(claim__unit_id__in=ctx.unit_ids, standard_amount__isnull=False)
    if ctx.claim_id:
        lines = lines.filter(claim_id=ctx.claim_id)
    found = []
    for line in lines.select_related("person", "claim__unit", "occupation", "special_item", "level"):
        if line.amount <= line.standard_amount:
            continue
        found.append(
            _claim_candidate(
                line.claim,
                Rule.AMOUNT_ABOVE_STANDARD,
                f"amount:{line.pk}",
                f"{line.person.name}申领{line.amount}元，高于标准{line.standard_amount}元",
                line.year,
                {
                    "person": line.person.name,
                    "line_id": line.pk,
                    "amount": str(line.amount),
                    "standard_amount": str(line.standard_amount),
                    "excess": str(line.amount - line.standard_amount),
                    "standard_id": line.standard_id,
                },
            )
        )
    return found


# ---- 8. the same teacher in two places at once -----------------------------------------------------------

TEACHER_SPLIT = re.compile(r"[、,，;；/\s]+")


def teacher_names(text: str) -> set[str]:
    """「王建国（高级技师）、陈明」 → {"王建国", "陈明"}: titles in brackets are dropped."""
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    return {name for name in TEACHER_SPLIT.split(text) if name}


def _interval(session) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(session.date, session.start_time)
    return start, start + dt.timedelta(minutes=session.minutes)


def teacher_double_booked(ctx: ScanContext) -> list[Candidate]:
    from skillbridge.training.models import TrainingSession

    scoped = TrainingSession.objects.filter(training_class__unit_id__in=ctx.unit_ids).exclude(kind="online")
    dates = scoped.values("date")
    sessions = (
        TrainingSession.objects.filter(date__in=dates)
        .exclude(kind="online")
        .select_related("training_class__unit", "training_class__institution", "training_class__application")
        .select_related("training_class__application__occupation")
    )
    by_teacher_day = defaultdict(list)
    for s in sessions:
        for name in teacher_names(s.teacher):
            by_teacher_day[(name, s.date)].append(s)
    found = []
    seen = set()
    for (name, day), rows in by_teacher_day.items():
        for a, b in combinations(sorted(rows, key=lambda s: s.pk), 2):
            if a.training_class_id == b.training_class_id or (a.pk, b.pk) in seen:
                continue
            (a0, a1), (b0, b1) = _interval(a), _interval(b)
            if not (a0 < b1 and b0 < a1):
                continue
            later = b
            tc = later.training_class
            if a.training_class.unit_id not in ctx.unit_ids and tc.unit_id not in ctx.unit_ids:
                continue
            seen.add((a.pk, b.pk))
            found.append(
                Candidate(
                    rule=Rule.TEACHER_DOUBLE_BOOKED,
                    key=f"teacher:{a.pk}:{b.pk}",
                    summary=f"教师{name}于{day}同一时间在两个培训班授课",
                    region_code=tc.unit.region_code,
                    year=day.year,
                    object_type="training.trainingsession",
                    object_id=str(later.pk),
                    object_label=f"{_class_label(tc)} {later}",
                    object_url=_url("training:session_attendance", later.pk),
                    unit_id=tc.unit_id,
                    institution_id=tc.institution_id,
                    severity=Severity.MEDIUM,
                    evidence={
                        "teacher": name,
                        "date": _d(day),
                        "sessions": [
                            {
                                "session_id": s.pk,
                                "class": _class_label(s.training_class),
                                "unit": s.training_class.unit.name,
                                "venue": s.training_class.application.venue,
                                "from": _interval(s)[0].strftime("%H:%M"),
                                "to": _interval(s)[1].strftime("%H:%M"),
                            }
                            for s in (a, b)
                        ],
                    },
                )
            )
    return found


# ---- 9. trainee data entered after the deadline --------------------------------------------------------------


def late_data_entry(ctx: ScanContext) -> list[Candidate]:
    from skillbridge.training.models import TrainingClass
    from skillbridge.training.selectors import data_entry_status

    found = []
    classes = TrainingClass.objects.filter(unit_id__in=ctx.unit_ids, ended_on__isnull=False).select_related(
        "unit", "application__occupation"
    )
    for tc in classes:
        status = data_entry_status(tc, ctx.today)
        if status.deadline is None:
            ctx.note(f"{tc.unit.name}：{status.note}")
            continue
        if not status.overdue:
            continue
        entered = tc.data_entered_on
        found.append(
            _class_candidate(
                tc,
                Rule.LATE_DATA_ENTRY,
                f"late_entry:{tc.pk}",
                (
                    f"学员信息于{entered}录入，晚于期限{status.deadline}"
                    if entered
                    else f"已过录入期限{status.deadline}，学员信息仍未录入"
                )
                + (f"（逾期{status.overdue_working_days}个工作日）" if status.overdue_working_days else ""),
                tc.ended_on.year,
                Severity.LOW,
                {
                    "ended_on": _d(tc.ended_on),
                    "deadline": _d(status.deadline),
                    "data_entered_on": _d(entered),
                    "overdue_working_days": status.overdue_working_days,
                    "rule": status.note,
                    "source": status.source,
                },
            )
        )
    return found


# ---- 10. sudden spikes per institution ------------------------------------------------------------------------


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def institution_spike(ctx: ScanContext) -> list[Candidate]:
    from skillbridge.training.models import Enrolment

    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for institution_id, start in Enrolment.objects.filter(
        training_class__unit_id__in=ctx.unit_ids
    ).values_list("training_class__institution_id", "training_class__date_from"):
        counts[institution_id][_month_index(start)] += 1
    found = []
    institutions = Organisation.objects.in_bulk(list(counts))
    for institution_id, months in counts.items():
        institution = institutions[institution_id]
        pack = _pack(institution.policy_pack)
        rules = pack.supervision if pack else None
        if not rules or not (rules.spike_factor and rules.spike_min_count and rules.spike_baseline_months):
            ctx.note(f"{institution.name}：政策包未设突增预警阈值，未检查该规则")
            continue
        n = rules.spike_baseline_months.value
        for month, count in sorted(months.items()):
            if count < rules.spike_min_count.value:
                continue
            before = [months.get(month - k, 0) for k in range(1, n + 1)]
            if not any(before):
                continue  # no history to compare with (a new institution is not a spike)
            baseline = Decimal(sum(before)) / n
            if Decimal(count) <= rules.spike_factor.value * baseline:
                continue
            found.append(
                Candidate(
                    rule=Rule.INSTITUTION_SPIKE,
                    key=f"spike:{institution_id}:{_month_label(month)}",
                    summary=(
                        f"{institution.name}{_month_label(month)}入班{count}人次，"
                        f"为前{n}个月月均{baseline.quantize(Decimal('0.1'))}人次的"
                        f"{(count / baseline).quantize(Decimal('0.1'))}倍"
                    ),
                    region_code=institution.region_code,
                    year=month // 12,
                    object_type="accounts.organisation",
                    object_id=str(institution_id),
                    object_label=institution.name,
                    object_url=_url("catalog:institution_detail", institution_id),
                    institution_id=institution_id,
                    severity=Severity.MEDIUM,
                    evidence={
                        "month": _month_label(month),
                        "count": count,
                        "baseline_months": n,
                        "baseline_monthly_average": str(baseline.quantize(Decimal("0.01"))),
                        "previous_months": {
                            _month_label(month - k): months.get(month - k, 0) for k in range(1, n + 1)
                        },
                        "factor": str(rules.spike_factor.value),
                        "min_count": rules.spike_min_count.value,
                        "source": rules.spike_factor.source,
                    },
                )
            )
    return found


RULES = {
    Rule.OVERLAPPING_CLASSES: overlapping_classes,
    Rule.ATTENDANCE_AFTER_EXIT: attendance_after_exit,
    Rule.IDENTICAL_ATTENDANCE: identical_attendance,
    Rule.CERTIFICATE_BEFORE_END: certificate_before_end,
    Rule.SUBSIDY_LIMIT: subsidy_limit,
    Rule.INSTITUTION_INELIGIBLE: institution_ineligible,
    Rule.AMOUNT_ABOVE_STANDARD: amount_above_standard,
    Rule.TEACHER_DOUBLE_BOOKED: teacher_double_booked,
    Rule.LATE_DATA_ENTRY: late_data_entry,
    Rule.INSTITUTION_SPIKE: institution_spike,
}
# The rules a scan of one claim runs.
CLAIM_RULES = (Rule.SUBSIDY_LIMIT, Rule.INSTITUTION_INELIGIBLE, Rule.AMOUNT_ABOVE_STANDARD)


def run_rules(ctx: ScanContext, rules=None) -> list[Candidate]:
    found = []
    for code in rules or RULES:
        try:
            found += RULES[code](ctx)
        except CalendarNotCovered as exc:
            ctx.note(f"{Rule(code).label}：{exc}")
    return found


__all__ = ["CLAIM_RULES", "RULES", "Candidate", "ScanContext", "run_rules", "teacher_names"]
