"""PostgreSQL: pass 2 on its own thread and connection alongside pass 1 (``services._Writer``), as when the
task worker runs a job in autocommit. These tests commit for real (transactional), so that the writer's
connection sees the demo and the job; the other tests run inside a transaction and take the two passes."""

import threading

import pytest
from django.db import connection

from skillbridge.audit.models import AuditEvent

from .conftest import ROWS, WRITES, PeopleTestImporter, group_names, make_xlsx

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the pipelined pass 2 is PostgreSQL's"),
]


@pytest.fixture
def writes(monkeypatch):
    """Per write call: (the thread it ran on, the test groups its own transaction sees afterwards)."""
    seen = []
    write = PeopleTestImporter.write

    def spy(self, rows):
        result = write(self, rows)
        seen.append((threading.current_thread().name, len(group_names())))
        return result

    monkeypatch.setattr(PeopleTestImporter, "write", spy)
    return seen


def audit_actions(job):
    return list(
        AuditEvent.objects.filter(object_type="imports.importjob", object_id=str(job.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_valid_file_is_written_by_the_writer_thread_in_one_transaction(run_import, writes):
    before = backends()
    job = run_import(make_xlsx())
    assert job.status == "done", job.message
    assert (job.rows_total, job.rows_checked, job.created, job.updated) == (3, 3, 3, 0)
    # Two batches, both on the writer's thread, the second seeing the first (one transaction).
    assert writes == [(f"import-job-{job.pk}-writer", 2), (f"import-job-{job.pk}-writer", 3)]
    assert [[number for number, _ in w] for w in WRITES] == [[2, 3], [4]]
    assert group_names() == [f"test-import:{job.organisation_id}:{code}" for code in ("A001", "A002", "A003")]
    assert audit_actions(job) == ["import.upload", "import.write"]
    # The writer's thread has ended and closed its connection.
    assert not [t for t in threading.enumerate() if t.name.startswith("import-job-")]
    assert backends() == before


def test_an_error_in_the_last_batch_rolls_back_the_batches_already_written(run_import, writes):
    # Row 6, alone in the third batch: a duplicate code.
    rows = [*ROWS, ["A004", "赵六", "", "", "", ""], ["A001", "钱七", "", "", "", ""]]
    job = run_import(make_xlsx(rows))
    assert job.status == "invalid"
    assert job.message == "校验未通过，未写入任何数据。第6行“编号”列：与第2行编号重复"
    # The first two batches had been handed over and written, inside the writer's transaction…
    assert writes == [(f"import-job-{job.pk}-writer", 2), (f"import-job-{job.pk}-writer", 4)]
    # … which was rolled back.
    assert group_names() == []
    assert (job.created, job.updated) == (0, 0)
    assert audit_actions(job) == ["import.upload"]
    assert not [t for t in threading.enumerate() if t.name.startswith("import-job-")]


def test_an_exception_in_the_writer_fails_the_job_with_nothing_written(run_import, writes):
    PeopleTestImporter.fail_on = "A003"  # the second batch: the first one was already written
    job = run_import(make_xlsx())
    assert job.status == "failed"
    assert job.message == f"导入时发生系统错误，未写入任何数据；请联系管理员（导入任务编号 {job.pk}）"
    assert writes == [(f"import-job-{job.pk}-writer", 2)]  # the second write raised after its insert
    assert group_names() == []
    assert (job.created, job.updated) == (0, 0)
    assert audit_actions(job) == ["import.upload"]


def test_a_service_error_in_the_writer_fails_the_job_with_its_message(run_import, writes):
    PeopleTestImporter.conflict_on = "A003"
    job = run_import(make_xlsx())
    assert job.status == "failed"
    assert job.message == "导入失败，未写入任何数据：编号已被其他单位使用"
    assert group_names() == []
    assert audit_actions(job) == ["import.upload"]


def test_a_writer_failure_in_an_early_batch_still_reports_the_file_errors(run_import, writes):
    PeopleTestImporter.fail_on = "A001"  # the writer fails on the first batch; pass 1 goes on
    rows = [*ROWS, ["X004", "赵六", "", "", "", ""]]
    job = run_import(make_xlsx(rows))
    assert job.status == "invalid"
    assert job.message == "校验未通过，未写入任何数据。第5行“编号”列：编号不能以X开头"
    assert writes == []  # the first write raised; the later batches were dropped
    assert group_names() == []
    assert audit_actions(job) == ["import.upload"]
