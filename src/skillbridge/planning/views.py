from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import UNIT_TYPES, get_in_scope
from skillbridge.errors import NotFound, ServiceError
from skillbridge.web import pdf
from skillbridge.web.decorators import role_required
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error

from . import documents, selectors, services
from .forms import (
    AdjustmentForm,
    AgreementFilterForm,
    AgreementForm,
    AgreementSignForm,
    AgreementTerminateForm,
    PlanFilterForm,
    PlanHeaderForm,
    PlanItemForm,
    PlanItemFormSet,
    YearForm,
)
from .models import Agreement, AgreementStatus, AnnualPlan, PlanItem

WRITERS = services.WRITERS
PLAN_HEADERS = [
    "编号",
    "单位",
    "年度",
    "类型",
    "计划人数",
    "计划班次",
    "经费预算（元）",
    "状态",
    "当前环节",
    "报送时间",
]


def _can_write(user, plan_or_unit) -> bool:
    unit_id = getattr(plan_or_unit, "unit_id", getattr(plan_or_unit, "pk", None))
    return user.organisation_id == unit_id and user.has_role(*WRITERS)


# ---- plans -------------------------------------------------------------------------------------------------


@login_required
def plan_list(request):
    units = Organisation.objects.visible_units(request.user).order_by("region_code", "name")
    form = PlanFilterForm(request.GET or None, units=units)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "year": data["year"],
            "unit_id": data["unit"].pk if data["unit"] else None,
            "kind": data["kind"] or None,
            "status": data["status"] or None,
        }
    plans = selectors.plans_for_user(request.user, **filters)
    if request.GET.get("export") == "xlsx":
        plans = list(plans)
        totals = selectors.planned_totals(plans)
        rows = (
            (
                p.pk,
                p.unit.name,
                p.year,
                p.get_kind_display(),
                (totals.get(p.pk) or {}).get("trainees") or 0,
                (totals.get(p.pk) or {}).get("classes") or 0,
                float((totals.get(p.pk) or {}).get("budget") or 0),
                p.status_label,
                p.review.current_stage.name if p.review.current_stage else "",
                p.review.submitted_at
                and timezone.localtime(p.review.submitted_at).strftime("%Y-%m-%d %H:%M"),
            )
            for p in plans
        )
        return xlsx_response("年度培训计划.xlsx", "年度培训计划", PLAN_HEADERS, rows)
    page = Paginator(plans, 20).get_page(request.GET.get("page"))
    totals = selectors.planned_totals(list(page))
    for plan in page:
        row = totals.get(plan.pk) or {}
        plan.total_trainees, plan.total_budget = row.get("trainees") or 0, row.get("budget") or 0
    own = request.user.organisation
    return render(
        request,
        "planning/plan_list.html",
        {
            "form": form,
            "page": page,
            "can_create": own.org_type in UNIT_TYPES and request.user.has_role(*WRITERS),
            "page_title": "年度培训计划",
        },
    )


@role_required(*WRITERS)
def plan_create(request):
    """Build a plan from the survey: eligible people grouped by employment intention pre-fill the items."""
    unit = request.user.organisation
    if unit.org_type not in UNIT_TYPES:
        messages.error(request, f"{unit.get_org_type_display()}不编制年度培训计划。")
        return redirect("planning:plan_list")
    year = request.POST.get("year") or request.GET.get("year") or str(timezone.localdate().year + 1)
    year_form = YearForm({"year": year})
    if not year_form.is_valid():
        year_form = YearForm({"year": timezone.localdate().year + 1})
        year_form.is_valid()
    year = year_form.cleaned_data["year"]
    result, groups = selectors.survey_groups(request.user, unit=unit, year=year)
    header = PlanHeaderForm(request.POST or None, initial={"year": year})
    if request.method == "POST":
        formset = PlanItemFormSet(request.POST, unit=unit, prefix="items")
        if header.is_valid() and formset.is_valid():
            try:
                plan = services.plan_create(
                    actor=request.user,
                    unit=unit,
                    year=header.cleaned_data["year"],
                    items=formset.items(),
                    reason=header.cleaned_data["reason"],
                )
            except ServiceError as exc:
                header.add_error(None, exc.message)
            else:
                messages.success(request, f"已创建{plan}（草稿），请核对计划项目后报送。")
                return redirect("planning:plan_detail", pk=plan.pk)
    else:
        initial = [
            {
                "category": g.category,
                "occupation": g.occupation,
                "special_item": g.special_item,
                "project_name": g.project_name,
                "level": g.level,
                "planned_trainees": g.count,
                "planned_classes": 1,
                "budget": g.budget,
                "note": f"就业意向：{g.intention}（{g.count}人）"
                + (f"；{g.budget_note}" if g.budget_note else ""),
            }
            for g in groups
        ]
        formset = PlanItemFormSet(initial=initial, unit=unit, prefix="items")
    existing = (
        selectors.plans_for_user(request.user, year=year, unit_id=unit.pk).filter(kind="annual").first()
    )
    return render(
        request,
        "planning/plan_create.html",
        {
            "unit": unit,
            "year": year,
            "year_form": year_form,
            "header": header,
            "formset": formset,
            "survey": result,
            "groups": groups,
            "existing": existing,
            "page_title": f"编制{year}年度培训计划",
        },
    )


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plan_detail(request.user, pk)
    items = list(plan.items.all())
    can_write = _can_write(request.user, plan)
    survey_url = ""
    if plan.unit.policy_pack == "changzhou" and can_write:
        survey_url = f"{reverse('registry:survey')}?unit={plan.unit_id}&year={plan.year}&export=xlsx"
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "totals": selectors.items_totals(items),
            "stages": list(plan.review.stages.all()),
            "versions": selectors.plan_versions(plan),
            "can_edit": can_write and plan.is_editable,
            "can_adjust": can_write and plan.review.status == "approved" and plan.kind != "temporary",
            "forms": documents.plan_forms(plan),
            "survey_url": survey_url,
            "page_title": str(plan),
        },
    )


