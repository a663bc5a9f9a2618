"""Refused uploads: each says why in Chinese and leaves nothing behind (no job, no file, no audit event)."""

import hashlib
import io
import os
import zipfile

import pytest
from django.core.files import File

from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Forbidden, NotFound
from skillbridge.imports.guards import OLE_MAGIC, UploadRejected
from skillbridge.imports.models import ImportJob
from skillbridge.imports.services import import_job_create

from .conftest import make_xlsx, upload, with_member

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def refuse(demo, settings, file, username="cz_operator", key="test.people"):
    with pytest.raises((UploadRejected, Forbidden, NotFound)) as caught:
        import_job_create(user=demo.user(username), importer_key=key, upload=file)
    assert ImportJob.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="import.").exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    return caught.value


def test_file_over_the_size_cap(demo, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    error = refuse(demo, settings, upload(make_xlsx() + b"\0" * MB))
    assert error.code == "file_too_large"
    assert error.field == "file"
    assert error.message == "文件大小 1.0 MB，超过上限 1 MB，请拆分后分批导入"


def test_file_just_over_the_default_cap(demo, settings, tmp_path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(20 * MB + 1)  # sparse: nothing is really written
    with open(path, "rb") as handle:
        error = refuse(demo, settings, File(handle, name="big.xlsx"))
    assert os.path.getsize(path) == 20 * MB + 1
    assert error.message == "文件大小 20.0 MB，超过上限 20 MB，请拆分后分批导入"


def test_empty_file(demo, settings):
    assert refuse(demo, settings, upload(b"")).message == "上传的文件为空"


def test_text_file_renamed_to_xlsx(demo, settings):
    error = refuse(demo, settings, upload("编号,姓名\nA001,张三\n".encode(), "人员.xlsx"))
    assert error.code == "not_xlsx"
    assert error.message == (
        "文件不是 xlsx 格式（文件内容不是 Excel 工作簿，可能只是改了扩展名），请使用下载的模板填写后上传"
    )


def test_old_xls_file_renamed_to_xlsx(demo, settings):
    error = refuse(demo, settings, upload(OLE_MAGIC + b"\0" * 4096, "人员.xlsx"))
    assert error.code == "not_xlsx"
    assert error.message == (
        "文件不是 xlsx 格式：这是旧版 Excel（.xls）文件或设置了打开密码的文件，"
        "请在 Excel 中取消密码并“另存为”Excel 工作簿（*.xlsx）后再导入"
    )


def test_zip_that_is_not_a_workbook(demo, settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    error = refuse(demo, settings, upload(out.getvalue()))
    assert error.message == "文件不是有效的 xlsx 工作簿（缺少 xl/workbook.xml），请使用下载的模板填写后上传"


def test_truncated_zip(demo, settings):
    error = refuse(demo, settings, upload(make_xlsx()[:300]))
    assert error.message == "文件已损坏，无法作为 xlsx 工作簿读取"


def test_zip_bomb_by_compression_ratio(demo, settings):
    bomb = with_member(make_xlsx(), "xl/media/image1.png", b"\0" * (5 * MB))
    assert len(bomb) < 100_000
    error = refuse(demo, settings, upload(bomb))
    assert error.code == "zip_bomb"
    assert error.message == "文件中的“xl/media/image1.png”压缩比超过 100 倍（疑似压缩炸弹），已拒绝"


def test_zip_bomb_by_unzipped_size(demo, settings):
    settings.IMPORT_MAX_UNZIPPED_MB = 1
    content = with_member(make_xlsx(), "xl/media/image1.png", os.urandom(MB + 1), zipfile.ZIP_STORED)
    error = refuse(demo, settings, upload(content))
    assert error.code == "zip_bomb"
    assert error.message == "文件解压后超过 1 MB（疑似压缩炸弹或数据量过大），已拒绝；请拆分后分批导入"


def test_user_without_the_importers_permission(demo, settings):
    error = refuse(demo, settings, upload(make_xlsx()), username="cz_reviewer")
    assert isinstance(error, Forbidden)
    assert error.message == "只有经办人员可以导入测试人员"


def test_unknown_importer(demo, settings):
    error = refuse(demo, settings, upload(make_xlsx()), key="nope")
    assert isinstance(error, NotFound)
    assert error.message == "导入类型“nope”不存在"


def test_a_sane_file_with_a_small_well_compressed_member_passes(
    demo, settings, django_capture_on_commit_callbacks
):
    content = with_member(make_xlsx(), "docProps/custom.xml", b" " * 500_000)  # under the 1 MB ratio floor
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(
            user=demo.user("cz_operator"), importer_key="test.people", upload=upload(content)
        )
    assert (job.status, job.file_size, job.file_name) == ("queued", len(content), "人员.xlsx")
    assert job.sha256 == hashlib.sha256(content).hexdigest()
    assert job.file.name.startswith("imports/") and job.file.name.endswith(".xlsx")
    with job.file.open("rb") as handle:
        assert handle.read() == content
