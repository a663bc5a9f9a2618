"""Dashboard figures against the hand-computed world of conftest.py (period 2026, today 2026-11-22)."""

import datetime as dt

import pytest

from skillbridge.errors import Forbidden, NotFound
from skillbridge.reporting import selectors
from skillbridge.reporting.periods import parse_period
from skillbridge.reporting.scopes import scope_for

from .conftest import TODAY, WELDER, approved_plan, make_class, make_person

YEAR = parse_period("2026", today=TODAY)


def board(user, period=YEAR, **drill):
    return selectors.dashboard(scope_for(user, **drill), period, today=TODAY)


def pick(metrics, *keys):
    return {k: metrics[k] for k in keys}


KEYS = ("due", "due_certified", "cert_rate", "enrolled", "completed", "assessed", "certified", "classes")


def test_unit_figures_by_hand(world):
    data = board(world.demo.user("ly_operator"))
    assert data["scope"] == {"level": "unit", "code": str(world.ly.pk), "name": "溧阳监狱"}
    assert pick(data["totals"], *KEYS) == {
        "due": 4,
        "due_certified": 1,
        "cert_rate": 0.25,
        "enrolled": 6,
        "completed": 3,
        "assessed": 3,
        "certified": 4,
        "classes": 2,
    }
    assert pick(
        data["totals"],
        "claim_lines",
        "claimed_amount",
        "approved_lines",
        "approved_amount",
        "rejected_lines",
        "noticed_lines",
        "noticed_amount",
        "disbursed_amount",
        "paid_amount",
    ) == {
        "claim_lines": 3,
        "claimed_amount": "3600.00",
        "approved_lines": 2,
        "approved_amount": "2400.00",
        "rejected_lines": 1,
        "noticed_lines": 2,
        "noticed_amount": "2400.00",
        "disbursed_amount": "2400.00",
        "paid_amount": "2400.00",
    }
    assert data["rows"] == [{"level": "unit", "key": str(world.ly.pk), "name": "溧阳监狱", **data["totals"]}]


def test_city_and_province_levels_sum_the_level_below(world):
    bureau = world.demo.user("js_bureau_reviewer")
    province = board(bureau)
    assert province["scope"]["level"] == "province"
    assert [(r["key"], r["name"]) for r in province["rows"]] == [("3201", "南京市"), ("3204", "常州市")]
    assert pick(province["totals"], *KEYS) == {
        "due": 7,
        "due_certified": 4,
        "cert_rate": 0.5714,
        "enrolled": 7,
        "completed": 5,
        "assessed": 3,
        "certified": 6,
        "classes": 3,
    }
    for city_row in province["rows"]:
        city = board(bureau, city=city_row["key"])
        assert city["totals"] == {k: v for k, v in city_row.items() if k not in ("level", "key", "name")}
        summed = {k: 0 for k in selectors.COUNT_METRICS}
        for unit_row in city["rows"]:
            unit = board(bureau, unit=unit_row["key"])
            assert unit["totals"] == {k: v for k, v in unit_row.items() if k not in ("level", "key", "name")}
            for k in summed:
                summed[k] += unit_row[k]
        assert summed == {k: city["totals"][k] for k in summed}
    for k in selectors.COUNT_METRICS:
        assert province["totals"][k] == sum(r[k] for r in province["rows"])
    changzhou = board(bureau, city="3204")
    assert [(r["name"], r["due"], r["due_certified"], r["cert_rate"]) for r in changzhou["rows"]] == [
        ("常州监狱", 1, 1, 1.0),
        ("新康监狱", 1, 1, 1.0),
        ("溧阳监狱", 4, 1, 0.25),
    ]
    assert changzhou["totals"]["cert_rate"] == 0.5


def test_city_hrss_sees_only_its_units(world):
    data = board(world.demo.user("cz_hrss_reviewer"))
    assert data["scope"] == {"level": "city", "code": "3204", "name": "常州市"}
    assert [r["name"] for r in data["rows"]] == ["常州监狱", "新康监狱", "溧阳监狱"]
    assert data["totals"]["due"] == 6
    with pytest.raises(NotFound):
        scope_for(world.demo.user("cz_hrss_reviewer"), unit=world.nj.pk)
    with pytest.raises(NotFound):
        scope_for(world.demo.user("cz_hrss_reviewer"), city="3201")


def test_unit_never_sees_another_unit(world):
    user = world.demo.user("ly_operator")
    with pytest.raises(NotFound):
        scope_for(user, unit=world.cz.pk)
    assert scope_for(user, unit=world.ly.pk).unit_ids == [world.ly.pk]
    assert board(world.demo.user("xk_operator"))["totals"]["certified"] == 0


