"""Roster import (``registry.people``) against the bare python-calamine parse of the same file.

    SKILLBRIDGE_DEBUG=1 .venv/bin/python -m bench.import_roster [--rows N] [--seed S] [--json FILE]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SKILLBRIDGE_DEBUG=1 \
        .venv/bin/python -m bench.import_roster [--rows N]

Builds a throw-away database (bench._db; on PostgreSQL its own `skillbridge_bench_import`), migrates, loads
the demo organisations and accounts, and writes an N-row roster xlsx for 溧阳监狱 with `registry.generator`
(the template's format, as `skillbridge generate --xlsx` does). The importing user is the demo's
`ly_operator` (operator role at 溧阳监狱). Then, each phase in a fresh `multiprocessing` spawn child so
that its peak RSS (`VmHWM`) is its own, in this order:

    parse, import (all rows new), parse, re-import of the same file (all rows updates), parse

- parse (the limit): open the file with python-calamine and iterate every row of the first sheet.
- import: `import_job_create` (a `SimpleUploadedFile` of the file) + `import_job_run` end to end (guard,
  hash, store, pass 1: read the sheet once, convert, validate and stage every row; pass 2: write the staged
  rows in one transaction, audit); asserts status done and that N people (and N episodes) exist afterwards.

Besides wall time, each phase reports the CPU time of its own process (all threads) and, on a local
PostgreSQL, of the server backends serving it (from /proc): the job's connection and the one of the writer
thread that runs pass 2 alongside pass 1 (`imports.services._Writer`). On a shared, loaded machine the
wall-clock ratio drifts with the load, the CPU ratio much less.

The limit is the median of the three parses. Requirement (issue 3): each import ≤ 3× the limit.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import _db
from ._db import throwaway_database
from .run import fmt, machine

BOUND = 3.0
UNIT = "溧阳监狱"
USERNAME = "ly_operator"


# --- the phases (each runs in its own spawn child) -----------------------------------------------


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise LookupError(field)


def _rss_mib() -> float:
    """Peak RSS of this process so far. `VmHWM` rather than `ru_maxrss`: Linux carries `ru_maxrss` over
    fork and exec, so a spawn child would report its parent's peak if that was higher."""
    return _status_mib("VmHWM")


def _setup_django() -> None:
    import django
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillbridge.settings")
    django.setup()
    # As bench.run: DEBUG wraps every cursor to log its SQL, which production does not pay for.
    settings.DEBUG = False


def phase_parse(path: str, trace: bool) -> dict:
    """The bare limit: every row of the first sheet, as python-calamine yields it."""
    import tracemalloc

    from python_calamine import CalamineWorkbook

    _setup_django()  # the same process baseline as the import phase
    before = _status_mib("VmRSS")
    if trace:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    rows = 0
    with CalamineWorkbook.from_path(path) as book:
        sheet = book.get_sheet_by_index(0)
        for _ in sheet.iter_rows():
            rows += 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    py_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return {"seconds": seconds, "cpu_s": cpu, "rows": rows - 1, "rss_before_mib": before, "rss_peak_mib": _rss_mib(),
            "py_peak_mib": py_peak}  # fmt: skip


