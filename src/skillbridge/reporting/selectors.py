"""Dashboard figures for a scope and a period, counted per unit with one grouped query per figure, then
summed up the levels (unit → city → province), so a level's total is by construction the sum of the level
below. People are counted in person-times (人次) as the documents count them: an enrolment, a certificate,
a claim line each count once.

Definitions (shown on the page in 口径说明):
- 应培训（刑释前）: custody / isolation episodes of the unit whose expected release date falls in the period,
  the person not transferred away (a transferred person counts at the unit that releases them);
- 刑释前获证: of those, the ones whose person holds a certificate (not revoked) issued between the start of
  the term and the release date — a certificate issued after release does not count;
- 参训: enrolments in classes starting in the period; 结业: enrolments completed in classes finished
  (考核结业) in the period; 取证: certificates first issued in the period (reissues and revoked ones not
  counted); 开班: classes starting in the period;
- 补贴: lines of claims filled in the period — 申领 (submitted), 核定 (accepted in review; lines rejected in
  review are counted apart), 公示 (accepted lines of claims that reached public notice), 拨付 / 支付 (amounts
  disbursed to the unit's special account / paid on to the institution);
- 逾期: deadlines of the period that have passed and were missed — classes finished in the period whose trainee
  data were entered after the pack's deadline (or are still not entered past it), and annual plans first
  submitted after the pack's submission deadline (or not at all).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from operator import add, itemgetter

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from skillbridge.certificates.models import Certificate, CertificateStatus
from skillbridge.policy.errors import CalendarNotCovered
from skillbridge.policy.loader import load_all
from skillbridge.policy.rules import data_entry_deadline, plan_deadline
from skillbridge.registry.models import Episode, EpisodeKind, EpisodeStatus
from skillbridge.training.models import Enrolment, EnrolmentStatus, TrainingClass

from . import namecache
from .periods import Period
from .scopes import Scope, city_names

COUNT_METRICS = (
    "due",
    "due_certified",
    "enrolled",
    "completed",
    "assessed",
    "certified",
    "classes",
    "claim_lines",
    "approved_lines",
    "rejected_lines",
    "noticed_lines",
    "deadlines_missed",
)
MONEY_METRICS = ("claimed_amount", "approved_amount", "noticed_amount", "disbursed_amount", "paid_amount")
METRIC_LABELS = {
    "due": "应培训人数（刑释前，人）",
    "due_certified": "刑释前获证（人）",
    "cert_rate": "刑释前获证率",
    "enrolled": "参训（人次）",
    "completed": "结业（人次）",
    "assessed": "参加鉴定（人次）",
    "certified": "取证（人次）",
    "classes": "开班（个）",
    "claim_lines": "申领补贴（人次）",
    "claimed_amount": "申领金额（元）",
    "approved_lines": "审核通过（人次）",
    "approved_amount": "核定金额（元）",
    "rejected_lines": "审核不予补贴（人次）",
    "noticed_lines": "已公示（人次）",
    "noticed_amount": "公示金额（元）",
    "disbursed_amount": "已拨付专账（元）",
    "paid_amount": "已支付机构（元）",
    "deadlines_missed": "逾期事项（件）",
}
CUSTODY_KINDS = (EpisodeKind.CUSTODY, EpisodeKind.ISOLATION)
SUBMITTED_CLAIM = ("in_review", "returned", "notice", "approved", "disbursed", "paid", "rejected")
ACCEPTED_CLAIM = ("in_review", "returned", "notice", "approved", "disbursed", "paid")
NOTICED_CLAIM = ("notice", "approved", "disbursed", "paid")


def empty_metrics() -> dict:
    metrics = dict.fromkeys(COUNT_METRICS, 0)
    metrics.update(dict.fromkeys(MONEY_METRICS, Decimal("0.00")))
    return metrics


def assessment_available() -> bool:
    return _model("assessment", "AssessmentResult") is not None


def subsidies_available() -> bool:
    return _model("subsidies", "ClaimLine") is not None


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


# ---- per-unit figures ----------------------------------------------------------------------------------


def _add(per_unit: dict, rows, mapping: dict) -> None:
    for row in rows:
        bucket = per_unit[row["unit_id"]]
        for source, target in mapping.items():
            bucket[target] += row[source] or 0


def certified_before_release() -> Exists:
    """The episode's person holds a non-revoked certificate issued in the term, on or before release."""
    return Exists(
        Certificate.objects.filter(
            person_id=OuterRef("person_id"),
            issue_date__gte=OuterRef("term_start"),
            issue_date__lte=OuterRef("expected_release_date"),
        ).exclude(status=CertificateStatus.REVOKED)
    )


