"""Pure rule functions: ``(facts, pack, …) -> Decision`` with reasons a reviewer can read.

When the pack does not state a rule, a check returns ``allowed`` with no reasons, a deadline
function returns ``None`` (no deadline applies), and a computation that cannot exist without its
value (``prepayment``, ``per_capita_budget``) raises ``RuleNotDefined``.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from .errors import RuleNotDefined
from .schema import POPULATION_CATEGORIES, PolicyPack, Sourced
from .workdays import add_working_days, working_days_between

FEN = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str
    source: str
    severity: Literal["block", "warn"] = "block"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...] = ()
    value: object = None

    @classmethod
    def of(cls, reasons: Iterable[Reason], value: object = None) -> "Decision":
        """Allowed unless a blocking reason is present; warnings travel along."""
        reasons = tuple(reasons)
        return cls(not any(r.severity == "block" for r in reasons), reasons, value)


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonFacts:
    """What eligibility needs to know; ``None`` means not recorded (which blocks a rule that needs it)."""

    release_date: date | None = None
    term_start: date | None = None  # 刑期（隔离期、矫正期）起日: not in custody before it
    has_skill: bool | None = None
    can_study: bool | None = None
    labour_capacity: bool | None = None
    birth_date: date | None = None
    population_category: str | None = None


@dataclass(frozen=True, slots=True)
class Prepayment:
    amount: Decimal
    due: date
    source: str


def _reason(code: str, message: str, rule: Sourced) -> Reason:
    return Reason(code, f"{message}（{rule.source}）", rule.source)


def add_months(d: date, months: int) -> date:
    """Calendar months with end-of-month clamping: Jan 31 + 1 month = Feb 28 (29 in leap years)."""
    month_index = d.year * 12 + d.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def _whole_months(start: date, end: date) -> int:
    """The largest m with ``add_months(start, m) <= end`` (``end >= start``)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while add_months(start, months) > end:
        months -= 1
    return months


def remaining_months(at: date, release_date: date) -> int:
    """Whole calendar months still to serve at ``at``; 0 once released."""
    return _whole_months(at, release_date) if release_date > at else 0


def age_at(birth_date: date, at: date) -> int:
    """周岁: a year is reached on the anniversary (Feb 29 births on Feb 28 in common years)."""
    return _whole_months(birth_date, at) // 12 if at >= birth_date else 0


# (pack rule, fact, failing fact value, reason code, failed text, unknown text)
_FLAG_RULES = (
    ("requires_no_skill", "has_skill", True, "has_skill", "已有一技之长", "是否已有一技之长"),
    ("requires_study_ability", "can_study", False, "cannot_study", "不能正常坚持学习", "能否正常坚持学习"),
    (
        "requires_labour_capacity",
        "labour_capacity",
        False,
        "no_labour_capacity",
        "无劳动能力",
        "有无劳动能力",
    ),
)


def eligibility(person: PersonFacts, pack: PolicyPack, at: date) -> Decision:
    """Whether a person may be trained at ``at``; value = remaining whole months (or None).

    "Remaining < N months" means ``release_date < add_months(at, N)``: released exactly N months
    later is not eligible. Packs whose limit is inclusive ("24个月内") allow that day too.
    """
    rules = pack.eligibility
    reasons = _term_reasons(person, pack, at)
    for rule_name, fact_name, failing, code, failed, unknown in _FLAG_RULES:
        rule, fact = getattr(rules, rule_name), getattr(person, fact_name)
        if rule and rule.value and fact is None:
            reasons.append(_reason(f"{code}_unknown", f"未登记{unknown}", rule))
        elif rule and rule.value and fact is failing:
            reasons.append(_reason(code, failed, rule))
    if (low := rules.working_age_min) and (high := rules.working_age_max):
        if person.birth_date is None:
            reasons.append(_reason("birth_date_unknown", "未登记出生日期，无法判断是否在劳动年龄内", low))
        elif not low.value <= (age := age_at(person.birth_date, at)) < high.value:
            message = f"年龄 {age} 周岁，须年满 {low.value} 周岁且未满 {high.value} 周岁"
            reasons.append(_reason("working_age", message, high))
    if (categories := rules.population_categories) and person.population_category not in categories.value:
        code = person.population_category
        label = POPULATION_CATEGORIES.get(code, code) if code else "未登记"
        wanted = "、".join(POPULATION_CATEGORIES[c] for c in categories.value)
        message = f"人员类别「{label}」不在培训对象（{wanted}）范围内"
        reasons.append(_reason("population_category", message, categories))
    remaining = None
    if rules.max_remaining_months and person.release_date and person.release_date > at:
        remaining = remaining_months(at, person.release_date)
    return Decision.of(reasons, remaining)


