"""Browser: a certificate's QR URL opens the public page with no login and shows 有效; the issuing
institution revokes it through the page; the public page then shows 已撤销; the unit sees the archive.
(The assessment → results → issue steps belong to the assessment app's browser test.)"""

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.registry.conftest import make_person

from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel
from skillbridge.certificates import services
from skillbridge.certificates.documents import verification_path

pytestmark = pytest.mark.django_db(transaction=True)


def test_verify_revoke_and_archive(demo, demo_mode, session, new_session):
    person = make_person(demo.orgs["溧阳监狱"], name="周明亮", release=dt.date(2027, 3, 31), number="LY9001")
    make_person(demo.orgs["溧阳监狱"], name="吴已释", release=dt.date(2026, 6, 30), number="LY9002")
    make_person(demo.orgs["溧阳监狱"], name="郑待释", release=dt.date(2026, 12, 28), number="LY9003")
    cert = services.certificate_issue(
        actor=demo.user("cz_eval_operator"),
        person=person,
        unit=demo.orgs["溧阳监狱"],
        certificate_type=CertificateType.objects.get(code="skill_level"),
        issuer=demo.orgs["常州市职业技能鉴定指导中心"],
        issue_date=dt.date(2026, 11, 28),
        official_number="S320400202600000009001",
        occupation=Occupation.objects.get(code="6-31-01-03"),
        level=SkillLevel.objects.get(code=5),
    )
    public = new_session()
    page = public.page
    page.goto(verification_path(cert))  # exactly what the QR code opens, with its signed record
    result = page.get_by_test_id("verify-result")
    expect(result).to_contain_text("有效")
    expect(result).to_contain_text("周*亮")
    expect(result).to_contain_text("常州市职业技能鉴定指导中心")
    expect(page.get_by_text("二维码电子签名校验通过")).to_be_visible()
    expect(page.get_by_text("溧阳监狱")).to_have_count(0)
    public.screenshot("cert_01_public_valid")

    page.goto("/certificates/verify/")
    page.get_by_label("持证人姓名").fill("周明")
    page.get_by_label("证书编号").fill("S320400202600000009001")
    page.get_by_role("button", name="查验").click()
    expect(page.get_by_test_id("verify-message")).to_have_text(
        "未查到匹配的证书。请核对查验码，或同时核对持证人姓名与证书编号。"
    )
    public.screenshot("cert_02_public_not_found")

    issuer = session.login("cz_eval_operator")
    issuer.goto(f"/certificates/{cert.pk}/")
    session.screenshot("cert_03_detail")
    issuer.get_by_label("撤销原因").fill("考核材料不实")
    issuer.once("dialog", lambda dialog: dialog.accept())
    issuer.get_by_role("button", name="撤销证书").click()
    expect(issuer.get_by_role("alert").first).to_contain_text("证书已撤销")

    page.goto(verification_path(cert))
    expect(page.get_by_test_id("verify-result")).to_contain_text("已撤销")
    public.screenshot("cert_04_public_revoked")

    unit = new_session()
    unit_page = unit.login("ly_operator")
    unit_page.goto(f"/certificates/archive/{person.pk}/")
    expect(unit_page.get_by_text("S320400202600000009001")).to_be_visible()
    unit.screenshot("cert_05_archive")
    unit_page.goto("/")
    expect(unit_page.get_by_text("年刑释前获证率")).to_be_visible()
    expect(unit_page.get_by_text("郑待释")).to_be_visible()
    unit.screenshot("cert_06_home_panel")
    unit_page.goto("/certificates/before-release/")
    expect(unit_page.get_by_text("吴已释")).to_be_visible()
    unit.screenshot("cert_07_before_release")
    assert public.external_requests == [] and session.external_requests == []
