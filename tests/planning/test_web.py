import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from tests.registry.conftest import make_person

from skillbridge.accounts import services as accounts
from skillbridge.planning import services
from skillbridge.planning.models import Agreement, AnnualPlan, PlanItem
from skillbridge.registry.models import Episode

from .conftest import AGREEMENT, ELECTRICIAN, approve_all, make_plan

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    data = response.content if hasattr(response, "content") else b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def submitted(demo, username="ly_operator"):
    plan = make_plan(demo, username)
    services.plan_submit(actor=demo.user(username), plan=plan)
    return plan


def test_other_unit_gets_404_and_nothing_changes(client, demo):
    plan = make_plan(demo)
    item = plan.items.first()
    client.force_login(demo.user("xk_operator"))
    assert "溧阳监狱" not in client.get("/planning/").content.decode()
    for url in (
        f"/planning/{plan.pk}/",
        f"/planning/{plan.pk}/forms/cz2/",
        f"/planning/items/{item.pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    data = {
        "category": "employment",
        "occupation": item.occupation_id,
        "planned_trainees": 99,
        "planned_classes": 1,
    }
    assert client.post(f"/planning/items/{item.pk}/edit/", data).status_code == 404
    assert client.post(f"/planning/items/{item.pk}/delete/").status_code == 404
    assert client.post(f"/planning/{plan.pk}/submit/").status_code == 404
    item.refresh_from_db()
    assert item.planned_trainees == 20
    assert plan.items.count() == 2
    plan.review.refresh_from_db()
    assert plan.review.status == "draft"


def test_chain_organisations_see_the_plan(client, demo):
    plan = make_plan(demo)
    client.force_login(demo.user("cz_reviewer"))
    assert client.get(f"/planning/{plan.pk}/").status_code == 404  # a draft is the unit's own
    services.plan_submit(actor=demo.user("ly_operator"), plan=plan)
    for username in ("cz_reviewer", "js_bureau_reviewer", "cz_hrss_reviewer"):
        client.force_login(demo.user(username))
        assert "溧阳监狱" in client.get("/planning/").content.decode(), username
        page = client.get(f"/planning/{plan.pk}/").content.decode()
        assert "牵头监狱汇总" in page and f"/reviews/{plan.review_id}/" in page, username
    client.force_login(demo.user("hf_hrss"))
    assert client.get(f"/planning/{plan.pk}/").status_code == 404


def test_survey_groups_leave_out_people_already_released(demo):
    from skillbridge.planning.selectors import survey_groups
    from skillbridge.registry import services as registry

    unit = demo.orgs["溧阳监狱"]
    for name in ("赵一", "钱二"):
        make_person(unit, name=name, release=dt.date(2027, 6, 30))
    Episode.objects.filter(person__name__in=["赵一", "钱二"]).update(employment_intention="电工")
    registry.episode_status_change(
        actor=demo.user("ly_operator"),
        episode=Episode.objects.get(person__name="钱二"),
        to_status="released",
        changed_on=dt.date(2027, 6, 30),
    )
    result, groups = survey_groups(demo.user("ly_operator"), unit=unit, year=2027)
    assert sorted(r.person.name for r in result.eligible) == ["赵一", "钱二"]  # the survey lists both
    assert [(g.intention, [r.person.name for r in g.rows]) for g in groups] == [("电工", ["赵一"])]


def test_create_from_survey_groups_by_intention(client, demo):
    unit = demo.orgs["溧阳监狱"]
    for name in ("赵一", "钱二", "孙三"):
        make_person(unit, name=name, release=dt.date(2027, 6, 30))
    make_person(unit, name="李四", release=dt.date(2027, 8, 31))
    Episode.objects.filter(person__name__in=["赵一", "钱二", "孙三"]).update(employment_intention="电工")
    Episode.objects.filter(person__name="李四").update(employment_intention="中式面点")
    client.force_login(demo.user("ly_operator"))
    page = client.get("/planning/new/", {"year": 2027}).content.decode()
    assert "就业意向" in page and "赵一" in page
    assert 'name="items-TOTAL_FORMS" value="3"' in page  # two groups + one blank line
    assert 'value="3"' in page  # electricians pre-filled
    post = {
        "year": 2027,
        "reason": "按摸排编制",
        "items-TOTAL_FORMS": 2,
        "items-INITIAL_FORMS": 2,
        "items-0-category": "employment",
        "items-0-occupation": demo_occupation(ELECTRICIAN),
        "items-0-level": 5,
        "items-0-planned_trainees": 3,
        "items-0-planned_classes": 1,
        "items-0-budget": "3600",
        "items-1-category": "employment",
        "items-1-occupation": demo_occupation("4-03-02-02"),
        "items-1-level": 5,
        "items-1-planned_trainees": 1,
        "items-1-planned_classes": 1,
        "items-1-budget": "1000",
        "items-1-DELETE": "on",
    }
    response = client.post("/planning/new/", post)
    plan = AnnualPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/planning/{plan.pk}/"
    assert [(i.occupation.code, i.planned_trainees) for i in plan.items.all()] == [(ELECTRICIAN, 3)]
    # the same again is a duplicate: message on the page, nothing written
    page = client.post("/planning/new/", post).content.decode()
    assert "溧阳监狱2027年度培训计划已存在" in page
    assert AnnualPlan.objects.count() == 1


