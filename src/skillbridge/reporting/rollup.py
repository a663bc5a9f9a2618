"""The rollup behind the dashboards: set-based SQL that rebuilds `FigureCell` rows, and the read that sums them.

Rebuilding (`rebuild`, called by `services.rollup_refresh` inside its transaction): for the chosen units (all by
default) and months (all by default), delete the cells and insert them again with one INSERT … SELECT … GROUP BY
per figure, each keyed by the month of the figure's own date — the same definitions as the live selectors
(`selectors.unit_figures` and `selectors.Cubes`). 刑释前获证 is decided per episode (a certificate between the
start of the term and the release date) and counted in the release month. The plan-year actual is keyed by plan
year: refreshing a month also rebuilds the plan years of its year.

Reading (`Rolled`): one statement per dashboard — the scope's cells of the period summed per (unit, subject,
level, institution), the units' freshness and the plan items of the plan year — summed per unit for the totals;
the per-(unit, subject, level, institution) rows feed the breakdowns and plan versus actual (their display names
from `namecache`).
"""

from decimal import Decimal
from operator import add

from django.db import connection
from django.db.models import Q

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


def _decimal(value) -> Decimal:
    """A sum of amounts as the database returns it (SQLite: int or float) → Decimal with two places."""
    if value is None:
        return Decimal("0.00")
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(Decimal("0.01"))


# ---- reading: one statement per dashboard ---------------------------------------------------------------
#
# Everything the dashboard reads besides 逾期 and the display names (cached: `namecache`) comes in one statement
# (one round trip, no ORM to compile): UNION ALL of parts, one row kind each, all in the same columns (NULL where
# a part has nothing to say):
#   'c' the scope's cells of the period summed per (unit, subject, level, institution) — summed on per unit for
#       the totals (in Python: cheaper than a second aggregate over them), and the breakdowns' rows;
#   'f' freshness: unit_id = how many of the scope's units were ever computed, at = the oldest refresh;
#   'p' an item of an approved plan of the plan year (a plan without items: one row without): plan_id,
#       plan_kind, at = the plan's approval time, plan_actual = planned trainees, subject ids and project
#       (selectors.plan_vs_actual picks the plans in force).
# The first part's NULLs are typed: PostgreSQL resolves a UNION's column types pairwise, and a column that is an
# untyped NULL in the first two parts would become text.

COLUMNS = {
    "kind": "text",
    "unit_id": "integer",
    "occupation_id": "integer",
    "special_item_id": "integer",
    "project_name": "text",
    "level_id": "integer",
    "institution_id": "integer",
    **dict.fromkeys(COUNTS, "bigint"),
    **dict.fromkeys(MONEY, "numeric"),
    "plan_actual": "bigint",
    "plan_id": "integer",
    "plan_kind": "text",
    "at": "timestamptz",
}
INDEX = {name: i for i, name in enumerate(COLUMNS)}


def _part(kind: str, values: dict, rest: str, *, first: bool = False) -> str:
    """One SELECT of the statement: the given column expressions, NULL for every other column — typed in the
    first part, which sets the statement's column types (a shorter statement: psycopg caches the parsing of one
    under 4 KB)."""
    values = {"kind": f"'{kind}'", **values}
    null = "CAST(NULL AS {})" if first else "NULL"
    return "SELECT " + ", ".join(values.get(c, null.format(t)) for c, t in COLUMNS.items()) + " " + rest


def _units(column: str, unit_ids) -> tuple[str, list]:
    if (
        connection.vendor == "postgresql"
    ):  # one array parameter: the planner uses the month / plan-year indexes
        return f"{column} = ANY(%s)", [list(unit_ids)]
    return _in(column, unit_ids)


def _cells(unit_ids, period: Period) -> tuple[str, list]:
    """The 'c' part (the ORM's sixteen filtered sums cost more to compile than the database takes to run them).
    A sum of integers is a bigint, as the column."""
    units, unit_params = _units("unit_id", unit_ids)
    in_period = "month >= %s AND month <= %s"
    sql = _part(
        "c",
        {
            **{c: c for c in ("unit_id", *DIMS)},
            **{m: f"COALESCE(SUM({m}) FILTER (WHERE {in_period}), 0)" for m in COUNTS + MONEY},
            "plan_actual": "SUM(plan_actual) FILTER (WHERE plan_year = %s)",
        },
        f"FROM {FigureCell._meta.db_table} WHERE {units} AND (({in_period}) OR plan_year = %s) "
        f"GROUP BY unit_id, {', '.join(DIMS)}",
        first=True,
    )
    bounds = [period.start, period.end]
    return sql, bounds * len(COUNTS + MONEY) + [period.year, *unit_params, *bounds, period.year]


def _freshness_part(unit_ids) -> tuple[str, list]:
    units, params = _units("unit_id", unit_ids)
    sql = _part(
        "f",
        {"unit_id": "COUNT(*)", "at": "MIN(refreshed_at)"},
        f"FROM {RollupUnit._meta.db_table} WHERE {units}",
    )
    return sql, params


