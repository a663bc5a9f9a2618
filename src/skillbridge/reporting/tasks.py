"""Background refresh of the dashboards' rollup (database queue: `skillbridge db_worker` runs it)."""

from django_tasks import task

from .services import rollup_run_execute


@task()
def rollup_refresh_task(run_id: int) -> str:
    return rollup_run_execute(run_id)
