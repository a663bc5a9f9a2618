"""Every write to the catalogue, institution directory and designation: one transaction, one audit event.

Who may write:
- special-ability items, subsidy standards, the shortage list: the city HRSS of that city only;
- an institution profile: the institution itself or the HRSS of its city; approved occupations: that HRSS;
- dishonesty records: the HRSS or justice bureau of the institution's city;
- designation calls, decisions, exemptions and revocations: the justice bureau or the HRSS of the city
  (they act jointly, 001 五(二)); applications: the institution itself.
`actor=None` is the platform itself (demo loader, data fixes), which may do anything.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation, OrgType, Role
from skillbridge.accounts.services import require_role
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError

from . import selectors
from .models import (
    INSTITUTION_TYPES,
    ApplicationStatus,
    ApprovedOccupation,
    CallStatus,
    CertificateType,
    Designation,
    DesignationApplication,
    DesignationBasis,
    DesignationCall,
    DishonestyRecord,
    InstitutionProfile,
    Occupation,
    ShortageOccupation,
    SkillLevel,
    SpecialAbilityItem,
    SubsidyStandard,
)
from .validators import city_region, credit_code_problem

WRITE_ROLES = (Role.OPERATOR, Role.REVIEWER, Role.UNIT_HEAD)
DECIDE_ROLES = (Role.REVIEWER, Role.UNIT_HEAD)
CITY_DESIGNATORS = (OrgType.CITY_HRSS, OrgType.CITY_JUSTICE)


def _today() -> dt.date:
    return timezone.localdate()


def _check_region(region_code: str) -> str:
    if not (isinstance(region_code, str) and len(region_code) == 6 and region_code.isdigit()):
        raise ServiceError("地区代码须为6位行政区划代码", field="region_code")
    return city_region(region_code)


def require_city_org(actor, region_code: str, org_types=(OrgType.CITY_HRSS,), roles=WRITE_ROLES) -> None:
    """The actor's organisation must be one of `org_types` of the city of `region_code`."""
    if actor is None:
        return
    org = actor.organisation
    if org.org_type not in org_types or org.city_prefix != region_code[:4]:
        names = "或".join(OrgType(t).label for t in org_types)
        raise Forbidden(f"只有本市{names}可以执行此操作")
    require_role(actor, *roles)


def _org(actor) -> Organisation | None:
    return actor.organisation if actor is not None else None


# ---- special-ability items ---------------------------------------------------------------------------


@transaction.atomic
def special_item_create(
    *, actor, region_code: str, code: str, name: str, occupation: Occupation | None = None
) -> SpecialAbilityItem:
    region = _check_region(region_code)
    require_city_org(actor, region)
    code, name = code.strip(), name.strip()
    if not code:
        raise ServiceError("项目编码不能为空", field="code")
    if not name:
        raise ServiceError("项目名称不能为空", field="name")
    if SpecialAbilityItem.objects.filter(region_code=region, code=code).exists():
        raise Conflict(f"本市已有编码为“{code}”的专项职业能力项目", field="code")
    item = SpecialAbilityItem.objects.create(
        region_code=region, code=code, name=name, occupation=occupation, maintained_by=_org(actor)
    )
    audit_record(
        action="catalog.special_item.create",
        actor=actor,
        obj=item,
        changes={"region_code": region, "code": code, "name": name},
    )
    return item


# ---- subsidy standards -------------------------------------------------------------------------------


def standard_subject_problem(
    *, occupation: Occupation | None, special_item: SpecialAbilityItem | None, level, certificate_type
) -> tuple[str, str] | None:
    """(field, message) if this combination cannot carry a standard, else None. Shared with the importer."""
    if (occupation is None) == (special_item is None):
        return "occupation", "须且只能填写职业或专项职业能力之一"
    if occupation is not None and occupation.level != 4:
        return "occupation", f"“{occupation.code}”是{occupation.level_name}编码，补贴标准须对应职业（细类）"
    if special_item is not None and not certificate_type.for_special_items:
        return "certificate_type", "专项职业能力项目的证书类型须为专项职业能力证书"
    if occupation is not None and certificate_type.for_special_items:
        return "certificate_type", "专项职业能力证书须对应专项职业能力项目，而非职业"
    if certificate_type.has_levels and level is None:
        return "level", f"{certificate_type.name}须填写等级"
    if not certificate_type.has_levels and level is not None:
        return "level", f"{certificate_type.name}不分等级，等级须为空"
    return None


