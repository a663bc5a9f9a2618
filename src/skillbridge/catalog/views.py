"""Pages of the catalogue, institution directory and designation. Every list exports to xlsx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillbridge.accounts.models import Organisation
from skillbridge.errors import Forbidden, ServiceError
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error

from . import selectors, services
from .forms import (
    ApplyForm,
    ApprovedOccupationForm,
    CallForm,
    DecideForm,
    DesignationFilterForm,
    DishonestyForm,
    ExemptForm,
    OccupationFilterForm,
    ProfileForm,
    RevokeForm,
    ShortageForm,
    SpecialItemForm,
    StandardChangeForm,
    StandardFilterForm,
    StandardForm,
)
from .models import (
    INSTITUTION_TYPES,
    ApprovedOccupation,
    CertificateType,
    Designation,
    DesignationApplication,
    DesignationCall,
    DishonestyRecord,
    InstitutionProfile,
    Occupation,
    ShortageOccupation,
    SkillLevel,
    SpecialAbilityItem,
    SubsidyStandard,
)
from .selectors import STANDARD_ORDER

PAGE_SIZE = 20
CITY_DESIGNATORS = ("city_hrss", "city_justice")


def _city(request) -> str:
    return request.user.organisation.city_prefix + "00"


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _exporting(request) -> bool:
    return request.GET.get("export") == "xlsx"


def _form_error(form, exc: ServiceError) -> None:
    if isinstance(exc, Forbidden):
        raise exc
    form_error(form, exc)


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise Forbidden("您没有执行此操作的权限")


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _form_page(request, form, title: str, back: str, **extra):
    return render(request, "catalog/form.html", {"form": form, "page_title": title, "back": back, **extra})


@login_required
def index(request):
    return render(request, "catalog/index.html", {"page_title": "目录与机构"})


# ---- occupations, levels, certificate types, special-ability items -----------------------------------


@login_required
def occupation_list(request):
    form = OccupationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"q": "", "level": None}
    occupations = selectors.occupation_search(request.user, data["q"] or "", level=data["level"])
    if _exporting(request):
        rows = (
            (
                o.code,
                o.name,
                o.level_name,
                o.parent.code if o.parent else "",
                _yes(o.green),
                _yes(o.digital),
                o.national_certificate_type.name if o.national_certificate_type_id else "",
            )
            for o in occupations.iterator(chunk_size=1000)
        )
        headers = ["职业编码", "名称", "层级", "上级分类编码", "绿色职业", "数字职业", "可评价的国家证书"]
        return xlsx_response("国家职业分类.xlsx", "国家职业分类", headers, rows)
    can_set_route = request.user.organisation.org_type in services.ROUTE_SETTERS and request.user.has_role(
        *services.WRITE_ROLES
    )
    route_types = CertificateType.objects.filter(is_national=True, has_levels=True, for_special_items=False)
    return render(
        request,
        "catalog/occupation_list.html",
        {
            "form": form,
            "page": _page(request, occupations),
            "can_set_route": can_set_route,
            "route_types": route_types,
            "page_title": "国家职业分类（2022）",
        },
    )


@login_required
@require_POST
def occupation_route(request, pk: int):
    """The HRSS records which national certificate an evaluation institution can award for an occupation
    (the assessment route, 002 二(七)); empty means the training institution's completion exam."""
    occupation = get_object_or_404(Occupation.objects.for_user(request.user), pk=pk)
    code = request.POST.get("certificate_type", "")
    cert_type = CertificateType.objects.filter(pk=code).first() if code else None
    if code and cert_type is None:
        raise ServiceError("证书类型不存在", field="certificate_type")
    services.occupation_route_set(actor=request.user, occupation=occupation, certificate_type=cert_type)
    label = cert_type.name if cert_type else "无（培训机构结业考核）"
    messages.success(request, f"已将“{occupation.name}”的可评价国家证书设为：{label}。")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/catalog/") else "catalog:occupation_list")


