"""Shipped packs load with the seeds' values; malformed packs fail with the file and key path."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from skillbridge.policy import loader
from skillbridge.policy.errors import PackError, RuleNotDefined, UnknownPack
from skillbridge.policy.loader import PACK_DIR, get_pack, load_all, load_pack
from skillbridge.policy.schema import DOC_TYPES, ORG_TYPES, PLATFORM_DEFAULT, DocType

MINIMAL = """
code = "{code}"
name = "测试"
version = "2025.1"
effective_date = {{ value = 2025-01-01, source = "测试文号 一" }}
region_prefixes = {{ value = ["3204"], source = "GB/T 2260" }}

[[documents]]
title = "测试文件"
"""


def write_pack(tmp_path: Path, body: str, code: str = "bad") -> Path:
    path = tmp_path / f"{code}.toml"
    path.write_text(MINIMAL.format(code=code) + body, encoding="utf-8")
    return path


def problems(tmp_path: Path, body: str) -> tuple[tuple[str, str], ...]:
    with pytest.raises(PackError) as caught:
        load_pack(write_pack(tmp_path, body))
    assert str(caught.value).startswith("政策包文件 bad.toml 有误：\n")
    return caught.value.problems


# --- shipped packs ------------------------------------------------------------------------------


def test_all_shipped_packs_load():
    packs = load_all()
    assert sorted(packs) == ["anhui", "changzhou", "jiangsu-general", "jiangsu-special", "yancheng"]
    assert {code: pack.version for code, pack in packs.items()} == {
        "anhui": "2019.1",
        "changzhou": "2022.1",
        "jiangsu-general": "2019.1",
        "jiangsu-special": "2020.1",
        "yancheng": "2019.1",
    }
    assert {code: pack.region_prefixes.value for code, pack in packs.items()} == {
        "anhui": ("34",),
        "changzhou": ("3204",),
        "jiangsu-general": ("32",),
        "jiangsu-special": ("32",),
        "yancheng": ("3209",),
    }


def test_pack_files_ship_inside_the_package():
    assert sorted(p.name for p in PACK_DIR.glob("*.toml")) == [
        "anhui.toml",
        "changzhou.toml",
        "jiangsu-general.toml",
        "jiangsu-special.toml",
        "yancheng.toml",
    ]


def test_get_pack_unknown_has_chinese_message():
    with pytest.raises(UnknownPack) as caught:
        get_pack("shanghai")
    assert (
        str(caught.value)
        == "未知的政策包「shanghai」，现有：anhui、changzhou、jiangsu-general、jiangsu-special、yancheng"
    )


def test_changzhou_values_and_sources():
    pack = get_pack("changzhou")
    assert pack.documents[0].number == "常司发〔2022〕42号"
    assert pack.eligibility.max_remaining_months.value == 24
    assert pack.eligibility.max_remaining_months.source == "常司发〔2022〕42号 三：剩余刑期不足2年"
    assert pack.eligibility.requires_no_skill.value is True
    assert pack.eligibility.requires_study_ability.value is True
    assert pack.eligibility.population_categories.value == ("inmate",)
    assert pack.subsidy.max_per_person_per_year.value == 3
    assert pack.subsidy.same_occupation_level_window.value == "one_year"
    assert pack.training.theory_share.value == Decimal("0.40")
    assert pack.training.practice_share.value == Decimal("0.60")
    assert pack.training.share_tolerance.value == Decimal("0.05")
    assert pack.training.share_tolerance.is_platform_default is True
    assert pack.training.certification_target_rate.value == Decimal("0.90")
    assert pack.subsidy.public_notice_working_days.value == 5
    assert pack.subsidy.public_notice_working_days.is_platform_default is True
    assert pack.subsidy.disbursed_by.value == "city_finance"
    assert pack.organisation.lead_unit.value == "常州监狱"
    assert pack.organisation.units.value == ("常州监狱", "溧阳监狱", "新康监狱")


def test_anhui_values_and_sources():
    pack = get_pack("anhui")
    assert pack.effective_date.value == date(2019, 11, 11)
    assert pack.eligibility.max_remaining_months.value == 12
    assert pack.eligibility.requires_labour_capacity.value is True
    assert (pack.eligibility.working_age_min.value, pack.eligibility.working_age_max.value) == (16, 60)
    assert pack.eligibility.working_age_min.source.startswith(PLATFORM_DEFAULT)
    assert pack.eligibility.population_categories.value == ("inmate", "drug_rehab")
    assert pack.subsidy.per_person_cap_yuan.value == Decimal("1200")
    assert pack.subsidy.per_person_cap_includes_assessment.value is True
    assert pack.subsidy.prepayment_ratio.value == Decimal("0.70")
    assert pack.deadlines.prepayment_working_days.value == 10
    assert pack.deadlines.data_entry_working_days.value == 10
    assert pack.training.target_levels.value == (5, 4)


def test_jiangsu_general_values():
    pack = get_pack("jiangsu-general")
    assert (
        pack.subsidy.max_per_person_per_year.source
        == "苏政办发〔2019〕71号（十四）：原则上每人每年可享受不超过3次"
    )
    assert pack.subsidy.same_occupation_level_window.value == "never"
    assert pack.subsidy.project_prepayment_max_ratio.value == Decimal("0.50")
    assert pack.subsidy.work_based_training_max_months.value == 6
    assert pack.chains == {}
    assert {t.key: (t.target.value, t.unit, t.start_year, t.end_year) for t in pack.targets} == {
        "subsidised_training_total": (Decimal("4500000"), "人次", 2019, 2021),
        "subsidised_training_2019": (Decimal("1950000"), "人次", 2019, 2019),
        "skilled_worker_share": (Decimal("0.28"), "比例", 2021, 2021),
        "high_skill_share": (Decimal("0.32"), "比例", 2021, 2021),
        "new_apprentices": (Decimal("66000"), "人", 2019, 2021),
    }


def test_yancheng_targets():
    targets = {t.key: t.target.value for t in get_pack("yancheng").targets}
    assert targets == {
        "subsidised_training_total": Decimal("360000"),
        "skilled_worker_share": Decimal("0.28"),
        "high_skill_share": Decimal("0.32"),
        "enterprise_workers": Decimal("150000"),
        "new_apprentices": Decimal("5000"),
        "school_leavers_graduates": Decimal("4000"),
        "modern_services": Decimal("10000"),
        "veterans": Decimal("5100"),
        "disabled": Decimal("4000"),
        "community_correction": Decimal("21000"),
        "entrepreneurship": Decimal("60000"),
        "farmers": Decimal("100000"),
        "poverty_alleviation": Decimal("5000"),
        "safety_skills": Decimal("40000"),
        "skill_competitions": Decimal("100"),
        "high_skill_talent": Decimal("6000"),
    }


def test_jiangsu_special_reference_provinces():
    pack = get_pack("jiangsu-special")
    assert pack.subsidy.standards_set_by.value == ("city_hrss", "city_finance")
    rows = {
        ref.province: (
            ref.eligibility.max_remaining_months and ref.eligibility.max_remaining_months.value,
            bool(
                ref.eligibility.remaining_months_inclusive
                and ref.eligibility.remaining_months_inclusive.value
            ),
            ref.claimants.value,
        )
        for ref in pack.reference_provinces
    }
    assert rows == {
        "广东省": (24, True, ("training_institution",)),
        "山东省": (24, False, ("training_institution",)),
        "湖南省": (None, False, ("prison", "training_institution")),
        "湖北省": (None, False, ("prison", "training_institution")),
    }


def chain_summary(code: str) -> dict[str, list[tuple]]:
    return {
        doc_type: [(s.key, s.actor, s.org_type, s.level) for s in stages]
        for doc_type, stages in get_pack(code).chains.items()
    }


def test_changzhou_chains():
    lead = ("lead_aggregate", "lead_unit", None, None)
    hrss = ("city_hrss_approve", "org_type", "city_hrss", "city")
    claim = [
        ("unit_review", "unit", None, None),
        lead,
        ("bureau_review", "system_bureau", None, None),
        ("city_hrss_review", "org_type", "city_hrss", "city"),
    ]
    assert chain_summary("changzhou") == {
        "annual_plan": [lead, ("bureau_confirm", "system_bureau", None, None), hrss],
        "plan_adjustment": [lead, ("bureau_confirm", "system_bureau", None, None), hrss],
        "class_application": [
            ("bureau_opinion", "system_bureau", None, None),
            ("city_hrss_opinion", "org_type", "city_hrss", "city"),
        ],
        "assessment_application": [
            ("evaluator_opinion", "named_party", "evaluation_institution", None),
            lead,
            ("bureau_opinion", "system_bureau", None, None),
            ("city_hrss_opinion", "org_type", "city_hrss", "city"),
        ],
        "training_claim": claim,
        "assessment_claim": claim,
    }
    names = [s.name for s in get_pack("changzhou").chain("annual_plan")]
    assert names == ["牵头监狱汇总", "省监狱管理局审核确认备案", "市人社局核准"]


def test_anhui_chain_and_missing_chain_error():
    assert chain_summary("anhui") == {
        "annual_plan": [
            ("bureau_compile", "system_bureau", None, None),
            ("hrss_filing", "org_type", "provincial_hrss", "province"),
        ]
    }
    pack = get_pack("anhui")
    assert pack.has_chain("training_claim") is False
    with pytest.raises(RuleNotDefined) as caught:
        pack.chain("training_claim")
    assert str(caught.value) == "政策包「anhui」未规定「培训补贴申领」的审批流程"


def test_every_source_names_a_clause_or_the_platform_default():
    text = "\n".join(p.read_text(encoding="utf-8") for p in PACK_DIR.glob("*.toml"))
    sources = re.findall(r'source = "([^"]*)"', text)
    assert len(sources) > 100
    clause = re.compile(r"〔\d{4}〕\d+号|实施方案|GB/T 2260|" + re.escape(PLATFORM_DEFAULT))
    assert [s for s in sources if not clause.search(s)] == []


def test_org_types_match_accounts_vocabulary():
    assert sorted(ORG_TYPES) == sorted(
        [
            "prison",
            "rehab_centre",
            "community_correction_office",
            "provincial_prison_bureau",
            "provincial_rehab_bureau",
            "provincial_hrss",
            "provincial_finance",
            "provincial_justice",
            "city_hrss",
            "city_finance",
            "city_justice",
            "training_institution",
            "evaluation_institution",
            "public_employment_service",
        ]
    )


# --- malformed packs ----------------------------------------------------------------------------


def test_minimal_pack_loads_with_empty_sections(tmp_path):
    pack = load_pack(write_pack(tmp_path, "", code="ok"))
    assert (pack.code, pack.chains, pack.targets, pack.subsidy.max_per_person_per_year) == (
        "ok",
        {},
        (),
        None,
    )


def test_missing_source(tmp_path):
    assert problems(tmp_path, "[subsidy]\nmax_per_person_per_year = { value = 3 }\n") == (
        (
            "subsidy.max_per_person_per_year.source",
            "缺少出处 source：每个取值都须注明政策条款，或“平台默认（政策未规定）”",
        ),
    )


def test_blank_source(tmp_path):
    body = '[subsidy]\nmax_per_person_per_year = { value = 3, source = "  " }\n'
    assert problems(tmp_path, body) == (
        (
            "subsidy.max_per_person_per_year.source",
            "出处不能为空：请写明政策条款，或“平台默认（政策未规定）”（实际为 '  '）",
        ),
    )


def test_wrong_type(tmp_path):
    body = '[subsidy]\nmax_per_person_per_year = { value = "three", source = "x 六" }\n'
    assert problems(tmp_path, body) == (
        ("subsidy.max_per_person_per_year.value", "须为整数（实际为 'three'）"),
    )


def test_number_as_string_is_rejected(tmp_path):
    body = '[eligibility]\nmax_remaining_months = { value = "24", source = "x 三" }\n'
    assert problems(tmp_path, body) == (
        ("eligibility.max_remaining_months.value", "须为整数（实际为 '24'）"),
    )


def test_bare_value_without_table(tmp_path):
    assert problems(tmp_path, "[subsidy]\nmax_per_person_per_year = 3\n") == (
        (
            "subsidy.max_per_person_per_year",
            '须写成带出处的表，如 { value = …, source = "文号 条款" }（实际为 3）',
        ),
    )


def test_misspelt_key(tmp_path):
    body = '[subsidy]\nmax_per_person_per_yaer = { value = 3, source = "x" }\n'
    assert problems(tmp_path, body) == (
        ("subsidy.max_per_person_per_yaer", "不认识的键（拼写错误，或不属于此处）"),
    )


def test_unknown_org_type_in_stage(tmp_path):
    body = """
