"""The roster import with pass 2 pipelined into pass 1 (PostgreSQL, a job run in autocommit as the task worker
runs it: ``imports.services._Writer``): each staged batch is written, new rows with ``COPY``, on the writer's
thread and connection while pass 1 reads on; all of it or nothing is committed. Transactional tests, so
that the writer's connection sees the demo and the job."""

import threading
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from python_calamine import CalamineWorkbook

from skillbridge.audit.models import AuditEvent
from skillbridge.imports.models import ImportJob
from skillbridge.imports.services import CONFLICT, import_job_create, import_job_run
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.registry.importers import E_NUMBER, P_ID, PeopleImporter
from skillbridge.registry.models import DuplicateReview, Episode, Person, ReleaseDateChange

from .conftest import make_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the pipelined pass 2 is PostgreSQL's"),
]

TODAY = date(2026, 11, 1)
ROWS = 20
BATCH = 5  # four batches
OTHER = "另一经办登记"  # the name of a person someone else registers while the import runs


@pytest.fixture
def roster(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(PeopleImporter, "batch_size", BATCH)
    path = tmp_path / "roster.xlsx"
    call_command("generate", people=ROWS, seed=3, units=["溧阳监狱"], today=TODAY, xlsx=str(path))
    return path


def cells(path, column: str) -> list:
    """A column of the roster's data rows, as calamine reads them."""
    with CalamineWorkbook.from_path(str(path)) as book:
        header, *rows = book.get_sheet_by_index(0).to_python()
    return [row[header.index(column)] for row in rows]


@pytest.fixture
def flushes(monkeypatch):
    """Per ``flush`` that sent rows: (its thread, the people its transaction sees then, but for the one
    ``OTHER`` registers meanwhile). Pass 1 waits before each batch until the writer has flushed the rows
    handed over before it, so that the steps do not depend on timing."""
    seen, rows_flushed = [], [0]
    flush, validate = PeopleImporter.flush, PeopleImporter.validate

    def flush_spy(self):
        pending = sum(map(len, self._new_people))
        flush(self)
        if pending:
            rows_flushed[0] += pending
            seen.append((threading.current_thread().name, Person.objects.exclude(name=OTHER).count()))

    def validate_in_step(self, rows, errors):
        deadline = time.monotonic() + 30
        while rows_flushed[0] < rows[0].number - 2:  # data rows start at row 2
            assert time.monotonic() < deadline, "the writer did not write the batches handed over"
            time.sleep(0.01)
        validate(self, rows, errors)

    monkeypatch.setattr(PeopleImporter, "flush", flush_spy)
    monkeypatch.setattr(PeopleImporter, "validate", validate_in_step)
    return seen


def upload_and_run(user, path) -> ImportJob:
    upload = SimpleUploadedFile("名单.xlsx", path.read_bytes(), content_type="application/octet-stream")
    job = import_job_create(user=user, importer_key="registry.people", upload=upload)
    import_job_run(job.pk)
    return ImportJob.objects.get(pk=job.pk)


def tables() -> dict:
    return {
        "people": Person.objects.count(),
        "episodes": Episode.objects.count(),
        "release changes": ReleaseDateChange.objects.count(),
        "duplicate reviews": DuplicateReview.objects.count(),
        "import.write events": AuditEvent.objects.filter(action="import.write").count(),
    }


def test_a_valid_roster_is_written_batch_by_batch_and_committed_once(demo, roster, flushes):
    job = upload_and_run(demo.user("ly_operator"), roster)
    assert job.status == "done", job.message
    assert (job.rows_total, job.rows_checked, job.created, job.updated) == (ROWS, ROWS, ROWS, 0)
    writer = f"import-job-{job.pk}-writer"
    # The last batch is flushed, or inserted by ``finish`` if the end was already handed over.
    assert flushes[:3] == [(writer, 5), (writer, 10), (writer, 15)]
    assert flushes[3:] in ([], [(writer, 20)])
    assert tables() == {
        "people": ROWS,
        "episodes": ROWS,
        "release changes": 0,
        "duplicate reviews": 0,
        "import.write events": 1,
    }
    numbers = cells(roster, "身份证号码")
    assert sorted(Person.objects.values_list("id_number", flat=True)) == sorted(numbers)
    unit = demo.orgs["溧阳监狱"]
    assert sorted(Episode.objects.values_list("unit_id", "inmate_number", "person__id_number")) == sorted(
        zip([unit.pk] * ROWS, cells(roster, "罪犯编号/案件编号"), numbers, strict=True)
    )
    event = AuditEvent.objects.get(action="import.write")
    assert (event.object_id, event.changes["created"], event.changes["people_created"]) == (
        str(job.pk),
        20,
        20,
    )

    again = upload_and_run(demo.user("ly_operator"), roster)  # the same file: every row an update
    assert (again.status, again.created, again.updated) == ("done", 0, ROWS), again.message
    assert tables()["people"] == ROWS and tables()["episodes"] == ROWS
    assert tables()["import.write events"] == 2


def test_a_row_error_in_the_last_batch_leaves_nothing_of_the_batches_written_before(demo, roster, flushes):
    # Row 21, in the fourth batch: its ID number is registered already under another name.
    unit = demo.orgs["溧阳监狱"]
    make_person(unit, name="别人", id_number=cells(roster, "身份证号码")[-1], number="OTHER-1")
    before = tables()
    assert before["people"] == 1

    job = upload_and_run(demo.user("ly_operator"), roster)
    assert job.status == "invalid"
    assert job.message.startswith(
        "校验未通过，未写入任何数据。第21行“姓名”列：该身份证号码已登记，姓名为“别人”"
    )
    writer = f"import-job-{job.pk}-writer"
    assert flushes == [(writer, 6), (writer, 11), (writer, 16)]  # three batches written, then rolled back
    assert tables() == before
    assert (job.created, job.updated) == (0, 0)


@pytest.mark.parametrize("what", ["id_number", "inmate_number"])
def test_a_row_registered_by_someone_else_meanwhile_fails_the_import_with_nothing_written(
    demo, roster, flushes, monkeypatch, what
):
    """Someone registers a row of the last batch after pass 1 checked it and before the writer inserts it:
    the writer's insert breaks a unique constraint, and the batches it wrote before are rolled back."""
    unit = demo.orgs["溧阳监狱"]
    stage = PeopleImporter.stage
    taken = {}

    def stage_then_someone_registers(self, rows):
        staged = stage(self, rows)
        if rows[0].number == 2 + 3 * BATCH:  # the last batch
            first = staged[0]
            if what == "id_number":  # the same person, under another number
                taken["person"] = make_person(unit, name=OTHER, id_number=first[P_ID], number="OTHER-1")
            else:  # another person under the same number
                other = make_id_number("320481", date(1970, 3, 3), 515)
                taken["person"] = make_person(unit, name=OTHER, id_number=other, number=first[E_NUMBER])
        return staged

    monkeypatch.setattr(PeopleImporter, "stage", stage_then_someone_registers)
    job = upload_and_run(demo.user("ly_operator"), roster)
    assert job.status == "failed"
    assert job.message == f"导入失败，未写入任何数据：{CONFLICT}"
    writer = f"import-job-{job.pk}-writer"
    assert flushes == [(writer, 5), (writer, 10), (writer, 15)]  # the fourth batch broke the constraint
    assert list(Person.objects.values_list("pk", flat=True)) == [taken["person"].pk]
    assert tables() == {
        "people": 1,
        "episodes": 1,
        "release changes": 0,
        "duplicate reviews": 0,
        "import.write events": 0,
    }
    assert (job.created, job.updated) == (0, 0)