def clean_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ServiceError("补贴标准须为金额（元）", field="amount") from None
    if not value.is_finite() or value < 0:
        raise ServiceError("补贴标准不能为负数", field="amount")
    if value != value.quantize(Decimal("0.01")):
        raise ServiceError("补贴标准最多保留两位小数（元、角、分）", field="amount")
    if value >= Decimal("100000000"):
        raise ServiceError("补贴标准金额过大", field="amount")
    return value.quantize(Decimal("0.01"))


def _check_year_date(year: int, day: dt.date, field: str) -> None:
    if day.year != year:
        raise ServiceError(f"生效日期须在{year}年度内", field=field)


@transaction.atomic
def standard_create(
    *,
    actor,
    region_code: str,
    year: int,
    certificate_type: CertificateType,
    amount,
    occupation: Occupation | None = None,
    special_item: SpecialAbilityItem | None = None,
    level: SkillLevel | None = None,
    valid_from: dt.date | None = None,
    note: str = "",
) -> SubsidyStandard:
    region = _check_region(region_code)
    require_city_org(actor, region)
    if not 2000 <= int(year) <= 2100:
        raise ServiceError("年度不正确", field="year")
    problem = standard_subject_problem(
        occupation=occupation, special_item=special_item, level=level, certificate_type=certificate_type
    )
    if problem:
        raise ServiceError(problem[1], field=problem[0])
    if special_item is not None and special_item.region_code != region:
        raise ServiceError("专项职业能力项目不属于本市", field="special_item")
    value = clean_amount(amount)
    valid_from = valid_from or dt.date(year, 1, 1)
    _check_year_date(year, valid_from, "valid_from")
    subject = occupation or special_item
    key = selectors.key_for(subject, level, certificate_type)
    if SubsidyStandard.objects.filter(region_code=region, year=year, key=key).exists():
        raise Conflict(
            "该职业（项目）、等级、证书类型本年度已有补贴标准，请使用“调整标准”", field="occupation"
        )
    standard = SubsidyStandard.objects.create(
        region_code=region,
        year=year,
        occupation=occupation,
        special_item=special_item,
        level=level,
        certificate_type=certificate_type,
        key=key,
        amount=value,
        valid_from=valid_from,
        note=note.strip(),
        maintained_by=_org(actor),
        created_by=actor,
    )
    audit_record(
        action="catalog.standard.create",
        actor=actor,
        obj=standard,
        changes={"region_code": region, "year": year, "key": key, "amount": value, "valid_from": valid_from},
    )
    return standard


@transaction.atomic
def standard_change(
    *, actor, standard: SubsidyStandard, amount, effective_on: dt.date, note: str = ""
) -> SubsidyStandard:
    """Close the standard the day before `effective_on` and create the new amount from that day."""
    require_city_org(actor, standard.region_code)
    old = SubsidyStandard.objects.select_for_update().get(pk=standard.pk)
    if old.valid_to is not None:
        raise Conflict("该标准已被调整（已失效），请在当前有效的标准上调整", field="amount")
    value = clean_amount(amount)
    _check_year_date(old.year, effective_on, "effective_on")
    if effective_on <= old.valid_from:
        raise ServiceError(f"调整生效日期须晚于原标准生效日期（{old.valid_from}）", field="effective_on")
    if value == old.amount:
        raise ServiceError("新标准与原标准金额相同，无需调整", field="amount")
    old.valid_to = effective_on - dt.timedelta(days=1)
    old.save(update_fields=["valid_to"])
    new = SubsidyStandard.objects.create(
        region_code=old.region_code,
        year=old.year,
        occupation_id=old.occupation_id,
        special_item_id=old.special_item_id,
        level_id=old.level_id,
        certificate_type_id=old.certificate_type_id,
        key=old.key,
        amount=value,
        valid_from=effective_on,
        previous=old,
        note=note.strip(),
        maintained_by=_org(actor),
        created_by=actor,
    )
    audit_record(
        action="catalog.standard.change",
        actor=actor,
        obj=new,
        changes={"previous": old.pk, "amount": [old.amount, value], "effective_on": effective_on},
    )
    return new