[[chains.annual_plan]]
key = "hrss"
name = "市人社局核准"
actor = "org_type"
org_type = "city_hr"
level = "city"
source = "x 五"
"""
    ((path, message),) = problems(tmp_path, body)
    assert path == "chains.annual_plan[0].org_type"
    assert message.startswith("未知的机构类型「city_hr」，可选：prison、rehab_centre、")
    assert message.endswith("（实际为 'city_hr'）")


def test_unknown_org_type_in_list(tmp_path):
    body = '[subsidy]\nclaimants = { value = ["prison", "school"], source = "x" }\n'
    ((path, message),) = problems(tmp_path, body)
    assert path == "subsidy.claimants.value[1]"
    assert message.startswith("未知的机构类型「school」")


def test_bad_stage_actor(tmp_path):
    body = '[[chains.class_application]]\nkey = "a"\nname = "甲"\nactor = "mayor"\nsource = "x"\n'
    assert problems(tmp_path, body) == (
        (
            "chains.class_application[0].actor",
            "取值须为 'unit'、'lead_unit'、'system_bureau'、'org_type'、'named_party' 之一（实际为 'mayor'）",
        ),
    )


STAGE_HEAD = '[[chains.annual_plan]]\nkey = "a"\nname = "甲"\n'


def test_org_type_actor_without_level(tmp_path):
    body = STAGE_HEAD + 'actor = "org_type"\norg_type = "city_hrss"\nsource = "x"\n'
    assert problems(tmp_path, body) == (
        (
            "chains.annual_plan[0].level",
            "审批环节「a」：level（city 或 province）仅在 actor 为 org_type 时填写且必填",
        ),
    )


def test_lead_unit_actor_with_org_type(tmp_path):
    body = STAGE_HEAD + 'actor = "lead_unit"\norg_type = "prison"\nsource = "x"\n'
    assert problems(tmp_path, body) == (
        ("chains.annual_plan[0].org_type", "审批环节「a」的 actor 为 lead_unit 时不能填写 org_type"),
    )


def test_duplicate_stage_keys(tmp_path):
    stage = '[[chains.annual_plan]]\nkey = "a"\nname = "甲"\nactor = "lead_unit"\nsource = "x"\n'
    assert problems(tmp_path, stage * 2) == (("chains.annual_plan", "审批环节 key 重复（a、a）"),)


def test_unknown_doc_type(tmp_path):
    body = '[[chains.memo]]\nkey = "a"\nname = "甲"\nactor = "lead_unit"\nsource = "x"\n'
    ((path, message),) = problems(tmp_path, body)
    assert path == "chains.memo"
    assert message.startswith("键名取值须为 'annual_plan'、'plan_adjustment'、")
    assert message.endswith("之一（实际为 'memo'）")


def test_empty_chain(tmp_path):
    assert problems(tmp_path, "[chains]\nannual_plan = []\n") == (
        ("chains.annual_plan", "审批流程至少须有一个环节"),
    )


def test_shares_must_sum_to_one(tmp_path):
    body = """