def phase_import(path: str, trace: bool) -> dict:
    """`import_job_create` + `import_job_run`, as the upload view and the task worker do."""
    import tracemalloc

    _setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from skillbridge.accounts.models import User
    from skillbridge.imports.models import ImportJob, JobStatus
    from skillbridge.imports.services import import_job_create, import_job_run

    user = User.objects.select_related("organisation").get(username=USERNAME)
    backend = _backend_pid()
    writer_server = _count_writer_server_cpu()
    content = Path(path).read_bytes()  # the upload as Django hands it over (in memory up to 2.5 MB,
    # then a temporary file); reading it is not part of the measured import
    before = _status_mib("VmRSS")
    if trace:
        tracemalloc.start()
    server = _cpu_of(backend)
    start, cpu = time.perf_counter(), time.process_time()
    upload = SimpleUploadedFile(Path(path).name, content, content_type="application/octet-stream")
    job = import_job_create(user=user, importer_key="registry.people", upload=upload)
    status = import_job_run(job.pk)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    server = _cpu_of(backend) - server + sum(writer_server) if server is not None else None
    py_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    job = ImportJob.objects.get(pk=job.pk)
    assert status == JobStatus.DONE and job.status == JobStatus.DONE, (status, job.status, job.message)
    return {
        "seconds": seconds,
        "cpu_s": cpu,  # this process only: PostgreSQL's own work is not in it
        "server_cpu_s": server,  # the PostgreSQL backends' (the writer's too), if on this machine
        "rows": job.rows_total,
        "created": job.created,
        "updated": job.updated,
        "rss_before_mib": before,
        "rss_peak_mib": _rss_mib(),
        "py_peak_mib": py_peak,
        "file_mib": len(content) / 2**20,
    }


def _count_writer_server_cpu() -> list[float]:
    """PostgreSQL: pass 2 runs on a thread with a connection of its own (``imports.services._Writer``),
    whose backend ends with it: wrap ``_write`` so that the CPU that backend used until the commit is
    appended to the list returned."""
    from skillbridge.imports import services

    used: list[float] = []
    write = services._write

    def counted(*args, **kwargs):
        if not isinstance(threading.current_thread(), services._Writer):
            return write(*args, **kwargs)
        backend = _backend_pid()
        start = _cpu_of(backend)
        try:
            return write(*args, **kwargs)
        finally:
            if start is not None:
                used.append(_cpu_of(backend) - start)

    services._write = counted
    return used