@login_required
def reference(request):
    levels = SkillLevel.objects.for_user(request.user)
    cert_types = CertificateType.objects.for_user(request.user)
    if request.GET.get("export") == "levels":
        rows = ((lv.code, lv.name, lv.title) for lv in levels)
        return xlsx_response("技能等级.xlsx", "技能等级", ["等级", "名称", "对应称谓"], rows)
    if request.GET.get("export") == "certificate_types":
        rows = (
            (c.code, c.name, "国家证书" if c.is_national else "培训机构颁发", _yes(c.has_levels))
            for c in cert_types
        )
        return xlsx_response("证书类型.xlsx", "证书类型", ["代码", "名称", "类别", "分等级"], rows)
    return render(
        request,
        "catalog/reference.html",
        {"levels": levels, "cert_types": cert_types, "page_title": "技能等级与证书类型"},
    )


@login_required
def item_list(request):
    region = request.GET.get("region") or _city(request)
    items = (
        SpecialAbilityItem.objects.for_user(request.user)
        .filter(region_code=region)
        .select_related("occupation")
    )
    if _exporting(request):
        rows = ((i.code, i.name, i.region_code, i.occupation.code if i.occupation else "") for i in items)
        return xlsx_response(
            "专项职业能力.xlsx", "专项职业能力", ["项目编码", "项目名称", "地区", "对应职业编码"], rows
        )
    can_manage = selectors.is_city_authority(request.user, region)
    form = SpecialItemForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        _deny_unless(can_manage)
        if form.is_valid():
            try:
                services.special_item_create(actor=request.user, region_code=region, **form.cleaned_data)
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "专项职业能力项目已添加。")
                return redirect(f"{request.path}?region={region}")
    return render(
        request,
        "catalog/item_list.html",
        {"page": _page(request, items), "form": form, "region": region, "page_title": "专项职业能力"},
    )


# ---- subsidy standards -------------------------------------------------------------------------------

STANDARD_HEADERS = [
    "地区",
    "年度",
    "职业/项目编码",
    "名称",
    "等级",
    "证书类型",
    "补贴标准（元）",
    "生效日期",
    "失效日期",
    "备注",
]


def _filtered_standards(request):
    form = StandardFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    region = data.get("region") or _city(request)
    standards = SubsidyStandard.objects.for_user(request.user).filter(region_code=region)
    if data.get("year"):
        standards = standards.filter(year=data["year"])
    if data.get("q"):
        q = data["q"].strip()
        standards = standards.filter(
            Q(occupation__code__startswith=q)
            | Q(occupation__name__contains=q)
            | Q(special_item__code__startswith=q)
            | Q(special_item__name__contains=q)
        )
    if not data.get("history"):
        standards = standards.filter(valid_to__isnull=True)
    standards = standards.select_related("occupation", "special_item", "level", "certificate_type")
    return form, region, standards.order_by(*STANDARD_ORDER)


def _standard_row(s: SubsidyStandard):
    return (
        s.region_code,
        s.year,
        s.subject_code,
        s.subject_name,
        str(s.level) if s.level else "",
        s.certificate_type.name,
        s.amount,
        s.valid_from,
        s.valid_to or "",
        s.note,
    )


@login_required
def standard_list(request):
    form, region, standards = _filtered_standards(request)
    if _exporting(request):
        rows = (_standard_row(s) for s in standards.iterator(chunk_size=1000))
        return xlsx_response("补贴标准.xlsx", "补贴标准", STANDARD_HEADERS, rows)
    return render(
        request,
        "catalog/standard_list.html",
        {
            "form": form,
            "page": _page(request, standards),
            "region": region,
            "can_manage": selectors.is_city_authority(request.user, region),
            "page_title": "补贴职业目录与补贴标准",
        },
    )