def test_other_province_and_institution(world):
    anhui = board(world.demo.user("ah_prison_bureau"))
    assert anhui["scope"]["name"] == "安徽省"
    assert pick(anhui["totals"], "due", "due_certified", "enrolled", "completed", "deadlines_missed") == {
        "due": 1,
        "due_certified": 0,
        "enrolled": 1,
        "completed": 1,
        "deadlines_missed": 2,
    }
    # 皖司通〔2019〕45号 二(四): the 2026 plan was due by 31 January (never submitted), and one class's trainee
    # data within 10 working days of its end.
    assert [(d["deadline"], d["done_on"]) for d in anhui["deadlines"]] == [
        ("2026-01-31", None),
        ("2026-07-14", None),
    ]
    assert anhui["deadlines"][0]["what"] == "2026年度培训计划报送"
    assert anhui["deadlines"][1]["what"].endswith("期学员信息录入")
    assert board(world.demo.user("js_bureau_reviewer"))["totals"]["deadlines_missed"] == 0
    with pytest.raises(Forbidden):
        scope_for(world.demo.user("czjs_operator"))


def test_quarter_boundaries(world):
    user = world.demo.user("ly_operator")
    q1 = board(user, parse_period("2026Q1", today=TODAY))["totals"]
    # 赵一 releases 03-31 (last day of Q1), certified 02-10 / reissued 03-01.
    assert pick(q1, "due", "due_certified", "enrolled", "completed", "certified", "claim_lines") == {
        "due": 1,
        "due_certified": 1,
        "enrolled": 4,
        "completed": 3,
        "certified": 2,
        "claim_lines": 0,
    }
    q2 = board(user, parse_period("2026Q2", today=TODAY))["totals"]
    assert pick(q2, "due", "due_certified", "certified", "claim_lines") == {
        "due": 1,
        "due_certified": 0,
        "certified": 1,
        "claim_lines": 3,
    }


def test_people_missing_certificate(world):
    scope = scope_for(world.demo.user("js_bureau_reviewer"), unit=world.ly.pk)
    missing = selectors.people(scope, YEAR, "missing_certificate")
    assert [e.person.name for e in missing] == ["钱二", "孙三", "吴六"]
    done = selectors.people(scope, YEAR, "certified_before_release")
    assert [e.person.name for e in done] == ["赵一"]


def test_certification_target(world):
    data = board(world.demo.user("js_bureau_reviewer"), city="3204")
    by_key = {t["key"]: t for t in data["targets"]}
    rate = by_key["changzhou.certification_rate"]
    assert (rate["target"], rate["actual"], rate["progress"], rate["status"]) == (
        0.9,
        0.5,
        0.5556,
        "未达到目标",
    )
    assert "常司发〔2022〕42号" in rate["source"]
    # The 2019–2021 action targets are not shown for 2026.
    assert sorted(by_key) == ["changzhou.certification_rate"]


def test_action_targets_with_projection(world):
    from skillbridge.accounts.models import RoleGrant, User

    office = accounts_create(
        world, "盐城市亭湖区社区矫正管理局", "community_correction_office", "320902", "yancheng"
    )
    user = User.objects.create_user(username="yc_operator", full_name="亭湖社矫经办", organisation=office)
    RoleGrant.objects.create(user=user, role="operator")
    helped = make_person(office, name="社矫一", release=dt.date(2021, 6, 30), category="community_correction",
                         kind="community", number="YC0001", start=dt.date(2019, 6, 1))  # fmt: skip
    make_class(office, start=dt.date(2020, 5, 1), ended=dt.date(2020, 5, 20), institution=world.school,
               user=user, people=[(helped, "completed")])  # fmt: skip
    hrss = accounts_create(world, "盐城市人力资源和社会保障局", "city_hrss", "320900", "yancheng")
    city_user = User.objects.create_user(username="yc_hrss", full_name="盐城人社审核", organisation=hrss)
    RoleGrant.objects.create(user=city_user, role="reviewer")
    city = scope_for(city_user)  # 盐城市: the region of Yancheng's targets
    mid = selectors.dashboard(city, parse_period("2020", today=TODAY), today=dt.date(2020, 7, 1))
    by_key = {t["key"]: t for t in mid["targets"]}
    group = by_key["yancheng.community_correction"]
    assert (group["target"], group["actual"], group["window"]) == (21000.0, 1, "2019—2021年")
    # 1 person-time after 548 of the 1,096 days of 2019–2021 → 2 by the end of 2021.
    assert (group["projected"], group["on_track"], group["status"]) == (2, False, "按当前进度难以按期完成")
    assert by_key["yancheng.disabled"]["actual"] == 0
    assert by_key["yancheng.skill_competitions"]["status"] == "平台无此项数据"
    assert "盐城市职业技能提升行动实施方案 四(一)2" in group["source"]
    # The province's target on a city dashboard, and the city's on a unit's: the share, not a verdict.
    province_total = by_key["jiangsu-general.subsidised_training_total"]
    assert (province_total["actual"], province_total["progress"], province_total["on_track"]) == (
        1,
        None,
        None,
    )
    assert province_total["status"] == "目标为全省合计，本范围的完成数计入其中，不单独测算进度"
    unit = {t["key"]: t for t in selectors.dashboard(scope_for(user), parse_period("2020", today=TODAY),
                                                      today=dt.date(2020, 7, 1))["targets"]}  # fmt: skip
    share = unit["yancheng.community_correction"]
    assert (share["actual"], share["progress"], share["projected"], share["on_track"]) == (
        1,
        None,
        None,
        None,
    )
    assert share["status"] == "目标为全市合计，本范围的完成数计入其中，不单独测算进度"
    after = selectors.dashboard(city, parse_period("2020", today=TODAY), today=TODAY)
    group = {t["key"]: t for t in after["targets"]}["yancheng.community_correction"]
    assert (group["projected"], group["status"]) == (1, "目标期已结束：未完成")