def due_episodes(unit_ids, period: Period):
    return (
        Episode.objects.filter(
            unit_id__in=unit_ids,
            kind__in=CUSTODY_KINDS,
            expected_release_date__gte=period.start,
            expected_release_date__lte=period.end,
        )
        .exclude(status=EpisodeStatus.TRANSFERRED)
        .annotate(has_certificate=certified_before_release())
    )


class Cubes:
    """Enrolments and classes of the scope counted once per (unit, subject, level, institution), with conditional
    counts for every figure that needs them (参训, 结业, plan-year actual; 开班): one pass over the enrolments
    instead of one per figure. Unit totals, the breakdowns and plan-versus-actual are all sums over these rows."""

    def __init__(self, enrolments: list[dict], classes: list[dict]):
        self.enrolments = enrolments
        self.classes = classes

    @classmethod
    def build(cls, unit_ids, period: Period) -> "Cubes":
        start, end = period.start, period.end
        started = Q(training_class__date_from__gte=start, training_class__date_from__lte=end)
        completed = Q(
            training_class__ended_on__gte=start,
            training_class__ended_on__lte=end,
            status=EnrolmentStatus.COMPLETED,
        )
        planned = Q(training_class__application__plan_year=period.year)
        paths = {
            "unit_id": F("training_class__unit_id"),
            "occupation_id": F("training_class__application__occupation_id"),
            "special_item_id": F("training_class__application__special_item_id"),
            "project_name": F("training_class__application__project_name"),
            "level_id": F("training_class__application__level_id"),
            "institution_id": F("training_class__institution_id"),
        }
        enrolments = list(
            Enrolment.objects.filter(training_class__unit_id__in=unit_ids)
            .filter(started | completed | planned)
            .values(**paths)
            .annotate(
                enrolled=Count("pk", filter=started),
                completed=Count("pk", filter=completed),
                plan_actual=Count("pk", filter=planned),
            )
            .order_by()
        )
        classes = list(
            TrainingClass.objects.filter(unit_id__in=unit_ids, date_from__gte=start, date_from__lte=end)
            .values(
                "unit_id",
                "institution_id",
                occupation_id=F("application__occupation_id"),
                special_item_id=F("application__special_item_id"),
                project_name=F("application__project_name"),
                level_id=F("application__level_id"),
            )
            .annotate(classes=Count("pk"))
            .order_by()
        )
        return cls(enrolments, classes)


NAMED_FIELDS = ("occupation_id", "special_item_id", "level_id", "institution_id")


def _read_names(wanted: dict[str, list]) -> dict[str, dict]:
    """id → name of the wanted ids of each of NAMED_FIELDS, in one UNION ALL statement."""
    from django.db import connection

    from skillbridge.accounts.models import Organisation
    from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem

    parts, params = [], []
    for field, model, label in (
        ("occupation_id", Occupation, "name"),
        ("special_item_id", SpecialAbilityItem, "name"),
        ("level_id", SkillLevel, "name || '/' || title"),
        ("institution_id", Organisation, "name"),
    ):
        if ids := wanted.get(field):
            pk = model._meta.pk.column
            marks = ", ".join(["%s"] * len(ids))
            parts.append(
                f"SELECT '{field}', {pk}, {label} FROM {model._meta.db_table} WHERE {pk} IN ({marks})"
            )
            params += sorted(ids)
    found: dict[str, dict] = {field: {} for field in wanted}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for field, pk, name in cursor.fetchall():
                found[field][pk] = name
    return found


class Names:
    """Display names of the ids in the cubes (id → name, per kind)."""

    def __init__(self, occupations: dict, items: dict, levels: dict, institutions: dict):
        self.occupations, self.items, self.levels, self.institutions = (
            occupations,
            items,
            levels,
            institutions,
        )

    @classmethod
    def of_cubes(cls, cubes: Cubes, plans=(), *, cached: bool = False) -> "Names":
        """The names of the ids in the cubes and the plan rows: read afresh, or through the process's cache
        (`namecache`)."""
        rows = [*cubes.enrolments, *cubes.classes, *plans]
        wanted = {f: {r[f] for r in rows if r.get(f) is not None} for f in NAMED_FIELDS}
        found = namecache.names.get(wanted, _read_names) if cached else _read_names(wanted)
        return cls(*(found.get(f, {}) for f in NAMED_FIELDS))

    def subject(self, row) -> str:
        return (
            self.occupations.get(row["occupation_id"])
            or self.items.get(row["special_item_id"])
            or row["project_name"]
            or "（其他项目）"
        )

    def of(self, key: str, row) -> str:
        if key == "occupation":
            return self.subject(row)
        if key == "level":
            return self.levels.get(row["level_id"], "（其他项目）")
        return self.institutions.get(row["institution_id"], "（未知机构）")


