"""Pass 2 of the roster import writes from what pass 1 read (``_plan``) without reading it again: a person or
an episode someone else registers between the two passes makes the whole import fail as a conflict, with
nothing of the file written."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillbridge.audit.models import AuditEvent
from skillbridge.imports import services as import_services
from skillbridge.imports.base import RowErrors
from skillbridge.imports.models import ImportJob
from skillbridge.imports.services import CONFLICT, SheetReader, import_job_create, import_job_run
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.registry.importers import COLUMNS, E_NUMBER, P_ID, PeopleImporter
from skillbridge.registry.models import Episode, Person, ReleaseDateChange

from .conftest import make_person

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)


@pytest.fixture
def roster(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "roster.xlsx"
    call_command("generate", people=20, seed=3, units=["溧阳监狱"], today=TODAY, xlsx=str(path))
    return path


def upload_and_run(user, path):
    upload = SimpleUploadedFile("名单.xlsx", path.read_bytes(), content_type="application/octet-stream")
    job = import_job_create(user=user, importer_key="registry.people", upload=upload)
    import_job_run(job.pk)
    return ImportJob.objects.get(pk=job.pk)


@pytest.mark.parametrize("what", ["id_number", "inmate_number"])
def test_a_row_registered_between_the_passes_fails_the_import_with_nothing_written(
    demo, roster, monkeypatch, what
):
    unit = demo.orgs["溧阳监狱"]
    validate = import_services._validate
    taken = {}

    def validate_then_someone_registers(job, importer, errors):
        staged = validate(job, importer, errors)
        first = staged[0][0]
        if what == "id_number":  # the same person, under another number
            taken["person"] = make_person(unit, id_number=first[P_ID], number="OTHER-1")
        else:  # another person under the same number
            other = make_id_number("320481", date(1970, 3, 3), 515)
            taken["person"] = make_person(unit, id_number=other, number=first[E_NUMBER])
        return staged

    monkeypatch.setattr(import_services, "_validate", validate_then_someone_registers)
    job = upload_and_run(demo.user("ly_operator"), roster)
    assert job.status == "failed"
    assert job.message == f"导入失败，未写入任何数据：{CONFLICT}"
    assert (job.created, job.updated) == (0, 0)
    assert list(Person.objects.values_list("pk", flat=True)) == [taken["person"].pk]
    assert Episode.objects.count() == 1
    assert not AuditEvent.objects.filter(action="import.write").exists()


def test_a_reimport_reads_the_database_once(demo, roster, settings):
    user = demo.user("ly_operator")
    job = upload_and_run(user, roster)
    assert (job.status, job.created) == ("done", 20), job.message
    Episode.objects.filter(pk=Episode.objects.order_by("pk").first().pk).update(
        expected_release_date=date(2030, 1, 1)
    )
    importer = PeopleImporter(user)
    importer.prepare()
    reader = SheetReader(str(roster), COLUMNS)
    errors = RowErrors()
    reader.read_header(errors)
    batch = list(reader.rows(errors, importer.fast_path(list(reader.mapping))))
    importer.validate(batch, errors)
    assert not errors
    staged = importer.stage(batch)
    with CaptureQueriesContext(connection) as queries:
        assert importer.write(staged) == (0, 20)
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in reads if "registry_person" in sql and "id_number" in sql], reads
    assert not [sql for sql in reads if "registry_episode" in sql], reads
    assert importer.counts["episodes_updated"] == 1
    assert importer.counts["people_updated"] == 20
    change = ReleaseDateChange.objects.get()
    assert change.old_release_date == date(2030, 1, 1)
    assert Person.objects.count() == 20 and Episode.objects.count() == 20