def _plans_part(unit_ids, year: int) -> tuple[str, list]:
    """Items of the approved plans of the year (their subjects' names: `selectors.Names`)."""
    from skillbridge.approvals.models import ReviewCase, ReviewStatus
    from skillbridge.planning.models import AnnualPlan, PlanItem

    units, params = _units("p.unit_id", unit_ids)
    sql = _part(
        "p",
        {
            "unit_id": "p.unit_id",
            "occupation_id": "it.occupation_id",
            "special_item_id": "it.special_item_id",
            "project_name": "it.project_name",
            "plan_actual": "it.planned_trainees",
            "plan_id": "p.id",
            "plan_kind": "p.kind",
            "at": "r.decided_at",
        },
        f"""FROM {AnnualPlan._meta.db_table} p JOIN {ReviewCase._meta.db_table} r ON r.id = p.review_id
        LEFT JOIN {PlanItem._meta.db_table} it ON it.plan_id = p.id
        WHERE {units} AND p.year = %s AND r.status = %s""",
    )
    return sql, [*params, year, str(ReviewStatus.APPROVED)]


def _run(parts) -> list[tuple]:
    """Run the parts as one UNION ALL statement."""
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(p[0] for p in parts), [x for p in parts for x in p[1]])
        return cursor.fetchall()


def _datetime(value):
    """A timestamp as the database returns it in a raw row (SQLite: text) → aware datetime."""
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if value is None or convert is None:
        return value
    return convert(value, None, connection)


def plan_rows(rows) -> list[dict]:
    """The 'p' rows as dicts (plan_id, unit_id, kind, decided_at, occupation_id, special_item_id, project_name,
    planned)."""
    out = []
    i = INDEX
    for row in rows:
        if row[0] == "p":
            out.append(
                {
                    "plan_id": row[i["plan_id"]],
                    "unit_id": row[i["unit_id"]],
                    "kind": row[i["plan_kind"]],
                    "decided_at": _datetime(row[i["at"]]),
                    "occupation_id": row[i["occupation_id"]],
                    "special_item_id": row[i["special_item_id"]],
                    "project_name": row[i["project_name"]],
                    "planned": row[i["plan_actual"]],
                }
            )
    return out


def plans(unit_ids, year: int) -> list[dict]:
    """The plan rows alone (the live dashboard and the year statement)."""
    if not unit_ids:
        return []
    return plan_rows(_run([_plans_part(unit_ids, year)]))


class Rolled:
    """What one read of the rollup gives the dashboard: per-unit metrics (without 逾期), the cube rows for the
    breakdowns and plan versus actual, the names of their ids (cached, `namecache`), the plan rows and when the
    figures were computed (None if a unit of the scope never was)."""

    def __init__(self, unit_ids, period: Period):
        from .selectors import Cubes, Names, empty_metrics

        per_unit = {unit_id: empty_metrics() for unit_id in unit_ids}
        self.per_unit, self.cubes, self.plans, self.computed_at = per_unit, Cubes([], []), [], None
        self.names = Names({}, {}, {}, {})
        if not unit_ids:
            return
        rows = _run([_cells(unit_ids, period), _freshness_part(unit_ids), _plans_part(unit_ids, period.year)])
        self.plans = plan_rows(rows)
        self._add(rows, len(set(unit_ids)))
        self.names = Names.of_cubes(self.cubes, self.plans, cached=True)

    def _add(self, rows, n_units: int) -> None:
        """Sum the rows into the units and the cubes (a hot loop: plain indexes, slices and C-level sums)."""
        i = INDEX
        enrolments, classes = self.cubes.enrolments, self.cubes.classes
        first_metric, first_dim = i[COUNTS[0]], i["unit_id"]
        metric_cols = slice(first_metric, first_metric + len(COUNTS) + len(MONEY))  # counts, then money
        money_from = len(COUNTS)
        exact = connection.vendor == "postgresql"  # SQLite sums amounts as int or float: made Decimal per row
        dim_cols = slice(first_dim, first_dim + 1 + len(DIMS))
        keys = ("unit_id", *DIMS)
        enrolled, completed, klasses, plan_actual = (
            i[c] for c in ("enrolled", "completed", "classes", "plan_actual")
        )
        sums: dict[int, list] = {}
        for row in rows:
            kind = row[0]
            if kind == "c":
                unit_id, values = row[first_dim], row[metric_cols]
                if not exact:
                    values = (*values[:money_from], *map(_decimal, values[money_from:]))
                before = sums.get(unit_id)
                sums[unit_id] = values if before is None else list(map(add, before, values))
                n_enrolled, n_completed, n_plan = (
                    row[enrolled],
                    row[completed],
                    row[plan_actual] or 0,
                )
                if n_enrolled or n_completed or n_plan or row[klasses]:
                    key = dict(zip(keys, row[dim_cols], strict=True))
                    if n_enrolled or n_completed or n_plan:
                        enrolments.append(
                            {**key, "enrolled": n_enrolled, "completed": n_completed, "plan_actual": n_plan}
                        )
                    if row[klasses]:
                        classes.append({**key, "classes": row[klasses]})
            elif kind == "f" and row[first_dim] == n_units:
                self.computed_at = _datetime(row[i["at"]])
        for unit_id, values in sums.items():
            self.per_unit[unit_id].update(zip(COUNTS + MONEY, values, strict=True))