@login_required
def plan_form_download(request, pk: int, code: str):
    return documents.plan_form_response(selectors.plan_detail(request.user, pk), code)


@login_required
@require_POST
def plan_submit(request, pk: int):
    plan = get_in_scope(AnnualPlan, request.user, pk=pk)
    plan = services.plan_submit(actor=request.user, plan=plan)
    stage = plan.review.current_stage
    messages.success(
        request, f"已报送，当前环节：{stage.name}（{stage.org.name}）。" if stage else "已报送。"
    )
    return redirect("planning:plan_detail", pk=pk)


@role_required(*WRITERS)
def plan_edit(request, pk: int):
    plan = get_in_scope(AnnualPlan, request.user, pk=pk)
    form = PlanHeaderForm(request.POST or None, initial={"year": plan.year, "reason": plan.reason})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form_error(form, exc)
        else:
            return redirect("planning:plan_detail", pk=pk)
    return render(
        request, "planning/simple_form.html", {"form": form, "plan": plan, "page_title": "编制说明"}
    )


def _item_in_scope(request, pk: int) -> PlanItem:
    item = PlanItem.objects.filter(pk=pk).first()
    if item is None:
        raise NotFound("计划项目不存在")
    get_in_scope(AnnualPlan, request.user, pk=item.plan_id)
    return item


@role_required(*WRITERS)
def item_add(request, pk: int):
    plan = get_in_scope(AnnualPlan, request.user, pk=pk)
    form = PlanItemForm(request.POST or None, unit=plan.unit, initial={"category": "employment", "level": 5})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_add(actor=request.user, plan=plan, item=form.item())
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已添加计划项目。")
            return redirect("planning:plan_detail", pk=pk)
    return render(
        request, "planning/item_form.html", {"form": form, "plan": plan, "page_title": "添加计划项目"}
    )


