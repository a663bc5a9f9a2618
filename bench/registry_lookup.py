"""Person lookup through the real selector (with the user's scope) at 1,000,000 people.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SKILLBRIDGE_DEBUG=1 \
        .venv/bin/python -m bench.registry_lookup [--people N] [--seed S] [--repeats R]
    # or on a database generated before and kept (`skillbridge demo`, `skillbridge generate --people N`):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SKILLBRIDGE_DEBUG=1 \
        .venv/bin/python -m bench.registry_lookup --existing sb_bench_registry

Builds a throw-away database (bench._db), loads the demo organisations and accounts, generates N people
over the five demo units with ``registry.generator`` (COPY on PostgreSQL), ANALYZEs, then times the
first page of the person list (count + 20 rows, as the page and the API do) for an exact ID number and
for name prefixes (a surname included), for a prison operator (one unit) and a provincial bureau
reviewer (three prisons), with the exact count (before) and ``people_count`` (capped at
PEOPLE_COUNT_CAP, now), and prints the EXPLAIN ANALYZE plans. Target: under 50 ms per lookup.

Then the first page of the 羁押（矫正）记录 list (``episode_search`` + ``episodes_count``, as the page and
``GET /episodes`` do) for the same two users: unfiltered, in custody only, releases in the next year, and a
name prefix; with the same 50 ms as yardstick.
"""

import argparse
import os
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from . import _db
from ._db import throwaway_database

TARGET_MS = 50.0


FASTEST: list[float] = []  # the fastest run of the last timed_ms call (a loaded machine skews the median)


def timed_ms(fn, repeats: int) -> tuple[float, object]:
    fn()  # warm-up
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - start) * 1000)
    FASTEST[:] = [min(times)]
    return statistics.median(times), value


def first_page(user, q: str, exact: bool = False):
    """What the person list and ``GET /people`` do: the count (capped at PEOPLE_COUNT_CAP, or exact as
    before the cap with ``exact``), then the first 20 rows. Returns (count, capped, pks)."""
    from skillbridge.registry.selectors import people_count, people_search

    people = people_search(user, q=q)
    count, capped = (people.count(), False) if exact else people_count(people)
    return count, capped, [p.pk for p in people[:20]]


def count_only(user, q: str, exact: bool = False):
    from skillbridge.registry.selectors import people_count, people_search

    people = people_search(user, q=q)
    return people.count() if exact else people_count(people)[0]


def rows_only(user, q: str):
    from skillbridge.registry.selectors import people_search

    return [p.pk for p in people_search(user, q=q)[:20]]


def episode_page(user, filters: dict):
    """The episode list's first page: the capped count, then 20 rows with person and unit."""
    from skillbridge.registry.selectors import episode_search, episodes_count

    episodes = episode_search(user, **filters)
    count, capped = episodes_count(episodes)
    return count, capped, [(e.pk, e.person.name, e.unit.name) for e in episodes[:20]]


def episode_cases(target, target_number: str) -> list[tuple[str, dict]]:
    import datetime as dt

    today = dt.date.today()
    return [
        ("unfiltered", {}),
        ("in custody", {"status": "in_custody"}),
        ("release in the next year", {"release_from": today, "release_to": today + dt.timedelta(days=365)}),
        ("name prefix, 2 characters", {"q": target.name[:2]}),
        ("name prefix, surname only", {"q": target.name[:1]}),
        ("罪犯编号 prefix", {"q": target_number[:-2]}),
    ]


def explain(user, q: str) -> str:
    from django.db import connection

    from skillbridge.registry.selectors import PEOPLE_COUNT_CAP, people_search

    people = people_search(user, q=q)
    page = people[:20].explain(analyze=True, buffers=True)
    # The capped count as people_count() sends it: COUNT(*) over at most PEOPLE_COUNT_CAP + 1 rows.
    sql, params = people.order_by().values("pk")[: PEOPLE_COUNT_CAP + 1].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) AS s", params)
        count = "\n".join(row[0] for row in cursor.fetchall())
    return f"-- page (20 rows):\n{page}\n-- count (capped at {PEOPLE_COUNT_CAP}):\n{count}"