# ---- shortage list -----------------------------------------------------------------------------------


@transaction.atomic
def shortage_add(
    *, actor, region_code: str, year: int, occupation: Occupation, note: str = ""
) -> ShortageOccupation:
    region = _check_region(region_code)
    require_city_org(actor, region)
    if occupation.level != 4:
        raise ServiceError("紧缺职业须为职业（细类）", field="occupation")
    if ShortageOccupation.objects.filter(region_code=region, year=year, occupation=occupation).exists():
        raise Conflict(f"“{occupation.name}”已在{year}年度紧缺职业目录中", field="occupation")
    entry = ShortageOccupation.objects.create(
        region_code=region, year=year, occupation=occupation, note=note.strip(), maintained_by=_org(actor)
    )
    audit_record(
        action="catalog.shortage.add",
        actor=actor,
        obj=entry,
        changes={"region_code": region, "year": year, "occupation": occupation.code},
    )
    return entry


@transaction.atomic
def shortage_remove(*, actor, entry: ShortageOccupation) -> None:
    require_city_org(actor, entry.region_code)
    audit_record(
        action="catalog.shortage.remove",
        actor=actor,
        obj=entry,
        changes={"region_code": entry.region_code, "year": entry.year, "occupation": entry.occupation.code},
    )
    entry.delete()


# ---- institution directory ---------------------------------------------------------------------------

PROFILE_FIELDS = (
    "credit_code",
    "legal_representative",
    "address",
    "contact_person",
    "contact_phone",
    "bank_name",
    "bank_account",
    "qualifications",
    "capacity",
)
REQUIRED_PROFILE_FIELDS = {
    "credit_code": "统一社会信用代码",
    "legal_representative": "法定代表人",
    "address": "地址",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
}


def _require_institution(institution: Organisation) -> None:
    if institution.org_type not in INSTITUTION_TYPES:
        raise ServiceError("只有培训机构、评价机构可以登记机构信息", field="institution")


