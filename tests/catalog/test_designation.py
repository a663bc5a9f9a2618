import json

import pytest

from skillbridge.catalog import services
from skillbridge.catalog.models import Designation, DesignationApplication, DesignationCall
from skillbridge.catalog.selectors import designated_institutions, designation_for, is_designated
from skillbridge.errors import Conflict, Forbidden, ServiceError

from .conftest import D, occ

pytestmark = pytest.mark.django_db


def new_call(demo, username="cz_justice_reviewer", **overrides):
    fields = {
        "region_code": "320400",
        "title": "2028年度定点培训机构征集公告",
        "deadline": D(2027, 11, 30),
        "period_from": D(2028, 1, 1),
        "period_to": D(2029, 12, 31),
        "published_on": D(2027, 11, 1),
    }
    return services.designation_call_create(actor=demo.user(username), **{**fields, **overrides})


def test_call_records_both_city_bureaus_whoever_creates_it(demo):
    for username in ("cz_justice_reviewer", "cz_hrss_operator"):
        call = new_call(demo, username, title=f"公告-{username}")
        assert (call.justice_org.name, call.hrss_org.name) == ("常州市司法局", "常州市人力资源和社会保障局")
        assert call.created_by.username == username


@pytest.mark.parametrize("username", ["hf_hrss", "ly_operator", "czjs_operator", "cz_finance_reviewer"])
def test_others_cannot_publish_a_call(demo, username):
    with pytest.raises(Forbidden):
        new_call(demo, username)
    assert DesignationCall.objects.count() == 0


def test_apply_decide_designates_for_the_period(demo):
    call = new_call(demo)
    application = services.designation_apply(
        actor=demo.user("czjs_operator"),
        call=call,
        occupations=[occ("6-31-01-03"), occ("6-18-02-04")],
        statement="具备电工、焊工实训基地",
        today=D(2027, 11, 10),
    )
    assert application.institution.name == "常州技师学院"
    with pytest.raises(Conflict, match="已申报"):
        services.designation_apply(
            actor=demo.user("czjs_operator"),
            call=call,
            occupations=[occ("6-31-01-03")],
            today=D(2027, 11, 10),
        )
    with pytest.raises(Conflict, match="已截止"):
        services.designation_apply(
            actor=demo.user("tn_operator"), call=call, occupations=[occ("6-31-01-03")], today=D(2027, 12, 1)
        )
    with pytest.raises(Forbidden):
        services.designation_decide(
            actor=demo.user("cz_hrss_operator"), application=application, approve=True
        )
    services.designation_decide(actor=demo.user("cz_hrss_reviewer"), application=application, approve=True)
    application.refresh_from_db()
    assert (application.status, application.opinion) == ("approved", "同意认定")
    designation = application.designation
    assert (designation.valid_from, designation.valid_to, designation.basis) == (
        D(2028, 1, 1),
        D(2029, 12, 31),
        "application",
    )
    assert designation.decided_by_org.name == "常州市人力资源和社会保障局"
    assert sorted(designation.occupations.values_list("code", flat=True)) == ["6-18-02-04", "6-31-01-03"]
    with pytest.raises(Conflict, match="不能重复认定"):
        services.designation_decide(
            actor=demo.user("cz_justice_reviewer"), application=application, approve=False
        )

    institution = application.institution
    assert is_designated(institution, "320404", D(2027, 12, 31)) is False
    assert is_designated(institution, "320404", D(2028, 1, 1)) is True
    assert is_designated(institution, "320404", D(2028, 1, 2)) is True
    assert is_designated(institution, "320404", D(2029, 12, 30)) is True
    assert is_designated(institution, "320404", D(2029, 12, 31)) is True
    assert is_designated(institution, "320404", D(2030, 1, 1)) is False
    assert is_designated(institution, "340100", D(2028, 6, 1)) is False
    assert designation_for(institution, "320400", D(2028, 6, 1)).pk == designation.pk


def test_rejection_needs_an_opinion(demo):
    call = new_call(demo)
    application = services.designation_apply(
        actor=demo.user("tn_operator"), call=call, occupations=[occ("4-03-02-01")], today=D(2027, 11, 2)
    )
    with pytest.raises(ServiceError, match="不予认定时须填写意见"):
        services.designation_decide(
            actor=demo.user("cz_justice_reviewer"), application=application, approve=False
        )
    services.designation_decide(
        actor=demo.user("cz_justice_reviewer"), application=application, approve=False, opinion="实训场地不足"
    )
    assert DesignationApplication.objects.get().status == "rejected"
    assert Designation.objects.count() == 0