def demo_occupation(code):
    from skillbridge.catalog.models import Occupation

    return Occupation.objects.get(code=code).pk


def test_item_add_bad_input_and_after_submission(client, demo):
    plan = make_plan(demo)
    client.force_login(demo.user("ly_operator"))
    data = {
        "category": "employment",
        "occupation": demo_occupation(ELECTRICIAN),
        "level": 5,
        "planned_trainees": 0,
        "planned_classes": 1,
        "budget": "100",
    }
    page = client.post(f"/planning/{plan.pk}/items/new/", data).content.decode()
    assert "计划培训人数须大于0" in page
    assert plan.items.count() == 2
    client.post(f"/planning/{plan.pk}/submit/")
    plan.review.refresh_from_db()
    assert plan.review.status == "in_review"
    response = client.post(f"/planning/{plan.pk}/items/new/", {**data, "planned_trainees": 5}, follow=True)
    assert "不能修改计划项目" in response.content.decode()
    assert plan.items.count() == 2
    response = client.post(f"/planning/{plan.pk}/submit/", follow=True)
    assert "不能重复报送" in response.content.decode()


def test_detail_versions_and_review_link(client, demo):
    plan = submitted(demo)
    approve_all(demo, plan)
    operator = demo.user("ly_operator")
    services.plan_adjustment_create(actor=operator, plan=plan, kind="temporary", reason="临时增加")
    client.force_login(operator)
    page = client.get(f"/planning/{plan.pk}/").content.decode()
    assert f'href="/reviews/{plan.review_id}/"' in page
    assert "第1版" in page and "第2版" in page and "临时增加项目（申请备案）" in page
    assert "已核准" in page and "计划调整" in page


