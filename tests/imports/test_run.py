"""The job pipeline: validate every row, then write all rows in one transaction or nothing."""

import datetime as dt
import gc
import io
import sys
import zipfile

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.imports import services
from skillbridge.imports.services import import_job_run

from .conftest import (
    HEADERS,
    ROWS,
    VALIDATED,
    WRITES,
    PeopleTestImporter,
    group_names,
    make_xlsx,
    with_member,
)

pytestmark = pytest.mark.django_db


def audit_actions(job):
    return list(
        AuditEvent.objects.filter(object_type="imports.importjob", object_id=str(job.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def assert_nothing_written(job):
    assert WRITES == []
    assert group_names() == []
    assert (job.created, job.updated) == (0, 0)
    assert audit_actions(job) == ["import.upload"]


def test_valid_file_is_written_with_converted_values(run_import, demo):
    job = run_import(make_xlsx())
    assert job.status == "done"
    assert job.message == "导入完成：新增 3 条，更新 0 条"
    assert (job.rows_total, job.rows_checked, job.created, job.updated, job.error_total) == (3, 3, 3, 0, 0)
    assert job.errors == []
    assert job.started_at and job.finished_at
    assert list(WRITES) == [
        [
            (
                2,
                {
                    "code": "A001",
                    "name": "张三",
                    "birth": dt.date(1990, 5, 1),
                    "count": 2,
                    "level": "5",
                    "released": False,
                },
            ),
            (
                3,
                {
                    "code": "A002",
                    "name": "李四",
                    "birth": dt.date(1985, 12, 31),
                    "count": None,
                    "level": "4",
                    "released": True,
                },
            ),
        ],
        [(4, {"code": "A003", "name": "王五", "birth": None, "count": 0, "level": None, "released": None})],
    ]
    org = demo.orgs["常州监狱"].pk
    assert group_names() == [f"test-import:{org}:A001", f"test-import:{org}:A002", f"test-import:{org}:A003"]
    assert audit_actions(job) == ["import.upload", "import.write"]
    write = AuditEvent.objects.get(action="import.write")
    assert write.actor.username == "cz_operator"
    assert write.organisation.name == "常州监狱"
    assert write.changes == {
        "importer": "test.people",
        "file_name": "人员.xlsx",
        "sha256": job.sha256,
        "rows": 3,
        "created": 3,
        "updated": 0,
    }
    upload_event = AuditEvent.objects.get(action="import.upload")
    assert upload_event.changes["file_size"] == job.file_size


def test_same_file_again_updates_and_never_duplicates(run_import):
    content = make_xlsx()
    first = run_import(content)
    names = group_names()
    second = run_import(content)
    assert (first.created, first.updated) == (3, 0)
    assert (second.status, second.created, second.updated) == ("done", 0, 3)
    assert second.message == "导入完成：新增 0 条，更新 3 条"
    assert second.sha256 == first.sha256
    assert group_names() == names


def test_blank_rows_are_skipped_and_row_numbers_are_the_sheets(run_import):
    rows = [ROWS[0], ["", "  ", None, "", "", ""], ROWS[1]]
    job = run_import(make_xlsx(rows, skip_rows=2))  # header on row 3, a blank row 5
    assert (job.status, job.rows_total, job.created) == ("done", 2, 2)
    assert [number for batch in WRITES for number, _ in batch] == [4, 6]


def test_optional_columns_may_be_left_out(run_import):
    job = run_import(make_xlsx([["B1", "赵六"]], headers=["编号", "姓名"]))
    assert job.status == "done"
    assert WRITES == [
        [(2, {"code": "B1", "name": "赵六", "birth": None, "count": None, "level": None, "released": None})]
    ]


def test_wrong_and_missing_headers_are_reported_on_row_1(run_import):
    headers = ["编号", "备注", "出生日期", "出生日期"]
    job = run_import(make_xlsx([["A1", "x", "2020-01-01", "2020-01-01"]], headers=headers))
    assert job.status == "invalid"
    assert job.errors == [
        [1, "备注", "不是模板中的列（请使用下载的模板，不要修改表头）"],
        [1, "出生日期", "表头重复"],
        [1, "姓名", "缺少必填列（请使用下载的模板，不要修改表头）"],
    ]
    assert job.error_total == 3
    assert job.message == (
        "校验未通过，未写入任何数据。第1行“备注”列：不是模板中的列（请使用下载的模板，不要修改表头）（共 3 处错误）"
    )
    assert VALIDATED == []  # no row is checked against a header that is wrong
    assert_nothing_written(job)


def test_empty_required_cell_names_row_and_column(run_import):
    rows = [ROWS[0], ["A002", "", "1990-01-01", 1, "初级工", "是"], ROWS[2]]
    job = run_import(make_xlsx(rows))
    assert job.status == "invalid"
    assert job.errors == [[3, "姓名", "必填项为空"]]
    assert job.message == "校验未通过，未写入任何数据。第3行“姓名”列：必填项为空"
    assert [numbers for numbers, _ in VALIDATED] == [[2, 4]]  # the broken row is not passed on
    assert (job.rows_total, job.rows_checked) == (3, 3)
    assert_nothing_written(job)


def test_text_in_a_date_column(run_import):
    rows = [ROWS[0], ["A002", "李四", "去年五月", "两次", "高级工", "也许"]]
    job = run_import(make_xlsx(rows))
    assert job.status == "invalid"
    assert job.errors == [
        [3, "出生日期", "“去年五月”不是有效日期（格式如 2026-03-01）"],
        [3, "培训次数", "“两次”不是整数"],
        [3, "等级", "“高级工”不在可选值中（初级工、中级工）"],
        [3, "是否释放", "“也许”应填“是”或“否”"],
    ]
    assert job.message == (
        "校验未通过，未写入任何数据。第3行“出生日期”列：“去年五月”不是有效日期（格式如 2026-03-01）（共 4 处错误）"
    )
    assert_nothing_written(job)


def test_importer_errors_and_cell_errors_together(run_import):
    rows = [ROWS[0], ["X9", "甲", "", "", "", ""], ["A001", "乙", "", "", "", ""], ["A12345678901", "丙"]]
    job = run_import(make_xlsx(rows))
    assert job.status == "invalid"
    assert job.errors == [
        [3, "编号", "编号不能以X开头"],
        [4, "编号", "与第2行编号重复"],
        [5, "编号", "长度不能超过10个字符"],
    ]
    assert job.error_total == 3
    assert_nothing_written(job)


def test_file_with_headers_only(run_import):
    job = run_import(make_xlsx([]))
    assert (job.status, job.rows_total) == ("invalid", 0)
    assert job.errors == [[2, "", "文件中没有数据行：第一行为表头，请从表头下一行开始填写"]]
    assert job.message == "校验未通过，未写入任何数据。文件中没有数据行：第一行为表头，请从表头下一行开始填写"
    assert_nothing_written(job)


def test_empty_sheet_misses_the_required_headers(run_import):
    job = run_import(make_xlsx([], headers=[]))
    assert job.status == "invalid"
    assert job.errors == [
        [1, "编号", "缺少必填列（请使用下载的模板，不要修改表头）"],
        [1, "姓名", "缺少必填列（请使用下载的模板，不要修改表头）"],
    ]
    assert_nothing_written(job)


def test_progress_is_committed_batch_by_batch(run_import, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 0)  # every batch (a large file: every half second)
    rows = [[f"A{i}", f"人员{i}"] for i in range(5)]
    job = run_import(make_xlsx(rows, headers=["编号", "姓名"]))
    assert VALIDATED == [
        ([2, 3], ("validating", 5, 0)),
        ([4, 5], ("validating", 5, 2)),
        ([6], ("validating", 5, 4)),
    ]
    assert (job.status, job.rows_total, job.rows_checked, job.created) == ("done", 5, 5, 5)
    assert job.percent == 100


def test_progress_is_committed_at_most_every_half_second(run_import, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 3600)  # no batch takes that long: none commits
    rows = [[f"A{i}", f"人员{i}"] for i in range(5)]
    job = run_import(make_xlsx(rows, headers=["编号", "姓名"]))
    assert VALIDATED == [
        ([2, 3], ("validating", 5, 0)),
        ([4, 5], ("validating", 5, 0)),
        ([6], ("validating", 5, 0)),
    ]
    assert (job.status, job.rows_total, job.rows_checked, job.created) == ("done", 5, 5, 5)


def test_a_job_runs_with_a_short_switch_interval_and_no_cycle_collector_then_puts_both_back(
    run_import, monkeypatch
):
    during = []
    run = services._run

    def watched(job_id):
        during.append((sys.getswitchinterval(), gc.isenabled()))
        return run(job_id)

    monkeypatch.setattr(services, "_run", watched)
    before = (sys.getswitchinterval(), gc.isenabled())
    job = run_import(make_xlsx([["A1", "张三"]], headers=["编号", "姓名"]))
    assert job.status == "done"
    assert during == [(services.SWITCH_INTERVAL, False)]
    assert (sys.getswitchinterval(), gc.isenabled()) == before


def test_error_list_is_capped_but_counted(run_import):
    rows = [[f"A{i}", ""] for i in range(5001)]
    job = run_import(make_xlsx(rows, headers=["编号", "姓名"]))
    assert (job.status, job.error_total, len(job.errors)) == ("invalid", 5001, 5000)
    assert job.errors[-1] == [5001, "姓名", "必填项为空"]
    assert job.message.endswith("（共 5001 处错误）")
    assert_nothing_written(job)


def test_unexpected_error_while_writing_rolls_everything_back(run_import):
    PeopleTestImporter.fail_on = "A003"  # the second batch: the first one was already written
    job = run_import(make_xlsx())
    assert job.status == "failed"
    assert job.message == f"导入时发生系统错误，未写入任何数据；请联系管理员（导入任务编号 {job.pk}）"
    assert len(WRITES) == 2
    assert group_names() == []
    assert (job.created, job.updated) == (0, 0)
    assert audit_actions(job) == ["import.upload"]


def test_service_error_while_writing_is_shown(run_import):
    PeopleTestImporter.conflict_on = "A001"
    job = run_import(make_xlsx())
    assert job.status == "failed"
    assert job.message == "导入失败，未写入任何数据：编号已被其他单位使用"
    assert group_names() == []


def test_a_job_runs_once(run_import):
    job = run_import(make_xlsx())
    assert import_job_run(job.pk) == "skipped"
    assert len(WRITES) == 2


def test_formulas_are_read_as_cached_values_and_macros_ignored(run_import):
    content = make_xlsx([["A1", ""]], formula=((1, 1), '=CONCAT("张","三")', "张三"))
    content = with_member(content, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro code never runs")
    job = run_import(content, name="带宏.xlsm")
    assert job.status == "done"
    assert WRITES[0][0][1]["name"] == "张三"


def test_headers_match_exactly_after_trimming(run_import):
    headers = [f" {h} " for h in HEADERS]
    job = run_import(make_xlsx(ROWS, headers=headers))
    assert job.status == "done"


def test_workbook_that_passes_the_guard_but_cannot_be_read(run_import):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    job = run_import(out.getvalue())
    assert job.status == "invalid"
    assert job.message == "无法读取文件中的第一个工作表，文件可能已损坏；请用 Excel 打开后另存为 .xlsx 再导入"
    assert_nothing_written(job)


def test_cycle_collector_is_off_while_a_job_runs_and_put_back(run_import, demo, monkeypatch):
    import gc

    from skillbridge.imports import services

    seen = []
    write = services._write

    def spy(job, importer, staged):
        seen.append(gc.isenabled())
        return write(job, importer, staged)

    monkeypatch.setattr(services, "_write", spy)
    assert gc.isenabled()
    job = run_import(make_xlsx())
    assert job.status == "done"
    assert seen == [False]
    assert gc.isenabled()
