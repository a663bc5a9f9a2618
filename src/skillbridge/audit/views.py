from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from skillbridge.web.decorators import role_required
from skillbridge.web.exports import xlsx_response

from .forms import EventFilterForm
from .selectors import events_for
from .services import audit_verify


def _events(request):
    form = EventFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    return form, events_for(request.user, **filters)


@role_required("auditor")
def event_list(request):
    form, events = _events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    chain = audit_verify() if request.GET.get("verify") else None
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "chain": chain, "page_title": "审计日志"},
    )


@role_required("auditor")
def event_export(request):
    _, events = _events(request)
    rows = (
        (
            e.pk,
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            e.organisation.name if e.organisation else "",
            e.action_label,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            e.get_outcome_display(),
            e.request_id,
            e.ip,
        )
        for e in events.iterator(chunk_size=2000)
    )
    headers = [
        "序号",
        "时间",
        "操作人",
        "单位",
        "操作",
        "操作代码",
        "对象类型",
        "对象ID",
        "对象",
        "结果",
        "请求ID",
        "IP",
    ]
    return xlsx_response("审计日志.xlsx", "审计日志", headers, rows)
