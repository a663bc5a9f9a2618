"""Benchmark: checking a 1,000-line claim against a history of 5,000,000 subsidy lines (PostgreSQL).

Measures, in one run and side by side:
- the app: `subsidies.checks.check_lines` (the batched history look-ups through the ORM plus every rule on
  every line: yearly cap, same occupation/level window, certificate already held, amount, scope …);
- the bare SQL doing the same look-ups (the two queries on the same indexes, rows fetched, no rules).

Each run takes 1,000 new people; both sides run once untimed first so they read the same cached pages (the
lines of a person lie on scattered heap pages: a cold first touch is disk-bound and equal for both), then the
two sides are timed in alternating order. Medians over the runs.

Limits (issue 6): app < 0.5 s, and app / bare SQL ≤ 2.

The history lives in a database of its own (default `sb_bench_claims`, created and migrated on first run;
5,000,000 lines generated server-side with generate_series in 1,000,000-row batches). Foreign keys are not
needed for the look-ups, so the generated lines point at synthetic person / certificate ids
(`session_replication_role = replica` while loading).

    .venv/bin/python bench/claim_check.py            # reuse the history if present
    BENCH_LINES=1000 BENCH_HISTORY=5000000 .venv/bin/python bench/claim_check.py
"""

import os
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

DB = os.environ.get("BENCH_DB", "sb_bench_claims")
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
os.environ.setdefault("SKILLBRIDGE_SECRET_KEY", "bench-only-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillbridge.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

HISTORY = int(os.environ.get("BENCH_HISTORY", 5_000_000))
LINES = int(os.environ.get("BENCH_LINES", 1000))
PEOPLE = HISTORY // 5  # five subsidy lines per person on average
RUNS = int(os.environ.get("BENCH_RUNS", 15))
LIMIT_SECONDS, LIMIT_RATIO = 0.5, 2.0


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{DB}"')


def generate(cursor) -> None:
    """5M lines: persons 1..PEOPLE, years 2020–2026, 60 occupations, levels 1–5, ~3% inactive."""
    cursor.execute("SELECT count(*) FROM subsidies_claimline")
    have = cursor.fetchone()[0]
    if have >= HISTORY:
        return
    print(f"generating {HISTORY - have:,} history lines …", flush=True)
    cursor.execute("SET session_replication_role = replica")
    cursor.execute(
        "INSERT INTO subsidies_claim (id, kind, claimant_id, unit_id, year, assessment_ref, claimant_name, credit_code,"
        " legal_representative, bank_name, bank_account, contact_person, contact_phone, subject_name, level_name,"
        " date_from, date_to, filled_on, status, line_count, claimed_total, accepted_count, accepted_total,"
        " created_by_id, created_at, updated_at, voucher_no)"
        " SELECT g, 'training', 1, 1, 2020 + g % 7, '', '历史', '', '', '', '', '', '', '历史', '', '2020-01-01',"
        " '2020-01-01', '2020-01-01', 'paid', 0, 0, 0, 0, 1, now(), now(), '' FROM generate_series(1, 5000) g"
        " ON CONFLICT DO NOTHING"
    )
    step = 1_000_000
    for start in range(have + 1, HISTORY + 1, step):
        end = min(start + step - 1, HISTORY)
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO subsidies_claimline (claim_id, kind, person_id, certificate_id, occupation_id, special_item_id,
                level_id, certificate_type_id, certificate_date, standard_id, standard_amount, amount, year, checks,
                outcome, checked_at, decision, decision_reason, decided_by_id, decided_at, is_active)
            SELECT 1 + (g %% 5000)::int, 'training', 1 + ((g * 7919) %% %(people)s)::int, g, 1 + ((g * 31) %% 60)::int, NULL,
                1 + (g %% 5)::int, 'skill_level', d, NULL, 1200, 1200, extract(year FROM d)::int, '[]'::jsonb,
                'ok', now(), 'accepted', '', NULL, NULL, g %% 33 <> 0
            FROM (SELECT g, date '2020-01-01' + ((g * 104729) %% 2555)::int AS d
                  FROM generate_series(%(start)s::bigint, %(end)s::bigint) g) s
            """,
            {"people": PEOPLE, "start": start, "end": end},
        )
        print(f"  {end:,} lines ({time.perf_counter() - started:.1f} s)", flush=True)
    cursor.execute("SET session_replication_role = origin")
    cursor.execute("ANALYZE subsidies_claimline")


def claim_lines(rng: random.Random):
    from skillbridge.subsidies.checks import ClaimFacts, LineFacts

    people = rng.sample(range(1, PEOPLE + 1), LINES)
    lines = [
        LineFacts(
            person_id=person,
            certificate_id=HISTORY + 10 + i if i % 50 else rng.randint(1, HISTORY),  # 2% already held
            certificate_person_id=person,
            certificate_status="valid",
            certificate_unit_id=1,
            certificate_class_id=None,
            certificate_date=date(2026, 12, 22),
            occupation_id=1 + rng.randrange(60),
            special_item_id=None,
            level_id=1 + rng.randrange(5),
            amount=Decimal("1200.00"),
            standard_amount=Decimal("1200.00"),
            year=2026,
        )
        for i, person in enumerate(people)
    ]
    claim = ClaimFacts(
        kind="training",
        unit_id=1,
        claim_id=None,
        training_class_id=None,
        class_approved=True,
        class_ended_on=None,
        data_entered_on=None,
    )
    return lines, claim


BARE_HISTORY = """
SELECT person_id, year, certificate_id, amount, occupation_id, special_item_id, level_id, certificate_date
FROM subsidies_claimline WHERE is_active AND person_id = ANY(%s)
"""
BARE_HELD = """
SELECT certificate_id FROM subsidies_claimline WHERE is_active AND kind = %s AND certificate_id = ANY(%s)
"""


def bare(cursor, lines) -> tuple[int, int]:
    cursor.execute(BARE_HISTORY, [list({line.person_id for line in lines})])
    history = cursor.fetchall()
    cursor.execute(BARE_HELD, ["training", list({line.certificate_id for line in lines})])
    held = cursor.fetchall()
    return len(history), len(held)


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from skillbridge.policy.loader import get_pack
    from skillbridge.subsidies.checks import check_lines

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        generate(cursor)
        cursor.execute("SELECT count(*) FROM subsidies_claimline")
        total = cursor.fetchone()[0]
    pack = get_pack("changzhou")
    rng = random.Random(6)
    app_times, sql_times = [], []
    outcome_counts = {}
    for run in range(RUNS):
        lines, claim = claim_lines(rng)  # fresh people each run
        with connection.cursor() as cursor:
            bare(cursor, lines)  # untimed warm-up of both sides: both then read the same cached pages
            check_lines(lines, claim, pack)
            for side in ("sql", "app") if run % 2 else ("app", "sql"):
                started = time.perf_counter()
                if side == "sql":
                    rows, held = bare(cursor, lines)
                    sql_times.append(time.perf_counter() - started)
                else:
                    results = check_lines(lines, claim, pack)
                    app_times.append(time.perf_counter() - started)
        if run == 0:
            for outcome, _ in results:
                outcome_counts[outcome] = outcome_counts.get(outcome, 0) + 1
            print(f"history rows for the claim's people: {rows:,}; certificates already held: {held}")
    app, sql = statistics.median(app_times), statistics.median(sql_times)
    ratio = app / sql
    print(f"history lines: {total:,}; claim lines: {LINES:,}; runs: {RUNS} (median)")
    print(f"outcomes (first run): {outcome_counts}")
    print(f"{'':24}{'median':>10}{'min':>10}{'max':>10}")
    print(f"{'app check_lines':24}{app:>9.3f}s{min(app_times):>9.3f}s{max(app_times):>9.3f}s")
    print(f"{'bare SQL look-ups':24}{sql:>9.3f}s{min(sql_times):>9.3f}s{max(sql_times):>9.3f}s")
    print(
        f"app / limit {LIMIT_SECONDS}s = {app / LIMIT_SECONDS:.2f}; app / bare SQL = {ratio:.2f} (limit {LIMIT_RATIO})"
    )
    ok = app < LIMIT_SECONDS and ratio <= LIMIT_RATIO
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