@transaction.atomic
def institution_profile_save(*, actor, institution: Organisation, **fields) -> InstitutionProfile:
    """Create or update the profile; fields are those of PROFILE_FIELDS."""
    _require_institution(institution)
    if actor is not None and not selectors.can_edit_profile(actor, institution):
        raise Forbidden("只有机构本身或所在市人力资源和社会保障局可以修改机构信息")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(f"不可修改的字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    profile = InstitutionProfile.objects.select_for_update().filter(organisation=institution).first()
    values = {f: getattr(profile, f) for f in PROFILE_FIELDS} if profile else {}
    values.update({k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()})
    for field, label in REQUIRED_PROFILE_FIELDS.items():
        if not values.get(field):
            raise ServiceError(f"{label}不能为空", field=field)
    values["credit_code"] = values["credit_code"].upper()
    problem = credit_code_problem(values["credit_code"])
    if problem:
        raise ServiceError(problem, field="credit_code")
    taken = InstitutionProfile.objects.filter(credit_code=values["credit_code"]).exclude(
        organisation=institution
    )
    if taken.exists():
        raise Conflict("该统一社会信用代码已被其他机构使用", field="credit_code")
    capacity = values.get("capacity") or 0
    if int(capacity) < 0:
        raise ServiceError("培训能力不能为负数", field="capacity")
    values["capacity"] = int(capacity)
    for f in ("bank_name", "bank_account", "qualifications"):
        values.setdefault(f, "")
    if profile is None:
        profile = InstitutionProfile.objects.create(organisation=institution, **values)
        changes = {k: v for k, v in values.items()}
        action = "catalog.institution.create"
    else:
        changes = {}
        for field, value in values.items():
            if getattr(profile, field) != value:
                changes[field] = [getattr(profile, field), value]
                setattr(profile, field, value)
        if not changes:
            return profile
        profile.save()
        action = "catalog.institution.update"
    audit_record(action=action, actor=actor, obj=profile, changes=changes)
    return profile


@transaction.atomic
def approved_occupation_set(
    *,
    actor,
    institution: Organisation,
    levels: list[SkillLevel],
    occupation: Occupation | None = None,
    special_item: SpecialAbilityItem | None = None,
) -> ApprovedOccupation:
    """Approve an institution for an occupation (or item) at `levels`; replaces the levels if approved."""
    _require_institution(institution)
    require_city_org(actor, institution.region_code)
    if (occupation is None) == (special_item is None):
        raise ServiceError("须且只能选择职业或专项职业能力之一", field="occupation")
    if occupation is not None and occupation.level != 4:
        raise ServiceError("核准职业须为职业（细类）", field="occupation")
    entry, _ = ApprovedOccupation.objects.get_or_create(
        institution=institution, occupation=occupation, special_item=special_item
    )
    entry.levels.set(levels)
    audit_record(
        action="catalog.approved_occupation.set",
        actor=actor,
        obj=entry,
        changes={
            "institution": institution.pk,
            "subject": occupation.code if occupation else special_item.code,
            "levels": sorted(level.code for level in levels),
        },
    )
    return entry


@transaction.atomic
def dishonesty_record_create(
    *,
    actor,
    institution: Organisation,
    source: str,
    recorded_on: dt.date,
    description: str,
    until: dt.date | None = None,
) -> DishonestyRecord:
    _require_institution(institution)
    require_city_org(actor, institution.region_code, CITY_DESIGNATORS)
    if not source.strip():
        raise ServiceError("来源不能为空", field="source")
    if not description.strip():
        raise ServiceError("失信情形不能为空", field="description")
    if until is not None and until < recorded_on:
        raise ServiceError("有效期至不能早于认定日期", field="until")
    record = DishonestyRecord.objects.create(
        institution=institution,
        source=source.strip(),
        recorded_on=recorded_on,
        until=until,
        description=description.strip(),
        recorded_by_org=_org(actor),
        created_by=actor,
    )
    audit_record(
        action="catalog.dishonesty.create",
        actor=actor,
        obj=record,
        changes={
            "institution": institution.pk,
            "source": record.source,
            "recorded_on": recorded_on,
            "until": until,
        },
    )
    return record


# ---- designation -------------------------------------------------------------------------------------


def _city_org(region: str, org_type: str) -> Organisation:
    orgs = list(
        Organisation.objects.filter(org_type=org_type, region_code__startswith=region[:4], is_active=True)[:2]
    )
    if len(orgs) != 1:
        raise ServiceError(
            f"未找到唯一的本市{OrgType(org_type).label}，请联系系统管理员核对组织机构", field="region_code"
        )
    return orgs[0]


@transaction.atomic
def designation_call_create(
    *,
    actor,
    region_code: str,
    title: str,
    deadline: dt.date,
    period_from: dt.date,
    period_to: dt.date,
    content: str = "",
    published_on: dt.date | None = None,
) -> DesignationCall:
    """Publish a call (征集公告) of the city justice bureau and HRSS; either may create it."""
    region = _check_region(region_code)
    require_city_org(actor, region, CITY_DESIGNATORS)
    published_on = published_on or _today()
    if not title.strip():
        raise ServiceError("标题不能为空", field="title")
    if deadline < published_on:
        raise ServiceError("申报截止日期不能早于发布日期", field="deadline")
    if period_to < period_from:
        raise ServiceError("定点有效期止不能早于有效期起", field="period_to")
    call = DesignationCall.objects.create(
        region_code=region,
        title=title.strip(),
        content=content.strip(),
        published_on=published_on,
        deadline=deadline,
        period_from=period_from,
        period_to=period_to,
        justice_org=_city_org(region, OrgType.CITY_JUSTICE),
        hrss_org=_city_org(region, OrgType.CITY_HRSS),
        created_by=actor,
    )
    audit_record(
        action="catalog.designation_call.create",
        actor=actor,
        obj=call,
        changes={"region_code": region, "deadline": deadline, "period": [period_from, period_to]},
    )
    return call


@transaction.atomic
def designation_call_close(*, actor, call: DesignationCall) -> DesignationCall:
    require_city_org(actor, call.region_code, CITY_DESIGNATORS)
    call = DesignationCall.objects.select_for_update().get(pk=call.pk)
    if call.status == CallStatus.CLOSED:
        raise Conflict("该公告已截止", field="status")
    call.status = CallStatus.CLOSED
    call.save(update_fields=["status"])
    audit_record(action="catalog.designation_call.close", actor=actor, obj=call)
    return call


@transaction.atomic
def designation_apply(
    *,
    actor,
    call: DesignationCall,
    occupations: list[Occupation],
    statement: str = "",
    institution: Organisation | None = None,
    today: dt.date | None = None,
) -> DesignationApplication:
    """An institution applies to a call with the occupations it wants to be designated for."""
    if actor is not None:
        require_role(actor, Role.OPERATOR, Role.UNIT_HEAD)
        if institution is not None and institution.pk != actor.organisation_id:
            raise Forbidden("只能以本机构名义申报")
        institution = actor.organisation
    if institution is None:
        raise ServiceError("未指定申报机构", field="institution")
    _require_institution(institution)
    today = today or _today()
    if call.status != CallStatus.PUBLISHED or today > call.deadline:
        raise Conflict("该征集公告已截止申报", field="call")
    if not occupations:
        raise ServiceError("请至少选择一个申报职业（工种）", field="occupations")
    if any(o.level != 4 for o in occupations):
        raise ServiceError("申报职业须为职业（细类）", field="occupations")
    if DesignationApplication.objects.filter(call=call, institution=institution).exists():
        raise Conflict("本机构已申报该公告", field="call")
    application = DesignationApplication.objects.create(
        call=call, institution=institution, statement=statement.strip(), submitted_by=actor
    )
    application.occupations.set(occupations)
    audit_record(
        action="catalog.designation.apply",
        actor=actor,
        obj=application,
        organisation=institution if actor is None else None,
        changes={"call": call.pk, "occupations": sorted(o.code for o in occupations)},
    )
    return application


def _check_no_overlap(institution: Organisation, region: str, valid_from: dt.date, valid_to: dt.date) -> None:
    overlapping = Designation.objects.filter(
        institution=institution, region_code=region, valid_from__lte=valid_to, valid_to__gte=valid_from
    ).exclude(revoked_on__isnull=False, revoked_on__lte=valid_from)
    if overlapping.exists():
        raise Conflict("该机构在此期间已有定点认定", field="valid_from")


def _check_period(valid_from: dt.date, valid_to: dt.date) -> None:
    if valid_to < valid_from:
        raise ServiceError("有效期止不能早于有效期起", field="valid_to")


@transaction.atomic
def designation_decide(
    *,
    actor,
    application: DesignationApplication,
    approve: bool,
    opinion: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> DesignationApplication:
    """Decide an application; approving designates the institution for the period (default: the call's)."""
    call = application.call
    require_city_org(actor, call.region_code, CITY_DESIGNATORS, DECIDE_ROLES)
    application = DesignationApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(f"该申报已{application.get_status_display()}，不能重复认定", field="status")
    if not approve and not opinion.strip():
        raise ServiceError("不予认定时须填写意见", field="opinion")
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    application.opinion = opinion.strip() or ("同意认定" if approve else "")
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "opinion", "decided_at"])
    changes = {"approve": approve, "opinion": application.opinion}
    if approve:
        valid_from = valid_from or call.period_from
        valid_to = valid_to or call.period_to
        _check_period(valid_from, valid_to)
        _check_no_overlap(application.institution, call.region_code, valid_from, valid_to)
        designation = Designation.objects.create(
            institution=application.institution,
            region_code=call.region_code,
            valid_from=valid_from,
            valid_to=valid_to,
            basis=DesignationBasis.APPLICATION,
            basis_note=call.title,
            call=call,
            application=application,
            decided_by_org=_org(actor),
            decided_by=actor,
        )
        designation.occupations.set(application.occupations.all())
        changes.update(designation=designation.pk, period=[valid_from, valid_to])
    audit_record(action="catalog.designation.decide", actor=actor, obj=application, changes=changes)
    return application


