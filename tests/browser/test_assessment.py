"""Issue 5 (assessment half) in a real browser: 溧阳监狱 applies for the assessment (附件6) of its completed
电工（五级）class; 常州市职业技能鉴定指导中心, 常州监狱 (lead prison), 省监狱管理局 and 常州市人社局 approve it
on the review page; the evaluation institution enters the results of the whole list in one form and issues the
certificate of the candidate who passed; the 附件6 and the certificate are printed (PDFs rasterised into
screenshots/); the certificate's QR URL opens the public verification page with no login (valid), then,
after revocation, revoked; the person's archive shows the class, hours, certificate and credits.

The class (October 2026) is arranged through the training services (its pages are covered by
test_plan_to_class.py).
"""

import subprocess

import pytest
from playwright.sync_api import expect
from tests.assessment.conftest import EVALUATOR, make_completed_class
from tests.browser.conftest import SCREENSHOTS

from skillbridge.assessment.models import AssessmentApplication
from skillbridge.certificates.documents import verification_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "S000032040005261000123"
REVIEWERS = [
    ("cz_eval_operator", "职业技能鉴定机构意见"),
    ("cz_reviewer", "牵头监狱汇总上报"),
    ("js_bureau_reviewer", "省监狱管理局审核备案"),
    ("cz_hrss_reviewer", "市人社局审核备案"),
]


def shot(session, name):
    session.screenshot(f"assess_{name}")


def fetch_pdf(session, href) -> bytes:
    response = session.context.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    return response.body()


def rasterise(content: bytes, name: str) -> str:
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = SCREENSHOTS / f"assess_{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(SCREENSHOTS / f"assess_{name}")],
        check=True,
    )
    pdf.unlink()
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def arranged(demo):
    from tests.assessment.conftest import ELECTRICIAN
    from tests.training.conftest import approved_plan, signed_agreement

    from skillbridge.catalog import services as catalog
    from skillbridge.catalog.demo import load_demo
    from skillbridge.catalog.models import Occupation, SkillLevel

    load_demo()
    for institution in ("常州技师学院", EVALUATOR):
        catalog.approved_occupation_set(
            actor=demo.user("cz_hrss_operator"),
            institution=demo.orgs[institution],
            occupation=Occupation.objects.get(code=ELECTRICIAN),
            levels=list(SkillLevel.objects.filter(code__in=[5, 4])),
        )
    signed_agreement(demo)
    approved_plan(demo)
    return make_completed_class(demo)