def _term_reasons(person: PersonFacts, pack: PolicyPack, at: date) -> list[Reason]:
    rules = pack.eligibility
    if not (limit := rules.max_remaining_months):
        return []
    term = "强制隔离余期" if person.population_category == "drug_rehab" else "剩余刑期"
    release = person.release_date
    if release is None:
        return [_reason("release_date_unknown", f"未登记预计释放（解除）日期，无法计算{term}", limit)]
    if release <= at:
        return [_reason("released", f"已于 {release:%Y-%m-%d} 释放（解除），不再是培训对象", limit)]
    if person.term_start is not None and at < person.term_start:
        period = "强制隔离期" if person.population_category == "drug_rehab" else "刑期"
        message = f"{at:%Y-%m-%d} {period}尚未开始（自 {person.term_start:%Y-%m-%d} 起），尚不是培训对象"
        return [_reason("not_started", message, limit)]
    inclusive = bool(rules.remaining_months_inclusive and rules.remaining_months_inclusive.value)
    bound = add_months(at, limit.value)
    if release < bound or (release == bound and inclusive):
        return []
    months = remaining_months(at, release)
    days = (release - add_months(at, months)).days
    spent = f"{months} 个月" + (f"又 {days} 天" if days else "")
    wanted = f"不超过 {limit.value} 个月" if inclusive else f"不足 {limit.value} 个月"
    return [_reason("remaining_term", f"{term} {spent}，须{wanted}", limit)]


def subsidy_count_cap(count_already_this_year: int, pack: PolicyPack) -> Decision:
    """≤ N subsidies per person per calendar year; value = how many remain before this one."""
    if not (cap := pack.subsidy.max_per_person_per_year):
        return Decision(True)
    left = max(cap.value - count_already_this_year, 0)
    if left:
        return Decision(True, value=left)
    message = f"本年度已享受 {count_already_this_year} 次职业培训补贴，每人每年不超过 {cap.value} 次"
    return Decision.of([_reason("yearly_cap", message, cap)], 0)


def same_occupation_level(previous_award_dates: Iterable[date], new_date: date, pack: PolicyPack) -> Decision:
    """Same occupation and level subsidised before.

    ``one_year``: an award on d blocks new dates from d up to the day before ``add_months(d, 12)``
    (and symmetrically the year before d); exactly one calendar year later is allowed again.
    ``never``: any earlier award of the same occupation and level blocks.
    """
    if not (window := pack.subsidy.same_occupation_level_window):
        return Decision(True)
    reasons = []
    for previous in sorted(previous_award_dates):
        if window.value == "never":
            message = f"同一职业同一等级已于 {previous:%Y-%m-%d} 享受补贴，不可重复享受"
        elif new_date < add_months(previous, 12) and previous < add_months(new_date, 12):
            message = f"同一职业同一等级已于 {previous:%Y-%m-%d} 享受补贴，相隔不足一年，一年内不可重复享受"
        else:
            continue
        reasons.append(_reason("same_occupation_level", message, window))
    return Decision.of(reasons)


def theory_practice_share(theory_minutes: int, practice_minutes: int, pack: PolicyPack) -> Decision:
    """Theory/practice split of taught minutes (online minutes excluded), within the pack's tolerance.

    value = (theory share, practice share) as Decimals rounded to 4 places; the check itself is exact.
    """
    training = pack.training
    if not (theory := training.theory_share) or not (tolerance := training.share_tolerance):
        return Decision(True)
    total = theory_minutes + practice_minutes
    if total <= 0:
        return Decision.of([_reason("no_minutes", "理论与实操课时合计为 0，无法计算占比", theory)])
    actual = Fraction(theory_minutes, total)
    shares = tuple(Decimal(x.numerator) / Decimal(x.denominator) for x in (actual, 1 - actual))
    value = tuple(s.quantize(Decimal("0.0001"), ROUND_HALF_UP) for s in shares)
    if abs(actual - Fraction(theory.value)) <= Fraction(tolerance.value):
        return Decision(True, value=value)
    message = (
        f"理论课时占 {value[0]:.2%}、实操占 {value[1]:.2%}，"
        f"须理论约 {theory.value:.0%}、实操约 {1 - theory.value:.0%}（允许偏差 ±{tolerance.value:.0%}）"
    )
    source = f"{theory.source}；容差：{tolerance.source}"
    return Decision.of([Reason("theory_practice_share", f"{message}（{source}）", source)], value)