def unit_figures(
    unit_ids: list[int], period: Period, *, today: dt.date, missed=None, cubes=None
) -> dict[int, dict]:
    """Every count and amount of the dashboard for each unit (unit id → metrics)."""
    per_unit = defaultdict(empty_metrics)
    for unit_id in unit_ids:
        per_unit[unit_id]
    if not unit_ids:
        return {}
    start, end = period.start, period.end

    _add(
        per_unit,
        due_episodes(unit_ids, period)
        .values("unit_id")
        .annotate(due=Count("id"), certified=Count("id", filter=Q(has_certificate=True))),
        {"due": "due", "certified": "due_certified"},
    )
    if cubes is None:
        cubes = Cubes.build(unit_ids, period)
    for row in cubes.enrolments:
        bucket = per_unit[row["unit_id"]]
        bucket["enrolled"] += row["enrolled"]
        bucket["completed"] += row["completed"]
    for row in cubes.classes:
        per_unit[row["unit_id"]]["classes"] += row["classes"]
    _add(
        per_unit,
        Certificate.objects.filter(
            unit_id__in=unit_ids, issue_date__gte=start, issue_date__lte=end, supersedes__isnull=True
        )
        .exclude(status=CertificateStatus.REVOKED)
        .values("unit_id")
        .annotate(n=Count("id")),
        {"n": "certified"},
    )
    _assessed(per_unit, unit_ids, period)
    _subsidies(per_unit, unit_ids, period)
    if missed is None:
        missed = missed_deadlines(unit_ids, period, today=today)
    for row in missed:
        per_unit[row["unit_id"]]["deadlines_missed"] += 1
    return dict(per_unit)


def _assessed(per_unit, unit_ids, period: Period) -> None:
    """Candidates assessed (参加鉴定: a result other than absent) on assessments held in the period."""
    model = _model("assessment", "AssessmentResult")
    if model is None:
        return
    rows = (
        model.objects.filter(
            application__unit_id__in=unit_ids,
            application__assessment_date__gte=period.start,
            application__assessment_date__lte=period.end,
        )
        .exclude(outcome="absent")
        .values(unit_id=F("application__unit_id"))
        .annotate(n=Count("pk"))
    )
    _add(per_unit, rows, {"n": "assessed"})


def _subsidies(per_unit, unit_ids, period: Period) -> None:
    ClaimLine = _model("subsidies", "ClaimLine")
    Claim = _model("subsidies", "Claim")
    if ClaimLine is None or Claim is None:
        return
    lines = ClaimLine.objects.filter(
        claim__unit_id__in=unit_ids,
        claim__filled_on__gte=period.start,
        claim__filled_on__lte=period.end,
        claim__status__in=SUBMITTED_CLAIM,
    )
    accepted = Q(decision="accepted", is_active=True, claim__status__in=ACCEPTED_CLAIM)
    noticed = Q(decision="accepted", is_active=True, claim__status__in=NOTICED_CLAIM)
    rows = lines.values(unit_id=F("claim__unit_id")).annotate(
        claim_lines=Count("id"),
        claimed_amount=Sum("amount"),
        approved_lines=Count("id", filter=accepted),
        approved_amount=Sum("amount", filter=accepted),
        rejected_lines=Count("id", filter=Q(decision="rejected")),
        noticed_lines=Count("id", filter=noticed),
        noticed_amount=Sum("amount", filter=noticed),
    )
    _add(per_unit, rows, {k: k for k in ("claim_lines", "claimed_amount", "approved_lines", "approved_amount",
                                         "rejected_lines", "noticed_lines", "noticed_amount")})  # fmt: skip
    money = (
        Claim.objects.filter(unit_id__in=unit_ids, filled_on__gte=period.start, filled_on__lte=period.end)
        .values("unit_id")
        .annotate(disbursed_amount=Sum("disbursed_amount"), paid_amount=Sum("paid_amount"))
    )
    _add(per_unit, money, {"disbursed_amount": "disbursed_amount", "paid_amount": "paid_amount"})


