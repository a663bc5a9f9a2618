"""Checks on an uploaded file before anything is stored: size, xlsx signature, zip-bomb limits.

Only the zip central directory is read here (cheap, inside the request); the workbook itself is
parsed later by the background task with python-calamine, which reads cached cell values and never
evaluates formulas or runs macros (a `vbaProject.bin` member is allowed and simply ignored).
"""

import zipfile

from django.conf import settings

from skillbridge.errors import ServiceError

MB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # .xls, .doc, and password-protected .xlsx
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
MAX_COMPRESSION_RATIO = 100  # uncompressed / compressed, per member
RATIO_CHECK_FROM_BYTES = MB  # small members may compress far better without being dangerous
MAX_MEMBERS = 10_000


class UploadRejected(ServiceError):
    """The file was refused before anything was written (no job, no stored file, no audit event)."""

    code = "upload_rejected"
    status = 400

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message, field="file", code=code)


def check_upload(upload) -> None:
    """Raise `UploadRejected` (with a Chinese reason) unless `upload` looks like a sane xlsx file."""
    size = upload.size or 0
    cap = settings.IMPORT_MAX_UPLOAD_MB
    if size == 0:
        raise UploadRejected("上传的文件为空", code="empty_file")
    if size > cap * MB:
        raise UploadRejected(
            f"文件大小 {size / MB:.1f} MB，超过上限 {cap} MB，请拆分后分批导入", code="file_too_large"
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(OLE_MAGIC):
        raise UploadRejected(
            "文件不是 xlsx 格式：这是旧版 Excel（.xls）文件或设置了打开密码的文件，"
            "请在 Excel 中取消密码并“另存为”Excel 工作簿（*.xlsx）后再导入",
            code="not_xlsx",
        )
    if not head.startswith(ZIP_MAGIC):
        raise UploadRejected(
            "文件不是 xlsx 格式（文件内容不是 Excel 工作簿，可能只是改了扩展名），请使用下载的模板填写后上传",
            code="not_xlsx",
        )
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRejected("文件已损坏，无法作为 xlsx 工作簿读取", code="not_xlsx") from None
    finally:
        upload.seek(0)
    names = {m.filename for m in members}
    if missing := [n for n in REQUIRED_MEMBERS if n not in names]:
        raise UploadRejected(
            f"文件不是有效的 xlsx 工作簿（缺少 {'、'.join(missing)}），请使用下载的模板填写后上传",
            code="not_xlsx",
        )
    if len(members) > MAX_MEMBERS:
        raise UploadRejected(f"文件内部结构异常（包含 {len(members)} 个部件），已拒绝", code="zip_bomb")
    if any(m.flag_bits & 0x1 for m in members):
        raise UploadRejected("文件内容已加密，请取消密码后再导入", code="not_xlsx")
    unzipped_cap = settings.IMPORT_MAX_UNZIPPED_MB
    if sum(m.file_size for m in members) > unzipped_cap * MB:
        raise UploadRejected(
            f"文件解压后超过 {unzipped_cap} MB（疑似压缩炸弹或数据量过大），已拒绝；请拆分后分批导入",
            code="zip_bomb",
        )
    for m in members:
        if m.file_size >= RATIO_CHECK_FROM_BYTES and m.file_size > MAX_COMPRESSION_RATIO * max(
            m.compress_size, 1
        ):
            raise UploadRejected(
                f"文件中的“{m.filename}”压缩比超过 {MAX_COMPRESSION_RATIO} 倍（疑似压缩炸弹），已拒绝",
                code="zip_bomb",
            )