def per_person_cap(already_paid_yuan: Decimal, new_amount_yuan: Decimal, pack: PolicyPack) -> Decision:
    """Per-person amount ceiling (Anhui 1200 yuan incl. assessment); value = headroom left before this one."""
    if not (cap := pack.subsidy.per_person_cap_yuan):
        return Decision(True)
    headroom = max(cap.value - already_paid_yuan, Decimal(0))
    if already_paid_yuan + new_amount_yuan <= cap.value:
        return Decision(True, value=headroom)
    included = pack.subsidy.per_person_cap_includes_assessment
    scope = "（含技能鉴定费）" if included and included.value else ""
    message = (
        f"已支出 {already_paid_yuan:.2f} 元，本次 {new_amount_yuan:.2f} 元，合计 "
        f"{already_paid_yuan + new_amount_yuan:.2f} 元，超过人均 {cap.value:.2f} 元标准{scope}"
    )
    return Decision.of([_reason("per_person_cap", message, cap)], headroom)


def per_capita_budget(trainees: int, pack: PolicyPack) -> Decimal:
    """Plan budget = planned trainees × per-capita standard (Anhui plan table 经费预算数)."""
    if not (cap := pack.subsidy.per_person_cap_yuan):
        raise RuleNotDefined(pack.code, "人均补助标准")
    return (cap.value * trainees).quantize(FEN)


def plan_deadline(pack: PolicyPack, plan_year: int, stage_key: str) -> date | None:
    """Deadline of a plan step (``submit`` or an annual-plan stage key) for the plan of ``plan_year``."""
    rule = pack.deadlines.plan.get(stage_key)
    return rule.value.resolve(plan_year) if rule else None


def data_entry_deadline(class_end: date, pack: PolicyPack) -> date | None:
    """Last day to enter trainees' data: N working days after the class end day (which does not count)."""
    rule = pack.deadlines.data_entry_working_days
    return add_working_days(class_end, rule.value) if rule else None


def prepayment(funds_received_on: date, plan_budget_yuan: Decimal, pack: PolicyPack) -> Prepayment:
    """Finance prepays a share of the plan budget (rounded half-up to the fen) within N working days."""
    ratio, days = pack.subsidy.prepayment_ratio, pack.deadlines.prepayment_working_days
    if not ratio or not days:
        raise RuleNotDefined(pack.code, "按计划预拨资金的比例和时限")
    if not isinstance(plan_budget_yuan, Decimal | int):
        raise TypeError("plan_budget_yuan 须为 Decimal（金额不用浮点数）")
    amount = (Decimal(plan_budget_yuan) * ratio.value).quantize(FEN, ROUND_HALF_UP)
    return Prepayment(
        amount, add_working_days(funds_received_on, days.value), f"{ratio.source}；{days.source}"
    )


def is_overdue(due: date, today: date) -> bool:
    """A deadline day is still on time; overdue from the next calendar day."""
    return today > due


def overdue_working_days(due: date, today: date) -> int:
    """Working days after ``due`` up to and including ``today``; 0 when not overdue."""
    return working_days_between(due, today) if today > due else 0


# ---- training funds (专账、预拨、清算、项目制先行拨付) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settlement:
    """Year-end settlement of a prepayment: ``difference`` > 0 is a top-up (补拨), < 0 a refund (退回)."""

    certified_trainees: int
    due: Decimal
    prepaid: Decimal
    difference: Decimal
    source: str

    @property
    def outcome(self) -> Literal["top_up", "refund", "even"]:
        return "top_up" if self.difference > 0 else "refund" if self.difference < 0 else "even"


def settlement_open(year: int, on: date, pack: PolicyPack) -> bool:
    """Whether the settlement of ``year`` may be recorded on ``on``: from Jan 1 of the next year when the
    pack settles after year end; any day otherwise."""
    rule = pack.funds.settle_after_year_end
    return on.year > year if rule and rule.value else True


def settlement(certified_trainees: int, prepaid_yuan: Decimal, pack: PolicyPack) -> Settlement:
    """Actual certified trainees × per-capita standard, compared with what was prepaid."""
    basis, cap = pack.funds.settlement_basis, pack.subsidy.per_person_cap_yuan
    if not basis or not cap:
        raise RuleNotDefined(pack.code, "预拨资金的年度清算办法")
    if not isinstance(prepaid_yuan, Decimal | int):
        raise TypeError("prepaid_yuan 须为 Decimal（金额不用浮点数）")
    if certified_trainees < 0:
        raise ValueError("certified_trainees 不能为负数")
    due = (cap.value * certified_trainees).quantize(FEN)
    prepaid = Decimal(prepaid_yuan).quantize(FEN)
    return Settlement(certified_trainees, due, prepaid, due - prepaid, f"{basis.source}；{cap.source}")