@transaction.atomic
def designation_exempt(
    *,
    actor,
    institution: Organisation,
    region_code: str,
    valid_from: dt.date,
    valid_to: dt.date,
    basis_note: str,
    call: DesignationCall | None = None,
    today: dt.date | None = None,
) -> Designation:
    """免于重新认定: designate an institution already designated, without an application, if it has no
    dishonesty record in force."""
    region = _check_region(region_code)
    require_city_org(actor, region, CITY_DESIGNATORS, DECIDE_ROLES)
    _require_institution(institution)
    if call is not None and call.region_code != region:
        raise ServiceError("所选征集公告不是本市发布的，不能作为免于重新认定的依据", field="call_id")
    today = today or _today()
    if not basis_note.strip():
        raise ServiceError("须填写免于重新认定的依据", field="basis_note")
    _check_period(valid_from, valid_to)
    previous = (
        Designation.objects.filter(institution=institution, region_code=region, revoked_on__isnull=True)
        .order_by("-valid_to")
        .first()
    )
    if previous is None:
        raise Conflict("该机构此前未经本市认定（或认定已被撤销），不能免于重新认定", field="institution")
    record = selectors.active_dishonesty(institution, today).first()
    if record is not None:
        raise Conflict(
            f"该机构有失信记录（{record.source}，{record.recorded_on}），不能免于重新认定",
            field="institution",
        )
    # The credit grade (supervision) must also be good enough (pack: supervision.exemption_min_grade).
    from skillbridge.supervision.selectors import exemption_problem

    problem = exemption_problem(institution, today)
    if problem:
        raise Conflict(f"{problem}，不能免于重新认定", field="institution")
    _check_no_overlap(institution, region, valid_from, valid_to)
    designation = Designation.objects.create(
        institution=institution,
        region_code=region,
        valid_from=valid_from,
        valid_to=valid_to,
        basis=DesignationBasis.EXEMPTION,
        basis_note=basis_note.strip(),
        call=call,
        previous=previous,
        decided_by_org=_org(actor),
        decided_by=actor,
    )
    designation.occupations.set(previous.occupations.all())
    audit_record(
        action="catalog.designation.exempt",
        actor=actor,
        obj=designation,
        changes={"previous": previous.pk, "period": [valid_from, valid_to], "basis": designation.basis_note},
    )
    return designation


