"""Background task of an import job (database queue: `skillbridge db_worker` runs it)."""

from django_tasks import task

from .services import import_job_run


@task()
def import_job_task(job_id: int) -> str:
    return import_job_run(job_id)