def test_demo_designations_and_is_designated_bounds(cz):
    czjs = cz.orgs["常州技师学院"]
    tn = cz.orgs["常州市天宁区职业培训学校"]
    for org in (czjs, tn):
        assert is_designated(org, "320400", D(2025, 12, 31)) is False
        assert is_designated(org, "320400", D(2026, 1, 1)) is True
        assert is_designated(org, "320400", D(2026, 1, 2)) is True
        assert is_designated(org, "320400", D(2027, 12, 30)) is True
        assert is_designated(org, "320400", D(2027, 12, 31)) is True
        assert is_designated(org, "320400", D(2028, 1, 1)) is False
    assert list(designated_institutions("320412", D(2026, 6, 1)).values_list("name", flat=True)) == [
        "常州市天宁区职业培训学校",
        "常州技师学院",
    ]


def test_revocation_takes_effect_on_its_date(cz):
    czjs = cz.orgs["常州技师学院"]
    designation = designation_for(czjs, "320400", D(2026, 6, 1))
    with pytest.raises(Forbidden):
        services.designation_revoke(actor=cz.user("hf_hrss"), designation=designation, reason="x")
    with pytest.raises(ServiceError, match="须填写撤销原因"):
        services.designation_revoke(actor=cz.user("cz_justice_reviewer"), designation=designation, reason=" ")
    services.designation_revoke(
        actor=cz.user("cz_justice_reviewer"),
        designation=designation,
        reason="培训质量检查不合格",
        effective_on=D(2026, 9, 1),
    )
    assert is_designated(czjs, "320400", D(2026, 8, 31)) is True
    assert is_designated(czjs, "320400", D(2026, 9, 1)) is False
    assert is_designated(czjs, "320400", D(2026, 9, 2)) is False
    with pytest.raises(Conflict, match="已被撤销"):
        services.designation_revoke(actor=cz.user("cz_hrss_reviewer"), designation=designation, reason="再次")


def test_exemption_extends_without_application(cz):
    tn = cz.orgs["常州市天宁区职业培训学校"]
    previous = designation_for(tn, "320400", D(2026, 6, 1))
    exempt = services.designation_exempt(
        actor=cz.user("cz_hrss_reviewer"),
        institution=tn,
        region_code="320400",
        valid_from=D(2028, 1, 1),
        valid_to=D(2029, 12, 31),
        basis_note="已认定的定点培训机构，无失信记录（常司发〔2022〕42号 五(二)）",
        today=D(2027, 12, 1),
    )
    assert (exempt.basis, exempt.previous_id, exempt.application_id) == ("exemption", previous.pk, None)
    assert set(exempt.occupations.values_list("code", flat=True)) == set(
        previous.occupations.values_list("code", flat=True)
    )
    assert is_designated(tn, "320400", D(2027, 12, 31)) is True
    assert is_designated(tn, "320400", D(2028, 1, 1)) is True
    assert is_designated(tn, "320400", D(2030, 1, 1)) is False
    with pytest.raises(Conflict, match="已有定点认定"):
        services.designation_exempt(
            actor=cz.user("cz_hrss_reviewer"),
            institution=tn,
            region_code="320400",
            valid_from=D(2029, 1, 1),
            valid_to=D(2030, 12, 31),
            basis_note="重复",
            today=D(2027, 12, 1),
        )


def test_exemption_refused_with_an_active_dishonesty_record(cz):
    czjs = cz.orgs["常州技师学院"]
    services.dishonesty_record_create(
        actor=cz.user("cz_justice_reviewer"),
        institution=czjs,
        source="常州市教育局行政处罚决定书（常教罚〔2027〕3号）",
        recorded_on=D(2027, 3, 1),
        until=D(2028, 2, 29),
        description="虚报培训人数",
    )
    kwargs = {
        "actor": cz.user("cz_hrss_reviewer"),
        "institution": czjs,
        "region_code": "320400",
        "valid_from": D(2028, 1, 1),
        "valid_to": D(2029, 12, 31),
        "basis_note": "免于重新认定",
    }
    count = Designation.objects.count()
    with pytest.raises(
        Conflict, match="该机构有失信记录（常州市教育局行政处罚决定书（常教罚〔2027〕3号），2027-03-01）"
    ):
        services.designation_exempt(**kwargs, today=D(2027, 12, 1))
    assert Designation.objects.count() == count
    # Once the record has expired the exemption is allowed.
    services.designation_exempt(**kwargs, today=D(2028, 3, 1))
    assert Designation.objects.count() == count + 1


