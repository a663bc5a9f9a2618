"""The rollup behind the dashboards: set-based SQL that rebuilds `FigureCell` rows, and the read that sums them.

Rebuilding (`rebuild`, called by `services.rollup_refresh` inside its transaction): for the chosen units (all by
default) and months (all by default), delete the cells and insert them again with one INSERT … SELECT … GROUP BY
per figure, each keyed by the month of the figure's own date — the same definitions as the live selectors
(`selectors.unit_figures` and `selectors.Cubes`). 刑释前获证 is decided per episode (a certificate between the
start of the term and the release date) and counted in the release month. The plan-year actual is keyed by plan
year: refreshing a month also rebuilds the plan years of its year.

Reading (`figures`): one grouped query over the scope's cells in the period, summed per unit for the totals and
per (unit, subject, level, institution) for the breakdowns and plan versus actual.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Min, Q

from skillbridge.certificates.models import Certificate, CertificateStatus
from skillbridge.registry.models import Episode, EpisodeStatus
from skillbridge.training.models import ClassApplication, Enrolment, EnrolmentStatus, TrainingClass

from .models import FigureCell, RollupUnit
from .periods import Period

DIMS = ("occupation_id", "special_item_id", "project_name", "level_id", "institution_id")
COUNTS = ("due", "due_certified", "enrolled", "completed", "classes", "certified", "assessed", "claim_lines",
          "approved_lines", "rejected_lines", "noticed_lines")  # fmt: skip
MONEY = ("claimed_amount", "approved_amount", "noticed_amount", "disbursed_amount", "paid_amount")


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def _in(column: str, values) -> tuple[str, list]:
    values = list(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


class _Filter:
    """The WHERE fragments limiting a rebuild to some units and months (none given: everything)."""

    def __init__(self, units, months):
        self.units = sorted(set(units)) if units else None
        self.months = sorted(set(months)) if months else None
        self.years = sorted({m.year for m in self.months}) if self.months else None

    def where(self, unit_col: str, date_col: str | None = None, year_col: str | None = None):
        parts, params = [], []
        if self.units is not None:
            sql, p = _in(unit_col, self.units)
            parts.append(sql)
            params += p
        if date_col and self.months is not None:
            sql, p = _in(_month(date_col), self.months)
            parts.append(sql)
            params += p
        if year_col and self.years is not None:
            sql, p = _in(year_col, self.years)
            parts.append(sql)
            params += p
        return "".join(f" AND {p}" for p in parts), params


def _tables() -> dict:
    from django.apps import apps

    names = {
        "cell": FigureCell._meta.db_table,
        "episode": Episode._meta.db_table,
        "certificate": Certificate._meta.db_table,
        "enrolment": Enrolment._meta.db_table,
        "klass": TrainingClass._meta.db_table,
        "app": ClassApplication._meta.db_table,
    }
    for key, (label, model) in {
        "result": ("assessment", "AssessmentResult"),
        "aapp": ("assessment", "AssessmentApplication"),
        "line": ("subsidies", "ClaimLine"),
        "claim": ("subsidies", "Claim"),
    }.items():
        try:
            names[key] = apps.get_model(label, model)._meta.db_table
        except LookupError:
            names[key] = None
    return names


def _statements(f: _Filter) -> list[tuple[str, list]]:
    from .selectors import ACCEPTED_CLAIM, CUSTODY_KINDS, NOTICED_CLAIM, SUBMITTED_CLAIM

    t = _tables()
    dims = "a.occupation_id, a.special_item_id, a.project_name, a.level_id, k.institution_id"
    out = []

    w, p = f.where("e.unit_id", "e.expected_release_date")
    kinds, kp = _in("e.kind", [str(k) for k in CUSTODY_KINDS])
    out.append((f"""
        INSERT INTO {t['cell']} (unit_id, month, due, due_certified)
        SELECT e.unit_id, {_month('e.expected_release_date')}, count(*),
               sum(CASE WHEN EXISTS (SELECT 1 FROM {t['certificate']} c WHERE c.person_id = e.person_id
                   AND c.issue_date >= e.term_start AND c.issue_date <= e.expected_release_date
                   AND c.status <> %s) THEN 1 ELSE 0 END)
        FROM {t['episode']} e
        WHERE {kinds} AND e.status <> %s AND e.expected_release_date IS NOT NULL{w}
        GROUP BY 1, 2""", [str(CertificateStatus.REVOKED), *kp, str(EpisodeStatus.TRANSFERRED), *p]))  # fmt: skip

    joins = f"""FROM {t["enrolment"]} en JOIN {t["klass"]} k ON k.id = en.training_class_id
        LEFT JOIN {t["app"]} a ON a.id = k.application_id"""
    w, p = f.where("k.unit_id", "k.date_from")
    out.append((f"""
        INSERT INTO {t['cell']} (unit_id, month, {', '.join(DIMS)}, enrolled)
        SELECT k.unit_id, {_month('k.date_from')}, {dims}, count(*) {joins}
        WHERE k.date_from IS NOT NULL{w} GROUP BY 1, 2, 3, 4, 5, 6, 7""", p))  # fmt: skip
    w, p = f.where("k.unit_id", "k.ended_on")
    out.append((f"""
        INSERT INTO {t['cell']} (unit_id, month, {', '.join(DIMS)}, completed)
        SELECT k.unit_id, {_month('k.ended_on')}, {dims}, count(*) {joins}
        WHERE k.ended_on IS NOT NULL AND en.status = %s{w} GROUP BY 1, 2, 3, 4, 5, 6, 7""",
                [str(EnrolmentStatus.COMPLETED), *p]))  # fmt: skip
    w, p = f.where("k.unit_id", year_col="a.plan_year")
    out.append((f"""
        INSERT INTO {t['cell']} (unit_id, plan_year, {', '.join(DIMS)}, plan_actual)
        SELECT k.unit_id, a.plan_year, {dims}, count(*) {joins}
        WHERE a.plan_year IS NOT NULL{w} GROUP BY 1, 2, 3, 4, 5, 6, 7""", p))  # fmt: skip
    w, p = f.where("k.unit_id", "k.date_from")
    out.append((f"""
        INSERT INTO {t['cell']} (unit_id, month, {', '.join(DIMS)}, classes)
        SELECT k.unit_id, {_month('k.date_from')}, {dims}, count(*)
        FROM {t['klass']} k LEFT JOIN {t['app']} a ON a.id = k.application_id
        WHERE k.date_from IS NOT NULL{w} GROUP BY 1, 2, 3, 4, 5, 6, 7""", p))  # fmt: skip
    w, p = f.where("c.unit_id", "c.issue_date")
    out.append((f"""
        INSERT INTO {t['cell']} (unit_id, month, certified)
        SELECT c.unit_id, {_month('c.issue_date')}, count(*) FROM {t['certificate']} c
        WHERE c.supersedes_id IS NULL AND c.status <> %s AND c.issue_date IS NOT NULL{w}
        GROUP BY 1, 2""", [str(CertificateStatus.REVOKED), *p]))  # fmt: skip
    if t["result"] and t["aapp"]:
        w, p = f.where("a.unit_id", "a.assessment_date")
        out.append((f"""
            INSERT INTO {t['cell']} (unit_id, month, assessed)
            SELECT a.unit_id, {_month('a.assessment_date')}, count(*)
            FROM {t['result']} r JOIN {t['aapp']} a ON a.id = r.application_id
            WHERE r.outcome <> %s AND a.assessment_date IS NOT NULL{w} GROUP BY 1, 2""", ["absent", *p]))  # fmt: skip
    if t["line"] and t["claim"]:
        w, p = f.where("c.unit_id", "c.filled_on")
        submitted, sp = _in("c.status", SUBMITTED_CLAIM)
        accepted, ap = _in("c.status", ACCEPTED_CLAIM)
        noticed, np_ = _in("c.status", NOTICED_CLAIM)
        ok = f"l.decision = 'accepted' AND l.is_active AND {accepted}"
        shown = f"l.decision = 'accepted' AND l.is_active AND {noticed}"
        out.append((f"""
            INSERT INTO {t['cell']} (unit_id, month, claim_lines, claimed_amount, approved_lines, approved_amount,
                rejected_lines, noticed_lines, noticed_amount)
            SELECT c.unit_id, {_month('c.filled_on')}, count(*), coalesce(sum(l.amount), 0),
                sum(CASE WHEN {ok} THEN 1 ELSE 0 END), coalesce(sum(CASE WHEN {ok} THEN l.amount END), 0),
                sum(CASE WHEN l.decision = 'rejected' THEN 1 ELSE 0 END),
                sum(CASE WHEN {shown} THEN 1 ELSE 0 END), coalesce(sum(CASE WHEN {shown} THEN l.amount END), 0)
            FROM {t['line']} l JOIN {t['claim']} c ON c.id = l.claim_id
            WHERE {submitted} AND c.filled_on IS NOT NULL{w} GROUP BY 1, 2""",
                    [*ap, *ap, *np_, *np_, *sp, *p]))  # fmt: skip
        w, p = f.where("c.unit_id", "c.filled_on")
        out.append((f"""
            INSERT INTO {t['cell']} (unit_id, month, disbursed_amount, paid_amount)
            SELECT c.unit_id, {_month('c.filled_on')}, coalesce(sum(c.disbursed_amount), 0),
                coalesce(sum(c.paid_amount), 0)
            FROM {t['claim']} c WHERE c.filled_on IS NOT NULL{w} GROUP BY 1, 2""", p))  # fmt: skip
    return out


def rebuild(*, units=None, months=None) -> int:
    """Delete and re-insert the cells of the units and months (run inside a transaction). Returns the cells."""
    f = _Filter(units, months)
    if connection.vendor == "postgresql":
        # Two refreshes at once would each delete, then each insert the same cells: the second waits here for
        # the first to commit (readers are not blocked). SQLite serialises writers anyway.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {FigureCell._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    cells = FigureCell.objects.all()
    if f.units is not None:
        cells = cells.filter(unit_id__in=f.units)
    if f.months is not None:
        cells = cells.filter(Q(month__in=f.months) | Q(plan_year__in=f.years))
    cells._raw_delete(cells.db)
    with connection.cursor() as cursor:
        for sql, params in _statements(f):
            cursor.execute(sql, params)
    kept = FigureCell.objects.all()
    if f.units is not None:
        kept = kept.filter(unit_id__in=f.units)
    return kept.count()


def computed_at(unit_ids) -> dt.datetime | None:
    """The oldest refresh among the scope's units (None if one of them was never computed)."""
    found = RollupUnit.objects.filter(unit_id__in=unit_ids).aggregate(
        n=Count("pk"), oldest=Min("refreshed_at")
    )
    if not unit_ids or found["n"] < len(set(unit_ids)):
        return None
    return found["oldest"]


