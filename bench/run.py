"""Foundation benchmarks: each measured against its bare limit on the same machine in the same run.

    SKILLBRIDGE_DEBUG=1 .venv/bin/python -m bench.run [--scale N] [--repeats R] [--json FILE]

Runs against a throw-away database of the kind DATABASE_URL names (SQLite by default; PostgreSQL gets
a fresh `skillbridge_bench` database that is dropped afterwards). See docs/performance.md.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from ._db import throwaway_database

AUDIT_EVENTS = 3000  # per unit of --scale
REVIEW_CASES = 20000  # per unit of --scale
WARM_UP = 50


@dataclass
class Result:
    name: str
    n: int
    unit: str  # what n counts
    measured_s: float
    limit_s: float
    queries: int | None = None  # queries the measured call issues (N+1 check)

    @property
    def ratio(self) -> float:
        return self.measured_s / self.limit_s

    def row(self) -> str:
        rate = f"{self.n / self.measured_s:,.0f} {self.unit}/s" if self.unit else ""
        queries = "" if self.queries is None else str(self.queries)
        return (
            f"| {self.name} | {self.n:,} | {fmt(self.measured_s)} | {fmt(self.limit_s)} | "
            f"{self.ratio:.2f} | {rate} | {queries} |"
        )


def fmt(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds >= 1 else f"{seconds * 1000:.2f} ms"


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def compare(measured, limit, repeats: int):
    """Median of `repeats` interleaved runs of each (after one warm-up of each); also the last values."""
    measured(), limit()
    m_times, l_times = [], []
    for _ in range(repeats):
        t, m_value = timed(measured)
        m_times.append(t)
        t, l_value = timed(limit)
        l_times.append(t)
    return statistics.median(m_times), statistics.median(l_times), m_value, l_value


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def captured_sql(fn) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


# --- 1 and 2: the audit trail -------------------------------------------------------------------


AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "outcome",
    "request_id",
    "ip",
    "changes",
    "prev_hash",
    "hash",
)


def _changes(i: int) -> dict:
    # The shape of a typical service event, with one ID number to mask.
    return {
        "name": f"名称{i}",
        "region_code": "320404",
        "amount": "1200.00",
        "id_number": "320404199001011234",
    }


LIMIT_TABLE = "bench_audit_limit"
APPEND_BLOCK = 100  # measured and bare appends alternate in blocks of this many, so drift hits both


def clone_audit_table() -> str:
    """An empty table of the audit table's shape (columns, indexes, unique and foreign keys)."""
    from django.db import connection

    from skillbridge.audit.models import AuditEvent

    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {LIMIT_TABLE} (LIKE {table} INCLUDING ALL)")
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                [table],
            )
            for (definition,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {LIMIT_TABLE} ADD {definition}")
        else:
            cursor.execute(
                "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table]
            )
            for kind, sql in sorted(cursor.fetchall(), key=lambda r: r[0] != "table"):
                sql = sql.replace(f'"{table}"', f'"{LIMIT_TABLE}"')
                if kind == "index":
                    sql = sql.replace('INDEX "', 'INDEX "bench_', 1)
                cursor.execute(sql)
    return LIMIT_TABLE


def bench_audit_append(n: int, org) -> Result:
    import secrets

    from django.db import connection, transaction
    from django.utils import timezone

    from skillbridge.audit.services import audit_record

    table = clone_audit_table()
    insert = (
        f"INSERT INTO {table} ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join(['%s'] * len(AUDIT_COLUMNS))})"
    )

    def measured(start: int, count: int):
        for i in range(start, start + count):
            with transaction.atomic():
                audit_record(
                    action="bench.append",
                    organisation=org,
                    object_type="bench.thing",
                    object_id=str(i),
                    object_repr=f"对象 {i}",
                    changes=_changes(i),
                )

    def limit(start: int, count: int):
        # The same row, built without masking or hashing; a random value stands in for the hash so
        # the unique index is filled in the same random order.
        with connection.cursor() as cursor:
            for i in range(start, start + count):
                row = (
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    None,
                    "",
                    org.pk,
                    "bench.append",
                    "bench.thing",
                    str(i),
                    f"对象 {i}",
                    "success",
                    "",
                    "",
                    json.dumps(_changes(i), ensure_ascii=False),
                    "0" * 64,
                    secrets.token_hex(32),
                )
                with transaction.atomic():
                    cursor.execute(insert, row)

    measured(0, WARM_UP)
    limit(0, WARM_UP)
    measured_s = limit_s = 0.0
    for start in range(WARM_UP, WARM_UP + n, APPEND_BLOCK):
        count = min(APPEND_BLOCK, WARM_UP + n - start)
        measured_s += timed(lambda start=start, count=count: measured(start, count))[0]
        limit_s += timed(lambda start=start, count=count: limit(start, count))[0]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return Result("audit append (audit_record, 1 txn/event)", n, "events", measured_s, limit_s)


def bench_audit_verify(repeats: int) -> Result:
    from skillbridge.audit.models import AuditEvent
    from skillbridge.audit.services import audit_verify

    fields = [f.attname for f in AuditEvent._meta.concrete_fields]

    def limit():
        rows = 0
        for _ in AuditEvent.objects.order_by("id").values_list(*fields).iterator(chunk_size=2000):
            rows += 1
        return rows

    measured_s, limit_s, report, rows = compare(audit_verify, limit, repeats)
    assert report.ok and report.checked == rows, (report, rows)
    return Result("audit verify (audit_verify)", rows, "events", measured_s, limit_s)


# --- 3: scope and inbox at provincial scale -----------------------------------------------------


def inbox_limit_sql() -> str:
    """The inbox's result in one hand-written statement. Its scope condition is implied: a case at a
    stage of the user's organisation, or authored by it, is one the organisation takes part in."""
    from skillbridge.accounts.models import Organisation
    from skillbridge.approvals.models import ReviewCase, ReviewStage

    case, stage, org = ReviewCase._meta.db_table, ReviewStage._meta.db_table, Organisation._meta.db_table
    return f"""
        SELECT c.*, u.*, a.*, s.*, so.*
        FROM {case} c
        JOIN {org} u ON u.id = c.unit_id
        JOIN {org} a ON a.id = c.author_org_id
        LEFT JOIN {stage} s ON s.id = c.current_stage_id
        LEFT JOIN {org} so ON so.id = s.org_id
        WHERE (c.status = 'in_review' AND s.org_id = %s) OR (c.status = 'returned' AND c.author_org_id = %s)
        ORDER BY c.submitted_at, c.id
    """


def count_limit_sql() -> str:
    from skillbridge.accounts.models import Organisation
    from skillbridge.approvals.models import ReviewCase

    return f"""
        SELECT COUNT(*) FROM {ReviewCase._meta.db_table}
        WHERE unit_id IN (SELECT id FROM {Organisation._meta.db_table}
                          WHERE org_type IN (%s) AND region_code LIKE %s)
    """


def bench_inbox(user, repeats: int) -> Result:
    from django.db import connection

    from skillbridge.approvals.selectors import inbox
    from skillbridge.policy.workdays import is_working_day

    from .province import TODAY

    sql = inbox_limit_sql()

    def limit():
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.organisation_id, user.organisation_id])
            return cursor.fetchall()

    is_working_day.cache_clear()
    measured_s, limit_s, items, rows = compare(lambda: inbox(user, today=TODAY), limit, repeats)
    assert [i.case.pk for i in items] == [r[0] for r in rows], "inbox and its bare SQL disagree"
    fresh = _as_middleware_loads(user)
    queries = count_queries(lambda: inbox(fresh, today=TODAY))
    return Result("inbox, city HRSS reviewer", len(items), "", measured_s, limit_s, queries)