@role_required(*WRITERS)
def item_edit(request, pk: int):
    item = _item_in_scope(request, pk)
    initial = {f: getattr(item, f) for f in services.ITEM_FIELDS}
    form = PlanItemForm(request.POST or None, unit=item.plan.unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_update(actor=request.user, item=item, data=form.item())
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已修改计划项目。")
            return redirect("planning:plan_detail", pk=item.plan_id)
    return render(
        request, "planning/item_form.html", {"form": form, "plan": item.plan, "page_title": "修改计划项目"}
    )


@login_required
@require_POST
def item_delete(request, pk: int):
    item = _item_in_scope(request, pk)
    services.plan_item_delete(actor=request.user, item=item)
    messages.success(request, "已删除计划项目。")
    return redirect("planning:plan_detail", pk=item.plan_id)


@role_required(*WRITERS)
def adjustment_create(request, pk: int):
    plan = get_in_scope(AnnualPlan, request.user, pk=pk)
    form = AdjustmentForm(request.POST or None, initial={"kind": request.GET.get("kind", "adjustment")})
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = services.plan_adjustment_create(
                actor=request.user,
                plan=plan,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已创建{adjustment}（草稿），请修改计划项目后报送。")
            return redirect("planning:plan_detail", pk=adjustment.pk)
    return render(
        request,
        "planning/simple_form.html",
        {"form": form, "plan": plan, "page_title": "计划调整 / 临时增加项目"},
    )


@login_required
def compilation(request):
    """The bureau's provincial plan (安徽 附件2), the lead prison's 附件1 summary; anyone sees their own scope."""
    form = YearForm(request.GET or {"year": timezone.localdate().year})
    year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
    rows = selectors.compilation(request.user, year=year)
    export = request.GET.get("export")
    org = request.user.organisation
    if export == "ah2":
        sheet = documents.ah_attachment2(year, org.name, rows)
        return documents.xlsx_form(f"全省服刑人员、戒毒人员培训计划表-{year}.xlsx", sheet)
    if export == "cz1":
        sheet = documents.cz_attachment1(year, [(r.unit.name, r.items) for r in rows if r.plan])
        return documents.xlsx_form(f"年度监狱培训项目及人员信息表-{year}.xlsx", sheet)
    if export == "xlsx":
        data = ((r.city, r.unit.name, r.status, r.trainees, float(r.budget)) for r in rows)
        headers = ["驻在地市", "单位", "计划状态", "年度培训计划数（人）", "经费预算数（元）"]
        return xlsx_response(f"计划汇总-{year}.xlsx", "计划汇总", headers, data)
    return render(
        request,
        "planning/compilation.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "total_trainees": sum(r.trainees for r in rows),
            "total_budget": sum(r.budget for r in rows),
            "page_title": f"{year}年度计划汇总",
        },
    )


# ---- agreements ---------------------------------------------------------------------------------------------

AGREEMENT_HEADERS = [
    "协议编号",
    "甲方",
    "乙方",
    "培训内容",
    "培训人数",
    "合作期限自",
    "合作期限至",
    "状态",
    "签订日期",
    "终止日期",
]


@login_required
def agreement_list(request):
    form = AgreementFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    agreements = selectors.agreements_for_user(
        request.user, status=data.get("status") or None, q=(data.get("q") or "").strip()
    )
    if request.GET.get("export") == "xlsx":
        rows = (
            (
                a.number,
                a.unit.name,
                a.institution.name,
                a.content,
                a.trainees,
                a.valid_from.isoformat(),
                a.valid_to.isoformat(),
                a.get_status_display(),
                a.unit_signed_on and a.unit_signed_on.isoformat(),
                a.terminated_on and a.terminated_on.isoformat(),
            )
            for a in agreements.iterator(chunk_size=1000)
        )
        return xlsx_response("合作协议.xlsx", "合作协议", AGREEMENT_HEADERS, rows)
    page = Paginator(agreements, 20).get_page(request.GET.get("page"))
    own = request.user.organisation
    return render(
        request,
        "planning/agreement_list.html",
        {
            "form": form,
            "page": page,
            "can_create": own.org_type in UNIT_TYPES and request.user.has_role(*WRITERS),
            "page_title": "合作协议",
        },
    )


def _agreement_initial(unit, institution) -> dict:
    return services.party_defaults(unit, institution)


@role_required(*WRITERS)
def agreement_create(request):
    unit = request.user.organisation
    institution = None
    if request.method == "GET" and request.GET.get("institution"):
        institution = Organisation.objects.filter(
            pk=request.GET["institution"], org_type="training_institution"
        ).first()
    initial = {"institution": institution, **_agreement_initial(unit, institution)}
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request.user,
                unit=unit,
                institution=form.cleaned_data["institution"],
                **form.fields_for_service(),
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已起草合作协议 {agreement.number}。")
            return redirect("planning:agreement_detail", pk=agreement.pk)
    return render(
        request,
        "planning/agreement_form.html",
        {"form": form, "agreement": None, "page_title": "起草合作协议"},
    )


@role_required(*WRITERS)
def agreement_edit(request, pk: int):
    agreement = get_in_scope(Agreement, request.user, pk=pk)
    initial = {f: getattr(agreement, f) for f in services.AGREEMENT_FIELDS} | {
        "institution": agreement.institution
    }
    form = AgreementForm(request.POST or None, initial=initial)
    form.fields["institution"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(actor=request.user, agreement=agreement, **form.fields_for_service())
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("planning:agreement_detail", pk=pk)
    return render(
        request,
        "planning/agreement_form.html",
        {"form": form, "agreement": agreement, "page_title": "修改合作协议"},
    )


@login_required
def agreement_detail(request, pk: int):
    agreement = get_in_scope(Agreement, request.user, pk=pk)
    can_write = _can_write(request.user, agreement)
    return render(
        request,
        "planning/agreement_detail.html",
        {
            "agreement": agreement,
            "can_write": can_write,
            "sign_form": AgreementSignForm()
            if can_write and agreement.status == AgreementStatus.DRAFT
            else None,
            "terminate_form": AgreementTerminateForm()
            if can_write and agreement.status == AgreementStatus.SIGNED
            else None,
            "page_title": f"合作协议 {agreement.number}",
        },
    )


@login_required
@require_POST
def agreement_sign(request, pk: int):
    agreement = get_in_scope(Agreement, request.user, pk=pk)
    form = AgreementSignForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ServiceError(f"{form.fields[field].label}：{errors[0]}", field=field)
    services.agreement_sign(actor=request.user, agreement=agreement, **form.cleaned_data)
    messages.success(request, "已登记协议签订，协议生效。")
    return redirect("planning:agreement_detail", pk=pk)


@login_required
@require_POST
def agreement_terminate(request, pk: int):
    agreement = get_in_scope(Agreement, request.user, pk=pk)
    form = AgreementTerminateForm(request.POST)
    form.is_valid()
    services.agreement_terminate(
        actor=request.user,
        agreement=agreement,
        terminated_on=form.cleaned_data.get("terminated_on"),
        reason=form.cleaned_data.get("termination_reason", ""),
    )
    messages.success(request, "协议已终止。")
    return redirect("planning:agreement_detail", pk=pk)


@login_required
def agreement_pdf(request, pk: int):
    agreement = get_in_scope(Agreement, request.user, pk=pk)
    return pdf.pdf_response(f"合作协议-{agreement.number}.pdf", documents.agreement_pdf(agreement))
