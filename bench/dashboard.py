"""Benchmark: the province dashboard at province scale (PostgreSQL), against the bare SQL aggregates.

Data (generated once, server-side with generate_series, in a database of its own, default
`sb_bench_reporting`; `--regenerate` starts again):
- the synthetic province of bench/province.py (Jiangsu 13 cities × 5 units, Anhui 3 × 5), 20 training and 1
  evaluation institutions;
- 1,500,000 people, one custody episode each (release dates spread over 2022–2027);
- 166,667 classes (with their 附件4 applications) over 2022–2026, 30 enrolments each: 5,000,000 enrolments;
- 2,000,000 certificates (every 2.5th enrolment, 1 in 50 revoked);
- 3,000,000 subsidy claim lines: a training claim of 12 lines for every class, an assessment claim for every
  odd class (one claim per class and kind, as the subsidies app enforces), statuses from draft to paid, 1 in
  20 lines rejected in review.
No assessment results and no annual plans are generated (those figures run on empty tables), and the units
follow the jiangsu-special pack, which sets no data-entry deadline (the missed-deadline check has nothing to
look at, in the app as in the bare SQL).

The dashboards read the rollup (`reporting_figurecell`, rebuilt by `reporting.services.rollup_refresh`, a
background job); the bench rebuilds it for the whole province first and reports the time (`--skip-refresh` reuses
it). Measured in one run, side by side (median of N warm runs each, interleaved):
- app: `reporting.selectors.dashboard` (rollup) for the province (the provincial justice department: every unit
  of Jiangsu), the provincial prison bureau, a city and a unit, for 2026, 2026Q2 and 2026-05;
- bare SQL over the rollup: the same aggregation written by hand (one grouped statement), fetched — the limit
  side. The app's one statement returns more than that (the names of the ids, freshness, plan items and, for a
  province, the city bureaus' names), which the app has to fit in the same 2×;
- the app's own statements (captured once: one since issue 7's second step) sent bare: the database's share of
  the app's time;
- the old live bare SQL (the aggregates over the source tables, one statement per figure), for scale;
- pages: the dashboard page (full Django request/response, template and JSON) for the province, a city and a
  unit, and the people lists (live) of a unit and a city (first page).

Limits (issue 7): province dashboard < 300 ms warm and ≤ 2× the bare SQL; any drill-down (a city, a unit) <
300 ms — its ratio to the bare SQL is shown for information ("info": a few milliseconds, mostly fixed costs).

    .venv/bin/python bench/dashboard.py [--regenerate] [--runs 7] [--skip-refresh] [--live-runs 3]
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

DB = os.environ.get("BENCH_DB", "sb_bench_reporting")
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
os.environ.setdefault("SKILLBRIDGE_SECRET_KEY", "bench-only-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillbridge.settings")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

PEOPLE = 1_500_000
ENROLMENTS = 5_000_000
PER_CLASS = 30
CLASSES = -(-ENROLMENTS // PER_CLASS)
CERTIFICATES = 2_000_000
CERTS_PER_CLASS = 12  # every 2.5th enrolment
CLAIM_LINES = 2_900_000  # 2,000,000 training + ~1,000,000 assessment lines
DAYS = 1826  # 2022-01-01 … 2026-12-31
TODAY = "2026-06-30"
LIMIT_MS, LIMIT_RATIO = 300.0, 2.0


def ensure_database(regenerate: bool) -> None:
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and regenerate:
            conn.execute(f'DROP DATABASE "{DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB}"')


def _step(cursor, label: str, sql: str, params=None, *, table: str = "", rows: int = 0) -> None:
    """Run one generation statement, unless its table already holds `rows` (a resumed run)."""
    if table:
        cursor.execute(f"SELECT count(*) FROM {table}")
        if cursor.fetchone()[0] >= rows:
            print(f"  {label}: already there", flush=True)
            return
    started = time.perf_counter()
    cursor.execute(sql, params or {})
    print(f"  {label} ({time.perf_counter() - started:.1f} s)", flush=True)


def generate() -> None:
    """Organisations through the services; everything else in bulk SQL with foreign-key triggers off."""
    from django.db import connection

    from skillbridge.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM subsidies_claimline")
        if cursor.fetchone()[0] >= CLAIM_LINES:
            return
    print("generating the province …", flush=True)
    if not User.objects.filter(username="js_justice").exists():
        _organisations_and_users()
    _bulk()


def _organisations_and_users() -> None:
    from django.db import transaction

    from bench.province import _organisations, _user
    from skillbridge.accounts.models import RoleGrant, User
    from skillbridge.accounts.services import organisation_create

    with transaction.atomic():
        orgs = _organisations()
        for i in range(1, 21):
            organisation_create(actor=None, name=f"江苏{i:02d}职业培训学校", org_type="training_institution",
                                region_code=f"32{(i % 13) + 1:02d}00", policy_pack="jiangsu-special")  # fmt: skip
        organisation_create(actor=None, name="江苏职业技能鉴定中心", org_type="evaluation_institution",
                            region_code="320100", policy_pack="jiangsu-special")  # fmt: skip
        users = [
            _user("js_justice", orgs["32:provincial_justice"]),
            _user("js_bureau_reviewer", orgs["32:provincial_prison_bureau"]),
            _user("cz_hrss_reviewer", orgs["3204:city_hrss"]),
            _user("unit_operator", orgs["3204:unit1"]),
        ]
        User.objects.bulk_create(users)
        RoleGrant.objects.bulk_create([RoleGrant(user=u, role="reviewer") for u in User.objects.all()])


def _bulk() -> None:
    from django.db import connection

    from skillbridge.accounts.models import Organisation, User

    units = list(
        Organisation.objects.filter(org_type__in=["prison", "rehab_centre", "community_correction_office"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    institutions = list(
        Organisation.objects.filter(org_type="training_institution")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    evaluator = Organisation.objects.get(org_type="evaluation_institution").pk
    user = User.objects.get(username="js_justice").pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM catalog_occupation ORDER BY id")
        occupations = [row[0] for row in cursor.fetchall()][-40:]
        n_units, n_inst, n_occ = len(units), len(institutions), len(occupations)
        params = {"units": units, "inst": institutions, "occ": occupations, "nu": n_units, "ni": n_inst,
                  "no": n_occ, "people": PEOPLE, "classes": CLASSES, "days": DAYS, "user": user,
                  "per_unit": PEOPLE // n_units, "evaluator": evaluator, "today": TODAY}  # fmt: skip
        cursor.execute("SET session_replication_role = replica")
        _step(cursor, f"{PEOPLE:,} people", """
            INSERT INTO registry_person (id, name, id_number, birth_date, sex, ethnicity, education,
                household_registration, population_category, is_disabled, is_low_income, phone, created_at, updated_at)
            SELECT g, '人员' || g, lpad(g::text, 18, '0'), date '1970-01-01' + (g %% 12000), CASE WHEN g %% 2 = 0
                THEN 'M' ELSE 'F' END, '汉族', 'junior', '', 'inmate', g %% 50 = 0, false, '', now(), now()
            FROM generate_series(1, %(people)s) g""", params, table="registry_person", rows=PEOPLE)  # fmt: skip
        _step(cursor, f"{PEOPLE:,} episodes", """
            INSERT INTO registry_episode (id, person_id, unit_id, kind, inmate_number, term_start, term_end,
                expected_release_date, skill, employment_intention, status, created_at, updated_at)
            SELECT g, g, (%(units)s::int[])[1 + ((g - 1) %% %(nu)s)], 'custody', 'E' || g, date '2019-01-01' + (g %% 1000),
                NULL, d, '', '', CASE WHEN d < %(today)s::date THEN 'released' ELSE 'in_custody' END, now(), now()
            FROM (SELECT g, date '2022-01-01' + ((g::bigint * 7919) %% 2190)::int AS d
                  FROM generate_series(1, %(people)s) g) s""", params, table="registry_episode", rows=PEOPLE)  # fmt: skip
        _step(cursor, f"{CLASSES:,} class applications", """
            INSERT INTO training_classapplication (id, unit_id, institution_id, plan_year, category, occupation_id,
                special_item_id, project_name, level_id, trainees, period_number, period_total, date_from, date_to,
                days, theory_hours, practice_hours, teachers, textbooks, venue, filled_on, review_id, created_by_id,
                created_at, updated_at)
            SELECT c, (%(units)s::int[])[1 + ((c - 1) %% %(nu)s)], (%(inst)s::int[])[1 + (c %% %(ni)s)],
                extract(year FROM d)::int, 'employment', (%(occ)s::int[])[1 + ((c * 7) %% %(no)s)], NULL, '',
                5 - (c %% 3), 30, 1 + c %% 50, 50, d, d + 20, 18, 48, 72, '教师', '教材', '教学场地', d - 20, NULL,
                %(user)s, now(), now()
            FROM (SELECT c, date '2022-01-01' + ((c::bigint * %(days)s) / %(classes)s)::int AS d
                  FROM generate_series(1, %(classes)s) c) s""", params, table="training_classapplication",
              rows=CLASSES)  # fmt: skip
        _step(cursor, f"{CLASSES:,} classes", """
            INSERT INTO training_trainingclass (id, application_id, unit_id, institution_id, date_from, date_to, status,
                ended_on, completed_by_id, completed_at, completion_ratio, data_entered_on, data_entered_by_id, opened_at)
            SELECT id, id, unit_id, institution_id, date_from, date_to,
                CASE WHEN date_to < %(today)s::date THEN 'completed' ELSE 'open' END,
                CASE WHEN date_to < %(today)s::date THEN date_to END, NULL, NULL, NULL,
                CASE WHEN date_to < %(today)s::date THEN date_to + 3 END, NULL, now()
            FROM training_classapplication""", params, table="training_trainingclass", rows=CLASSES)  # fmt: skip
        for start in range(1, ENROLMENTS + 1, 1_000_000):
            end = min(start + 999_999, ENROLMENTS)
            _step(cursor, f"enrolments {start:,}–{end:,}", """
                INSERT INTO training_enrolment (id, training_class_id, person_id, episode_id, status, warnings, exit_on,
                    exit_reason, classroom_minutes, online_credited_minutes, attendance_ratio, enrolled_by_id, enrolled_at)
                SELECT e, c, p, p,
                    CASE WHEN k.ended_on IS NULL THEN 'active' WHEN e %% 10 < 8 THEN 'completed'
                         WHEN e %% 10 = 8 THEN 'failed' ELSE 'released' END,
                    '[]'::jsonb, k.ended_on, '', NULL, NULL, NULL, %(user)s, now()
                FROM (SELECT e, (e - 1) / 30 + 1 AS c,
                             ((((e - 1) / 30) / %(nu)s * 30 + (e - 1) %% 30) %% %(per_unit)s) * %(nu)s
                               + ((e - 1) / 30) %% %(nu)s + 1 AS p
                      FROM generate_series(%(start)s::bigint, %(end)s::bigint) e) s
                JOIN training_trainingclass k ON k.id = s.c""", {**params, "start": start, "end": end},
                  table="training_enrolment", rows=end)  # fmt: skip
        _step(cursor, f"{CERTIFICATES:,} certificates", """
            INSERT INTO certificates_certificate (id, person_id, unit_id, training_class_id, certificate_type_id,
                occupation_id, special_item_id, level_id, issuer_id, issue_date, official_number, number_warning,
                verification_code, status, status_reason, supersedes_id, signed_record, signature, issued_by_id, issued_at)
            SELECT i, en.person_id, k.unit_id, k.id, 'skill_level', a.occupation_id, NULL, a.level_id, %(evaluator)s,
                k.date_to + 10, 'B' || i, '', 'V' || i, CASE WHEN i %% 50 = 0 THEN 'revoked' ELSE 'valid' END, '',
                NULL, '', '', %(user)s, now()
            FROM (SELECT i, ((i - 1) * 5) / 2 + 1 AS e FROM generate_series(1, %(certs)s) i) s
            JOIN training_enrolment en ON en.id = s.e
            JOIN training_trainingclass k ON k.id = en.training_class_id
            JOIN training_classapplication a ON a.id = k.application_id""", {**params, "certs": CERTIFICATES},
              table="certificates_certificate", rows=CERTIFICATES)  # fmt: skip
        claim_status = ("(ARRAY['draft','in_review','returned','notice','approved','disbursed','disbursed','paid',"
                        "'paid','rejected'])[1 + (c %% 10)]")  # fmt: skip
        for kind, offset, where in (("training", 0, ""), ("assessment", CLASSES, "WHERE k.id %% 2 = 1")):
            _step(cursor, f"{kind} claims", f"""
                INSERT INTO subsidies_claim (id, kind, claimant_id, unit_id, year, training_class_id, assessment_ref,
                    claimant_name, credit_code, legal_representative, bank_name, bank_account, contact_person,
                    contact_phone, subject_name, level_name, date_from, date_to, filled_on, status, line_count,
                    claimed_total, accepted_count, accepted_total, notice_start, notice_end, notice_working_days,
                    voucher_no, disbursed_on, disbursed_amount, paid_on, paid_amount, created_by_id, created_at,
                    updated_at)
                SELECT k.id + {offset}, '{kind}', k.institution_id, k.unit_id, extract(year FROM k.date_to + 30)::int,
                    k.id, '', '机构', '', '', '', '', '', '', '电工', '', k.date_from, k.date_to, k.date_to + 30, st,
                    12, 14400, 11, 13200, NULL, NULL, NULL, '', NULL,
                    CASE WHEN st IN ('disbursed', 'paid') THEN 13200 END, NULL, CASE WHEN st = 'paid' THEN 13200 END,
                    %(user)s, now(), now()
                FROM (SELECT k.*, {claim_status.replace("c %%", "k.id %%")} AS st FROM training_trainingclass k
                      {where}) k""", params, table=f"subsidies_claim WHERE kind = '{kind}'", rows=1)  # fmt: skip
            _step(cursor, f"{kind} claim lines", f"""
                INSERT INTO subsidies_claimline (claim_id, kind, person_id, certificate_id, occupation_id,
                    special_item_id, level_id, certificate_type_id, certificate_date, standard_id, standard_amount,
                    amount, year, checks, outcome, checked_at, decision, decision_reason, decided_by_id, decided_at,
                    is_active)
                SELECT cl.id, '{kind}', ce.person_id, ce.id, ce.occupation_id, NULL, ce.level_id, 'skill_level',
                    ce.issue_date, NULL, 1200, 1200, cl.year, '[]'::jsonb, 'ok', now(),
                    CASE WHEN ce.id %% 20 = 0 THEN 'rejected' WHEN cl.status IN ('draft', 'in_review', 'returned')
                         THEN 'pending' ELSE 'accepted' END, '', NULL, NULL,
                    ce.id %% 20 <> 0 AND cl.status NOT IN ('rejected', 'withdrawn')
                FROM certificates_certificate ce
                JOIN subsidies_claim cl ON cl.training_class_id = ce.training_class_id AND cl.kind = '{kind}'
                """, params, table=f"subsidies_claimline WHERE kind = '{kind}'", rows=1)  # fmt: skip
        cursor.execute("SET session_replication_role = origin")
        for table in ("registry_person", "registry_episode", "training_classapplication", "training_trainingclass",
                      "training_enrolment", "certificates_certificate", "subsidies_claim", "subsidies_claimline"):  # fmt: skip
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        _step(cursor, "VACUUM ANALYZE", "VACUUM ANALYZE")


# ---- the bare SQL: the same aggregates by hand ---------------------------------------------------------

BARE = [
    # 应培训 / 刑释前获证
    """SELECT e.unit_id, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM certificates_certificate c
         WHERE c.person_id = e.person_id AND c.issue_date >= e.term_start AND c.issue_date <= e.expected_release_date
         AND c.status <> 'revoked'))
       FROM registry_episode e WHERE e.unit_id = ANY(%(units)s) AND e.kind IN ('custody', 'isolation')
         AND e.expected_release_date BETWEEN %(start)s AND %(end)s AND e.status <> 'transferred' GROUP BY e.unit_id""",
    # 参训 / 结业 / 计划年度参训, by unit, subject, level and institution (one pass over the enrolments)
    """SELECT k.unit_id, a.occupation_id, a.special_item_id, a.project_name, a.level_id, k.institution_id,
         count(*) FILTER (WHERE k.date_from BETWEEN %(start)s AND %(end)s),
         count(*) FILTER (WHERE k.ended_on BETWEEN %(start)s AND %(end)s AND en.status = 'completed'),
         count(*) FILTER (WHERE a.plan_year = %(year)s)
       FROM training_enrolment en JOIN training_trainingclass k ON k.id = en.training_class_id
       JOIN training_classapplication a ON a.id = k.application_id
       WHERE k.unit_id = ANY(%(units)s) AND (k.date_from BETWEEN %(start)s AND %(end)s
         OR (k.ended_on BETWEEN %(start)s AND %(end)s AND en.status = 'completed') OR a.plan_year = %(year)s)
       GROUP BY 1, 2, 3, 4, 5, 6""",
    # 开班, same grouping
    """SELECT k.unit_id, k.institution_id, a.occupation_id, a.special_item_id, a.project_name, a.level_id, count(*)
       FROM training_trainingclass k JOIN training_classapplication a ON a.id = k.application_id
       WHERE k.unit_id = ANY(%(units)s) AND k.date_from BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3, 4, 5, 6""",
    # 取证
    """SELECT unit_id, count(*) FROM certificates_certificate WHERE unit_id = ANY(%(units)s)
       AND issue_date BETWEEN %(start)s AND %(end)s AND supersedes_id IS NULL AND status <> 'revoked' GROUP BY unit_id""",
    # 补贴明细
    """SELECT c.unit_id, count(*), sum(l.amount),
         count(*) FILTER (WHERE l.decision = 'accepted' AND l.is_active AND c.status <> 'rejected'),
         sum(l.amount) FILTER (WHERE l.decision = 'accepted' AND l.is_active AND c.status <> 'rejected'),
         count(*) FILTER (WHERE l.decision = 'rejected'),
         count(*) FILTER (WHERE l.decision = 'accepted' AND l.is_active
                          AND c.status IN ('notice', 'approved', 'disbursed', 'paid')),
         sum(l.amount) FILTER (WHERE l.decision = 'accepted' AND l.is_active
                               AND c.status IN ('notice', 'approved', 'disbursed', 'paid'))
       FROM subsidies_claimline l JOIN subsidies_claim c ON c.id = l.claim_id
       WHERE c.unit_id = ANY(%(units)s) AND c.filled_on BETWEEN %(start)s AND %(end)s
         AND c.status NOT IN ('draft', 'withdrawn')
       GROUP BY c.unit_id""",
    # 拨付 / 支付
    """SELECT unit_id, sum(disbursed_amount), sum(paid_amount) FROM subsidies_claim WHERE unit_id = ANY(%(units)s)
       AND filled_on BETWEEN %(start)s AND %(end)s GROUP BY unit_id""",
]


def bare(cursor, units, period) -> int:
    """The bare aggregates, with the same session setting as the app (JIT off, see selectors._without_jit)."""
    cursor.execute("SET jit = off")
    rows = 0
    params = {"units": units, "start": period.start, "end": period.end, "year": period.year}
    for sql in BARE:
        cursor.execute(sql, params)
        rows += len(cursor.fetchall())
    return rows


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


ROLLUP_BARE = """
    SELECT unit_id, occupation_id, special_item_id, project_name, level_id, institution_id,
      {sums}, sum(plan_actual) FILTER (WHERE plan_year = %(year)s)
    FROM reporting_figurecell WHERE unit_id = ANY(%(units)s)
      AND ((month >= %(start)s AND month <= %(end)s) OR plan_year = %(year)s)
    GROUP BY 1, 2, 3, 4, 5, 6"""


def bare_rollup(cursor, units, period) -> int:
    """The bare SQL of the aggregation the app does over the rollup table (one grouped statement; JIT is off
    for the session, set once outside the timing so that the limit side pays no extra round trip)."""
    from skillbridge.reporting.rollup import COUNTS, MONEY

    sums = ", ".join(
        f"sum({m}) FILTER (WHERE month >= %(start)s AND month <= %(end)s)" for m in COUNTS + MONEY
    )
    cursor.execute(
        ROLLUP_BARE.format(sums=sums),
        {"units": units, "start": period.start, "end": period.end, "year": period.year},
    )
    return len(cursor.fetchall())


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--live-runs", type=int, default=3, help="runs of the old live bare SQL (seconds each)"
    )
    parser.add_argument("--pages-only", action="store_true")
    parser.add_argument("--skip-refresh", action="store_true", help="reuse the rollup if it is already there")
    args = parser.parse_args(argv)
    ensure_database(args.regenerate)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    generate()

    from skillbridge.accounts.models import Organisation, User
    from skillbridge.reporting import selectors
    from skillbridge.reporting.models import FigureCell
    from skillbridge.reporting.periods import parse_period
    from skillbridge.reporting.scopes import scope_for
    from skillbridge.reporting.services import rollup_refresh

    today = datetime.date(2026, 6, 30)
    with connection.cursor() as cursor:
        counts = {}
        for table in (
            "training_enrolment",
            "certificates_certificate",
            "subsidies_claimline",
            "registry_episode",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    print("data: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    if not (args.skip_refresh and FigureCell.objects.exists()):
        print(f"refreshing the rollup for the whole province ({load()}) …", flush=True)
        run = rollup_refresh(actor=None)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reporting_figurecell")
        print(f"rollup refresh (background job, whole province): {run.seconds:.1f} s, {run.cells:,} cells\n")
    else:
        print(f"rollup reused: {FigureCell.objects.count():,} cells\n")
    print(
        f"today = {today}, warm median of {args.runs} runs each (after one warm-up), app and bare SQL interleaved; "
        f"old live bare SQL: median of {args.live_runs}\n"
    )
    print("| scope | period | units | app dashboard (rollup) | bare SQL: rollup aggregate | ratio "
          "| bare SQL: the app's statements | ratio | old live bare SQL | app / live bare | limit 300 ms "
          "| limit 2× (aggregate) | load |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    justice = User.objects.select_related("organisation").get(username="js_justice")
    unit = Organisation.objects.get(name="江苏04市第一监狱")
    cases = [
        ("province: " + justice.organisation.name, justice, {}),
        ("province: 江苏省监狱管理局", User.objects.get(username="js_bureau_reviewer"), {}),
        ("city: 04市", justice, {"city": "3204"}),
        ("unit: " + unit.name, justice, {"unit": unit.pk}),
    ]
    for label, user, drill in [] if args.pages_only else cases:
        scope = scope_for(user, **drill)
        for code in ("2026", "2026Q2", "2026-05"):
            period = parse_period(code, today=today)
            selectors.dashboard(scope, period, today=today)  # warm-up: the name cache filled
            with CaptureQueriesContext(connection) as captured:
                selectors.dashboard(scope, period, today=today)
            statements = [q["sql"] for q in captured.captured_queries]
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")
                bare_rollup(cursor, scope.unit_ids, period)
                app_times, bare_times, same_times = [], [], []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    selectors.dashboard(scope, period, today=today)
                    app_times.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    bare_rollup(cursor, scope.unit_ids, period)
                    bare_times.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    for sql in statements:  # the app's own statements, sent bare
                        cursor.execute(sql)
                        cursor.fetchall()
                    same_times.append((time.perf_counter() - started) * 1000)
                live_times = []
                for _ in range(args.live_runs):
                    started = time.perf_counter()
                    bare(cursor, scope.unit_ids, period)
                    live_times.append((time.perf_counter() - started) * 1000)
            app, raw = statistics.median(app_times), statistics.median(bare_times)
            same = statistics.median(same_times)
            live = statistics.median(live_times) if live_times else float("nan")
            ratio = app / raw
            bounded = label.startswith("province")  # the 2× limit is the province dashboard's
            ratio_mark = ("ok" if ratio <= LIMIT_RATIO else "OVER") if bounded else "info"
            passed = app < LIMIT_MS and (ratio <= LIMIT_RATIO or not bounded)
            ok &= passed
            print(f"| {label} | {period.label} | {len(scope.unit_ids)} | {app:.1f} ms | {raw:.1f} ms | {ratio:.2f} | "
                  f"{len(statements)} × bare {same:.1f} ms | {app / same:.2f} | "
                  f"{live:.0f} ms | {app / live:.3f} | {'ok' if app < LIMIT_MS else 'OVER'} | "
                  f"{ratio_mark} | {os.getloadavg()[0]:.2f} |", flush=True)  # fmt: skip

    print(f"\n| page | app (full request) | limit 300 ms | load |   ({load()})")
    print("|---|---|---|---|")
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()  # the test client's host name, as in the test suite
    # Plain static storage: the bench does not run collectstatic (no manifest), as DEBUG runs do.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    client = Client()
    justice = User.objects.get(username="js_justice")
    client.force_login(justice)
    unit = Organisation.objects.get(name="江苏04市第一监狱")
    pages = [
        ("province dashboard 2026", "/reporting/?period=2026"),
        ("province dashboard 2026Q2", "/reporting/?period=2026Q2"),
        ("city dashboard 2026 (04市)", "/reporting/?period=2026&city=3204"),
        ("unit dashboard 2026", f"/reporting/?period=2026&unit={unit.pk}"),
        ("unit people missing a certificate 2026", f"/reporting/people/?period=2026&unit={unit.pk}"),
        ("city people missing a certificate 2026Q2", "/reporting/people/?period=2026Q2&city=3204"),
    ]
    for label, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        ms = median_ms(lambda url=url: client.get(url), args.runs)
        passed = ms < LIMIT_MS
        ok &= passed
        print(
            f"| {label} | {ms:.1f} ms | {'ok' if passed else 'OVER'} | {os.getloadavg()[0]:.2f} |", flush=True
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