def _decimal(value) -> Decimal:
    """A sum of amounts as the database returns it (SQLite: int or float) → Decimal with two places."""
    if value is None:
        return Decimal("0.00")
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(Decimal("0.01"))


def _cells(unit_ids, period: Period) -> list[dict]:
    """The scope's cells of the period summed per (unit, subject, level, institution): one plain statement (the
    ORM's sixteen filtered sums cost more to compile than the database takes to run them)."""
    table = FigureCell._meta.db_table
    if (
        connection.vendor == "postgresql"
    ):  # one array parameter: the planner uses the month / plan-year indexes
        units, unit_params = "unit_id = ANY(%s)", [list(unit_ids)]
    else:
        units, unit_params = _in("unit_id", unit_ids)
    in_period = "month >= %s AND month <= %s"
    sums = ", ".join(f"SUM({m}) FILTER (WHERE {in_period}) AS {m}" for m in COUNTS + MONEY)
    sql = f"""SELECT unit_id, {', '.join(DIMS)}, {sums},
            SUM(plan_actual) FILTER (WHERE plan_year = %s) AS plan_actual_sum
        FROM {table} WHERE {units} AND (({in_period}) OR plan_year = %s)
        GROUP BY unit_id, {', '.join(DIMS)}"""  # fmt: skip
    bounds = [period.start, period.end]
    params = bounds * len(COUNTS + MONEY) + [period.year, *unit_params, *bounds, period.year]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def figures(unit_ids, period: Period):
    """(per-unit metrics without 逾期, cube rows for the breakdowns) summed from the cells of the period."""
    from .selectors import Cubes, empty_metrics

    per_unit = defaultdict(empty_metrics)
    for unit_id in unit_ids:
        per_unit[unit_id]
    if not unit_ids:
        return {}, Cubes([], [])
    rows = _cells(unit_ids, period)
    enrolments, classes = [], []
    for row in rows:
        bucket = per_unit[row["unit_id"]]
        for name in COUNTS:
            bucket[name] += row[name] or 0
        for name in MONEY:
            bucket[name] += _decimal(row[name])
        plan_actual = row["plan_actual_sum"] or 0
        key = {"unit_id": row["unit_id"], **{d: row[d] for d in DIMS}}
        if row["enrolled"] or row["completed"] or plan_actual:
            enrolments.append(
                {
                    **key,
                    "enrolled": row["enrolled"] or 0,
                    "completed": row["completed"] or 0,
                    "plan_actual": plan_actual,
                }
            )
        if row["classes"]:
            classes.append({**key, "classes": row["classes"]})
    return dict(per_unit), Cubes(enrolments, classes)