def missed_deadlines(
    unit_ids, period: Period, *, today: dt.date, unit_packs: dict | None = None
) -> list[dict]:
    """逾期事项 of the period, by the units' packs (only units whose pack sets the deadline are looked at):
    - 学员信息录入: classes finished in the period whose trainee data went in after the deadline (or not yet,
      past it). A working-day deadline is never earlier than the same number of calendar days, so the database
      keeps only classes late by that weaker test; the working-day deadline is then checked for each of those;
    - 年度计划报送: the annual plan whose submission deadline (`deadlines.plan.submit`) falls in the period and
      has passed, first submitted after it or not at all (`_late_plans`)."""
    from skillbridge.accounts.models import Organisation

    packs = load_all()
    units_by_days = defaultdict(list)
    if unit_packs is None:
        unit_packs = dict(Organisation.objects.filter(pk__in=unit_ids).values_list("pk", "policy_pack"))
    rows = _late_plans(unit_packs, packs, period, today=today)
    for pk, code in unit_packs.items():
        pack = packs.get(code)
        rule = pack.deadlines.data_entry_working_days if pack else None
        if rule is not None:
            units_by_days[rule.value].append(pk)
    for days, units in units_by_days.items():
        late = Q(data_entered_on__isnull=True, ended_on__lt=today - dt.timedelta(days=days)) | Q(
            data_entered_on__gt=F("ended_on") + dt.timedelta(days=days)
        )
        classes = (
            TrainingClass.objects.filter(
                unit_id__in=units, ended_on__gte=period.start, ended_on__lte=period.end
            )
            .filter(late)
            .values(
                "pk",
                "unit_id",
                "unit__policy_pack",
                "unit__name",
                "ended_on",
                "data_entered_on",
                "application__occupation__name",
                "application__period_number",
            )
        )
        for row in classes:
            pack = packs[row["unit__policy_pack"]]
            late_on = row["data_entered_on"] or today
            try:
                deadline = data_entry_deadline(row["ended_on"], pack)
            except CalendarNotCovered:
                continue
            if late_on > deadline:
                rows.append(
                    {
                        "unit_id": row["unit_id"],
                        "unit": row["unit__name"],
                        "class_id": row["pk"],
                        "what": f"{row['application__occupation__name'] or '培训班'}"
                        f"第{row['application__period_number']}期学员信息录入",
                        "deadline": deadline.isoformat(),
                        "done_on": row["data_entered_on"].isoformat() if row["data_entered_on"] else None,
                    }
                )
    rows.sort(key=lambda r: (r["deadline"], r["unit"]))
    return rows


def _late_plans(unit_packs: dict, packs: dict, period: Period, *, today: dt.date) -> list[dict]:
    """The units whose annual plan for the plan year due in the period was first submitted after the pack's
    deadline, or not at all by `today` (a deadline not passed yet is not missed). One query per deadline."""
    from django.db.models import Min
    from django.utils import timezone

    from skillbridge.accounts.models import Organisation
    from skillbridge.planning.models import PlanKind

    due = defaultdict(list)  # (plan year, deadline) → units
    for pk, code in unit_packs.items():
        pack = packs.get(code)
        rule = pack.deadlines.plan.get("submit") if pack else None
        if rule is None:
            continue
        plan_year = period.start.year - rule.value.year_offset  # a period never spans two years
        deadline = plan_deadline(pack, plan_year, "submit")
        if period.start <= deadline <= period.end and deadline < today:
            due[plan_year, deadline].append(pk)
    rows = []
    for (plan_year, deadline), units in due.items():
        plans = Q(plans__year=plan_year, plans__kind=PlanKind.ANNUAL)
        found = (
            Organisation.objects.filter(pk__in=units)
            .annotate(first=Min("plans__review__first_submitted_at", filter=plans))
            .values_list("pk", "name", "first")
        )
        for pk, name, first in found:
            done_on = timezone.localdate(first) if first else None
            if done_on is None or done_on > deadline:
                rows.append(
                    {
                        "unit_id": pk,
                        "unit": name,
                        "class_id": None,
                        "what": f"{plan_year}年度培训计划报送",
                        "deadline": deadline.isoformat(),
                        "done_on": done_on.isoformat() if done_on else None,
                    }
                )
    return rows


# ---- summing up the levels -----------------------------------------------------------------------------


def finish(metrics: dict) -> dict:
    """Add the rate (刑释前获证率) to summed metrics; money as strings with two decimals (JSON-safe)."""
    out = dict(metrics)
    due = out["due"]
    out["cert_rate"] = round(out["due_certified"] / due, 4) if due else None
    for key in MONEY_METRICS:
        out[key] = f"{Decimal(out[key]):.2f}"
    return out


