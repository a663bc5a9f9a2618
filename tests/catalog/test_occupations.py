import csv
from pathlib import Path

import pytest

from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel
from skillbridge.catalog.selectors import occupation_search

pytestmark = pytest.mark.django_db

CSV = Path(__file__).resolve().parents[2] / "src/skillbridge/catalog/data/csco2022_occupations.csv"


def test_shipped_csv_has_the_documented_rows():
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    assert len(rows) == 2051
    assert sum(r["level"] == "4" for r in rows) == 1634


def test_occupations_loaded_once_per_code():
    # The CSV repeats 4 codes: 4-12-04-02 and 6-20-05-03 twice as occupations, 5-03-00-00 twice as a
    # 中类, and 2-03-01-00 both as a 小类 and an occupation (kept as the occupation).
    assert Occupation.objects.count() == 2047
    assert Occupation.objects.filter(level=4).count() == 1632
    assert Occupation.objects.filter(level=1).count() == 8
    assert Occupation.objects.filter(level=2).count() == 72
    assert Occupation.objects.filter(level=3).count() == 335
    assert Occupation.objects.get(code="2-03-01-00").level == 4


def test_known_occupation_name_parent_and_flags():
    electrician = Occupation.objects.select_related("parent__parent__parent").get(code="6-31-01-03")
    assert electrician.name == "电工"
    assert (electrician.parent.code, electrician.parent.name) == ("6-31-01-00", "机械设备修理人员")
    assert electrician.parent.parent.code == "6-31-00-00"
    assert electrician.parent.parent.parent.code == "6-00-00-00"
    assert Occupation.objects.get(code="4-04-05-01").digital is True
    assert Occupation.objects.get(code="4-04-05-03").digital is False


def test_parent_derived_when_the_group_is_absent():
    # 1-02-01-00 is an occupation directly under the 中类 1-02-00-00 (no 小类 in between).
    assert Occupation.objects.get(code="1-02-01-00").parent.code == "1-02-00-00"
    # 2-03-01-00's 小类 row was merged into the occupation: its parent is the 中类.
    assert Occupation.objects.get(code="2-03-01-00").parent.code == "2-03-00-00"
    assert Occupation.objects.filter(level__gt=1, parent__isnull=True).count() == 0


def test_levels_and_certificate_types_seeded():
    assert [(lv.code, lv.name, lv.title) for lv in SkillLevel.objects.all()] == [
        (5, "五级", "初级工"),
        (4, "四级", "中级工"),
        (3, "三级", "高级工"),
        (2, "二级", "技师"),
        (1, "一级", "高级技师"),
    ]
    assert [(c.name, c.is_national, c.issuer_org_type) for c in CertificateType.objects.all()] == [
        ("职业资格证书", True, "evaluation_institution"),
        ("职业技能等级证书", True, "evaluation_institution"),
        ("专项职业能力证书", True, "evaluation_institution"),
        ("特种作业操作证书", True, "evaluation_institution"),
        ("特种设备作业人员证书", True, "evaluation_institution"),
        ("培训合格证书", False, "training_institution"),
    ]


def test_search_by_code_prefix_and_name(demo):
    user = demo.user("ly_operator")
    assert [o.code for o in occupation_search(user, "4-03-02-0")] == [
        "4-03-02-00",
        "4-03-02-01",
        "4-03-02-02",
        "4-03-02-03",
        "4-03-02-04",
        "4-03-02-05",
        "4-03-02-06",
        "4-03-02-07",
        "4-03-02-08",
        "4-03-02-09",
    ]
    assert [(o.code, o.name) for o in occupation_search(user, "面点")] == [
        ("4-03-02-02", "中式面点师"),
        ("4-03-02-04", "西式面点师"),
    ]
    assert [o.code for o in occupation_search(user, "美容", level=3)] == ["4-10-03-00"]


def test_search_runs_in_the_database(demo, django_assert_max_num_queries):
    user = demo.user("ly_operator")
    with django_assert_max_num_queries(1):
        assert len(list(occupation_search(user, "焊工"))) == 2


def test_search_page_and_api(client, demo):
    client.force_login(demo.user("ly_operator"))
    html = client.get("/catalog/occupations/", {"q": "中式烹调"}).content.decode()
    assert "4-03-02-01" in html and "中式烹调师" in html
    body = client.get("/api/v1/catalog/occupations", {"q": "6-31-01", "page_size": 3}).json()
    assert body["count"] == 11
    assert [i["code"] for i in body["items"]] == ["6-31-01-00", "6-31-01-01", "6-31-01-02"]
    assert body["items"][0]["parent_code"] == "6-31-00-00"
    one = client.get("/api/v1/catalog/occupations/6-31-01-03").json()
    assert (one["name"], one["level"], one["green"], one["digital"]) == ("电工", 4, False, False)


def test_catalogues_need_login(client, db):
    assert client.get("/catalog/occupations/").status_code == 302
    assert client.get("/api/v1/catalog/occupations").status_code == 401
