"""Typed shape of a policy pack: every rule value carries the clause it comes from.

Sections default to empty (every rule absent), so a rule function only ever asks whether its one
value is set. Titles on fields are the Chinese labels the pack page shows.
"""

import calendar
from datetime import date
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import RuleNotDefined

T = TypeVar("T")

PLATFORM_DEFAULT = "平台默认（政策未规定）"

# The organisation types of accounts.models.OrgType that can act in a chain or be named by a pack.
ORG_TYPES: dict[str, str] = {
    "prison": "监狱",
    "rehab_centre": "强制隔离戒毒所",
    "community_correction_office": "社区矫正机构",
    "provincial_prison_bureau": "省监狱管理局",
    "provincial_rehab_bureau": "省戒毒管理局",
    "provincial_hrss": "省人力资源和社会保障厅",
    "provincial_finance": "省财政厅",
    "provincial_justice": "省司法厅",
    "city_hrss": "市人力资源和社会保障局",
    "city_finance": "市财政局",
    "city_justice": "市司法局",
    "training_institution": "培训机构",
    "evaluation_institution": "评价机构",
    "public_employment_service": "公共就业服务机构",
}

DocType = Literal[
    "annual_plan",
    "plan_adjustment",
    "class_application",
    "assessment_application",
    "training_claim",
    "assessment_claim",
]
DOC_TYPES: dict[str, str] = {
    "annual_plan": "年度培训计划",
    "plan_adjustment": "计划调整（临时增加项目）",
    "class_application": "办班申报",
    "assessment_application": "鉴定申报",
    "training_claim": "培训补贴申领",
    "assessment_claim": "鉴定补贴申领",
}

ACTORS: dict[str, str] = {
    "unit": "本单位（文书所属监狱/戒毒所）",
    "lead_unit": "同市同类牵头单位",
    "system_bureau": "本系统省级管理局",
    "org_type": "指定类型的市级/省级机构",
    "named_party": "文书所列机构",
}

# Codes of the people a pack can name as its trainees; registry stores the same codes.
POPULATION_CATEGORIES: dict[str, str] = {
    "inmate": "服刑人员",
    "drug_rehab": "强制隔离戒毒人员",
    "community_correction": "社区矫正对象",
    "released": "刑释解戒人员",
    "enterprise_worker": "企业职工",
    "migrant_worker": "农村转移就业劳动者",
    "school_leaver": "城乡未继续升学初高中毕业生（两后生）",
    "college_graduate": "离校未就业高校毕业生",
    "laid_off": "下岗失业人员",
    "veteran": "退役军人",
    "hard_to_employ": "就业困难人员（含残疾人）",
    "low_income": "建档立卡低收入农户和城乡低保对象中的劳动力",
    "entrepreneur": "有创业意愿和培训需求的劳动者",
    "farmer": "职业农民和农村实用人才带头人",
    "poor_labour": "贫困地区贫困劳动力、贫困家庭子女和贫困村创业致富带头人",
    "high_risk_worker": "高危行业领域从业人员和各类特种作业人员",
}

# Uses of a unit's training-fund account (专账). The first eight are 皖司通〔2019〕45号 一(三)'s list grouped as
# the funds pages show them; the last two are the pass-through of a subsidy to the institution (001 §六 专项核算).
FUND_USES: dict[str, str] = {
    "teachers": "培训师资",
    "materials": "教材",
    "tools": "器具、教具",
    "consumables": "辅材、耗材",
    "energy": "能源（水电能耗）",
    "exams": "结业考核",
    "assessment": "技能鉴定",
    "equipment": "实训设备购置和维修保养",
    "training_subsidy": "培训补贴（拨付培训机构）",
    "assessment_subsidy": "鉴定补贴（拨付评价机构）",
}

Text = Annotated[str, Field(min_length=1)]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Ratio = Annotated[Decimal, Field(gt=0, le=1)]
PositiveInt = Annotated[StrictInt, Field(gt=0)]