@login_required
def standard_create(request):
    region = _city(request)
    _deny_unless(selectors.is_city_authority(request.user, region))
    form = StandardForm(request.POST or None, region_code=region, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(actor=request.user, region_code=region, **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "补贴标准已新增。")
            return redirect("catalog:standard_detail", pk=standard.pk)
    return _form_page(request, form, "新增补贴标准", "catalog:standard_list")


@login_required
def standard_detail(request, pk: int):
    standard = get_object_or_404(
        SubsidyStandard.objects.for_user(request.user).select_related(
            "occupation", "special_item", "level", "certificate_type"
        ),
        pk=pk,
    )
    history = selectors.standard_history(standard)
    if _exporting(request):
        rows = (_standard_row(s) for s in history)
        return xlsx_response("补贴标准调整记录.xlsx", "调整记录", STANDARD_HEADERS, rows)
    current = history.filter(valid_to__isnull=True).first()
    can_manage = selectors.is_city_authority(request.user, standard.region_code) and current is not None
    form = StandardChangeForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        _deny_unless(can_manage)
        if form.is_valid():
            try:
                new = services.standard_change(actor=request.user, standard=current, **form.cleaned_data)
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "补贴标准已调整，原标准已失效并保留为历史记录。")
                return redirect("catalog:standard_detail", pk=new.pk)
    return render(
        request,
        "catalog/standard_detail.html",
        {
            "standard": standard,
            "history": history,
            "current": current,
            "form": form,
            "page_title": f"补贴标准：{standard.subject_name}",
        },
    )


# ---- shortage list -----------------------------------------------------------------------------------


@login_required
def shortage_list(request):
    region = request.GET.get("region") or _city(request)
    year = request.GET.get("year") or ""
    entries = (
        ShortageOccupation.objects.for_user(request.user)
        .filter(region_code=region)
        .select_related("occupation")
    )
    if year.isdigit():
        entries = entries.filter(year=int(year))
    if _exporting(request):
        rows = ((e.region_code, e.year, e.occupation.code, e.occupation.name, e.note) for e in entries)
        return xlsx_response(
            "紧缺职业目录.xlsx", "紧缺职业目录", ["地区", "年度", "职业编码", "职业名称", "备注"], rows
        )
    can_manage = selectors.is_city_authority(request.user, region)
    form = (
        ShortageForm(request.POST or None, initial={"year": timezone.localdate().year})
        if can_manage
        else None
    )
    if request.method == "POST":
        _deny_unless(can_manage)
        if form.is_valid():
            try:
                services.shortage_add(actor=request.user, region_code=region, **form.cleaned_data)
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "已加入紧缺职业目录。")
                return redirect("catalog:shortage_list")
    return render(
        request,
        "catalog/shortage_list.html",
        {"page": _page(request, entries), "form": form, "region": region, "page_title": "紧缺职业目录"},
    )


@login_required
@require_POST
def shortage_remove(request, pk: int):
    entry = get_object_or_404(ShortageOccupation.objects.for_user(request.user), pk=pk)
    services.shortage_remove(actor=request.user, entry=entry)
    messages.success(request, "已移出紧缺职业目录。")
    return redirect("catalog:shortage_list")


# ---- institution directory ---------------------------------------------------------------------------