def test_projection_is_a_straight_line():
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert selectors.projection(100, *year, dt.date(2026, 7, 2)) == 100 * 365 / 183
    assert selectors.projection(100, *year, dt.date(2025, 12, 31)) is None
    assert selectors.projection(100, *year, dt.date(2026, 1, 1)) == 36500
    assert selectors.projection(100, *year, dt.date(2026, 12, 31)) == 100


def accounts_create(world, name, org_type, region, pack):
    from skillbridge.accounts import services as accounts

    return accounts.organisation_create(
        actor=world.demo.user("sysadmin"), name=name, org_type=org_type, region_code=region, policy_pack=pack
    )


def test_plan_versus_actual(world):
    data = board(world.demo.user("ly_operator"))
    assert data["plan_vs_actual"]["by_unit"] == [
        {"name": "溧阳监狱", "planned": 30, "actual": 6, "rate": 0.2}
    ]
    assert data["plan_vs_actual"]["by_occupation"] == [
        {"name": "电工", "planned": 30, "actual": 4, "rate": 0.1333},
        {"name": "焊工", "planned": 0, "actual": 2, "rate": None},
    ]
    assert data["breakdown"]["institution"] == [{"name": "常州技师学院", "classes": 2, "enrolled": 6}]
    assert data["breakdown"]["level"] == [
        {"name": "五级/初级工", "classes": 1, "enrolled": 4},
        {"name": "四级/中级工", "classes": 1, "enrolled": 2},
    ]


def test_plan_subjects_without_enrolments_are_named(world):
    """A plan item nobody has enrolled in yet is named from the plan's own subject (live and rolled up alike)."""
    approved_plan(world.demo, "cz_operator", 2026, items=((WELDER, 4, 20),))
    scope = scope_for(world.demo.user("cz_operator"), unit=world.cz.pk)
    period = parse_period("2026", today=TODAY)
    for live in (True, False):
        data = selectors.dashboard(scope, period, today=TODAY, live=live)
        assert data["plan_vs_actual"]["by_occupation"] == [
            {"name": "焊工", "planned": 20, "actual": 0, "rate": 0.0}
        ], live


def test_annual_plan_submission_deadline(world):
    """常司发〔2022〕42号 五(一): next year's plan is due by the end of November; the first submission counts."""
    from django.utils import timezone

    from skillbridge.approvals.models import ReviewCase

    def first_submitted(plan, *when):
        ReviewCase.objects.filter(pk=plan.review_id).update(
            first_submitted_at=timezone.make_aware(dt.datetime(*when))
        )

    scope = scope_for(world.demo.user("cz_hrss_reviewer"))  # 常州监狱, 新康监狱, 溧阳监狱
    q4 = parse_period("2026Q4", today=TODAY)
    first_submitted(approved_plan(world.demo, "ly_operator", 2027), 2026, 11, 30, 16)  # on the day
    first_submitted(approved_plan(world.demo, "xk_operator", 2027), 2026, 12, 2, 9)  # two days late

    def missed(period, today):
        return [
            (d["unit"], d["what"], d["deadline"], d["done_on"])
            for d in selectors.missed_deadlines(scope.unit_ids, period, today=today)
        ]

    assert missed(q4, dt.date(2026, 11, 30)) == []  # the day of the deadline: not missed yet
    assert missed(q4, dt.date(2026, 12, 1)) == [
        ("常州监狱", "2027年度培训计划报送", "2026-11-30", None),
        ("新康监狱", "2027年度培训计划报送", "2026-11-30", "2026-12-02"),
    ]
    assert missed(parse_period("2026Q3", today=TODAY), dt.date(2026, 12, 1)) == []  # not due in Q3
    data = selectors.dashboard(scope, q4, today=dt.date(2026, 12, 1))
    assert data["totals"]["deadlines_missed"] == 2
    assert {r["name"]: r["deadlines_missed"] for r in data["rows"]} == {
        "常州监狱": 1,
        "新康监狱": 1,
        "溧阳监狱": 0,
    }