def test_exemption_cannot_cite_another_citys_call(client, cz):
    hefei_call = DesignationCall.objects.create(
        region_code="340100",
        title="合肥市2028年度定点培训机构征集公告",
        deadline=D(2027, 11, 30),
        period_from=D(2028, 1, 1),
        period_to=D(2029, 12, 31),
        published_on=D(2027, 11, 1),
        justice_org=cz.orgs["合肥市人力资源和社会保障局"],
        hrss_org=cz.orgs["合肥市人力资源和社会保障局"],
    )
    tn = cz.orgs["常州市天宁区职业培训学校"]
    count = Designation.objects.count()
    with pytest.raises(ServiceError, match="所选征集公告不是本市发布的") as raised:
        services.designation_exempt(
            actor=cz.user("cz_hrss_reviewer"),
            institution=tn,
            region_code="320400",
            valid_from=D(2028, 1, 1),
            valid_to=D(2029, 12, 31),
            basis_note="免于重新认定",
            call=hefei_call,
            today=D(2027, 12, 1),
        )
    assert raised.value.field == "call_id"
    client.force_login(cz.user("cz_hrss_reviewer"))
    response = client.post(
        "/api/v1/catalog/designations/exempt",
        json.dumps(
            {
                "institution_id": tn.pk,
                "call_id": hefei_call.pk,
                "valid_from": "2028-01-01",
                "valid_to": "2029-12-31",
                "basis_note": "免于重新认定",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert (response.json()["message"], response.json()["field"]) == (
        "所选征集公告不是本市发布的，不能作为免于重新认定的依据",
        "call_id",
    )
    assert Designation.objects.count() == count
    assert not Designation.objects.filter(call=hefei_call).exists()


def test_exemption_needs_a_previous_designation(cz):
    with pytest.raises(Conflict, match="此前未经本市认定"):
        services.designation_exempt(
            actor=cz.user("cz_hrss_reviewer"),
            institution=cz.orgs["常州市职业技能鉴定指导中心"],
            region_code="320400",
            valid_from=D(2028, 1, 1),
            valid_to=D(2029, 12, 31),
            basis_note="x",
        )


def test_pages_for_the_whole_flow(client, cz):
    client.force_login(cz.user("cz_justice_reviewer"))
    response = client.post(
        "/catalog/designation/calls/new/",
        {
            "title": "2099年度征集公告",
            "content": "欢迎申报",
            "deadline": "2099-11-30",
            "period_from": "2100-01-01",
            "period_to": "2100-12-31",
        },
    )
    call = DesignationCall.objects.get(title="2099年度征集公告")
    assert response["Location"] == f"/catalog/designation/calls/{call.pk}/"

    client.force_login(cz.user("czjs_operator"))
    assert "本机构申报" in client.get(f"/catalog/designation/calls/{call.pk}/").content.decode()
    client.post(f"/catalog/designation/calls/{call.pk}/apply/", {"occupations": "6-31-01-03，4-04-05-01"})
    application = DesignationApplication.objects.get(call=call)
    assert sorted(application.occupations.values_list("code", flat=True)) == ["4-04-05-01", "6-31-01-03"]
    # Another institution does not see this application.
    client.force_login(cz.user("tn_operator"))
    assert "常州技师学院" not in client.get(f"/catalog/designation/calls/{call.pk}/").content.decode()
    assert (
        client.post(
            f"/catalog/designation/applications/{application.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 404
    )

    client.force_login(cz.user("cz_hrss_reviewer"))
    client.post(
        f"/catalog/designation/applications/{application.pk}/decide/",
        {"decision": "approve", "opinion": "同意"},
    )
    designation = Designation.objects.get(application=application)
    assert (designation.valid_from, designation.valid_to) == (D(2100, 1, 1), D(2100, 12, 31))
    page = client.get("/catalog/designations/", {"q": "技师"}).content.decode()
    assert "2100-01-01 至 2100-12-31" in page

    response = client.post(
        f"/catalog/designations/{designation.pk}/", {"reason": "主动退出", "effective_on": "2100-06-01"}
    )
    assert response.status_code == 302
    designation.refresh_from_db()
    assert (designation.revoked_on, designation.revoke_reason) == (D(2100, 6, 1), "主动退出")


def test_exempt_and_revoke_pages_forbidden_to_others(client, cz):
    designation = designation_for(cz.orgs["常州技师学院"], "320400", D(2026, 6, 1))
    client.force_login(cz.user("czjs_operator"))
    assert client.get("/catalog/designations/exempt/").status_code == 403
    assert client.post(f"/catalog/designations/{designation.pk}/", {"reason": "x"}).status_code == 403
    designation.refresh_from_db()
    assert designation.revoked_on is None


def test_api_designations_and_decisions(client, cz):
    client.force_login(cz.user("ly_operator"))
    body = client.get("/api/v1/catalog/designations", {"on": "2026-06-01", "region": "320412"}).json()
    assert body["count"] == 2
    assert sorted(i["institution_name"] for i in body["items"]) == [
        "常州市天宁区职业培训学校",
        "常州技师学院",
    ]
    assert client.get("/api/v1/catalog/designations", {"on": "2028-01-01"}).json()["count"] == 0
    designation = body["items"][0]
    response = client.post(
        f"/api/v1/catalog/designations/{designation['id']}/revoke",
        json.dumps({"reason": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Designation.objects.get(pk=designation["id"]).revoked_on is None

    client.force_login(cz.user("cz_justice_reviewer"))
    response = client.post(
        f"/api/v1/catalog/designations/{designation['id']}/revoke",
        json.dumps({"reason": "严重违规", "effective_on": "2026-10-01"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["revoked_on"], response.json()["revoke_reason"]) == ("2026-10-01", "严重违规")
