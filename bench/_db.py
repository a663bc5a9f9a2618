"""A throw-away database for one benchmark run, chosen before Django is set up.

SQLite: a file in a fresh temporary directory. PostgreSQL: a fresh `skillbridge_bench` database on the
server DATABASE_URL points at, created here and dropped at the end.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

BENCH_DB_NAME = "skillbridge_bench"


def _pg_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin_url, autocommit=True)


@contextmanager
def throwaway_database():
    """Point the environment at a new, empty database; yield its label; remove it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    tmp = tempfile.mkdtemp(prefix="skillbridge-bench-")
    # Nothing of the run lands in the project's var/ (the debug secret key included).
    os.environ["SKILLBRIDGE_DATA_DIR"] = tmp
    is_pg = url.startswith(("postgres://", "postgresql://", "pgsql://"))
    try:
        if is_pg:
            with _pg_admin(url) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {BENCH_DB_NAME}")
            os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB_NAME}"))
            yield f"PostgreSQL database {BENCH_DB_NAME}"
        else:
            path = os.path.join(tmp, "bench.sqlite3")
            os.environ["DATABASE_URL"] = f"sqlite:///{path}"
            yield f"SQLite file {path}"
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet
            pass
        if is_pg:
            with _pg_admin(url) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