def test_exports(client, demo):
    plan = submitted(demo)
    client.force_login(demo.user("ly_operator"))
    rows = sheet_rows(client.get("/planning/", {"export": "xlsx"}))
    assert rows[0][:4] == ["编号", "单位", "年度", "类型"]
    assert rows[1][1:5] == ["溧阳监狱", 2027, "年度计划", 30]
    cz1 = sheet_rows(client.get(f"/planning/{plan.pk}/forms/cz1/"))
    assert cz1[0][0] == "2027年度监狱培训项目及人员信息表"
    assert cz1[2] == ["序号", "监狱", "参加人数", "培训项目", "具体项目人数"]
    assert cz1[3] == [1, "溧阳监狱", 30, "电工（五级）", 20]
    assert cz1[4][3:] == ["中式面点师（五级）", 10]
    assert cz1[5][0] == "合计" and cz1[5][4] == 30
    cz2 = sheet_rows(client.get(f"/planning/{plan.pk}/forms/cz2/"))
    assert cz2[0][0] == "江苏省特殊人群职业技能工作2027年度计划表"
    assert cz2[2] == [
        "序号",
        "单位",
        "培训类别",
        "职业（工种）/项目",
        "等级",
        "计划人数",
        "计划班次",
        "经费预算（元）",
        "备注",
    ]
    assert cz2[3][:8] == [1, "溧阳监狱", "就业技能培训", "电工", "五级/初级工", 20, 1, 24000]
    assert cz2[-1][:8] == ["合计", "", "", "", "", 30, 2, 34000]
    pdf = client.get(f"/planning/{plan.pk}/forms/cz2pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(f"/planning/{plan.pk}/forms/ah1/").status_code == 404  # not a Changzhou form
    assert "export=xlsx" in client.get(f"/planning/{plan.pk}/").content.decode()  # 附件3 link


def test_anhui_bureau_compilation_export(client, demo):
    operator = demo.user("ah_prison_operator")
    from .conftest import line

    plan = services.plan_create(
        actor=operator, unit=operator.organisation, year=2027, items=[line(budget=None, trainees=50)]
    )
    services.plan_submit(actor=operator, plan=plan)
    client.force_login(demo.user("ah_prison_bureau"))
    page = client.get("/planning/compilation/", {"year": 2027}).content.decode()
    assert "安徽省蜀山监狱" in page and "60000.00" in page
    rows = sheet_rows(client.get("/planning/compilation/", {"year": 2027, "export": "ah2"}))
    assert rows[0][0] == "全省服刑人员、戒毒人员培训计划表"
    assert rows[1][0] == "报送单位：安徽省监狱管理局（公章）"
    assert rows[2] == ["序号", "驻在地市", "监狱或戒毒所名称", "年度培训计划数(人)", "经费预算数(元)"]
    assert rows[3] == [1, "合肥市", "安徽省蜀山监狱", 50, 60000]
    assert rows[4] == ["合计", "", "", 50, 60000]
    client.force_login(operator)
    ah1 = sheet_rows(client.get(f"/planning/{plan.pk}/forms/ah1/"))
    assert ah1[0][0] == "全省服刑人员、戒毒人员培训计划申报表"
    assert ah1[3][:7] == [1, "电工", "五级/初级工", "就业技能培训", 50, 1, 60000]


# ---- agreements --------------------------------------------------------------------------------------------


def agreement_post(institution_id, **changes):
    data = {**AGREEMENT, "institution": institution_id, **changes}
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


def test_agreement_pages(client, catalog):
    client.force_login(catalog.user("ly_operator"))
    institution = catalog.orgs["常州技师学院"]
    page = client.get("/planning/agreements/new/", {"institution": institution.pk}).content.decode()
    assert "常州市武进区滆湖中路28号" in page  # pre-filled from the directory
    bad = client.post(
        "/planning/agreements/new/",
        agreement_post(institution.pk, valid_from="2026-12-31", valid_to="2026-01-01"),
    )
    assert "合作期限的起始日期不能晚于截止日期" in bad.content.decode()
    assert Agreement.objects.count() == 0
    response = client.post("/planning/agreements/new/", agreement_post(institution.pk))
    agreement = Agreement.objects.get()
    assert response["Location"] == f"/planning/agreements/{agreement.pk}/"
    client.post(
        f"/planning/agreements/{agreement.pk}/sign/",
        {
            "unit_signatory": "孙建国",
            "unit_signed_on": "2025-12-20",
            "institution_signatory": "周建华",
            "institution_signed_on": "2025-12-21",
        },
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    rows = sheet_rows(client.get("/planning/agreements/", {"export": "xlsx"}))
    assert rows[1][:3] == [agreement.number, "溧阳监狱", "常州技师学院"]
    # the institution sees it, another prison does not
    client.force_login(catalog.user("czjs_operator"))
    assert client.get(f"/planning/agreements/{agreement.pk}/").status_code == 200
    client.force_login(catalog.user("xk_operator"))
    assert client.get(f"/planning/agreements/{agreement.pk}/").status_code == 404
    assert (
        client.post(
            f"/planning/agreements/{agreement.pk}/terminate/",
            {"terminated_on": "2026-03-01", "termination_reason": "x"},
        ).status_code
        == 404
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    client.force_login(catalog.user("ly_operator"))
    client.post(
        f"/planning/agreements/{agreement.pk}/terminate/",
        {"terminated_on": "2026-03-01", "termination_reason": "停办"},
    )
    agreement.refresh_from_db()
    assert (agreement.status, agreement.termination_reason) == ("terminated", "停办")


def test_agreement_page_undesignated(client, catalog):
    accounts.organisation_create(
        actor=None,
        name="某未认定培训学校",
        org_type="training_institution",
        region_code="320402",
        policy_pack="changzhou",
    )
    other = accounts.Organisation.objects.get(name="某未认定培训学校")
    client.force_login(catalog.user("ly_operator"))
    page = client.post("/planning/agreements/new/", agreement_post(other.pk)).content.decode()
    assert "不是本市定点培训机构" in page
    assert Agreement.objects.count() == 0


PNG_DIR = Path(__file__).resolve().parents[2] / "var" / "test" / "planning-pdf"


def rasterise(content: bytes, name: str) -> list[Path]:
    PNG_DIR.mkdir(parents=True, exist_ok=True)
    source = PNG_DIR / f"{name}.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(PNG_DIR / name)], check=True)
    return sorted(PNG_DIR.glob(f"{name}*.png"))


def test_pdfs_embed_the_cjk_font_and_rasterise(client, catalog):
    from skillbridge.planning.demo import load_demo

    load_demo()
    client.force_login(catalog.user("ly_operator"))
    agreement = Agreement.objects.get()
    plan = AnnualPlan.objects.get(year=2026)
    expected = {
        "agreement": "常州市特殊人群职业技能培训合作协议",
        "plan": "江苏省特殊人群职业技能工作2026年度计划表",
    }
    for name, url in (
        ("agreement", f"/planning/agreements/{agreement.pk}/pdf/"),
        ("plan", f"/planning/{plan.pk}/forms/cz2pdf/"),
    ):
        content = client.get(url).content
        assert content.startswith(b"%PDF") and b"/FontFile2" in content  # the CJK font is embedded
        assert rasterise(content, name)
        text = subprocess.run(
            ["pdftotext", "-layout", str(PNG_DIR / f"{name}.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert expected[name] in text
    assert PlanItem.objects.filter(plan=plan).count() == 5