@login_required
def institution_list(request):
    orgs = selectors.institutions(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        orgs = orgs.filter(name__contains=q)
    if request.GET.get("type") in INSTITUTION_TYPES:
        orgs = orgs.filter(org_type=request.GET["type"])
    if _exporting(request):
        rows = []
        for o in orgs.iterator(chunk_size=1000):
            p = getattr(o, "institution_profile", None)
            show_bank = p is not None and selectors.can_view_bank_account(request.user, o)
            rows.append(
                (
                    o.name,
                    o.get_org_type_display(),
                    o.region_code,
                    p.credit_code if p else "",
                    p.legal_representative if p else "",
                    p.contact_person if p else "",
                    p.contact_phone if p else "",
                    p.capacity if p else "",
                    p.bank_name if show_bank else "",
                    p.bank_account if show_bank else "",
                )
            )
        headers = [
            "机构名称",
            "类型",
            "行政区划代码",
            "统一社会信用代码",
            "法定代表人",
            "联系人",
            "联系电话",
            "培训能力",
            "开户银行",
            "银行账号",
        ]
        return xlsx_response("培训和评价机构.xlsx", "机构目录", headers, rows)
    return render(
        request,
        "catalog/institution_list.html",
        {"page": _page(request, orgs), "q": q, "page_title": "培训和评价机构目录"},
    )


def _institution(request, org_id: int) -> Organisation:
    return get_object_or_404(selectors.institutions(request.user), pk=org_id)


@login_required
def institution_detail(request, org_id: int):
    org = _institution(request, org_id)
    profile = InstitutionProfile.objects.filter(organisation=org).first()
    today = timezone.localdate()
    return render(
        request,
        "catalog/institution_detail.html",
        {
            "org": org,
            "profile": profile,
            "show_bank": selectors.can_view_bank_account(request.user, org),
            "can_edit": selectors.can_edit_profile(request.user, org),
            "can_approve": selectors.is_city_authority(request.user, org.region_code),
            "can_record": selectors.is_city_authority(request.user, org.region_code, CITY_DESIGNATORS),
            "approved": ApprovedOccupation.objects.filter(institution=org)
            .select_related("occupation", "special_item")
            .prefetch_related("levels"),
            "records": DishonestyRecord.objects.filter(institution=org),
            "designations": Designation.objects.filter(institution=org),
            "designation_now": selectors.designation_for(org, org.region_code, today),
            "approve_form": ApprovedOccupationForm(),
            "today": today,
            "page_title": org.name,
        },
    )


@login_required
def institution_edit(request, org_id: int):
    org = _institution(request, org_id)
    _deny_unless(selectors.can_edit_profile(request.user, org))
    profile = InstitutionProfile.objects.filter(organisation=org).first()
    initial = {f: getattr(profile, f) for f in services.PROFILE_FIELDS} if profile else {}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_profile_save(actor=request.user, institution=org, **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "机构信息已保存。")
            return redirect("catalog:institution_detail", org_id=org.pk)
    return _form_page(request, form, f"编辑机构信息：{org.name}", "catalog:institution_list")


@login_required
@require_POST
def approved_occupation_add(request, org_id: int):
    org = _institution(request, org_id)
    _deny_unless(selectors.is_city_authority(request.user, org.region_code))
    form = ApprovedOccupationForm(request.POST)
    if not form.is_valid():
        raise ServiceError("；".join(e for errs in form.errors.values() for e in errs), field="occupation")
    services.approved_occupation_set(
        actor=request.user,
        institution=org,
        occupation=form.cleaned_data["occupation"],
        levels=list(form.cleaned_data["levels"]),
    )
    messages.success(request, "核准职业（工种）已保存。")
    return redirect("catalog:institution_detail", org_id=org.pk)


@login_required
def dishonesty_create(request, org_id: int):
    org = _institution(request, org_id)
    _deny_unless(selectors.is_city_authority(request.user, org.region_code, CITY_DESIGNATORS))
    form = DishonestyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dishonesty_record_create(actor=request.user, institution=org, **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "失信记录已登记。")
            return redirect("catalog:institution_detail", org_id=org.pk)
    return _form_page(request, form, f"登记失信记录：{org.name}", "catalog:dishonesty_list")


@login_required
def dishonesty_list(request):
    records = DishonestyRecord.objects.for_user(request.user).select_related("institution")
    q = request.GET.get("q", "").strip()
    if q:
        records = records.filter(institution__name__contains=q)
    today = timezone.localdate()
    if _exporting(request):
        rows = (
            (
                r.institution.name,
                r.source,
                r.recorded_on,
                r.until or "长期",
                r.description,
                "有效" if r.active_on(today) else "已过期",
            )
            for r in records.iterator(chunk_size=1000)
        )
        headers = ["机构", "来源", "认定日期", "有效期至", "失信情形", "状态"]
        return xlsx_response("失信记录.xlsx", "失信记录", headers, rows)
    return render(
        request,
        "catalog/dishonesty_list.html",
        {"page": _page(request, records), "q": q, "today": today, "page_title": "机构失信记录"},
    )


# ---- designation -------------------------------------------------------------------------------------


@login_required
def call_list(request):
    calls = DesignationCall.objects.for_user(request.user).select_related("justice_org", "hrss_org")
    if _exporting(request):
        rows = (
            (
                c.title,
                c.region_code,
                c.published_on,
                c.deadline,
                c.period_from,
                c.period_to,
                c.get_status_display(),
            )
            for c in calls
        )
        headers = ["标题", "地区", "发布日期", "申报截止", "定点有效期起", "定点有效期止", "状态"]
        return xlsx_response("定点机构征集公告.xlsx", "征集公告", headers, rows)
    return render(
        request,
        "catalog/call_list.html",
        {
            "page": _page(request, calls),
            "can_create": selectors.is_city_authority(request.user, _city(request), CITY_DESIGNATORS),
            "page_title": "定点机构征集公告",
        },
    )


@login_required
def call_create(request):
    region = _city(request)
    _deny_unless(selectors.is_city_authority(request.user, region, CITY_DESIGNATORS))
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.designation_call_create(
                actor=request.user, region_code=region, **form.cleaned_data
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "征集公告已发布。")
            return redirect("catalog:call_detail", pk=call.pk)
    return _form_page(request, form, "发布定点机构征集公告", "catalog:call_list")


@login_required
def call_detail(request, pk: int):
    call = get_object_or_404(DesignationCall.objects.for_user(request.user), pk=pk)
    applications = (
        DesignationApplication.objects.for_user(request.user)
        .filter(call=call)
        .select_related("institution")
        .prefetch_related("occupations")
    )
    if _exporting(request):
        rows = (
            (
                a.institution.name,
                "、".join(f"{o.code} {o.name}" for o in a.occupations.all()),
                a.submitted_at.strftime("%Y-%m-%d %H:%M"),
                a.get_status_display(),
                a.opinion,
            )
            for a in applications
        )
        headers = ["申报机构", "申报职业（工种）", "申报时间", "状态", "认定意见"]
        return xlsx_response("定点认定申报.xlsx", "申报", headers, rows)
    user = request.user
    can_apply = (
        user.organisation.org_type in INSTITUTION_TYPES
        and user.has_role("operator", "unit_head")
        and call.status == "published"
        and timezone.localdate() <= call.deadline
        and not DesignationApplication.objects.filter(call=call, institution=user.organisation).exists()
    )
    can_decide = selectors.is_city_authority(user, call.region_code, CITY_DESIGNATORS) and user.has_role(
        "reviewer", "unit_head"
    )
    return render(
        request,
        "catalog/call_detail.html",
        {
            "call": call,
            "applications": applications,
            "apply_form": ApplyForm() if can_apply else None,
            "decide_form": DecideForm() if can_decide else None,
            "can_close": selectors.is_city_authority(user, call.region_code, CITY_DESIGNATORS)
            and call.status == "published",
            "page_title": call.title,
        },
    )


@login_required
@require_POST
def call_apply(request, pk: int):
    call = get_object_or_404(DesignationCall.objects.for_user(request.user), pk=pk)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        raise ServiceError("；".join(e for errs in form.errors.values() for e in errs), field="occupations")
    services.designation_apply(actor=request.user, call=call, **form.cleaned_data)
    messages.success(request, "申报已提交。")
    return redirect("catalog:call_detail", pk=call.pk)


@login_required
@require_POST
def call_close(request, pk: int):
    call = get_object_or_404(DesignationCall.objects.for_user(request.user), pk=pk)
    services.designation_call_close(actor=request.user, call=call)
    messages.success(request, "公告已截止。")
    return redirect("catalog:call_detail", pk=call.pk)


@login_required
@require_POST
def application_decide(request, pk: int):
    application = get_object_or_404(DesignationApplication.objects.for_user(request.user), pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        raise ServiceError("请选择认定结论", field="decision")
    data = form.cleaned_data
    services.designation_decide(
        actor=request.user,
        application=application,
        approve=data["decision"] == "approve",
        opinion=data["opinion"],
        valid_from=data["valid_from"],
        valid_to=data["valid_to"],
    )
    messages.success(request, "认定结论已保存。")
    return redirect("catalog:call_detail", pk=application.call_id)


DESIGNATION_HEADERS = [
    "机构",
    "地区",
    "有效期起",
    "有效期止",
    "认定方式",
    "依据",
    "状态",
    "撤销日期",
    "撤销原因",
]


def _designation_status(d: Designation, today) -> str:
    if d.revoked_on is not None and d.revoked_on <= today:
        return "已撤销"
    if d.valid_to < today:
        return "已到期"
    if d.valid_from > today:
        return "未生效"
    return "有效"


@login_required
def designation_list(request):
    form = DesignationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    designations = Designation.objects.for_user(request.user).select_related("institution")
    if data.get("region"):
        designations = designations.filter(region_code=data["region"][:4] + "00")
    if data.get("q"):
        designations = designations.filter(institution__name__contains=data["q"])
    if data.get("on"):
        on = data["on"]
        designations = designations.filter(valid_from__lte=on, valid_to__gte=on).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=on)
        )
    today = timezone.localdate()
    if _exporting(request):
        rows = (
            (
                d.institution.name,
                d.region_code,
                d.valid_from,
                d.valid_to,
                d.get_basis_display(),
                d.basis_note,
                _designation_status(d, today),
                d.revoked_on or "",
                d.revoke_reason,
            )
            for d in designations.iterator(chunk_size=1000)
        )
        return xlsx_response("定点机构.xlsx", "定点机构", DESIGNATION_HEADERS, rows)
    page = _page(request, designations)
    for d in page:
        d.status_text = _designation_status(d, today)
    return render(
        request,
        "catalog/designation_list.html",
        {
            "form": form,
            "page": page,
            "can_exempt": selectors.is_city_authority(request.user, _city(request), CITY_DESIGNATORS),
            "page_title": "定点培训机构",
        },
    )


