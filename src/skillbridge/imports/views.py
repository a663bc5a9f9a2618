from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import Forbidden, NotFound, ServiceError
from skillbridge.web.exports import xlsx_response

from . import selectors, services
from .forms import UploadForm
from .models import ImportJob
from .registry import get_importer
from .xlsx import KIND_LABELS, XLSX_CONTENT_TYPE, errors_xlsx, template_xlsx

ERRORS_SHOWN = 200


def _xlsx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


JOB_EXPORT_HEADERS = [
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


@login_required
def job_list(request):
    jobs = selectors.job_list(request.user)
    if request.GET.get("export") == "xlsx":
        rows = (
            (
                job.pk,
                job.importer_title,
                job.file_name,
                job.user.full_name,
                timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M"),
                job.get_status_display(),
                job.rows_total,
                job.created,
                job.updated,
                job.error_total,
                job.message,
            )
            for job in jobs.iterator(chunk_size=1000)
        )
        return xlsx_response("导入记录.xlsx", "导入记录", JOB_EXPORT_HEADERS, rows)
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/job_list.html",
        {
            "page": page,
            "importers": [
                {"key": i.key, "title": i.title} for i in selectors.importers_for_user(request.user)
            ],
            "page_title": "Excel导入",
        },
    )


@login_required
def job_create(request, key: str):
    importer = get_importer(key)(request.user)  # an instance: templates would call a class
    importer.check_permission()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                user=request.user, importer_key=key, upload=form.cleaned_data["file"]
            )
        except (Forbidden, NotFound):
            raise
        except ServiceError as exc:  # a refused file: say why on the form, nothing was written
            form.add_error("file", exc.message)
        else:
            return redirect("imports:job_detail", pk=job.pk)
    return render(
        request,
        "imports/job_create.html",
        {
            "importer": importer,
            "columns": [(column, KIND_LABELS[column.kind]) for column in importer.columns],
            "form": form,
            "page_title": f"导入：{importer.title}",
        },
    )


@login_required
def job_detail(request, pk: int):
    job = get_in_scope(ImportJob, request.user, pk=pk)
    url_name = get_importer(job.importer_key).result_url_name
    context = {
        "job": job,
        "shown_errors": job.errors[:ERRORS_SHOWN],
        "errors_shown": ERRORS_SHOWN,
        "result_url": reverse(url_name) if url_name and job.status == "done" else None,
    }
    if request.headers.get("HX-Request"):
        return render(request, "imports/_job_status.html", context)
    return render(request, "imports/job_detail.html", {**context, "page_title": str(job)})


@login_required
def job_errors(request, pk: int):
    job = get_in_scope(ImportJob, request.user, pk=pk)
    return _xlsx(f"导入错误报告_{job.pk}.xlsx", errors_xlsx(job))


@login_required
def template_download(request, key: str):
    importer = get_importer(key)
    return _xlsx(f"{importer.title}_导入模板.xlsx", template_xlsx(importer))
