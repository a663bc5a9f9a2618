"""Results import through the real import machinery: upload, two-pass run, per-row error report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from xlsxwriter import Workbook

from skillbridge.assessment.importers import ResultsImporter
from skillbridge.assessment.models import AssessmentResult
from skillbridge.errors import Forbidden
from skillbridge.imports import services as imports
from skillbridge.imports.registry import get_importer

pytestmark = pytest.mark.django_db

HEADERS = ["申报编号", "姓名", "身份证号码", "罪犯编号", "理论成绩", "实操成绩", "结果"]


@pytest.fixture(autouse=True)
def _imports(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def xlsx(rows) -> bytes:
    out = io.BytesIO()
    book = Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for c, h in enumerate(HEADERS):
        sheet.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


@pytest.fixture
def run_import(setup, django_capture_on_commit_callbacks):
    def run(rows, username="cz_eval_operator"):
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.import_job_create(
                user=setup.user(username),
                importer_key="assessment.results",
                upload=SimpleUploadedFile("成绩.xlsx", xlsx(rows), content_type="application/octet-stream"),
            )
        job.refresh_from_db()
        return job

    return run


def test_registered_with_its_columns():
    assert get_importer("assessment.results") is ResultsImporter
    assert [c.header for c in ResultsImporter.columns] == HEADERS


def test_import_then_corrected_reimport_updates(setup, approved, people, run_import):
    zhao, _qian, sun = people
    job = run_import(
        [
            [approved.pk, "赵一", zhao.id_number, None, 78, 86.5, "合格"],
            [approved.pk, "孙三", None, sun.episodes.get().inmate_number, None, None, "缺考"],
        ]
    )
    assert (job.status, job.created, job.updated, job.errors) == ("done", 2, 0, [])
    job = run_import([[approved.pk, "孙三", sun.id_number, None, 50, 40, "不合格"]])
    assert (job.status, job.created, job.updated) == ("done", 0, 1)
    got = {
        r.person.name: (str(r.theory_score), str(r.practical_score), r.outcome)
        for r in approved.results.all()
    }
    assert got == {"赵一": ("78.0", "86.5", "passed"), "孙三": ("50.0", "40.0", "failed")}


def test_bad_rows_are_reported_and_nothing_is_written(setup, approved, draft, people, run_import):
    from tests.registry.conftest import make_person

    zhao, qian, sun = people
    stranger = make_person(setup.orgs["溧阳监狱"], name="周五")
    job = run_import(
        [
            [approved.pk, "赵一", zhao.id_number, None, 78, 86, "合格"],
            [approved.pk, "钱二", qian.id_number, None, 70, 70, "合格"],
            [approved.pk, "周五", stranger.id_number, None, 70, 70, "合格"],
            [approved.pk, "孙八", sun.id_number, None, 70, 70, "合格"],
            [approved.pk, "赵一", zhao.id_number, None, 78, 86, "合格"],
            [approved.pk, "孙三", sun.id_number, None, 170, 70, "良好"],
            [9999, "赵一", zhao.id_number, None, 78, 86, "合格"],
        ]
    )
    assert job.status == "invalid"
    assert job.errors == [
        [3, "姓名", "钱二在本班的状态为“未结业”，未结业不能参加鉴定"],
        [4, "身份证号码", "不是该鉴定申报所属培训班的学员"],
        [5, "姓名", "与登记的姓名“孙三”不一致"],
        [6, "姓名", "同一考生在文件中重复出现"],
        [7, "结果", "“良好”不在可选值中（合格、不合格、缺考）"],
        [8, "申报编号", "编号9999的鉴定申报不存在或不是本机构（本单位）的鉴定"],
    ]
    assert AssessmentResult.objects.count() == 0


def test_other_units_cannot_import_into_an_application(setup, approved, people, run_import):
    zhao = people[0]
    job = run_import([[approved.pk, "赵一", zhao.id_number, None, 78, 86, "合格"]], username="xk_operator")
    assert job.status == "invalid"
    assert job.errors == [[2, "申报编号", f"编号{approved.pk}的鉴定申报不存在或不是本机构（本单位）的鉴定"]]
    assert AssessmentResult.objects.count() == 0


def test_reviewers_may_not_import(setup):
    with pytest.raises(Forbidden):
        ResultsImporter(setup.user("cz_hrss_reviewer")).check_permission()