@login_required
def designation_detail(request, pk: int):
    designation = get_object_or_404(
        Designation.objects.for_user(request.user).select_related("institution", "call", "previous"), pk=pk
    )
    can_revoke = (
        selectors.is_city_authority(request.user, designation.region_code, CITY_DESIGNATORS)
        and request.user.has_role("reviewer", "unit_head")
        and designation.revoked_on is None
    )
    form = RevokeForm(request.POST or None) if can_revoke else None
    if request.method == "POST":
        _deny_unless(can_revoke)
        if form.is_valid():
            try:
                services.designation_revoke(
                    actor=request.user,
                    designation=designation,
                    reason=form.cleaned_data["reason"],
                    effective_on=form.cleaned_data["effective_on"],
                )
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "定点认定已撤销。")
                return redirect("catalog:designation_detail", pk=pk)
    designation.status_text = _designation_status(designation, timezone.localdate())
    return render(
        request,
        "catalog/designation_detail.html",
        {"d": designation, "form": form, "page_title": f"定点认定：{designation.institution.name}"},
    )


@login_required
def designation_exempt(request):
    region = _city(request)
    _deny_unless(
        selectors.is_city_authority(request.user, region, CITY_DESIGNATORS)
        and request.user.has_role("reviewer", "unit_head")
    )
    form = ExemptForm(request.POST or None, region_code=region)
    if request.method == "POST" and form.is_valid():
        try:
            designation = services.designation_exempt(
                actor=request.user, region_code=region, **form.cleaned_data
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已免于重新认定，定点有效期已延续。")
            return redirect("catalog:designation_detail", pk=designation.pk)
    return _form_page(request, form, "免于重新认定", "catalog:designation_list")
