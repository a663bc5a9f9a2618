"""Pages, the API, the template and the error report."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from skillbridge.audit.models import AuditEvent
from skillbridge.imports.models import ImportJob
from skillbridge.imports.services import import_job_create

from .conftest import ROWS, make_xlsx, upload

pytestmark = pytest.mark.django_db
PASSWORD = "Skill@2026demo"


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def bearer(client, username):
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


@pytest.fixture
def invalid_job(run_import):
    rows = [ROWS[0], ["A002", "", "去年", "", "", ""]]
    return run_import(make_xlsx(rows))


def test_template_has_the_exact_columns_a_sample_row_and_instructions(client, demo):
    client.force_login(demo.user("cz_operator"))
    response = client.get("/imports/templates/test.people.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''%E6%B5%8B" in response["Content-Disposition"]
    sheets = read_xlsx(response.content)
    assert list(sheets) == ["测试人员", "填写说明"]
    assert sheets["测试人员"] == [
        ["编号", "姓名", "出生日期", "培训次数", "等级", "是否释放"],
        ["A001", "张三", dt.date(1990, 5, 1), 2, "初级工", "否"],
    ]
    notes = sheets["填写说明"]
    assert notes[0] == ["列名", "是否必填", "类型", "可选值/格式", "说明"]
    assert notes[1:7] == [
        ["编号", "必填", "文本", "", "单位内唯一的编号（不超过10个字符）"],
        ["姓名", "必填", "文本", "", ""],
        ["出生日期", "选填", "日期", "日期，如 2026-03-01", ""],
        ["培训次数", "选填", "整数", "", ""],
        ["等级", "选填", "选项", "初级工、中级工", ""],
        ["是否释放", "选填", "是/否", "是、否", ""],
    ]


def test_the_template_imports_cleanly(run_import, client, demo):
    client.force_login(demo.user("cz_operator"))
    job = run_import(client.get("/imports/templates/test.people.xlsx").content)
    assert (job.status, job.created) == ("done", 1)


def test_upload_page_lists_columns_and_template_link(client, demo):
    client.force_login(demo.user("cz_operator"))
    page = client.get("/imports/new/test.people/").content.decode()
    assert "导入：测试人员" in page
    assert 'href="/imports/templates/test.people.xlsx"' in page
    assert '<td class="sb-nowrap">出生日期</td>' in page and "初级工、中级工" in page


def test_upload_page_refuses_a_user_without_permission(client, demo):
    client.force_login(demo.user("cz_reviewer"))
    assert client.get("/imports/new/test.people/").status_code == 403
    response = client.post("/imports/new/test.people/", {"file": upload(make_xlsx())})
    assert response.status_code == 403
    assert ImportJob.objects.count() == 0
    assert client.get("/imports/new/nope/").status_code == 404


def test_upload_through_the_page(client, demo, django_capture_on_commit_callbacks):
    client.force_login(demo.user("cz_operator"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/new/test.people/", {"file": upload(make_xlsx())})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "状态：已完成" in page
    assert "导入完成：新增 3 条，更新 0 条" in page
    assert "hx-trigger" not in page
    assert "查看导入的数据" not in page  # the test importer names no result page
    listing = client.get("/imports/").content.decode()
    assert 'href="/imports/new/test.people/"' in listing
    assert f'href="/imports/{job.pk}/"' in listing


def test_done_job_links_to_the_imported_data(client, demo, django_capture_on_commit_callbacks, monkeypatch):
    from skillbridge.imports.registry import get_importer

    monkeypatch.setattr(get_importer("test.people"), "result_url_name", "accounts:organisation_list")
    client.force_login(demo.user("cz_operator"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/new/test.people/", {"file": upload(make_xlsx())})
    page = client.get(response["Location"]).content.decode()
    assert '<a class="btn btn-sm btn-primary mt-2" href="/organisations/">查看导入的数据</a>' in page


def test_refused_file_is_explained_on_the_form(client, demo):
    client.force_login(demo.user("cz_operator"))
    response = client.post("/imports/new/test.people/", {"file": upload(b"hello", "a.xlsx")})
    assert response.status_code == 200
    assert "文件不是 xlsx 格式（文件内容不是 Excel 工作簿，可能只是改了扩展名）" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_status_fragment_polls_while_the_job_runs(client, demo, django_capture_on_commit_callbacks):
    user = demo.user("cz_operator")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False):  # the task has not run yet
        job = import_job_create(user=user, importer_key="test.people", upload=upload(make_xlsx()))
    ImportJob.objects.filter(pk=job.pk).update(status="validating", rows_total=8, rows_checked=2)
    fragment = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="job-status"')
    assert f'hx-get="/imports/{job.pk}/" hx-trigger="every 2s" hx-swap="outerHTML"' in fragment
    assert 'style="width: 25%"' in fragment
    assert "正在校验：已检查 2 / 8 行" in fragment
    assert "<html" not in fragment


def test_invalid_job_page_and_error_report(client, demo, invalid_job):
    client.force_login(demo.user("cz_reviewer"))  # the same unit may look at its jobs
    page = client.get(f"/imports/{invalid_job.pk}/").content.decode()
    assert "状态：校验未通过" in page
    assert "<td>3</td><td>姓名</td><td>必填项为空</td>" in page
    assert f'href="/imports/{invalid_job.pk}/errors.xlsx"' in page
    response = client.get(f"/imports/{invalid_job.pk}/errors.xlsx")
    assert response.status_code == 200
    assert read_xlsx(response.content) == {
        "错误报告": [
            ["行号", "列", "错误说明"],
            [3, "姓名", "必填项为空"],
            [3, "出生日期", "“去年”不是有效日期（格式如 2026-03-01）"],
        ]
    }


def test_error_report_says_how_many_were_left_out(run_import, client, demo):
    job = run_import(make_xlsx([[f"A{i}", ""] for i in range(5002)], headers=["编号", "姓名"]))
    client.force_login(demo.user("cz_operator"))
    rows = read_xlsx(client.get(f"/imports/{job.pk}/errors.xlsx").content)["错误报告"]
    assert len(rows) == 5002
    assert rows[-1] == ["", "", "另有 2 处错误未列出，请先修改以上错误"]
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "显示前 200 处，共 5002 处" in page
    assert page.count("<td>必填项为空</td>") == 200


def test_another_units_user_cannot_see_the_job(client, demo, invalid_job):
    client.force_login(demo.user("ly_operator"))
    for url in (f"/imports/{invalid_job.pk}/", f"/imports/{invalid_job.pk}/errors.xlsx"):
        assert client.get(url).status_code == 404
    assert f"/imports/{invalid_job.pk}/" not in client.get("/imports/").content.decode()
    denied = AuditEvent.objects.filter(action="scope.denied", object_id=str(invalid_job.pk))
    assert denied.count() == 2


def test_job_list_exports_to_xlsx_within_the_unit(client, demo, invalid_job):
    client.force_login(demo.user("cz_operator"))
    response = client.get("/imports/?export=xlsx")
    rows = read_xlsx(b"".join(response.streaming_content))["导入记录"]
    assert rows[0] == [
        "编号",
        "导入类型",
        "文件名",
        "上传人",
        "上传时间",
        "状态",
        "数据行",
        "新增",
        "更新",
        "错误",
        "结果说明",
    ]
    assert len(rows) == 2
    assert (rows[1][0], rows[1][2], rows[1][5], rows[1][9]) == (
        invalid_job.pk,
        invalid_job.file_name,
        "校验未通过",
        invalid_job.error_total,
    )
    client.force_login(demo.user("ly_operator"))  # another unit: its own (empty) list
    assert read_xlsx(b"".join(client.get("/imports/?export=xlsx").streaming_content))["导入记录"][1:] == []


def test_api_upload_status_and_errors(client, demo, django_capture_on_commit_callbacks):
    auth = bearer(client, "cz_operator")
    rows = [ROWS[0], ["A002", "", "", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/imports/test.people", {"file": upload(make_xlsx(rows))}, **auth)
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["importer_title"], body["file_name"]) == ("queued", "测试人员", "人员.xlsx")
    job = client.get(f"/api/v1/imports/jobs/{body['id']}", **auth).json()
    assert (job["status"], job["status_display"], job["error_total"]) == ("invalid", "校验未通过", 1)
    errors = client.get(f"/api/v1/imports/jobs/{body['id']}/errors", **auth).json()
    assert errors == {
        "items": [{"row": 3, "column": "姓名", "message": "必填项为空"}],
        "count": 1,
        "page": 1,
        "page_size": 20,
    }
    jobs = client.get("/api/v1/imports/jobs", **auth).json()
    assert [j["id"] for j in jobs["items"]] == [body["id"]]


def test_api_refused_upload_uses_the_error_format(client, demo):
    auth = bearer(client, "cz_operator")
    response = client.post("/api/v1/imports/test.people", {"file": upload(b"hello")}, **auth)
    assert response.status_code == 400
    assert response.json() == {
        "code": "not_xlsx",
        "message": "文件不是 xlsx 格式（文件内容不是 Excel 工作簿，可能只是改了扩展名），请使用下载的模板填写后上传",
        "field": "file",
        "details": [],
    }
    assert ImportJob.objects.count() == 0
    missing = client.post("/api/v1/imports/nope", {"file": upload(make_xlsx())}, **auth)
    assert (missing.status_code, missing.json()["message"]) == (404, "导入类型“nope”不存在")


def test_api_scope_and_templates(client, demo, invalid_job):
    auth = bearer(client, "ly_operator")
    for url in (f"/api/v1/imports/jobs/{invalid_job.pk}", f"/api/v1/imports/jobs/{invalid_job.pk}/errors"):
        response = client.get(url, **auth)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.get("/api/v1/imports/jobs", **auth).json()["count"] == 0
    template = client.get("/api/v1/imports/templates/test.people", **auth)
    assert template.status_code == 200
    assert read_xlsx(template.content)["测试人员"][0][0] == "编号"
    importers = {i["key"]: i for i in client.get("/api/v1/imports/importers", **auth).json()}
    assert importers["test.people"]["title"] == "测试人员"
    assert importers["test.people"]["columns"][4] == {
        "key": "level",
        "header": "等级",
        "required": False,
        "kind": "choice",
        "kind_display": "选项",
        "choices": ["初级工", "中级工"],
        "max_length": None,
        "sample": "初级工",
        "help": "",
    }
    reviewer = bearer(client, "cz_reviewer")
    assert "test.people" not in [i["key"] for i in client.get("/api/v1/imports/importers", **reviewer).json()]


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_worker_runs_the_job(demo, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = import_job_create(
        user=demo.user("cz_operator"), importer_key="test.people", upload=upload(make_xlsx())
    )
    queued = DBTaskResult.objects.get()
    assert (queued.status, queued.args_kwargs) == ("READY", {"args": [job.pk], "kwargs": {}})
    job.refresh_from_db()
    assert job.status == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.created, job.updated) == ("done", 3, 0)
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "done")
