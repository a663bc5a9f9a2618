"""A small importer registered for the tests: it checks and writes rows the way a domain importer does.

It writes `auth.Group` rows (a real table, so the all-or-nothing transaction is really tested) named by
the unit and the row's code, and records what it was given in module-level lists.
"""

import io
import zipfile

import pytest
import xlsxwriter
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from skillbridge.errors import Conflict, Forbidden
from skillbridge.imports import services
from skillbridge.imports.base import Column, Importer
from skillbridge.imports.models import ImportJob
from skillbridge.imports.registry import IMPORTERS

HEADERS = ["编号", "姓名", "出生日期", "培训次数", "等级", "是否释放"]
ROWS = [
    ["A001", "张三", "1990-05-01", 2, "初级工", "否"],
    ["A002", "李四", "1985/12/31", "", "中级工", "是"],
    ["A003", "王五", "", 0, "", ""],
]
VALIDATED: list = []  # per validate call: (row numbers, job's (status, rows_total, rows_checked) in the DB)
WRITES: list = []  # per write call: [(row number, values), …]


class PeopleTestImporter(Importer):
    key = "test.people"
    title = "测试人员"
    columns = (
        Column("code", "编号", required=True, max_length=10, sample="A001", help="单位内唯一的编号"),
        Column("name", "姓名", required=True, sample="张三"),
        Column("birth", "出生日期", kind="date", sample="1990-05-01"),
        Column("count", "培训次数", kind="int", sample="2"),
        Column("level", "等级", kind="choice", choices={"初级工": "5", "中级工": "4"}, sample="初级工"),
        Column("released", "是否释放", kind="bool", sample="否"),
    )
    batch_size = 2
    fail_on: str | None = None  # a code whose write raises RuntimeError
    conflict_on: str | None = None  # a code whose write raises a ServiceError

    def check_permission(self):
        if not self.user.has_role("operator"):
            raise Forbidden("只有经办人员可以导入测试人员")

    def prepare(self):
        self.seen = {}

    def validate(self, rows, errors):
        job = ImportJob.objects.order_by("-id").values_list("status", "rows_total", "rows_checked").first()
        VALIDATED.append(([r.number for r in rows], job))
        for row in rows:
            code = row.values["code"]
            if code.startswith("X"):
                errors.add(row.number, "编号", "编号不能以X开头")
            if code in self.seen:
                errors.add(row.number, "编号", f"与第{self.seen[code]}行编号重复")
            else:
                self.seen[code] = row.number

    def write(self, rows):
        WRITES.append([(r.number, dict(r.values)) for r in rows])
        names = [f"test-import:{self.user.organisation_id}:{r.values['code']}" for r in rows]
        existing = set(Group.objects.filter(name__in=names).values_list("name", flat=True))
        Group.objects.bulk_create([Group(name=n) for n in names if n not in existing])
        for row in rows:
            if row.values["code"] == self.fail_on:
                raise RuntimeError("boom")
            if row.values["code"] == self.conflict_on:
                raise Conflict("编号已被其他单位使用")
        return len(names) - len(existing), len(existing)


def group_names():
    return sorted(Group.objects.filter(name__startswith="test-import:").values_list("name", flat=True))


def make_xlsx(rows=ROWS, headers=HEADERS, *, skip_rows=0, formula=None) -> bytes:
    """An xlsx file whose first sheet holds `headers` then `rows` (after `skip_rows` blank rows)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("数据")
    for r, row in enumerate([headers, *rows], start=skip_rows):
        for c, value in enumerate(row):
            if value is not None and value != "":
                sheet.write(r, c, value)
    if formula:
        (r, c), text, cached = formula
        sheet.write_formula(r, c, text, None, cached)
    book.add_worksheet("其他")
    book.close()
    return out.getvalue()


def with_member(content: bytes, name: str, data: bytes, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", compression=compression) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def upload(content: bytes, name: str = "人员.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _imports(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    IMPORTERS[PeopleTestImporter.key] = PeopleTestImporter
    VALIDATED.clear()
    WRITES.clear()
    yield
    IMPORTERS.pop(PeopleTestImporter.key, None)
    PeopleTestImporter.fail_on = PeopleTestImporter.conflict_on = None


@pytest.fixture
def run_import(demo, django_capture_on_commit_callbacks):
    """Upload `content` as `username` and let the queued task run; returns the job as it ended."""

    def run(content: bytes, username: str = "cz_operator", name: str = "人员.xlsx") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_job_create(
                user=demo.user(username), importer_key="test.people", upload=upload(content, name)
            )
        job.refresh_from_db()
        return job

    return run
