"""Rule functions against the shipped packs: exact values and the day before / of / after each boundary."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillbridge.policy.errors import RuleNotDefined
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import (
    Decision,
    PersonFacts,
    Prepayment,
    Reason,
    add_months,
    age_at,
    data_entry_deadline,
    eligibility,
    is_overdue,
    overdue_working_days,
    per_capita_budget,
    per_person_cap,
    plan_deadline,
    prepayment,
    remaining_months,
    same_occupation_level,
    subsidy_count_cap,
    theory_practice_share,
)
from skillbridge.policy.schema import Eligibility

CZ = "常司发〔2022〕42号 三：剩余刑期不足2年"
AT = date(2025, 3, 15)


@pytest.fixture(scope="module")
def changzhou():
    return get_pack("changzhou")


@pytest.fixture(scope="module")
def anhui():
    return get_pack("anhui")


@pytest.fixture(scope="module")
def general():
    return get_pack("jiangsu-general")


def cz_person(release_date, **facts):
    base = {"has_skill": False, "can_study": True, "population_category": "inmate"}
    return PersonFacts(release_date=release_date, **(base | facts))


def ah_person(release_date, **facts):
    base = {"labour_capacity": True, "birth_date": date(1990, 6, 1), "population_category": "inmate"}
    return PersonFacts(release_date=release_date, **(base | facts))


# --- months --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 15), 24, date(2027, 3, 15)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("release", "expected"),
    [
        (date(2027, 3, 15), 24),
        (date(2027, 3, 14), 23),
        (date(2027, 3, 16), 24),
        (date(2025, 3, 16), 0),
        (date(2025, 3, 15), 0),
        (date(2024, 1, 1), 0),
    ],
)
def test_remaining_months(release, expected):
    assert remaining_months(AT, release) == expected


def test_remaining_months_from_month_end():
    assert remaining_months(date(2025, 1, 31), date(2025, 2, 28)) == 1
    assert remaining_months(date(2025, 1, 31), date(2025, 2, 27)) == 0


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(0, 60))
def test_remaining_months_inverts_add_months(at, months):
    assert remaining_months(at, add_months(at, months)) == months


def test_age_at_counts_full_years_with_feb_29_births():
    assert age_at(date(2000, 6, 1), date(2016, 5, 31)) == 15
    assert age_at(date(2000, 6, 1), date(2016, 6, 1)) == 16
    assert age_at(date(2008, 2, 29), date(2024, 2, 28)) == 15
    assert age_at(date(2008, 2, 29), date(2024, 2, 29)) == 16
    assert age_at(date(2008, 2, 29), date(2025, 2, 28)) == 17


# --- eligibility: Changzhou ---------------------------------------------------------------------


def test_changzhou_eligible_one_day_before_24_months(changzhou):
    assert eligibility(cz_person(date(2027, 3, 14)), changzhou, AT) == Decision(True, (), 23)


def test_changzhou_not_eligible_exactly_24_months(changzhou):
    decision = eligibility(cz_person(date(2027, 3, 15)), changzhou, AT)
    assert decision == Decision(
        False, (Reason("remaining_term", f"剩余刑期 24 个月，须不足 24 个月（{CZ}）", CZ),), 24
    )


def test_changzhou_not_eligible_one_day_after_24_months(changzhou):
    decision = eligibility(cz_person(date(2027, 3, 16)), changzhou, AT)
    assert [r.message for r in decision.reasons] == [f"剩余刑期 24 个月又 1 天，须不足 24 个月（{CZ}）"]
    assert decision.allowed is False


def test_changzhou_25_months_message(changzhou):
    decision = eligibility(cz_person(date(2027, 4, 15)), changzhou, AT)
    assert decision.reasons[0].message == f"剩余刑期 25 个月，须不足 24 个月（{CZ}）"


def test_changzhou_released_person_is_not_eligible(changzhou):
    for release in (date(2025, 3, 15), date(2025, 1, 1)):
        decision = eligibility(cz_person(release), changzhou, AT)
        assert decision.allowed is False
        assert decision.value is None
        assert [(r.code, r.message) for r in decision.reasons] == [
            ("released", f"已于 {release:%Y-%m-%d} 释放（解除），不再是培训对象（{CZ}）")
        ]


def test_changzhou_not_eligible_before_the_term_starts(changzhou):
    start = date(2025, 3, 15)  # AT
    message = f"2025-03-14 刑期尚未开始（自 2025-03-15 起），尚不是培训对象（{CZ}）"
    before = eligibility(cz_person(date(2026, 1, 1), term_start=start), changzhou, date(2025, 3, 14))
    assert [(r.code, r.message) for r in before.reasons] == [("not_started", message)]
    assert eligibility(cz_person(date(2026, 1, 1), term_start=start), changzhou, start) == Decision(
        True, (), 9
    )
    assert eligibility(cz_person(date(2026, 1, 1), term_start=start), changzhou, date(2025, 3, 16)).allowed


def test_changzhou_day_after_today_release_is_eligible(changzhou):
    assert eligibility(cz_person(date(2025, 3, 16)), changzhou, AT) == Decision(True, (), 0)


def test_changzhou_every_failed_condition_is_explained(changzhou):
    person = cz_person(date(2028, 1, 1), has_skill=True, can_study=False, population_category="drug_rehab")
    decision = eligibility(person, changzhou, AT)
    assert decision.allowed is False
    assert [(r.code, r.message, r.severity) for r in decision.reasons] == [
        ("remaining_term", f"强制隔离余期 33 个月又 17 天，须不足 24 个月（{CZ}）", "block"),
        ("has_skill", "已有一技之长（常司发〔2022〕42号 三：没有一技之长）", "block"),
        ("cannot_study", "不能正常坚持学习（常司发〔2022〕42号 三：能够正常坚持学习）", "block"),
        (
            "population_category",
            "人员类别「强制隔离戒毒人员」不在培训对象（服刑人员）范围内（常司发〔2022〕42号 三：服刑人员）",
            "block",
        ),
    ]


def test_changzhou_unknown_facts_block(changzhou):
    decision = eligibility(PersonFacts(), changzhou, AT)
    assert [r.code for r in decision.reasons] == [
        "release_date_unknown",
        "has_skill_unknown",
        "cannot_study_unknown",
        "population_category",
    ]
    assert decision.reasons[0].message == f"未登记预计释放（解除）日期，无法计算剩余刑期（{CZ}）"
    assert decision.reasons[3].message.startswith("人员类别「未登记」不在培训对象")


def test_changzhou_ignores_labour_capacity_and_age(changzhou):
    person = cz_person(date(2026, 1, 1), labour_capacity=False, birth_date=date(1950, 1, 1))
    assert eligibility(person, changzhou, AT) == Decision(True, (), 9)


# --- eligibility: Anhui -------------------------------------------------------------------------


def test_anhui_12_month_boundary(anhui):
    source = "皖司通〔2019〕45号 一(二)：余刑不满1年的服刑人员和强制隔离余期不满1年的戒毒人员"
    assert eligibility(ah_person(date(2026, 3, 14)), anhui, AT) == Decision(True, (), 11)
    exactly = eligibility(ah_person(date(2026, 3, 15)), anhui, AT)
    assert exactly == Decision(
        False, (Reason("remaining_term", f"剩余刑期 12 个月，须不足 12 个月（{source}）", source),), 12
    )
    after = eligibility(ah_person(date(2026, 3, 16), population_category="drug_rehab"), anhui, AT)
    assert after.reasons[0].message == f"强制隔离余期 12 个月又 1 天，须不足 12 个月（{source}）"


def test_anhui_remaining_term_from_feb_29(anhui):
    leap = date(2024, 2, 29)
    assert eligibility(ah_person(date(2025, 2, 27)), anhui, leap).allowed is True
    assert eligibility(ah_person(date(2025, 2, 28)), anhui, leap).allowed is False


def test_anhui_working_age_bounds(anhui):
    release = date(2025, 9, 1)
    low = (
        "平台默认（政策未规定）：皖司通〔2019〕45号 一(二) 仅称“劳动年龄内”，"
        "平台按未满60周岁（未区分性别与渐进式延迟退休）"
    )
    assert eligibility(ah_person(release, birth_date=date(2009, 3, 15)), anhui, AT).allowed is True
    young = eligibility(ah_person(release, birth_date=date(2009, 3, 16)), anhui, AT)
    assert [(r.code, r.message) for r in young.reasons] == [
        ("working_age", f"年龄 15 周岁，须年满 16 周岁且未满 60 周岁（{low}）")
    ]
    assert eligibility(ah_person(release, birth_date=date(1965, 3, 16)), anhui, AT).allowed is True
    old = eligibility(ah_person(release, birth_date=date(1965, 3, 15)), anhui, AT)
    assert old.reasons[0].message == f"年龄 60 周岁，须年满 16 周岁且未满 60 周岁（{low}）"
    assert old.reasons[0].source.startswith("平台默认（政策未规定）")


def test_anhui_requires_labour_capacity_and_birth_date(anhui):
    person = ah_person(date(2025, 9, 1), labour_capacity=False, birth_date=None)
    assert [(r.code, r.message) for r in eligibility(person, anhui, AT).reasons] == [
        ("no_labour_capacity", "无劳动能力（皖司通〔2019〕45号 一(二)：有劳动能力）"),
        (
            "birth_date_unknown",
            "未登记出生日期，无法判断是否在劳动年龄内（平台默认（政策未规定）：皖司通〔2019〕45号 一(二) "
            "仅称“劳动年龄内”，平台按年满16周岁）",
        ),
    ]


def test_anhui_accepts_both_populations(anhui):
    assert eligibility(ah_person(date(2025, 9, 1), population_category="drug_rehab"), anhui, AT).allowed
    decision = eligibility(ah_person(date(2025, 9, 1), population_category="community_correction"), anhui, AT)
    assert decision.reasons[0].message.startswith(
        "人员类别「社区矫正对象」不在培训对象（服刑人员、强制隔离戒毒人员）范围内"
    )


def test_inclusive_limit_of_reference_province_allows_the_boundary_day():
    guangdong = get_pack("jiangsu-special").reference_provinces[0]
    pack = get_pack("jiangsu-special").model_copy(update={"eligibility": guangdong.eligibility})
    assert eligibility(cz_person(date(2027, 3, 15)), pack, AT) == Decision(True, (), 24)
    over = eligibility(cz_person(date(2027, 3, 16)), pack, AT)
    assert over.reasons[0].message.startswith("剩余刑期 24 个月又 1 天，须不超过 24 个月（")


def test_pack_without_eligibility_rules_allows_everyone():
    pack = get_pack("changzhou").model_copy(update={"eligibility": Eligibility()})
    assert eligibility(PersonFacts(), pack, AT) == Decision(True)


# --- subsidy count and same occupation + level --------------------------------------------------


@pytest.mark.parametrize(("already", "expected"), [(0, Decision(True, (), 3)), (2, Decision(True, (), 1))])
def test_subsidy_count_under_cap(changzhou, already, expected):
    assert subsidy_count_cap(already, changzhou) == expected


@pytest.mark.parametrize("already", [3, 4])
def test_subsidy_count_at_cap_blocks(changzhou, already):
    source = "常司发〔2022〕42号 六：每人每年可享受不超过3次"
    message = f"本年度已享受 {already} 次职业培训补贴，每人每年不超过 3 次（{source}）"
    assert subsidy_count_cap(already, changzhou) == Decision(
        False, (Reason("yearly_cap", message, source),), 0
    )


def test_subsidy_count_without_rule(anhui):
    assert subsidy_count_cap(10, anhui) == Decision(True)


@pytest.mark.parametrize(
    ("new_date", "allowed"),
    [
        (date(2025, 6, 9), False),  # the day before one year has passed
        (date(2025, 6, 10), True),  # exactly one year later
        (date(2025, 6, 11), True),
        (date(2024, 6, 10), False),  # same day
        (date(2023, 6, 11), False),  # less than a year before an existing award
        (date(2023, 6, 10), True),
    ],
)
def test_changzhou_same_occupation_level_one_year(changzhou, new_date, allowed):
    decision = same_occupation_level([date(2024, 6, 10)], new_date, changzhou)
    assert decision.allowed is allowed
    source = "常司发〔2022〕42号 六：同一职业同一等级一年内不可重复享受"
    expected = (
        ()
        if allowed
        else (
            Reason(
                "same_occupation_level",
                f"同一职业同一等级已于 2024-06-10 享受补贴，相隔不足一年，一年内不可重复享受（{source}）",
                source,
            ),
        )
    )
    assert decision.reasons == expected


def test_changzhou_one_year_from_feb_29(changzhou):
    assert same_occupation_level([date(2024, 2, 29)], date(2025, 2, 27), changzhou).allowed is False
    assert same_occupation_level([date(2024, 2, 29)], date(2025, 2, 28), changzhou).allowed is True


def test_changzhou_only_recent_awards_block(changzhou):
    decision = same_occupation_level([date(2024, 12, 1), date(2020, 1, 1)], date(2025, 6, 1), changzhou)
    assert [r.message.split("（")[0] for r in decision.reasons] == [
        "同一职业同一等级已于 2024-12-01 享受补贴，相隔不足一年，一年内不可重复享受"
    ]


def test_general_same_occupation_level_never(general):
    source = "苏政办发〔2019〕71号（十四）：同一职业同一等级不可重复享受"
    decision = same_occupation_level([date(2015, 1, 1)], date(2025, 6, 1), general)
    assert decision == Decision(
        False,
        (
            Reason(
                "same_occupation_level",
                f"同一职业同一等级已于 2015-01-01 享受补贴，不可重复享受（{source}）",
                source,
            ),
        ),
    )
    assert same_occupation_level([], date(2025, 6, 1), general) == Decision(True)


def test_same_occupation_level_without_rule(anhui):
    assert same_occupation_level([date(2025, 6, 1)], date(2025, 6, 1), anhui) == Decision(True)


# --- theory / practice --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("theory", "practice", "allowed", "value"),
    [
        (40, 60, True, (Decimal("0.4000"), Decimal("0.6000"))),
        (35, 65, True, (Decimal("0.3500"), Decimal("0.6500"))),  # lower edge of ±0.05
        (45, 55, True, (Decimal("0.4500"), Decimal("0.5500"))),  # upper edge
        (3499, 6501, False, (Decimal("0.3499"), Decimal("0.6501"))),
        (4501, 5499, False, (Decimal("0.4501"), Decimal("0.5499"))),
        (1, 2, False, (Decimal("0.3333"), Decimal("0.6667"))),
    ],
)
def test_theory_practice_share_tolerance(changzhou, theory, practice, allowed, value):
    decision = theory_practice_share(theory, practice, changzhou)
    assert (decision.allowed, decision.value) == (allowed, value)
    assert len(decision.reasons) == (0 if allowed else 1)


def test_theory_practice_share_message(changzhou):
    reason = theory_practice_share(1200, 1200, changzhou).reasons[0]
    source = (
        "常司发〔2022〕42号 五(三)：理论知识学习约占总课时的40%；"
        "容差：平台默认（政策未规定）：“约占”按 ±5 个百分点掌握"
    )
    assert reason == Reason(
        "theory_practice_share",
        f"理论课时占 50.00%、实操占 50.00%，须理论约 40%、实操约 60%（允许偏差 ±5%）（{source}）",
        source,
    )


def test_theory_practice_zero_total_blocks(changzhou):
    decision = theory_practice_share(0, 0, changzhou)
    assert decision.allowed is False
    assert decision.reasons[0].code == "no_minutes"
    assert (
        decision.reasons[0].message
        == "理论与实操课时合计为 0，无法计算占比（常司发〔2022〕42号 五(三)：理论知识学习约占总课时的40%）"
    )


def test_theory_practice_without_rule(anhui):
    assert theory_practice_share(0, 0, anhui) == Decision(True)


# --- deadlines ----------------------------------------------------------------------------------


def test_changzhou_plan_due_end_of_november_of_previous_year(changzhou):
    assert plan_deadline(changzhou, 2025, "submit") == date(2024, 11, 30)
    assert plan_deadline(changzhou, 2025, "city_hrss_approve") is None


@pytest.mark.parametrize(
    ("year", "submit", "bureau", "filing"),
    [
        (2024, date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 10)),
        (2025, date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 10)),
        (2100, date(2100, 1, 31), date(2100, 2, 28), date(2100, 3, 10)),  # not a leap year
        (2000, date(2000, 1, 31), date(2000, 2, 29), date(2000, 3, 10)),
    ],
)
def test_anhui_plan_deadlines(anhui, year, submit, bureau, filing):
    assert plan_deadline(anhui, year, "submit") == submit
    assert plan_deadline(anhui, year, "bureau_compile") == bureau
    assert plan_deadline(anhui, year, "hrss_filing") == filing


def test_anhui_bureau_plan_overdue_around_feb_29_2024(anhui):
    due = plan_deadline(anhui, 2024, "bureau_compile")
    assert [is_overdue(due, d) for d in (date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1))] == [
        False,
        False,
        True,
    ]


def test_plan_deadline_absent_in_pack(general):
    assert plan_deadline(general, 2025, "submit") is None


def test_anhui_data_entry_across_spring_festival_2025(anhui):
    assert data_entry_deadline(date(2025, 1, 23), anhui) == date(2025, 2, 12)
    assert data_entry_deadline(date(2025, 1, 24), anhui) == date(2025, 2, 13)
    assert data_entry_deadline(date(2025, 1, 25), anhui) == date(2025, 2, 13)  # Saturday end: same as Friday


def test_anhui_data_entry_across_national_day_2025(anhui):
    assert data_entry_deadline(date(2025, 9, 25), anhui) == date(2025, 10, 15)
    assert data_entry_deadline(date(2025, 9, 26), anhui) == date(2025, 10, 16)
    assert data_entry_deadline(date(2025, 9, 28), anhui) == date(2025, 10, 17)


def test_data_entry_deadline_absent(changzhou):
    assert data_entry_deadline(date(2025, 1, 24), changzhou) is None


@pytest.mark.parametrize(
    ("today", "overdue", "days"),
    [
        (date(2025, 2, 12), False, 0),
        (date(2025, 2, 13), False, 0),
        (date(2025, 2, 14), True, 1),
        (date(2025, 2, 15), True, 1),  # Saturday adds no working day
        (date(2025, 2, 17), True, 2),
    ],
)
def test_overdue_around_due_day(today, overdue, days):
    due = date(2025, 2, 13)
    assert is_overdue(due, today) is overdue
    assert overdue_working_days(due, today) == days


# --- money --------------------------------------------------------------------------------------


def test_anhui_prepayment_70_percent_within_10_working_days(anhui):
    assert prepayment(date(2025, 9, 26), Decimal("120000"), anhui) == Prepayment(
        Decimal("84000.00"),
        date(2025, 10, 16),
        "皖司通〔2019〕45号 二(五)：按当年度培训计划人数的资金总额的70%拨付；"
        "皖司通〔2019〕45号 二(五)：市财政局在收到资金后的10个工作日内拨付",
    )


@pytest.mark.parametrize(
    ("budget", "amount"),
    [
        (Decimal("0.01"), Decimal("0.01")),  # 0.007 rounds half-up to 0.01
        (Decimal("0.05"), Decimal("0.04")),  # 0.035 → 0.04
        (Decimal("1234.56"), Decimal("864.19")),  # 864.192
        (Decimal("100.15"), Decimal("70.11")),  # 70.105 → 70.11
        (7, Decimal("4.90")),
    ],
)
def test_prepayment_rounds_to_the_fen(anhui, budget, amount):
    assert prepayment(date(2025, 3, 3), budget, anhui).amount == amount


def test_prepayment_refuses_float(anhui):
    with pytest.raises(TypeError, match="Decimal"):
        prepayment(date(2025, 3, 3), 100.5, anhui)


def test_prepayment_needs_the_rule(changzhou):
    with pytest.raises(RuleNotDefined, match="政策包「changzhou」未规定按计划预拨资金的比例和时限"):
        prepayment(date(2025, 3, 3), Decimal("100"), changzhou)


def test_per_capita_budget(anhui, changzhou):
    assert per_capita_budget(150, anhui) == Decimal("180000.00")
    with pytest.raises(RuleNotDefined, match="人均补助标准"):
        per_capita_budget(150, changzhou)


@pytest.mark.parametrize(
    ("already", "new", "allowed", "headroom"),
    [
        (Decimal("0"), Decimal("1200"), True, Decimal("1200")),
        (Decimal("800"), Decimal("399.99"), True, Decimal("400")),
        (Decimal("800"), Decimal("400.00"), True, Decimal("400")),
        (Decimal("800"), Decimal("400.01"), False, Decimal("400")),
        (Decimal("1300"), Decimal("1"), False, Decimal("0")),
    ],
)
def test_anhui_per_person_cap(anhui, already, new, allowed, headroom):
    decision = per_person_cap(already, new, anhui)
    assert (decision.allowed, decision.value) == (allowed, headroom)


def test_anhui_per_person_cap_message(anhui):
    source = "皖司通〔2019〕45号 一(三)：按人均1200元标准（含技能鉴定费）给予支持"
    assert per_person_cap(Decimal("1000"), Decimal("300"), anhui).reasons == (
        Reason(
            "per_person_cap",
            "已支出 1000.00 元，本次 300.00 元，合计 1300.00 元，"
            f"超过人均 1200.00 元标准（含技能鉴定费）（{source}）",
            source,
        ),
    )


def test_per_person_cap_absent_always_allows(changzhou):
    assert per_person_cap(Decimal("99999"), Decimal("99999"), changzhou) == Decision(True)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)))
def test_changzhou_boundary_holds_on_every_day(at):
    pack = get_pack("changzhou")
    bound = add_months(at, 24)
    assert eligibility(cz_person(bound - timedelta(days=1)), pack, at).allowed is True
    assert eligibility(cz_person(bound), pack, at).allowed is False
