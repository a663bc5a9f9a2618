"""Assistance agreements (个性化就业帮扶协议) and the employment rate."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import ServiceError
from skillbridge.registry.idnumbers import mask_id_number
from skillbridge.web.exports import xlsx_response

from .. import selectors, services
from ..forms import (
    AgreementFilterForm,
    AgreementForm,
    RateForm,
)
from ..models import (
    AssistanceAgreement,
    EmploymentProfile,
)
from .common import today

# ---- agreements ----------------------------------------------------------------------------------------

AGREEMENT_HEADERS = [
    "协议编号",
    "姓名",
    "身份证号码",
    "单位",
    "帮扶机构",
    "签订日期",
    "帮扶期限至",
    "帮扶目标",
    "状态",
]


@login_required
def agreement_list(request):
    form = AgreementFilterForm(request.GET or None)
    rows = selectors.agreements(request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    rows = rows.order_by("-signed_on", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "个性化就业帮扶协议.xlsx",
            "帮扶协议",
            AGREEMENT_HEADERS,
            (
                (
                    a.number,
                    a.person.name,
                    mask_id_number(a.person.id_number),
                    a.unit.name,
                    a.provider.name,
                    a.signed_on,
                    a.valid_until,
                    a.goals,
                    a.get_status_display(),
                )
                for a in rows
            ),
        )
    return render(
        request,
        "employment/agreement_list.html",
        {
            "form": form,
            "page": Paginator(rows, 20).get_page(request.GET.get("page")),
            "page_title": "个性化就业帮扶协议",
        },
    )


@login_required
@require_POST
def agreement_create(request, pk: int):
    profile = get_in_scope(EmploymentProfile, request.user, pk=pk)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("employment:profile_detail", pk=pk)
    try:
        services.agreement_create(actor=request.user, profile=profile, data=form.cleaned_data)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "帮扶协议已登记。")
    return redirect("employment:profile_detail", pk=pk)


@login_required
@require_POST
def agreement_status(request, pk: int):
    agreement = get_in_scope(AssistanceAgreement, request.user, pk=pk)
    services.agreement_set_status(
        actor=request.user, agreement=agreement, status=request.POST.get("status", "")
    )
    messages.success(request, "协议状态已更新。")
    return redirect("employment:agreement_list")


# ---- employment rate -----------------------------------------------------------------------------------


@login_required
def rate(request):
    now = today()
    units = selectors.units_for_user(request.user)
    data = request.GET or {"date_from": date(now.year, 1, 1).isoformat(), "date_to": now.isoformat()}
    form = RateForm(data, units=units)
    figure = None
    if form.is_valid():
        figure = selectors.employment_rate(
            request.user,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            unit=form.cleaned_data["unit"],
            milestone=form.cleaned_data["milestone"],
        )
    return render(
        request,
        "employment/rate.html",
        {"form": form, "figure": figure, "show_units": units.exists(), "page_title": "刑释人员就业率"},
    )
