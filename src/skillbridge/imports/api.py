from datetime import datetime
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber

from . import selectors, services
from .models import ImportJob
from .registry import get_importer
from .xlsx import KIND_LABELS, XLSX_CONTENT_TYPE, template_xlsx

router = Router(tags=["Excel导入"])


class ColumnOut(Schema):
    key: str
    header: str
    required: bool
    kind: str
    kind_display: str
    choices: list[str]
    max_length: int | None
    sample: str
    help: str


class ImporterOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]


class JobOut(Schema):
    id: int
    importer_key: str
    importer_title: str
    file_name: str
    file_size: int
    sha256: str
    user_id: int
    user_name: str = Field(alias="user.full_name")
    status: str = Field(description="queued/validating/invalid/writing/done/failed")
    status_display: str = Field(alias="get_status_display")
    rows_total: int
    rows_checked: int
    created: int
    updated: int
    error_total: int
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RowErrorOut(Schema):
    row: int = Field(description="表格中的行号（表头为第1行）")
    column: str = Field(description="列名（表头文字）")
    message: str


def _importer_out(importer) -> dict:
    return {
        "key": importer.key,
        "title": importer.title,
        "columns": [
            {
                "key": c.key,
                "header": c.header,
                "required": c.required,
                "kind": c.kind,
                "kind_display": KIND_LABELS[c.kind],
                "choices": list(c.choices or ()),
                "max_length": c.max_length,
                "sample": c.sample,
                "help": c.help,
            }
            for c in importer.columns
        ],
    }


@router.get("/importers", response=list[ImporterOut], summary="我可以使用的导入类型及其列")
def importer_list(request):
    return [_importer_out(i) for i in selectors.importers_for_user(request.user)]


@router.get("/templates/{key}", summary="下载导入模板（xlsx）")
def template_download(request, key: str):
    importer = get_importer(key)
    response = HttpResponse(template_xlsx(importer), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(importer.title + '_导入模板.xlsx')}"
    )
    return response


@router.get("/jobs", response=list[JobOut], summary="本单位的导入任务")
@paginate(PageNumber)
def job_list(request):
    return selectors.job_list(request.user)


@router.get("/jobs/{job_id}", response=JobOut, summary="导入任务状态与进度")
def job_get(request, job_id: int):
    return get_in_scope(ImportJob, request.user, pk=job_id)


@router.get("/jobs/{job_id}/errors", response=list[RowErrorOut], summary="逐行错误（行号、列、说明）")
@paginate(PageNumber)
def job_errors(request, job_id: int):
    job = get_in_scope(ImportJob, request.user, pk=job_id)
    return [{"row": row, "column": header, "message": message} for row, header, message in job.errors]


@router.post(
    "/{key}",
    response={202: JobOut},
    summary="上传 xlsx 文件并排队导入（multipart，字段名 file）",
    description="文件先做大小、格式和压缩比检查，不通过时返回 400 且不保存任何内容；"
    "通过后返回导入任务，后台逐行校验，全部无误才写入。用 GET /jobs/{id} 查询进度。",
)
def job_create(request, key: str, file: File[UploadedFile]):
    return Status(202, services.import_job_create(user=request.user, importer_key=key, upload=file))