def run(people: int, seed: int, repeats: int, existing: bool = False) -> int:
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as bench.run: DEBUG logs every query, which production does not pay for
    from django.core.management import call_command
    from django.db import connection

    from skillbridge.accounts.models import User
    from skillbridge.demo import load_demo
    from skillbridge.registry import generator
    from skillbridge.registry.models import Episode, Person

    call_command("migrate", interactive=False, verbosity=0)
    units = generator.default_units()
    if existing:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"database: {connection.vendor}, as generated before: {Person.objects.count():,} people")
    else:
        load_demo()
        units = generator.default_units()
        start = time.perf_counter()
        counts = generator.insert(generator.generate(units, people, seed, django.utils.timezone.localdate()))
        gen_s = time.perf_counter() - start
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics, and the visibility map for index-only
            # scans.
            cursor.execute("VACUUM ANALYZE")
        print(
            f"generated {counts['people']:,} people, {counts['episodes']:,} episodes, "
            f"{counts['release_changes']:,} commutations in {gen_s:.1f} s "
            f"({counts['people'] / gen_s:,.0f} people/s)"
        )
    print(f"database: {connection.vendor}; units: {', '.join(u.name for u in units)}")
    operator = User.objects.select_related("organisation").get(username="ly_operator")
    bureau = User.objects.select_related("organisation").get(username="js_bureau_reviewer")
    target = Person.objects.filter(
        pk__in=Episode.objects.filter(unit__name="溧阳监狱").values("person_id")[:1]
    ).get()
    cases = [
        ("ID number (exact)", target.id_number),
        ("name prefix, 2 characters", target.name[:2]),
        ("name prefix, full name", target.name),
        ("name prefix, surname only", target.name[:1]),
    ]
    print()
    print(
        "| lookup | user | matches | count, exact | count, capped | 20 rows | first page, exact count "
        "(before) | first page, capped count (now) | fastest | target |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    worst = 0.0
    for label, q in cases:
        for user in (operator, bureau):
            exact_ms, (exact, _, _) = timed_ms(lambda u=user, q=q: first_page(u, q, exact=True), repeats)
            ms, (count, capped, _) = timed_ms(lambda u=user, q=q: first_page(u, q), repeats)
            fastest = FASTEST[0]
            count_exact_ms, _ = timed_ms(lambda u=user, q=q: count_only(u, q, exact=True), repeats)
            count_ms, _ = timed_ms(lambda u=user, q=q: count_only(u, q), repeats)
            rows_ms, _ = timed_ms(lambda u=user, q=q: rows_only(u, q), repeats)
            worst = max(worst, ms)
            ok = "ok" if ms < TARGET_MS else "over"
            shown = q if "ID" not in label else q[:6] + "…"
            matches = f"{exact:,}" + (f" (shown {count:,}+)" if capped else "")
            print(
                f"| {label} `{shown}` | {user.username} | {matches} | {count_exact_ms:.2f} ms | "
                f"{count_ms:.2f} ms | {rows_ms:.2f} ms | {exact_ms:.2f} ms | {ms:.2f} ms | {fastest:.2f} ms | {ok} |"
            )
    for label, q in (cases[0], cases[1], cases[3]):
        print(f"\nEXPLAIN ANALYZE — {label}, ly_operator:")
        print(explain(operator, q))
    print(f"\nworst first page (capped count), all lookups: {worst:.2f} ms (target {TARGET_MS:.0f} ms)")

    print("\n| 羁押（矫正）记录 first page | user | count | median | fastest | 50 ms |")
    print("|---|---|---:|---:|---:|---|")
    from skillbridge.registry.selectors import episode_search

    number = Episode.objects.filter(person=target).values_list("inmate_number", flat=True)[0]
    for label, filters in episode_cases(target, number):
        for user in (operator, bureau):
            ms, (count, capped, _) = timed_ms(lambda u=user, f=filters: episode_page(u, f), repeats)
            ok = "ok" if ms < TARGET_MS else "over"
            print(
                f"| {label} | {user.username} | {count:,}{'+' if capped else ''} | {ms:.2f} ms | {FASTEST[0]:.2f} ms | {ok} |"
            )
    print("\nEXPLAIN ANALYZE — episode list, unfiltered, js_bureau_reviewer:")
    print(episode_search(bureau)[:20].explain(analyze=True, buffers=True))
    return 0 if worst < TARGET_MS else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument(
        "--database", default="skillbridge_bench_registry", help="throw-away PostgreSQL database"
    )
    parser.add_argument(
        "--existing",
        metavar="DATABASE",
        help="use this PostgreSQL database as it is (demo loaded and people generated before); not dropped",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillbridge.settings")
    if args.existing:
        # A database generated before (`skillbridge demo` + `skillbridge generate --people N`), kept.
        url = urlsplit(os.environ.get("DATABASE_URL", ""))
        os.environ["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{args.existing}"))
        print(f"PostgreSQL database {args.existing} (kept)")
        return run(args.people, args.seed, args.repeats, existing=True)
    # A database of its own, so this never drops the one bench.run may be using at the same time.
    _db.BENCH_DB_NAME = args.database
    with throwaway_database() as label:
        print(label)
        return run(args.people, args.seed, args.repeats)


if __name__ == "__main__":
    sys.exit(main())