METRIC_KEYS = (*COUNT_METRICS, *MONEY_METRICS)
_metric_values = itemgetter(*METRIC_KEYS)


def _sum(items) -> dict:
    total = _metric_values(empty_metrics())
    for metrics in items:
        total = map(add, total, _metric_values(metrics))
    return dict(zip(METRIC_KEYS, total, strict=True))


def level_rows(scope: Scope, per_unit: dict[int, dict]) -> list[dict]:
    """The rows of the level below the scope: cities of a province, units of any other scope (a unit: itself)."""
    if scope.level == "province":
        groups = defaultdict(list)
        for unit in scope.units:
            groups[unit.region_code[:4]].append(per_unit[unit.pk])
        names = city_names(groups)
        return [
            {"level": "city", "key": prefix, "name": names[prefix], **finish(_sum(items))}
            for prefix, items in sorted(groups.items())
        ]
    return [
        {"level": "unit", "key": str(unit.pk), "name": unit.name, **finish(per_unit[unit.pk])}
        for unit in scope.units
    ]


def _without_jit():
    """PostgreSQL's JIT spends ~0.25 s compiling each large aggregate here and wins nothing back on these
    index-driven plans: switch it off for this transaction only (other databases: nothing to do)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def dashboard(scope: Scope, period: Period, *, today: dt.date, live: bool = False) -> dict:
    """Everything the dashboard page, its exports, the API and a frozen report show (JSON-serialisable).

    By default the counts and sums come from the rollup (`rollup.Rolled`: one statement, as of `computed_at`); `live=True`
    computes them from the source tables (reports frozen at generation use it). 逾期 and the targets are always
    live (they depend on today's date)."""
    from django.db import transaction

    if not live:  # a few thousand rollup rows: no transaction, no JIT concern
        return _dashboard(scope, period, today=today, live=live)
    with transaction.atomic():
        _without_jit()
        return _dashboard(scope, period, today=today, live=live)


def _dashboard(scope: Scope, period: Period, *, today: dt.date, live: bool = False) -> dict:
    from . import rollup

    unit_packs = {u.pk: u.policy_pack for u in scope.units}
    missed = missed_deadlines(scope.unit_ids, period, today=today, unit_packs=unit_packs)
    if live:
        cubes = Cubes.build(scope.unit_ids, period)
        per_unit = unit_figures(scope.unit_ids, period, today=today, missed=missed, cubes=cubes)
        plans = rollup.plans(scope.unit_ids, period.year)
        names, computed_at = Names.of_cubes(cubes, plans), None
    else:
        rolled = rollup.Rolled(scope.unit_ids, period)
        per_unit, cubes, names, plans = rolled.per_unit, rolled.cubes, rolled.names, rolled.plans
        for row in missed:
            per_unit[row["unit_id"]]["deadlines_missed"] += 1
        computed_at = rolled.computed_at.isoformat() if rolled.computed_at else None
    totals = finish(_sum(per_unit.values()))
    return {
        "scope": scope.as_dict(),
        "period": {
            "code": period.code,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "as_of": today.isoformat(),
        "source": "live" if live else "rollup",
        "computed_at": computed_at,
        "has_assessment": assessment_available(),
        "has_subsidies": subsidies_available(),
        "totals": totals,
        "rows": level_rows(scope, per_unit),
        "targets": targets(scope, period, totals, per_unit, unit_packs, today=today),
        "breakdown": class_breakdown(cubes, names),
        "plan_vs_actual": plan_vs_actual(scope, period.year, cubes, names, plans),
        "deadlines": missed,
    }


# ---- classes by occupation, level, institution ---------------------------------------------------------


BREAKDOWN_KEYS = {
    "occupation": ("occupation_id", "special_item_id", "project_name"),
    "level": ("level_id",),
    "institution": ("institution_id",),
}


def class_breakdown(cubes: Cubes, names: Names) -> dict[str, list[dict]]:
    """Classes and trainees per occupation, level and institution: summed per id first, then named (ids that
    share a name are summed together)."""
    out = {}
    for key, columns in BREAKDOWN_KEYS.items():
        ids = itemgetter(*columns)
        by_id_classes, by_id_people = defaultdict(int), defaultdict(int)
        for row in cubes.classes:
            by_id_classes[ids(row)] += row["classes"]
        for row in cubes.enrolments:
            if row["enrolled"]:
                by_id_people[ids(row)] += row["enrolled"]
        classes, people = defaultdict(int), defaultdict(int)
        for found, totals in ((by_id_classes, classes), (by_id_people, people)):
            for value, n in found.items():
                row = dict(zip(columns, value if len(columns) > 1 else (value,), strict=True))
                totals[names.of(key, row)] += n
        rows = [{"name": name, "classes": n, "enrolled": people.get(name, 0)} for name, n in classes.items()]
        rows.sort(key=lambda r: (-r["classes"], -r["enrolled"], r["name"]))
        out[key] = rows
    return out


# ---- plan versus actual --------------------------------------------------------------------------------


def plan_vs_actual(
    scope: Scope, year: int, cubes: Cubes, names: Names, plans: list[dict]
) -> dict[str, list[dict]]:
    """Planned trainees (the plan in force: latest approved annual plan or adjustment plus approved temporary
    additions) against enrolments in classes of that plan year, per unit and per occupation. `plans`: the plan
    rows of the year (`rollup.plans`, or the dashboard's one statement); `names` covers their subjects too."""
    from skillbridge.planning.models import PlanKind

    latest = {}  # unit → its latest approved annual plan or adjustment (approval time, id)
    for row in plans:
        if row["kind"] != PlanKind.TEMPORARY:
            key = (row["decided_at"] is not None, row["decided_at"] or 0, row["plan_id"])
            if row["unit_id"] not in latest or key > latest[row["unit_id"]][0]:
                latest[row["unit_id"]] = (key, row["plan_id"])
    in_force = {plan_id for _, plan_id in latest.values()}
    planned_unit = defaultdict(int)
    planned_occ = defaultdict(int)
    for row in plans:
        if row["planned"] and (row["kind"] == PlanKind.TEMPORARY or row["plan_id"] in in_force):
            planned_unit[row["unit_id"]] += row["planned"]
            planned_occ[names.subject(row)] += row["planned"]
    actual_unit = defaultdict(int)
    actual_occ = defaultdict(int)
    for row in cubes.enrolments:
        if row["plan_actual"]:
            actual_unit[row["unit_id"]] += row["plan_actual"]
            actual_occ[names.subject(row)] += row["plan_actual"]

    def row(name, planned, actual):
        return {
            "name": name,
            "planned": planned,
            "actual": actual,
            "rate": round(actual / planned, 4) if planned else None,
        }

    by_unit = [row(u.name, planned_unit[u.pk], actual_unit[u.pk]) for u in scope.units]
    names = sorted(set(planned_occ) | set(actual_occ), key=lambda n: (-planned_occ[n], -actual_occ[n], n))
    by_occupation = [row(n, planned_occ[n], actual_occ[n]) for n in names]
    return {"year": year, "by_unit": by_unit, "by_occupation": by_occupation}


# ---- targets -------------------------------------------------------------------------------------------

# How each pack target is measured on the platform's data (person-times of enrolments of the scope's units
# in the target's years), by the target key. Targets without a measure are listed as not measured here.
TARGET_MEASURES = {
    "subsidised_training_total": ("全部参训人次", Q()),
    "subsidised_training_2019": ("全部参训人次", Q()),
    "community_correction": ("社区矫正对象参训人次", Q(person__population_category="community_correction")),
    "enterprise_workers": ("企业职工参训人次", Q(person__population_category="enterprise_worker")),
    "veterans": ("退役军人参训人次", Q(person__population_category="veteran")),
    "disabled": ("残疾人参训人次", Q(person__is_disabled=True)),
    "farmers": ("职业农民参训人次", Q(person__population_category="farmer")),
    "poverty_alleviation": ("贫困劳动力参训人次", Q(person__population_category="poor_labour")),
    "safety_skills": ("高危行业从业人员参训人次", Q(person__population_category="high_risk_worker")),
    "school_leavers_graduates": (
        "两后生及离校未就业高校毕业生参训人次",
        Q(person__population_category__in=["school_leaver", "college_graduate"]),
    ),
}


def applicable_packs(scope: Scope, unit_packs: dict[int, str]) -> list:
    """Packs whose region covers the scope (Jiangsu's province-wide action for a Jiangsu city), plus the packs
    the scope's units follow (Changzhou's certification target for Changzhou's prisons)."""
    packs = load_all()
    region = scope.code if scope.level in ("province", "city") else scope.units[0].region_code
    chosen = []
    for code, pack in sorted(packs.items()):
        prefixes = pack.region_prefixes.value
        covers = any(region.startswith(p) for p in prefixes)
        if covers or code in unit_packs.values():
            chosen.append(pack)
    return chosen


def _is_pack_region(scope: Scope, pack) -> bool:
    """Whether the scope is the whole region of the pack (the province, the city) whose count targets are totals
    for that region: only there is a count measured against the target; a smaller scope shows its share."""
    return scope.level in ("province", "city") and scope.code in pack.region_prefixes.value


def projection(actual: float, period_start: dt.date, period_end: dt.date, today: dt.date) -> float | None:
    """Straight line: the rate so far carried to the end of the period (None before it starts)."""
    if today < period_start:
        return None
    if today >= period_end:
        return actual
    elapsed = (today - period_start).days + 1
    return actual * ((period_end - period_start).days + 1) / elapsed


def _target_row(pack, target, **fields) -> dict:
    return {
        "key": f"{pack.code}.{target.key}",
        "name": target.name,
        "pack": pack.name,
        "source": target.target.source,
        "unit": target.unit,
        "target": float(target.target.value),
        **fields,
    }


def _count_status(actual, goal, projected, window_start, window_end, today) -> tuple[bool | None, str]:
    if today < window_start:
        return None, "目标期尚未开始"
    if today > window_end:
        return actual >= goal, "目标期已结束：已完成" if actual >= goal else "目标期已结束：未完成"
    on_track = projected >= goal
    return on_track, "按当前进度可按期完成" if on_track else "按当前进度难以按期完成"


def targets(scope, period, totals, per_unit, unit_packs, *, today) -> list[dict]:
    """The pack targets whose years include the period's year, with the figure so far, the share of the
    target reached and the straight-line projection to the end of the target's years."""
    out = []
    for pack in applicable_packs(scope, unit_packs):
        for target in pack.targets:
            end_year = target.end_year or period.year
            start_year = target.start_year if target.end_year else period.year
            if not (target.start_year <= period.year <= end_year):
                continue
            window = f"{start_year}—{end_year}年" if start_year != end_year else f"{start_year}年"
            if target.unit == "比例":
                if target.key != "certification_rate":
                    continue
                units = [pk for pk, code in unit_packs.items() if code == pack.code]
                due = sum(per_unit[pk]["due"] for pk in units)
                got = sum(per_unit[pk]["due_certified"] for pk in units)
                value = round(got / due, 4) if due else None
                goal = float(target.target.value)
                on_track = None if value is None else value >= goal
                status = "本期无应释放人员" if value is None else ("已达到目标" if on_track else "未达到目标")
                out.append(
                    _target_row(
                        pack,
                        target,
                        actual=value,
                        measure=f"{period.label}应释放人员中刑释前获证的比例",
                        progress=round(value / goal, 4) if value is not None else None,
                        projected=value,
                        on_track=on_track,
                        status=status,
                        window=period.label,
                    )
                )
                continue
            measure = TARGET_MEASURES.get(target.key)
            if measure is None:
                out.append(
                    _target_row(
                        pack,
                        target,
                        actual=None,
                        measure="平台无此项数据（须另行统计）",
                        progress=None,
                        projected=None,
                        on_track=None,
                        status="平台无此项数据",
                        window=window,
                    )
                )
                continue
            label, condition = measure
            window_start, window_end = dt.date(start_year, 1, 1), dt.date(end_year, 12, 31)
            actual = Enrolment.objects.filter(
                condition,
                training_class__unit_id__in=scope.unit_ids,
                training_class__date_from__gte=window_start,
                training_class__date_from__lte=min(today, window_end),
            ).count()
            if not _is_pack_region(scope, pack):
                region = "全省" if len(pack.region_prefixes.value[0]) == 2 else "全市"
                out.append(
                    _target_row(
                        pack,
                        target,
                        actual=actual,
                        measure=f"{label}（本范围完成数）",
                        progress=None,
                        projected=None,
                        on_track=None,
                        status=f"目标为{region}合计，本范围的完成数计入其中，不单独测算进度",
                        window=window,
                    )
                )
                continue
            goal = float(target.target.value)
            projected = projection(actual, window_start, window_end, today)
            on_track, status = _count_status(actual, goal, projected, window_start, window_end, today)
            out.append(
                _target_row(
                    pack,
                    target,
                    actual=actual,
                    measure=label,
                    progress=round(actual / goal, 4),
                    projected=round(projected) if projected is not None else None,
                    on_track=on_track,
                    status=status,
                    window=window,
                )
            )
    return out


# ---- people lists (the bottom of the drill-down) -------------------------------------------------------

PEOPLE_LISTS = {
    "missing_certificate": "刑释前未取得证书人员",
    "certified_before_release": "刑释前已获证人员",
    "due": "应培训人员（期内释放）",
}


def people(scope: Scope, period: Period, which: str):
    """Episodes behind the 应培训 / 获证 figures, with person and unit, in release-date order."""
    if which not in PEOPLE_LISTS:
        raise ValueError(which)
    qs = due_episodes(scope.unit_ids, period).select_related("person", "unit")
    if which == "missing_certificate":
        qs = qs.filter(has_certificate=False)
    elif which == "certified_before_release":
        qs = qs.filter(has_certificate=True)
    return qs.order_by("expected_release_date", "unit__name", "person__name", "pk")


# ---- Anhui 002 二(四)/(五): qualified trainees per class, year-end completion and fund-use statement ----


def classes_ended(scope: Scope, period: Period):
    """Classes of the scope that finished (考核结业) in the period, for the qualified-trainee lists."""
    return (
        TrainingClass.objects.filter(
            unit_id__in=scope.unit_ids, ended_on__gte=period.start, ended_on__lte=period.end
        )
        .select_related(
            "unit",
            "institution",
            "application__occupation",
            "application__level",
            "application__special_item",
        )
        .annotate(qualified=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.COMPLETED)))
        .order_by("ended_on", "pk")
    )