def test_assessment_to_verified_certificate(demo, demo_mode, arranged, session, new_session):
    training_class, (zhao, _qian, _sun) = arranged

    # 1. The unit applies (附件6).
    page = session.login("ly_operator")
    page.goto("/assessment/new/")
    expect(page.locator("table").first).to_contain_text("社会评价组织鉴定评价（国家证书）")
    page.get_by_label("培训班").select_option(str(training_class.pk))
    page.get_by_label("考核评价机构").select_option(label=EVALUATOR)
    page.get_by_label("鉴定日期").fill("2026-11-05")
    page.get_by_label("鉴定人数").fill("2")
    page.get_by_label("填报日期").fill("2026-10-29")
    shot(session, "01_form")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_have_text("鉴定申报已保存为草稿，请检查后报送。")
    expect(page.get_by_text("报送前检查已全部通过。")).to_be_visible()
    shot(session, "02_draft")
    page.get_by_role("button", name="报送审核").click()
    expect(page.get_by_role("alert").first).to_have_text("已报送审核。")
    application = AssessmentApplication.objects.get()

    # 2. The chain approves on the review page, in order.
    for i, (username, stage) in enumerate(REVIEWERS):
        reviewer = new_session()
        rpage = reviewer.login(username)
        rpage.goto(f"/reviews/{application.review_id}/")
        expect(rpage.locator("h2").filter(has_text="办理：")).to_have_text(f"办理：{stage}")
        rpage.get_by_label("同意", exact=True).check()
        rpage.get_by_label("审核意见").fill("同意")
        if i == 0:
            shot(reviewer, "03_review_evaluator")
        rpage.get_by_role("button", name="提交意见").click()
        expect(rpage.get_by_role("alert")).to_have_text("审核意见已提交。")
        reviewer.close()
    application.refresh_from_db()
    assert application.status == "approved"

    page.goto(f"/assessment/{application.pk}/")
    expect(page.locator("p.sb-muted").first).to_contain_text("已通过")
    shot(session, "04_approved")
    text = rasterise(
        fetch_pdf(session, page.get_by_role("link", name="打印申报表（PDF）").get_attribute("href")),
        "05_form6",
    )
    assert "江苏省特殊人群职业技能鉴定申报表" in text and "电工" in text and "五级/初级工" in text
    assert text.count("同意。") == 3  # the evaluation institution, the bureau and the city HRSS

    # 3. The evaluation institution enters the whole list in one form.
    examiner = new_session()
    epage = examiner.login("cz_eval_operator")
    epage.goto(f"/assessment/{application.pk}/results/")
    expect(epage.get_by_text("未结业，不参加鉴定")).to_be_visible()  # 钱二
    epage.get_by_label("赵一理论成绩").fill("82")
    epage.get_by_label("赵一实操成绩").fill("88.5")
    epage.get_by_label("赵一结果").select_option(label="合格")
    epage.get_by_label("孙三理论成绩").fill("130")
    epage.get_by_label("孙三实操成绩").fill("40")
    epage.get_by_label("孙三结果").select_option(label="不合格")
    epage.get_by_role("button", name="保存全部成绩").click()
    expect(epage.get_by_role("cell", name="第3行：理论成绩须在0至100之间")).to_be_visible()
    expect(epage.get_by_role("alert").first).to_have_text("成绩未保存：第3行：理论成绩须在0至100之间")
    shot(examiner, "06_results_error")
    assert application.results.count() == 0
    epage.get_by_label("孙三理论成绩").fill("45")
    epage.get_by_role("button", name="保存全部成绩").click()
    expect(epage.get_by_role("alert").first).to_have_text("已保存2名考生的成绩（新增2，更新0）。")
    shot(examiner, "07_results")

    # 4. The certificate of the candidate who passed.
    epage.goto(f"/assessment/{application.pk}/certificates/")
    expect(epage.get_by_label("孙三证书编号")).to_have_count(0)
    epage.get_by_label("赵一证书编号").fill(NUMBER)
    epage.get_by_role("button", name="颁发证书").click()
    expect(epage.get_by_role("alert").first).to_have_text("已颁发1本证书。")
    shot(examiner, "08_certificates")
    result = application.results.get(person=zhao)
    cert = result.certificate
    assert (cert.official_number, cert.status, cert.issuer.name) == (NUMBER, "valid", EVALUATOR)
    cert_text = rasterise(fetch_pdf(examiner, f"/certificates/{cert.pk}/pdf/"), "09_certificate")
    assert NUMBER in cert_text

    # 5. The QR URL, opened with no login: valid.
    public = new_session()
    ppage = public.page
    ppage.goto(verification_path(cert))
    expect(ppage.get_by_test_id("verify-result")).to_contain_text("有效")
    expect(ppage.get_by_test_id("verify-result")).to_contain_text(EVALUATOR)
    shot(public, "10_public_valid")

    # 6. Revoked by the issuer → the public page says so.
    epage.goto(f"/certificates/{cert.pk}/")
    epage.get_by_label("撤销原因").fill("考核材料不实")
    epage.once("dialog", lambda dialog: dialog.accept())
    epage.get_by_role("button", name="撤销证书").click()
    expect(epage.get_by_role("alert").first).to_contain_text("证书已撤销")
    ppage.goto(verification_path(cert))
    expect(ppage.get_by_test_id("verify-result")).to_contain_text("已撤销")
    shot(public, "11_public_revoked")

    # 7. The archive: class, hours, certificate, credits.
    page.goto(f"/certificates/archive/{zhao.pk}/")
    expect(page.locator("table").first).to_contain_text("电工（五级/初级工）")
    expect(page.locator("table").first).to_contain_text("1000")  # classroom minutes attended
    expect(page.get_by_role("link", name=NUMBER)).to_be_visible()
    expect(page.get_by_text("已撤销")).to_be_visible()
    # Class credits stay; the certificate's credits were reversed by the revocation.
    expect(page.locator("h2").filter(has_text="学分")).to_contain_text("累计 11.00 学分")
    shot(session, "12_archive")
    assert (
        session.external_requests == []
        and public.external_requests == []
        and examiner.external_requests == []
    )
