import io

import pytest
from python_calamine import CalamineWorkbook

from skillbridge.assessment.models import AssessmentApplication, AssessmentResult
from skillbridge.audit.models import AuditEvent
from skillbridge.certificates.models import Certificate

from .conftest import EVALUATOR, approve_all

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_create_and_submit_through_the_pages(client, setup, completed_class):
    client.force_login(setup.user("ly_operator"))
    page = client.get("/assessment/new/").content.decode()
    assert (
        "社会评价组织鉴定评价（国家证书）" in page
        and "职业目录登记“电工”可由评价机构考核颁发职业技能等级证书" in page
    )
    response = client.post(
        "/assessment/new/",
        {
            "training_class": completed_class.pk,
            "examiner": setup.orgs[EVALUATOR].pk,
            "assessment_date": "2026-11-05",
            "candidates": 2,
            "filled_on": "2026-10-29",
        },
    )
    application = AssessmentApplication.objects.get()
    assert response.url == f"/assessment/{application.pk}/"
    page = client.get(response.url).content.decode()
    assert "报送前检查已全部通过。" in page and "职业技能等级证书" in page
    client.post(f"/assessment/{application.pk}/submit/")
    application.refresh_from_db()
    assert application.status == "in_review"
    rows = sheet_rows(client.get("/assessment/?export=xlsx"))
    assert rows[1][:4] == [float(application.pk), "溧阳监狱", "电工", "五级/初级工"]
    assert rows[1][-1] == "审核中"


def test_wrong_examiner_is_a_form_error(client, setup, completed_class):
    client.force_login(setup.user("ly_operator"))
    response = client.post(
        "/assessment/new/",
        {
            "training_class": completed_class.pk,
            "examiner": setup.orgs["常州技师学院"].pk,
            "assessment_date": "2026-11-05",
            "candidates": 2,
            "filled_on": "2026-10-29",
        },
    )
    assert response.status_code == 200
    assert "所选常州技师学院不是相应的机构" in response.content.decode()
    assert AssessmentApplication.objects.count() == 0