def bench_scope_count(user, repeats: int) -> Result:
    from django.db import connection

    from skillbridge.approvals.models import ReviewCase

    sql = count_limit_sql()

    def limit():
        with connection.cursor() as cursor:
            cursor.execute(sql, ["prison", "32%"])
            return cursor.fetchone()[0]

    measured_s, limit_s, count, bare = compare(
        lambda: ReviewCase.objects.for_user(user).count(), limit, repeats
    )
    assert count == bare, (count, bare)
    fresh = _as_middleware_loads(user)
    queries = count_queries(lambda: ReviewCase.objects.for_user(fresh).count())
    return Result("for_user().count(), provincial bureau", count, "", measured_s, limit_s, queries)


def _as_middleware_loads(user):
    """A fresh instance, as the authentication middleware loads it (organisation not joined)."""
    from skillbridge.accounts.models import User

    return User.objects.get(pk=user.pk)


def print_plans(hrss_user, bureau_user) -> None:
    from django.db import connection

    from skillbridge.approvals.models import ReviewCase
    from skillbridge.approvals.selectors import inbox

    from .province import TODAY

    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    shown = [
        ("inbox()", captured_sql(lambda: inbox(hrss_user, today=TODAY))[-1]),
        (
            "ReviewCase.objects.for_user(bureau).count()",
            captured_sql(lambda: ReviewCase.objects.for_user(bureau_user).count())[-1],
        ),
    ]
    for title, sql in shown:
        print(f"\n--- plan: {title}\n{sql}\n")
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            for row in cursor.fetchall():
                print("   ", " | ".join(str(c) for c in row))


# --- the run ------------------------------------------------------------------------------------


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
    }


def run(scale: float, repeats: int, plans: bool) -> dict:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillbridge.settings")
    django.setup()
    # DEBUG wraps every cursor to log its SQL: a cost production does not pay. Queries are counted
    # explicitly (CaptureQueriesContext) where it matters.
    settings.DEBUG = False
    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    print(f"database: {connection.vendor} {version.split(' on ')[0]}")

    from .province import build

    n_cases = int(REVIEW_CASES * scale)
    setup_s, province = timed(lambda: build(n_cases))
    print(
        f"province: {len(province.units)} units, {province.cases:,} cases, {province.stages:,} stages "
        f"(built in {setup_s:.1f} s)"
    )
    from skillbridge.accounts.models import User

    hrss = User.objects.select_related("organisation").get(pk=province.city_hrss_reviewer.pk)
    bureau = User.objects.select_related("organisation").get(pk=province.prison_bureau_reviewer.pk)

    results = [
        bench_audit_append(int(AUDIT_EVENTS * scale), province.units[0]),
        bench_audit_verify(repeats),
        bench_inbox(hrss, repeats),
        bench_scope_count(bureau, repeats),
    ]
    print("\n| benchmark | n | time | limit | ratio | throughput | queries |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(r.row())
    if plans:
        print_plans(hrss, bureau)
    return {
        "database": f"{connection.vendor} {version.split(' on ')[0]}",
        "scale": scale,
        "cases": province.cases,
        "results": [{**asdict(r), "ratio": r.ratio} for r in results],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the data sizes (default 1)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per read benchmark (median)")
    parser.add_argument("--no-plans", action="store_true", help="do not print the query plans")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    info = machine()
    print(" · ".join(f"{k}: {v}" for k, v in info.items()))
    started = time.perf_counter()
    with throwaway_database() as label:
        print(f"throw-away database: {label}")
        figures = run(args.scale, args.repeats, plans=not args.no_plans)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({**info, **figures}, f, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
