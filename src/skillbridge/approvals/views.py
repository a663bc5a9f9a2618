from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import ServiceError
from skillbridge.web.exports import xlsx_response

from . import services
from .documents import document_url
from .forms import CaseFilterForm, DecisionForm
from .models import ReviewCase
from .selectors import case_detail as select_case


def _filtered_cases(request):
    form = CaseFilterForm(request.GET or None)
    cases = ReviewCase.objects.for_user(request.user).select_related("unit", "current_stage__org")
    if form.is_valid():
        data = form.cleaned_data
        if data["doc_type"]:
            cases = cases.filter(doc_type=data["doc_type"])
        if data["status"]:
            cases = cases.filter(status=data["status"])
        if data["q"]:
            cases = cases.filter(title__contains=data["q"])
    return form, cases.order_by("-id")


@login_required
def case_list(request):
    form, cases = _filtered_cases(request)
    if request.GET.get("export") == "xlsx":
        rows = (
            (
                c.pk,
                c.get_doc_type_display(),
                c.title,
                c.unit.name,
                c.get_status_display(),
                c.current_stage.name if c.current_stage else "",
                c.submitted_at and c.submitted_at.strftime("%Y-%m-%d %H:%M"),
            )
            for c in cases.iterator(chunk_size=1000)
        )
        return xlsx_response(
            "审核事项.xlsx",
            "审核事项",
            ["编号", "类型", "标题", "所属单位", "状态", "当前环节", "报送时间"],
            rows,
        )
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "approvals/case_list.html", {"form": form, "page": page, "page_title": "审核事项"})


@login_required
def case_detail(request, pk: int):
    get_in_scope(ReviewCase, request.user, pk=pk)
    case = select_case(request.user, pk)
    can_act = (
        case.current_stage is not None
        and case.current_stage.org_id == request.user.organisation_id
        and request.user.has_role("reviewer", "unit_head")
    )
    # A document app that registered its page submits through its own service (with its own checks).
    link = document_url(case)
    can_submit = (
        link is None
        and case.author_org_id == request.user.organisation_id
        and case.status in ("draft", "returned")
        and request.user.has_role("operator", "unit_head")
    )
    form = DecisionForm(initial={"stage_id": case.current_stage_id}) if can_act else None
    return render(
        request,
        "approvals/case_detail.html",
        {
            "case": case,
            "form": form,
            "can_submit": can_submit,
            "document_url": link,
            "page_title": str(case),
        },
    )


@login_required
@require_POST
def case_action(request, pk: int):
    case = get_in_scope(ReviewCase, request.user, pk=pk)
    # A refused action (ServiceError) is shown by ServiceErrorMiddleware as a message on this page.
    if request.POST.get("decision") == "submit":
        services.review_submit(actor=request.user, case=case)
        messages.success(request, "已报送。")
    else:
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise ServiceError("请选择审核结论", field="decision")
        data = form.cleaned_data
        services.ACTIONS[data["decision"]](
            actor=request.user, case=case, stage_id=data["stage_id"], opinion=data["opinion"]
        )
        messages.success(request, "审核意见已提交。")
    return redirect("approvals:case_detail", pk=pk)