[training]
theory_share = { value = 0.4, source = "x" }
practice_share = { value = 0.5, source = "x" }
share_tolerance = { value = 0.05, source = "x" }
"""
    assert problems(tmp_path, body) == (
        ("training.practice_share", "理论占比 0.4 与实操占比 0.5 之和须等于 1"),
    )


def test_ratio_out_of_range(tmp_path):
    body = '[subsidy]\nprepayment_ratio = { value = 1.5, source = "x" }\n'
    assert problems(tmp_path, body) == (("subsidy.prepayment_ratio.value", "须不大于 1（实际为 1.5）"),)


def test_deadline_day_that_does_not_exist_every_year(tmp_path):
    body = '[deadlines.plan]\nsubmit = { value = { month = 2, day = 29 }, source = "x" }\n'
    assert problems(tmp_path, body) == (
        ("deadlines.plan.submit.value.day", "2月没有29日（须每年都存在；月底请用 end_of_month = true）"),
    )


def test_deadline_for_unknown_stage(tmp_path):
    body = '[deadlines.plan]\nfiling = { value = { month = 3, day = 10 }, source = "x" }\n'
    assert problems(tmp_path, body) == (
        ("deadlines.plan.filing", "须为 submit 或年度计划审批环节的 key（submit）"),
    )


def test_bad_date(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.format(code="bad").replace("2025-01-01", '"soon"'), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert caught.value.problems == (("effective_date.value", "须为日期，如 2022-01-01（实际为 'soon'）"),)


def test_invalid_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('code = "bad\n', encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    ((key, message),) = caught.value.problems
    assert (key, message.split("：")[0]) == ("", "不是合法的 TOML")
    assert str(caught.value).startswith("政策包文件 bad.toml 有误：\n  - （根）：不是合法的 TOML：")


def test_code_must_match_file_name(tmp_path):
    path = write_pack(tmp_path, "", code="other")
    renamed = path.rename(tmp_path / "bad.toml")
    with pytest.raises(PackError) as caught:
        load_pack(renamed)
    assert caught.value.problems == (("code", "政策包代码「other」须与文件名「bad」一致"),)


def test_all_problems_are_reported_at_once(tmp_path):
    body = '[subsidy]\nmax_per_person_per_year = { value = 3 }\nprepayment_ratio = { source = "x" }\n'
    assert [path for path, _ in problems(tmp_path, body)] == [
        "subsidy.max_per_person_per_year.source",
        "subsidy.prepayment_ratio.value",
    ]


def test_a_bad_pack_in_the_directory_fails_load_all(tmp_path, monkeypatch):
    write_pack(tmp_path, "[subsidy]\nmax_per_person_per_year = { value = 3 }\n")
    monkeypatch.setattr(loader, "PACK_DIR", tmp_path)
    with pytest.raises(PackError, match=r"bad\.toml"):
        load_all()


def test_doc_type_labels_cover_the_literal():
    assert list(get_args(DocType)) == list(DOC_TYPES)