def _backend_pid() -> int | None:
    """The process id of this connection's PostgreSQL backend, if the server runs on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def _cpu_of(pid: int | None) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (None if unknown or unreadable)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_child(fn, *args) -> dict:
    """Run `fn(*args)` in a fresh spawn process (its own peak RSS) and return its result."""
    from django.db import connections

    connections.close_all()  # SQLite: no connection of ours held open while the child writes
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(fn, args)


# --- the run --------------------------------------------------------------------------------------


def prepare(rows: int, seed: int, path: Path, roster: str | None = None) -> tuple[str, float]:
    import django
    from django.core.management import call_command
    from django.db import connection

    _setup_django()
    from skillbridge.accounts.models import Organisation, Role, User
    from skillbridge.demo import load_demo
    from skillbridge.registry import generator

    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    load_demo()
    user = User.objects.get(username=USERNAME)
    assert user.has_role(Role.OPERATOR) and user.organisation.name == UNIT, user
    unit = Organisation.objects.get(name=UNIT)
    start = time.perf_counter()
    if roster:  # a roster written before (the same --rows and --seed): reused as is
        path.write_bytes(Path(roster).read_bytes())
    else:
        written = generator.write_roster(
            path, generator.generate([unit], rows, seed, django.utils.timezone.localdate())
        )
        assert written == rows, written
    return f"{connection.vendor} {version}", time.perf_counter() - start


def counts() -> tuple[int, int]:
    from skillbridge.registry.models import Episode, Person

    return Person.objects.count(), Episode.objects.count()


def run(rows: int, seed: int, trace: bool, roster: str | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="skillbridge-roster-", dir=os.environ["SKILLBRIDGE_DATA_DIR"]))
    path = tmp / "roster.xlsx"
    database, gen_s = prepare(rows, seed, path, roster)
    print(f"database: {database}")
    print(
        f"roster: {path} ({path.stat().st_size / 2**20:.1f} MiB, {rows:,} rows for {UNIT}, written in {gen_s:.1f} s)"
    )

    parses, imports = [], []
    for label in ("import (all new)", "re-import (all updates)"):
        parses.append(in_child(phase_parse, str(path), trace))
        print(f"  parse: {fmt(parses[-1]['seconds'])}, peak RSS {parses[-1]['rss_peak_mib']:.0f} MiB")
        result = in_child(phase_import, str(path), trace)
        assert result["rows"] == rows, result
        people, episodes = counts()
        assert people == rows and episodes == rows, (people, episodes)
        imports.append({"name": label, **result})
        print(
            f"  {label}: {fmt(result['seconds'])}, created {result['created']:,}, updated {result['updated']:,}, "
            f"peak RSS {result['rss_peak_mib']:.0f} MiB"
        )
    parses.append(in_child(phase_parse, str(path), trace))
    print(f"  parse: {fmt(parses[-1]['seconds'])}, peak RSS {parses[-1]['rss_peak_mib']:.0f} MiB")
    assert all(p["rows"] == rows for p in parses), parses

    limit = statistics.median(p["seconds"] for p in parses)
    cpu_limit = statistics.median(p["cpu_s"] for p in parses)
    parse = max(parses, key=lambda p: p["rss_peak_mib"])
    print(
        f"\nlimit (median of {len(parses)} parses): {fmt(limit)} — "
        + ", ".join(fmt(p["seconds"]) for p in parses)
    )
    py = " | Python peak" if trace else ""
    print(
        f"\n| phase | rows | time | limit | ratio | rows/s | CPU (this process) | CPU ratio | server CPU "
        f"| (CPU + server CPU) ratio | peak RSS | RSS before | growth{py} |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if trace else ""))

    def line(name, r, seconds, ratio):
        extra = f" {r['py_peak_mib']:.0f} MiB |" if trace else ""
        server = r.get("server_cpu_s")
        both = f"{(r['cpu_s'] + (server or 0)) / cpu_limit:.2f}"
        return (
            f"| {name} | {rows:,} | {fmt(seconds)} | {fmt(limit)} | {ratio} | {rows / seconds:,.0f} | "
            f"{fmt(r['cpu_s'])} | {r['cpu_s'] / cpu_limit:.2f} | {fmt(server) if server is not None else '–'} | "
            f"{both} | {r['rss_peak_mib']:.0f} MiB | {r['rss_before_mib']:.0f} MiB | "
            f"{r['rss_peak_mib'] - r['rss_before_mib']:.0f} MiB |{extra}"
        )

    print(line("bare calamine parse (limit)", {**parse, "cpu_s": cpu_limit}, limit, "1.00"))
    worst = 0.0
    for r in imports:
        ratio = r["seconds"] / limit
        worst = max(worst, ratio)
        print(line(r["name"], r, r["seconds"], f"{ratio:.2f}"))
    verdict = "holds" if worst <= BOUND else "DOES NOT hold"
    print(f"\nworst ratio {worst:.2f}: the {BOUND:.0f}× bound {verdict} on {database.split()[0]}")
    cpu_worst = max((r["cpu_s"] + (r.get("server_cpu_s") or 0)) / cpu_limit for r in imports)
    print(f"worst CPU ratio (this process + server backend) {cpu_worst:.2f}")
    return {"database": database, "rows": rows, "limit_s": limit, "cpu_limit_s": cpu_limit, "parses": parses, "imports": imports,
            "worst_ratio": worst, "bound": BOUND}  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_roster", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rows", type=int, default=100_000, help="roster rows (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slower: not for timing)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--roster",
        help="reuse this roster file (written by `skillbridge generate --xlsx` for 溧阳监狱 with "
        "the same --people/--seed) instead of writing one",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillbridge.settings")
    # A database of its own, so this never drops the one bench.run or bench.registry_lookup is using.
    _db.BENCH_DB_NAME = "skillbridge_bench_import"
    info = machine()
    print(" · ".join(f"{k}: {v}" for k, v in info.items()))
    started = time.perf_counter()
    with throwaway_database() as label:
        print(f"throw-away database: {label}")
        figures = run(args.rows, args.seed, args.tracemalloc, args.roster)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({**info, **figures}, f, ensure_ascii=False, indent=2)
    return 0 if figures["worst_ratio"] <= BOUND else 1


if __name__ == "__main__":
    sys.exit(main())