def _vocabulary(vocabulary: dict[str, str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in vocabulary:
            raise PydanticCustomError(
                "unknown_code",
                "未知的{what}「{value}」，可选：{choices}",
                {"what": what, "value": value, "choices": "、".join(vocabulary)},
            )
        return value

    return AfterValidator(check)


OrgType = Annotated[str, _vocabulary(ORG_TYPES, "机构类型")]
Category = Annotated[str, _vocabulary(POPULATION_CATEGORIES, "人员类别")]
FundUse = Annotated[str, _vocabulary(FUND_USES, "资金用途类别")]


def _invalid(field: str, message: str, **context: object) -> PydanticCustomError:
    """A cross-field error; ``field`` (relative to where it is raised) completes the key path."""
    return PydanticCustomError("invalid", message, {"field": field, **context})


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(Frozen, Generic[T]):
    """A value with the clause it comes from; platform defaults say so in their source."""

    value: T
    source: str

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, source: str) -> str:
        if not source.strip():
            raise PydanticCustomError(
                "blank_source", "出处不能为空：请写明政策条款，或“平台默认（政策未规定）”"
            )
        return source.strip()

    @property
    def is_platform_default(self) -> bool:
        return self.source.startswith(PLATFORM_DEFAULT)


class Document(Frozen):
    number: str | None = Field(None, title="文号")
    title: Text = Field(title="标题")
    issuer: str | None = Field(None, title="发文机关")
    issued_on: date | None = Field(None, title="印发日期")


class Stage(Frozen):
    """One review step. The actor is found relative to the document's unit (the prison or rehab
    centre it belongs to: the author of a plan or application, the unit whose class a claim is for):

    - ``unit``: that unit itself (e.g. 监狱审核 of an institution's claim);
    - ``lead_unit``: the lead unit (牵头单位) of the same city and organisation type;
    - ``system_bureau``: the provincial bureau of its system in the same province;
    - ``org_type`` + ``level``: the one organisation of that type in the unit's city or province;
    - ``named_party`` + ``org_type``: the organisation of that type named on the document.
    """

    key: Key
    name: Text
    actor: Literal["unit", "lead_unit", "system_bureau", "org_type", "named_party"]
    org_type: OrgType | None = None
    level: Literal["city", "province"] | None = None
    source: Text

    @model_validator(mode="after")
    def _actor_fields(self) -> "Stage":
        needs_type = self.actor in ("org_type", "named_party")
        if needs_type != (self.org_type is not None):
            rule = "须填写 org_type" if needs_type else "不能填写 org_type"
            raise _invalid(
                "org_type",
                "审批环节「{key}」的 actor 为 {actor} 时{rule}",
                key=self.key,
                actor=self.actor,
                rule=rule,
            )
        if (self.actor == "org_type") != (self.level is not None):
            raise _invalid(
                "level",
                "审批环节「{key}」：level（city 或 province）仅在 actor 为 org_type 时填写且必填",
                key=self.key,
            )
        return self


class DayOfYear(Frozen):
    """A yearly deadline: ``day`` or ``end_of_month`` (月底, so Feb 29 in leap years), in the plan year
    shifted by ``year_offset`` (−1 = the year before the plan year)."""

    month: Annotated[StrictInt, Field(ge=1, le=12)]
    day: Annotated[StrictInt, Field(ge=1, le=31)] | None = None
    end_of_month: StrictBool = False
    year_offset: StrictInt = 0

    @model_validator(mode="after")
    def _one_day_rule(self) -> "DayOfYear":
        if (self.day is None) == (not self.end_of_month):
            raise _invalid("day", "day 与 end_of_month = true 须二选一")
        # 2023 is not a leap year: a fixed Feb 29 would not exist every year; use end_of_month.
        if self.day is not None and self.day > calendar.monthrange(2023, self.month)[1]:
            raise _invalid(
                "day",
                "{month}月没有{day}日（须每年都存在；月底请用 end_of_month = true）",
                month=self.month,
                day=self.day,
            )
        return self

    def resolve(self, plan_year: int) -> date:
        year = plan_year + self.year_offset
        day = calendar.monthrange(year, self.month)[1] if self.end_of_month else self.day
        return date(year, self.month, day)

    def describe(self) -> str:
        day = "底" if self.end_of_month else f"{self.day}日"
        year = {0: "计划年度", -1: "计划年度前一年"}.get(self.year_offset, f"计划年度{self.year_offset:+d}年")
        return f"{year}{self.month}月{day}前"


class Organisation(Frozen):
    lead_unit: Sourced[Text] | None = Field(None, title="牵头单位")
    units: Sourced[tuple[Text, ...]] | None = Field(None, title="适用单位")


class Eligibility(Frozen):
    """Who may be trained. Remaining term compares whole calendar months; see rules.eligibility."""

    max_remaining_months: Sourced[PositiveInt] | None = Field(None, title="剩余刑期（余期）上限（月）")
    remaining_months_inclusive: Sourced[StrictBool] | None = Field(
        None, title="上限是否含本数（true 为“以内/不超过”，缺省为“不足/不满”）"
    )
    requires_no_skill: Sourced[StrictBool] | None = Field(None, title="须无一技之长")
    requires_study_ability: Sourced[StrictBool] | None = Field(None, title="须能正常坚持学习")
    requires_labour_capacity: Sourced[StrictBool] | None = Field(None, title="须有劳动能力")
    working_age_min: Sourced[Annotated[StrictInt, Field(ge=0)]] | None = Field(
        None, title="劳动年龄下限（周岁，含）"
    )
    working_age_max: Sourced[PositiveInt] | None = Field(None, title="劳动年龄上限（周岁，不含）")
    population_categories: Sourced[tuple[Category, ...]] | None = Field(None, title="培训对象类别")

    @model_validator(mode="after")
    def _age_bounds(self) -> "Eligibility":
        low, high = self.working_age_min, self.working_age_max
        if (low is None) != (high is None) or (low and high and low.value >= high.value):
            raise _invalid("working_age_max", "working_age_min 与 working_age_max 须同时填写，且下限小于上限")
        if self.remaining_months_inclusive and not self.max_remaining_months:
            raise _invalid(
                "max_remaining_months", "填写 remaining_months_inclusive 时须同时填写 max_remaining_months"
            )
        return self


class Subsidy(Frozen):
    max_per_person_per_year: Sourced[PositiveInt] | None = Field(None, title="每人每年享受补贴次数上限")
    same_occupation_level_window: Sourced[Literal["one_year", "never"]] | None = Field(
        None, title="同一职业同一等级不可重复享受的期限"
    )
    per_person_cap_yuan: Sourced[Annotated[Decimal, Field(gt=0)]] | None = Field(
        None, title="人均补助标准（元）"
    )
    per_person_cap_includes_assessment: Sourced[StrictBool] | None = Field(
        None, title="人均标准是否含技能鉴定费"
    )
    fund_source: Sourced[Text] | None = Field(None, title="资金来源")
    fund_uses: Sourced[tuple[Text, ...]] | None = Field(None, title="资金用途")
    special_account_required: Sourced[StrictBool] | None = Field(None, title="须设专账、专项核算")
    standards_set_by: Sourced[tuple[OrgType, ...]] | None = Field(None, title="补贴标准制定部门")
    claimants: Sourced[tuple[OrgType, ...]] | None = Field(None, title="补贴申领主体")
    project_prepayment_max_ratio: Sourced[Ratio] | None = Field(None, title="项目制培训先行拨付比例上限")
    prepayment_ratio: Sourced[Ratio] | None = Field(None, title="按计划预拨比例")
    prepayment_payer: Sourced[OrgType] | None = Field(None, title="预拨资金拨付部门")
    settled_by: Sourced[tuple[OrgType, ...]] | None = Field(None, title="年度清算部门")
    work_based_training_max_months: Sourced[PositiveInt] | None = Field(
        None, title="以工代训补贴最长期限（月）"
    )
    public_notice_working_days: Sourced[PositiveInt] | None = Field(None, title="公示期（工作日）")
    public_notice_by: Sourced[OrgType] | None = Field(None, title="公示部门")
    disbursed_by: Sourced[OrgType] | None = Field(None, title="拨付资金部门")
    living_allowance_groups: Sourced[tuple[Text, ...]] | None = Field(None, title="培训期间生活费补贴对象")


class Training(Frozen):
    theory_share: Sourced[Ratio] | None = Field(None, title="理论课时占比")
    practice_share: Sourced[Ratio] | None = Field(None, title="实操课时占比")
    share_tolerance: Sourced[Annotated[Decimal, Field(ge=0, lt=1)]] | None = Field(None, title="课时占比容差")
    certification_target_rate: Sourced[Ratio] | None = Field(None, title="刑释前获证率目标")
    online_credit_ratio: Sourced[Ratio] | None = Field(None, title="在线学习课时计入比例")
    target_levels: Sourced[tuple[Annotated[StrictInt, Field(ge=1, le=5)], ...]] | None = Field(
        None, title="培训等级（5 初级工 … 1 高级技师）"
    )
    certificate_types: Sourced[tuple[Text, ...]] | None = Field(None, title="可取得的证书")

    @model_validator(mode="after")
    def _shares(self) -> "Training":
        theory, practice, tolerance = self.theory_share, self.practice_share, self.share_tolerance
        if (theory is None) != (practice is None) or (theory is None) != (tolerance is None):
            raise _invalid(
                "theory_share", "theory_share、practice_share、share_tolerance 须同时填写或同时省略"
            )
        if theory and practice and theory.value + practice.value != 1:
            raise _invalid(
                "practice_share",
                "理论占比 {theory} 与实操占比 {practice} 之和须等于 1",
                theory=str(theory.value),
                practice=str(practice.value),
            )
        return self


class Deadlines(Frozen):
    plan: dict[Key, Sourced[DayOfYear]] = Field(default_factory=dict, title="年度计划时限")
    data_entry_working_days: Sourced[PositiveInt] | None = Field(
        None, title="结业后学员信息录入时限（工作日）"
    )
    prepayment_working_days: Sourced[PositiveInt] | None = Field(None, title="收到资金后预拨时限（工作日）")


CreditAmount = Annotated[Decimal, Field(ge=0)]


class Credits(Frozen):
    """学分累计 (003 §(十): 建立电子档案、累计学分). The seeds give no rate: a pack states its own or the
    platform default, marked as such in `source`. See certificates/credits.py."""

    per_class_hour: Sourced[CreditAmount] | None = Field(
        None, title="结业后每1课时（45分钟，面授及计入的在线学习）计学分"
    )
    certificate_by_level: Sourced[dict[Annotated[str, Field(pattern=r"^[1-5]$")], CreditAmount]] | None = (
        Field(None, title="取得分等级证书按等级计学分（5 初级工 … 1 高级技师）")
    )
    certificate_by_type: Sourced[dict[Key, CreditAmount]] | None = Field(
        None, title="取得不分等级证书按证书类型计学分"
    )


class Funds(Frozen):
    """The unit's training-fund account (专账) and the yearly budget / settlement model."""

    use_categories: Sourced[tuple[FundUse, ...]] | None = Field(None, title="专账资金用途类别")
    settlement_basis: Sourced[Literal["certified_trainees"]] | None = Field(
        None, title="年度清算依据（certified_trainees：实际取证人数 × 人均标准）"
    )
    settle_after_year_end: Sourced[StrictBool] | None = Field(None, title="年度结束后方可清算")


class Employment(Frozen):
    """Employment services around release (就业服务): when a profile is due, who receives the handover,
    when the follow-ups after release fall due. See rules.approaching_release / follow_up_*."""

    pre_release_window_months: Sourced[PositiveInt] | None = Field(
        None, title="刑释前建立就业档案、移交的提前期（月）"
    )
    handover_to: Sourced[OrgType] | None = Field(None, title="就业服务移交对象（机构类型）")
    follow_up_months: Sourced[tuple[PositiveInt, ...]] | None = Field(None, title="释放后回访节点（月）")
    follow_up_window_days: Sourced[PositiveInt] | None = Field(
        None, title="回访节点前后可完成的天数（超过为逾期）"
    )

    @field_validator("follow_up_months")
    @classmethod
    def _ascending(cls, months):
        if months is not None and (not months.value or list(months.value) != sorted(set(months.value))):
            raise PydanticCustomError("invalid", "follow_up_months 须为不重复、升序的月数")
        return months


Grade = Literal["A", "B", "C", "D"]


class Supervision(Frozen):
    """Risk-scan thresholds, rectification deadlines and the institution credit rating (监督检查、信用评价).
    See supervision.rules (scans) and supervision.rating (grade from measured facts)."""

    identical_attendance_min_sessions: Sourced[PositiveInt] | None = Field(
        None, title="整班考勤雷同：雷同课次数下限"
    )
    identical_attendance_min_trainees: Sourced[PositiveInt] | None = Field(
        None, title="整班考勤雷同：班级人数下限"
    )
    spike_factor: Sourced[Annotated[Decimal, Field(gt=1)]] | None = Field(
        None, title="机构月度入班人次突增倍数（对比前期月均）"
    )
    spike_min_count: Sourced[PositiveInt] | None = Field(None, title="突增预警：当月入班人次下限")
    spike_baseline_months: Sourced[PositiveInt] | None = Field(None, title="突增预警：对比前期月数")
    rectification_working_days: Sourced[PositiveInt] | None = Field(None, title="督查整改期限（工作日）")
    rating_weight_pass_rate: Sourced[Annotated[Decimal, Field(ge=0)]] | None = Field(
        None, title="信用评价权重：结业合格率"
    )
    rating_weight_certification_rate: Sourced[Annotated[Decimal, Field(ge=0)]] | None = Field(
        None, title="信用评价权重：获证率"
    )
    rating_weight_attendance: Sourced[Annotated[Decimal, Field(ge=0)]] | None = Field(
        None, title="信用评价权重：考勤异常"
    )
    rating_weight_claims: Sourced[Annotated[Decimal, Field(ge=0)]] | None = Field(
        None, title="信用评价权重：补贴申领被核减"
    )
    rating_weight_inspections: Sourced[Annotated[Decimal, Field(ge=0)]] | None = Field(
        None, title="信用评价权重：督查问题"
    )
    rating_weight_dishonesty: Sourced[Annotated[Decimal, Field(ge=0)]] | None = Field(
        None, title="信用评价权重：失信记录"
    )
    rating_weight_timeliness: Sourced[Annotated[Decimal, Field(ge=0)]] | None = Field(
        None, title="信用评价权重：信息录入及时率"
    )
    rating_count_penalty: Sourced[Ratio] | None = Field(
        None, title="信用评价：每项异常（问题）扣减该项得分比例"
    )
    rating_grade_a: Sourced[Annotated[Decimal, Field(ge=0, le=100)]] | None = Field(None, title="A级最低分")
    rating_grade_b: Sourced[Annotated[Decimal, Field(ge=0, le=100)]] | None = Field(None, title="B级最低分")
    rating_grade_c: Sourced[Annotated[Decimal, Field(ge=0, le=100)]] | None = Field(None, title="C级最低分")
    rating_dishonesty_max_grade: Sourced[Grade] | None = Field(None, title="有失信记录时最高等级")
    exemption_min_grade: Sourced[Grade] | None = Field(None, title="免于重新认定所需最低信用等级")
    revocation_grade: Sourced[Grade] | None = Field(None, title="可据以撤销定点的信用等级（及以下）")


class Target(Frozen):
    key: Key
    name: Text
    unit: Literal["人次", "人", "场次", "比例"]
    start_year: Annotated[StrictInt, Field(ge=2000, le=2100)]
    end_year: Annotated[StrictInt, Field(ge=2000, le=2100)] | None = Field(
        None, title="截止年度（缺省为每年）"
    )
    target: Sourced[Annotated[Decimal, Field(gt=0)]]

    @model_validator(mode="after")
    def _years(self) -> "Target":
        if self.end_year is not None and self.end_year < self.start_year:
            raise _invalid("end_year", "end_year 不能早于 start_year")
        return self


CheckAction = Literal["block", "flag"]


class ClaimChecks(Frozen):
    """What a failing subsidy-claim check does to the line (`block`: not payable, `flag`: a reviewer decides).
    See subsidies/checks.py; integrity checks (certificate valid, amount = standard …) always block."""

    yearly_cap: Sourced[CheckAction] | None = Field(None, title="每人每年补贴次数超限")
    same_occupation_level: Sourced[CheckAction] | None = Field(None, title="同一职业同一等级重复享受")
    per_person_cap: Sourced[CheckAction] | None = Field(None, title="人均补助标准超限")
    data_entry_late: Sourced[CheckAction] | None = Field(None, title="学员信息逾期录入")
    eligibility_at_enrolment: Sourced[CheckAction] | None = Field(None, title="入班时资格提示")


class EnrolmentChecks(Frozen):
    """What an enrolment check does when it fails (`block`: the person cannot join, `flag`: a warning on the
    roster). See training/checks.py `enrolment_check`; unset means `flag` (平台默认)."""

    already_certified: Sourced[CheckAction] | None = Field(None, title="已取得同职业同等级有效证书")


class ReferenceProvince(Frozen):
    """Another province's practice, kept as reference data (000 §三), not applied to anyone."""

    province: Text
    document: Document
    eligibility: Eligibility = Eligibility()
    claimants: Sourced[tuple[OrgType, ...]] = Field(title="补贴申领主体")
    claim_path: Sourced[Text] | None = Field(None, title="申领流程")
    fund_source: Sourced[Text] | None = Field(None, title="资金来源")


class PolicyPack(Frozen):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    name: Text
    version: Annotated[str, Field(pattern=r"^\d{4}\.\d+$")]
    effective_date: Sourced[date]
    region_prefixes: Sourced[tuple[Annotated[str, Field(pattern=r"^\d{2}(\d{2}){0,2}$")], ...]]
    documents: Annotated[tuple[Document, ...], Field(min_length=1)]
    organisation: Organisation = Organisation()
    eligibility: Eligibility = Eligibility()
    subsidy: Subsidy = Subsidy()
    training: Training = Training()
    deadlines: Deadlines = Deadlines()
    supervision: Supervision = Supervision()
    employment: Employment = Employment()
    funds: Funds = Funds()
    credits: Credits = Credits()
    claim_checks: ClaimChecks = ClaimChecks()
    enrolment_checks: EnrolmentChecks = EnrolmentChecks()
    chains: dict[DocType, tuple[Stage, ...]] = Field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    reference_provinces: tuple[ReferenceProvince, ...] = ()

    @model_validator(mode="after")
    def _cross_references(self) -> "PolicyPack":
        for doc_type, stages in self.chains.items():
            if not stages:
                raise _invalid(f"chains.{doc_type}", "审批流程至少须有一个环节")
            keys = [stage.key for stage in stages]
            if len(keys) != len(set(keys)):
                raise _invalid(f"chains.{doc_type}", "审批环节 key 重复（{keys}）", keys="、".join(keys))
        allowed = {"submit"} | {stage.key for stage in self.chains.get("annual_plan", ())}
        for key in self.deadlines.plan:
            if key not in allowed:
                raise _invalid(
                    f"deadlines.plan.{key}",
                    "须为 submit 或年度计划审批环节的 key（{allowed}）",
                    allowed="、".join(sorted(allowed)),
                )
        target_keys = [target.key for target in self.targets]
        if len(target_keys) != len(set(target_keys)):
            raise _invalid("targets", "目标 key 重复（{keys}）", keys="、".join(target_keys))
        return self

    def has_chain(self, doc_type: str) -> bool:
        return doc_type in self.chains

    def chain(self, doc_type: str) -> tuple[Stage, ...]:
        """The stages of a document type; a pack that states none cannot route that document."""
        if doc_type not in self.chains:
            raise RuleNotDefined(self.code, f"「{DOC_TYPES.get(doc_type, doc_type)}」的审批流程")
        return self.chains[doc_type]
