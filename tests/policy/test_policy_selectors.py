"""Selectors give the API and the pack page plain data with every value's source."""

import json

import pytest

from skillbridge.policy.errors import UnknownPack
from skillbridge.policy.selectors import list_packs, pack_summary, packs_for_region


def test_list_packs_headers():
    packs = list_packs()
    assert [p["code"] for p in packs] == [
        "anhui",
        "changzhou",
        "jiangsu-general",
        "jiangsu-special",
        "yancheng",
    ]
    anhui = packs[0]
    assert anhui["name"] == "安徽省服刑人员和强制隔离戒毒人员就业技能培训"
    assert anhui["effective_date"]["value"] == "2019-11-11"
    assert anhui["documents"] == [
        {
            "number": "皖司通〔2019〕45号",
            "title": "关于加强服刑人员和强制隔离戒毒人员就业技能培训工作的通知",
            "issuer": "安徽省司法厅、安徽省人力资源和社会保障厅、安徽省财政厅",
            "issued_on": "2019-11-11",
        }
    ]


@pytest.mark.parametrize("code", ["anhui", "changzhou", "jiangsu-general", "jiangsu-special", "yancheng"])
def test_summary_is_json_serialisable_and_every_item_is_sourced(code):
    summary = pack_summary(code)
    json.dumps(summary)
    items = [item for section in summary["sections"] for item in section["items"]]
    items += summary["targets"] + [item for ref in summary["reference_provinces"] for item in ref["items"]]
    assert items
    assert all(item["source"] for item in items)
    assert all(stage["source"] for chain in summary["chains"] for stage in chain["stages"])


def item(summary, section, key):
    (found,) = [i for s in summary["sections"] if s["key"] == section for i in s["items"] if i["key"] == key]
    return found


def test_summary_items_carry_label_display_and_default_flag():
    summary = pack_summary("changzhou")
    assert item(summary, "eligibility", "max_remaining_months") == {
        "key": "max_remaining_months",
        "label": "剩余刑期（余期）上限（月）",
        "value": 24,
        "display": "24",
        "source": "常司发〔2022〕42号 三：剩余刑期不足2年",
        "platform_default": False,
    }
    tolerance = item(summary, "training", "share_tolerance")
    assert (tolerance["value"], tolerance["platform_default"]) == ("0.05", True)
    assert item(summary, "subsidy", "same_occupation_level_window")["display"] == "一年内"
    assert item(summary, "subsidy", "claimants")["display"] == "培训机构、评价机构"
    assert item(summary, "deadlines", "plan.submit")["display"] == "计划年度前一年11月底前"
    assert item(summary, "deadlines", "plan.submit")["value"] == {
        "month": 11,
        "day": None,
        "end_of_month": True,
        "year_offset": -1,
    }


def test_summary_chains_in_document_order_with_actor_labels():
    chains = pack_summary("changzhou")["chains"]
    assert [c["doc_type"] for c in chains] == [
        "annual_plan",
        "plan_adjustment",
        "class_application",
        "assessment_application",
        "training_claim",
        "assessment_claim",
    ]
    assert [(s["name"], s["actor_label"]) for s in chains[0]["stages"]] == [
        ("牵头监狱汇总", "同市同类牵头单位"),
        ("省监狱管理局审核确认备案", "本系统省级管理局"),
        ("市人社局核准", "市人力资源和社会保障局"),
    ]
    assert chains[0]["label"] == "年度培训计划"


def test_summary_targets():
    target = next(t for t in pack_summary("yancheng")["targets"] if t["key"] == "community_correction")
    assert target == {
        "key": "community_correction",
        "name": "社区矫正人员（含转置帮教人员）就业技能培训",
        "unit": "人次",
        "start_year": 2019,
        "end_year": 2021,
        "label": "社区矫正人员（含转置帮教人员）就业技能培训",
        "value": "21000",
        "display": "21000",
        "source": "盐城市职业技能提升行动实施方案 四(一)2：2.1万人次以上",
        "platform_default": False,
    }


def test_summary_unknown_pack():
    with pytest.raises(UnknownPack):
        pack_summary("nowhere")


@pytest.mark.parametrize(
    ("region", "codes"),
    [
        ("320402", ["changzhou", "jiangsu-general", "jiangsu-special"]),
        ("320902", ["yancheng", "jiangsu-general", "jiangsu-special"]),
        ("320100", ["jiangsu-general", "jiangsu-special"]),
        ("340100", ["anhui"]),
        ("110000", []),
    ],
)
def test_packs_for_region_most_specific_first(region, codes):
    assert packs_for_region(region) == codes