def qualified_trainees(training_class: TrainingClass) -> list[Enrolment]:
    """培训合格人员: the completed enrolments of a class, with person and any certificate from the class."""
    enrolments = list(
        training_class.enrolments.filter(status=EnrolmentStatus.COMPLETED)
        .select_related("person")
        .order_by("pk")
    )
    certificates = {}
    for c in Certificate.objects.filter(training_class=training_class).exclude(
        status=CertificateStatus.REVOKED
    ):
        certificates.setdefault(c.person_id, c)
    for e in enrolments:
        e.class_certificate = certificates.get(e.person_id)
    return enrolments


def year_statement(unit, year: int, *, today: dt.date) -> dict:
    """A unit's year-end completion and fund-use statement (Anhui 二(五): 年度培训任务完成情况、预拨资金使用情况),
    for the city HRSS and finance bureau's settlement."""
    from skillbridge.reporting.scopes import Scope as _Scope

    from . import rollup

    scope = _Scope("unit", str(unit.pk), unit.name, [unit])
    period = Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年度")
    cubes = Cubes.build([unit.pk], period)
    figures = unit_figures([unit.pk], period, today=today, missed=[], cubes=cubes)[unit.pk]
    plans = rollup.plans([unit.pk], year)
    plan = plan_vs_actual(scope, year, cubes, Names.of_cubes(cubes, plans), plans)
    budget, fund = None, None
    YearBudget = _model("funds", "YearBudget")
    if YearBudget is not None:
        row = YearBudget.objects.filter(unit=unit, year=year).first()
        if row is not None:
            budget = {
                "planned_trainees": row.planned_trainees,
                "standard": f"{row.standard:.2f}",
                "budget": f"{row.budget:.2f}",
                "prepayment_amount": f"{row.prepayment_amount:.2f}"
                if row.prepayment_amount is not None
                else None,
                "funds_received_on": row.funds_received_on.isoformat() if row.funds_received_on else None,
                "certified_trainees": row.certified_trainees,
                "settlement_due": f"{row.settlement_due:.2f}" if row.settlement_due is not None else None,
                "settlement_difference": f"{row.settlement_difference:.2f}"
                if row.settlement_difference is not None
                else None,
                "settled_on": row.settled_on.isoformat() if row.settled_on else None,
            }
    if _model("funds", "FundEntry") is not None:
        from skillbridge.funds.selectors import statement

        st = statement(unit, period.start, period.end)
        fund = {
            "opening": f"{st.opening:.2f}",
            "income": f"{st.income:.2f}",
            "expense": f"{st.expense:.2f}",
            "closing": f"{st.closing:.2f}",
            "by_kind": {k: f"{v:.2f}" for k, v in st.by_kind.items()},
            "categories": [{"label": c.label, "net": f"{c.net:.2f}"} for c in st.categories],
        }
    return {
        "unit": unit.name,
        "year": year,
        "planned": plan["by_unit"][0]["planned"],
        "classes": figures["classes"],
        "enrolled": figures["enrolled"],
        "completed": figures["completed"],
        "certified": figures["certified"],
        "plan_rate": plan["by_unit"][0]["rate"],
        "budget": budget,
        "fund": fund,
    }