def test_form_exports_carry_the_opinions(client, setup, approved):
    client.force_login(setup.user("ly_operator"))
    rows = sheet_rows(client.get(f"/assessment/{approved.pk}/form.xlsx"))
    assert rows[0][0] == "江苏省特殊人群职业技能鉴定申报表"
    assert rows[2] == ["鉴定职业（工种）名称", "鉴定日期", "鉴定人数", "鉴定等级"]
    assert rows[3] == ["电工", "2026年11月5日", "2人", "五级/初级工"]
    assert [r[0] for r in rows[4:7]] == [
        "常州市职业技能鉴定指导中心意见",
        "江苏省监狱管理局意见",
        "常州市人力资源和社会保障局意见",
    ]
    assert all(r[1].startswith("同意。") for r in rows[4:7])
    pdf = client.get(f"/assessment/{approved.pk}/form.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"


def test_bulk_results_form_all_or_nothing(client, setup, approved, people):
    zhao, qian, sun = people
    client.force_login(setup.user("cz_eval_operator"))
    page = client.get(f"/assessment/{approved.pk}/results/").content.decode()
    assert (
        f'name="theory_{zhao.pk}"' in page and f'name="theory_{qian.pk}"' not in page
    )  # 钱二 did not complete
    bad = client.post(
        f"/assessment/{approved.pk}/results/",
        {f"theory_{zhao.pk}": "80", f"practical_{zhao.pk}": "90", f"outcome_{zhao.pk}": "passed",
         f"theory_{sun.pk}": "300", f"practical_{sun.pk}": "", f"outcome_{sun.pk}": "failed"},
    )  # fmt: skip
    assert bad.status_code == 200
    assert "第3行：理论成绩须在0至100之间" in bad.content.decode()
    assert AssessmentResult.objects.count() == 0
    good = client.post(
        f"/assessment/{approved.pk}/results/",
        {f"theory_{zhao.pk}": "80", f"practical_{zhao.pk}": "90", f"outcome_{zhao.pk}": "passed",
         f"outcome_{sun.pk}": "absent"},
    )  # fmt: skip
    assert good.status_code == 302
    assert dict(AssessmentResult.objects.values_list("person__name", "outcome")) == {
        "赵一": "passed",
        "孙三": "absent",
    }
    template = sheet_rows(client.get(f"/assessment/{approved.pk}/results.xlsx"))
    assert template[0] == ["申报编号", "姓名", "身份证号码", "罪犯编号", "理论成绩", "实操成绩", "结果"]
    assert [r[1] for r in template[1:]] == ["赵一", "孙三"]
    assert template[1][2] == ""  # no ID numbers in the download
    assert template[1][4:] == [80.0, 90.0, "合格"]


def test_certificates_form_refuses_failed_and_issues_passed(client, setup, approved, people):
    from skillbridge.assessment import services

    zhao, _qian, sun = people
    services.results_save(
        actor=setup.user("cz_eval_operator"),
        application=approved,
        rows=[
            {"person_id": zhao.pk, "theory_score": "80", "practical_score": "90", "outcome": "passed"},
            {"person_id": sun.pk, "theory_score": "30", "practical_score": "40", "outcome": "failed"},
        ],
    )
    results = {r.person.name: r for r in approved.results.select_related("person")}
    client.force_login(setup.user("cz_eval_operator"))
    page = client.get(f"/assessment/{approved.pk}/certificates/").content.decode()
    assert f'name="number_{results["赵一"].pk}"' in page
    assert f'name="number_{results["孙三"].pk}"' not in page
    refused = client.post(
        f"/assessment/{approved.pk}/certificates/",
        {"issue_date": "2026-11-20", f"number_{results['孙三'].pk}": "S1"},
    )
    assert "第2行：孙三鉴定结果为“不合格”，不能颁发证书" in refused.content.decode()
    assert Certificate.objects.count() == 0
    ok = client.post(
        f"/assessment/{approved.pk}/certificates/",
        {"issue_date": "2026-11-20", f"number_{results['赵一'].pk}": "S000032040005261000123"},
    )
    assert ok.status_code == 302
    cert = Certificate.objects.get()
    assert (cert.person, cert.official_number) == (zhao, "S000032040005261000123")
    # The unit sees the certificates page but cannot issue.
    client.force_login(setup.user("ly_operator"))
    page = client.get(f"/assessment/{approved.pk}/certificates/").content.decode()
    assert "S000032040005261000123" in page and "颁发证书</button>" not in page


def test_other_units_get_404_and_are_audited(client, setup, approved):
    for username in ("xk_operator", "ah_prison_operator", "czjs_operator"):
        client.force_login(setup.user(username))
        for url in (
            f"/assessment/{approved.pk}/",
            f"/assessment/{approved.pk}/results/",
            f"/assessment/{approved.pk}/certificates/",
            f"/assessment/{approved.pk}/form.pdf",
        ):
            assert client.get(url).status_code == 404, (username, url)
        assert client.post(f"/assessment/{approved.pk}/results/", {}).status_code == 404
        assert "溧阳监狱" not in client.get("/assessment/").content.decode()
    assert AuditEvent.objects.filter(action="scope.denied", object_id=str(approved.pk)).count() >= 3
    assert AssessmentResult.objects.count() == 0


def test_bureau_and_city_hrss_see_it(client, setup, approved):
    for username in ("js_bureau_reviewer", "cz_hrss_reviewer", "cz_eval_operator"):
        client.force_login(setup.user(username))
        assert client.get(f"/assessment/{approved.pk}/").status_code == 200, username


def test_returned_application_can_be_edited_and_resubmitted(client, setup, draft):
    from skillbridge.approvals import services as approvals
    from skillbridge.assessment import services

    application = services.application_submit(actor=setup.user("ly_operator"), application=draft)
    approvals.review_return(
        actor=setup.user("cz_eval_operator"),
        case=application.review,
        stage_id=application.review.current_stage_id,
        opinion="鉴定日期与考场安排冲突，请改为11月6日",
    )
    client.force_login(setup.user("ly_operator"))
    response = client.post(
        f"/assessment/{draft.pk}/edit/",
        {
            "training_class": draft.training_class_id,
            "examiner": draft.examiner_id,
            "assessment_date": "2026-11-06",
            "candidates": 2,
            "filled_on": "2026-10-29",
        },
    )
    assert response.status_code == 302
    client.post(f"/assessment/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert (draft.status, draft.review.round, str(draft.assessment_date)) == ("in_review", 2, "2026-11-06")
    approve_all(setup, draft)
    assert draft.status == "approved"