@transaction.atomic
def designation_revoke(
    *, actor, designation: Designation, reason: str, effective_on: dt.date | None = None
) -> Designation:
    """Revoke from `effective_on` (default today): not designated on that day and after."""
    require_city_org(actor, designation.region_code, CITY_DESIGNATORS, DECIDE_ROLES)
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    if designation.revoked_on is not None:
        raise Conflict("该定点认定已被撤销", field="designation")
    if not reason.strip():
        raise ServiceError("须填写撤销原因", field="reason")
    effective_on = effective_on or _today()
    designation.revoked_on = effective_on
    designation.revoke_reason = reason.strip()
    designation.revoked_by = actor
    designation.save(update_fields=["revoked_on", "revoke_reason", "revoked_by"])
    audit_record(
        action="catalog.designation.revoke",
        actor=actor,
        obj=designation,
        changes={"effective_on": effective_on, "reason": designation.revoke_reason},
    )
    return designation


# ---- assessment route of an occupation (002 二(七)) -----------------------------------------------------

ROUTE_SETTERS = (OrgType.PROVINCIAL_HRSS, OrgType.CITY_HRSS)


@transaction.atomic
def occupation_route_set(
    *, actor, occupation: Occupation, certificate_type: CertificateType | None
) -> Occupation:
    """Record which national certificate an evaluation institution can award for `occupation` (None: no
    national evaluation, the training institution's completion exam). Only a national type with levels
    (职业资格证书 / 职业技能等级证书) fits an occupation; kept by the HRSS."""
    if actor is not None:
        if actor.organisation.org_type not in ROUTE_SETTERS:
            raise Forbidden("只有人力资源和社会保障部门可以维护职业的评价方式")
        require_role(actor, *WRITE_ROLES)
    if occupation.level != 4:
        raise ServiceError("须选择职业（细类）", field="occupation")
    if certificate_type is not None and not (
        certificate_type.is_national
        and certificate_type.has_levels
        and not certificate_type.for_special_items
    ):
        raise ServiceError(
            f"“{certificate_type.name}”不是按职业和等级评价的国家证书", field="certificate_type"
        )
    before = occupation.national_certificate_type_id
    occupation.national_certificate_type = certificate_type
    occupation.save(update_fields=["national_certificate_type"])
    audit_record(
        action="catalog.occupation.route",
        actor=actor,
        obj=occupation,
        changes={"national_certificate_type": [before, certificate_type.pk if certificate_type else None]},
    )
    return occupation