def project_advance(subsidy_yuan: Decimal, advance_yuan: Decimal, pack: PolicyPack) -> Decision:
    """Project-based training: at most the pack's share of the subsidy may be advanced (Jiangsu 50 %);
    value = the largest advance allowed. No rule in the pack: no advance limit is stated, allowed."""
    if not (rule := pack.subsidy.project_prepayment_max_ratio):
        return Decision(True)
    limit = (Decimal(subsidy_yuan) * rule.value).quantize(FEN, ROUND_HALF_UP)
    if advance_yuan <= limit:
        return Decision(True, value=limit)
    message = (
        f"先行拨付 {advance_yuan:.2f} 元超过补贴资金 {subsidy_yuan:.2f} 元的 {rule.value:.0%}"
        f"（上限 {limit:.2f} 元）"
    )
    return Decision.of([_reason("project_advance", message, rule)], limit)


# ---- subsidy claims (补贴申领) ---------------------------------------------------------------------------


def claim_check_action(check: str, pack: PolicyPack) -> Literal["block", "flag"]:
    """What a failing claim check does to its line: the pack's `claim_checks.<check>`, else ``block``."""
    rule = getattr(pack.claim_checks, check, None)
    return rule.value if rule else "block"


def notice_end(published_on: date, pack: PolicyPack) -> date:
    """Last day of the public notice (公示): N working days after the day of publication (which does not
    count, like every other working-day period). The claim may be acted on from the next day."""
    rule = pack.subsidy.public_notice_working_days
    if not rule:
        raise RuleNotDefined(pack.code, "公示期（工作日）")
    return add_working_days(published_on, rule.value)


def notice_running(end: date, today: date) -> bool:
    """The notice is still running up to and including its last day."""
    return today <= end


def amount_within_standard(amount: Decimal, standard_amount: Decimal | None) -> Decision:
    """A claimed amount must equal the catalogue standard: above it is refused, below it is noted."""
    if standard_amount is None:
        return Decision.of(
            [Reason("no_standard", "补贴标准目录中没有该职业（工种）、等级、证书类型的标准", "补贴标准目录")]
        )
    if amount > standard_amount:
        message = f"申领金额 {amount:.2f} 元高于补贴标准 {standard_amount:.2f} 元"
        return Decision.of([Reason("amount_above_standard", message, "补贴标准目录")])
    if amount < standard_amount:
        message = f"申领金额 {amount:.2f} 元低于补贴标准 {standard_amount:.2f} 元"
        return Decision.of([Reason("amount_below_standard", message, "补贴标准目录", "warn")])
    return Decision(True)


# ---- employment services (就业服务) ---------------------------------------------------------------------


def pre_release_window_start(release_date: date, pack: PolicyPack) -> date:
    """First day of the pre-release period (建档、移交): N calendar months before the release date."""
    rule = pack.employment.pre_release_window_months
    if not rule:
        raise RuleNotDefined(pack.code, "刑释前建立就业档案的提前期")
    return add_months(release_date, -rule.value)


def approaching_release(release_date: date, today: date, pack: PolicyPack) -> bool:
    """Within the pre-release period: from its first day up to and including the release day."""
    return pre_release_window_start(release_date, pack) <= today <= release_date


def follow_up_schedule(released_on: date, pack: PolicyPack) -> tuple[tuple[int, date], ...]:
    """(months, due date) of each follow-up after release; none when the pack states no schedule."""
    rule = pack.employment.follow_up_months
    return tuple((months, add_months(released_on, months)) for months in rule.value) if rule else ()


FollowUpState = Literal["not_due", "due", "overdue"]


def follow_up_state(due: date, today: date, pack: PolicyPack) -> FollowUpState:
    """An open follow-up: ``not_due`` before its window opens (due − N days), ``due`` within due ± N days
    (both ends included), ``overdue`` from the day after; without a window rule the due day alone."""
    rule = pack.employment.follow_up_window_days
    window = rule.value if rule else 0
    if today < due - timedelta(days=window):
        return "not_due"
    return "due" if today <= due + timedelta(days=window) else "overdue"
