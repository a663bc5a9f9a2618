"""Background task of a risk scan (database queue: `skillbridge db_worker` runs it)."""

from django_tasks import task

from .services.scans import scan_execute


@task()
def scan_task(run_id: int) -> str:
    return scan_execute(run_id)
