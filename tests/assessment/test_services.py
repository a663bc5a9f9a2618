import datetime as dt
from decimal import Decimal

import pytest

from skillbridge.approvals import services as approvals
from skillbridge.assessment import services
from skillbridge.assessment.checks import application_problems
from skillbridge.assessment.models import AssessmentApplication, AssessmentResult
from skillbridge.assessment.routes import route_for
from skillbridge.audit.models import AuditEvent
from skillbridge.catalog import services as catalog
from skillbridge.catalog.models import CertificateType, Occupation
from skillbridge.certificates.models import Certificate
from skillbridge.errors import Conflict, Forbidden, ServiceError

from .conftest import EVALUATOR, D, app_data, approve_all, make_completed_class, op

pytestmark = pytest.mark.django_db


def ev(demo):
    return demo.user("cz_eval_operator")


def row(person, outcome="passed", theory="80", practical="85"):
    return {"person_id": person.pk, "theory_score": theory, "practical_score": practical, "outcome": outcome}


# ---- route ------------------------------------------------------------------------------------------------


def test_route_comes_from_catalogue_data(setup):
    electrician = Occupation.objects.get(code="6-31-01-03")
    welder = Occupation.objects.get(code="6-18-02-04")
    other = Occupation.objects.get(code="4-03-02-03")  # 西式烹调师: no national evaluation recorded
    assert route_for(occupation=electrician).certificate_type.code == "skill_level"
    assert route_for(occupation=electrician).route == "evaluation"
    assert route_for(occupation=welder).certificate_type.code == "qualification"
    decision = route_for(occupation=other)
    assert (decision.route, decision.certificate_type.code, decision.examiner_org_type) == (
        "completion",
        "training",
        "training_institution",
    )
    # The HRSS records skill-level evaluation for it: the route follows the data, no code change.
    catalog.occupation_route_set(
        actor=setup.user("cz_hrss_operator"),
        occupation=other,
        certificate_type=CertificateType.objects.get(code="skill_level"),
    )
    other.refresh_from_db()
    assert route_for(occupation=other).route == "evaluation"
    assert AuditEvent.objects.filter(action="catalog.occupation.route", object_id=str(other.pk)).count() == 1


def test_route_set_refuses_non_hrss_and_wrong_types(setup):
    occupation = Occupation.objects.get(code="4-03-02-03")
    with pytest.raises(Forbidden):
        catalog.occupation_route_set(
            actor=op(setup),
            occupation=occupation,
            certificate_type=CertificateType.objects.get(code="skill_level"),
        )
    with pytest.raises(ServiceError) as caught:
        catalog.occupation_route_set(
            actor=setup.user("cz_hrss_operator"),
            occupation=occupation,
            certificate_type=CertificateType.objects.get(code="training"),
        )
    assert caught.value.field == "certificate_type"
    occupation.refresh_from_db()
    assert occupation.national_certificate_type_id is None


# ---- applications -----------------------------------------------------------------------------------------


def test_create_copies_subject_and_route_from_the_class(setup, draft, completed_class):
    assert (draft.occupation.code, draft.level_id, draft.route, draft.certificate_type_id) == (
        "6-31-01-03",
        5,
        "evaluation",
        "skill_level",
    )
    assert draft.unit == setup.orgs["溧阳监狱"]
    assert draft.status == "draft"
    assert application_problems(draft) == []


def test_create_refuses_an_unfinished_class(setup):
    from tests.training.conftest import application_data, approve_application

    from skillbridge.training import services as training

    application = training.application_create(actor=op(setup), data=application_data(setup, trainees=5))
    approve_application(setup, application)
    running = training.class_open(actor=op(setup), application=application)
    with pytest.raises(ServiceError) as caught:
        services.application_create(actor=op(setup), data=app_data(setup, running))
    assert caught.value.field == "training_class"
    assert "尚未结业" in caught.value.message
    assert AssessmentApplication.objects.count() == 0


def test_create_refuses_wrong_examiner_type_and_other_units(setup, completed_class):
    with pytest.raises(ServiceError) as caught:
        services.application_create(
            actor=op(setup), data=app_data(setup, completed_class, examiner=setup.orgs["常州技师学院"])
        )
    assert caught.value.field == "examiner"
    with pytest.raises(ServiceError) as caught:
        services.application_create(actor=setup.user("cz_operator"), data=app_data(setup, completed_class))
    assert caught.value.field == "training_class"
    with pytest.raises(Forbidden):
        services.application_create(actor=ev(setup), data=app_data(setup, completed_class))
    assert AssessmentApplication.objects.count() == 0


def test_pre_submission_checks_block_submission(setup, completed_class):
    application = services.application_create(
        actor=op(setup),
        data=app_data(setup, completed_class, candidates=3, assessment_date=D(2026, 10, 20)),
    )
    messages = [p.message for p in application_problems(application)]
    assert messages == [
        "鉴定日期：2026年10月20日早于培训班考核结业日期2026年10月28日",
        "鉴定人数：3人超过本班结业学员2人",
    ]
    with pytest.raises(ServiceError) as caught:
        services.application_submit(actor=op(setup), application=application)
    assert caught.value.code == "application_check"
    assert len(caught.value.details) == 2
    application.refresh_from_db()
    assert application.review_id is None


def test_examiner_must_be_registered_for_the_occupation_and_level(setup, completed_class):
    from skillbridge.catalog.models import ApprovedOccupation

    ApprovedOccupation.objects.filter(institution=setup.orgs[EVALUATOR]).delete()
    application = services.application_create(actor=op(setup), data=app_data(setup, completed_class))
    assert [p.message for p in application_problems(application)] == [
        "考核评价机构：常州市职业技能鉴定指导中心未备案承担“电工”的鉴定评价"
    ]


def test_chain_stages_and_out_of_order_approval(setup, draft):
    application = services.application_submit(actor=op(setup), application=draft)
    case = application.review
    stages = list(case.stages.order_by("index").values_list("name", "org__name"))
    assert stages == [
        ("职业技能鉴定机构意见", "常州市职业技能鉴定指导中心"),
        ("牵头监狱汇总上报", "常州监狱"),
        ("省监狱管理局审核备案", "江苏省监狱管理局"),
        ("市人社局审核备案", "常州市人力资源和社会保障局"),
    ]
    # The city HRSS cannot act before the evaluation institution.
    with pytest.raises(Forbidden):
        approvals.review_approve(
            actor=setup.user("cz_hrss_reviewer"), case=case, stage_id=case.current_stage_id
        )
    case.refresh_from_db()
    assert case.current_stage.name == "职业技能鉴定机构意见"
    assert case.stages.exclude(decision="").count() == 0
    with pytest.raises(Conflict):
        services.application_submit(actor=op(setup), application=application)
    approve_all(setup, application)
    assert application.status == "approved"


def test_results_refused_before_approval(setup, draft, people):
    with pytest.raises(Conflict):
        services.results_save(actor=ev(setup), application=draft, rows=[row(people[0])])
    assert AssessmentResult.objects.count() == 0


# ---- results ----------------------------------------------------------------------------------------------


def test_results_bulk_save_and_update(setup, approved, people):
    zhao, _qian, sun = people
    created, updated = services.results_save(
        actor=ev(setup),
        application=approved,
        rows=[row(zhao), row(sun, "absent", "", "")],
    )
    assert (created, updated) == (2, 0)
    got = {r.person.name: (r.theory_score, r.practical_score, r.outcome) for r in approved.results.all()}
    assert got == {"赵一": (Decimal("80.0"), Decimal("85.0"), "passed"), "孙三": (None, None, "absent")}
    created, updated = services.results_save(
        actor=op(setup), application=approved, rows=[row(sun, "failed", "50", "55.5")]
    )
    assert (created, updated) == (0, 1)
    assert approved.results.get(person=sun).practical_score == Decimal("55.5")


def test_results_for_non_completed_or_non_enrolled_people_write_nothing(setup, approved, people):
    from tests.registry.conftest import make_person

    zhao, qian, _sun = people
    stranger = make_person(setup.orgs["溧阳监狱"], name="周五", release=D(2027, 9, 30))
    with pytest.raises(ServiceError) as caught:
        services.results_save(
            actor=ev(setup),
            application=approved,
            rows=[row(zhao), row(qian), row(stranger), row(zhao, theory="120")],
        )
    assert caught.value.code == "row_errors"
    assert caught.value.details == [
        {"row": 2, "field": "person", "message": "钱二在本班的状态为“未结业”，未结业不能参加鉴定"},
        {"row": 3, "field": "person", "message": "不是本班学员，不能录入鉴定成绩"},
        {"row": 4, "field": "person", "message": "赵一重复出现"},
    ]
    assert caught.value.message == "第2行：钱二在本班的状态为“未结业”，未结业不能参加鉴定（共3处错误）"
    assert AssessmentResult.objects.count() == 0


def test_result_values_are_checked(setup, approved, people):
    zhao, _qian, sun = people
    with pytest.raises(ServiceError) as caught:
        services.results_save(
            actor=ev(setup),
            application=approved,
            rows=[row(zhao, theory="101"), row(sun, "absent", "60", "")],
        )
    assert [(d["field"], d["message"]) for d in caught.value.details] == [
        ("theory_score", "理论成绩须在0至100之间"),
        ("outcome", "缺考的考生不应有成绩"),
    ]
    with pytest.raises(ServiceError) as caught:
        services.results_save(actor=ev(setup), application=approved, rows=[row(zhao, "maybe")])
    assert caught.value.details[0]["message"] == "结果须为合格、不合格或缺考"
    assert AssessmentResult.objects.count() == 0


def test_results_refused_outside_examiner_and_unit(setup, approved, people):
    for username in ("cz_operator", "czjs_operator", "cz_hrss_operator"):
        with pytest.raises(Forbidden):
            services.results_save(actor=setup.user(username), application=approved, rows=[row(people[0])])
    assert AssessmentResult.objects.count() == 0


# ---- certificates -----------------------------------------------------------------------------------------

ISSUED = D(2026, 11, 20)


def _entered(demo, application, people):
    zhao, _qian, sun = people
    services.results_save(
        actor=ev(demo), application=application, rows=[row(zhao), row(sun, "failed", "45", "50")]
    )
    return {r.person.name: r for r in application.results.select_related("person")}


def test_certificate_for_passed_candidate_links_result(setup, approved, people):
    results = _entered(setup, approved, people)
    issued = services.certificates_issue(
        actor=ev(setup),
        application=approved,
        items=[{"result": results["赵一"], "official_number": "S000032040005261000123"}],
        issue_date=ISSUED,
    )
    assert len(issued) == 1
    cert = issued[0]
    results["赵一"].refresh_from_db()
    assert results["赵一"].certificate == cert
    assert (
        cert.certificate_type_id,
        cert.occupation.code,
        cert.level_id,
        cert.issuer.name,
        cert.unit.name,
    ) == (
        "skill_level",
        "6-31-01-03",
        5,
        EVALUATOR,
        "溧阳监狱",
    )
    assert cert.training_class_id == approved.training_class_id
    assert AuditEvent.objects.filter(action="assessment.certificates.issue").count() == 1
    # A result with a certificate can no longer be changed.
    with pytest.raises(ServiceError) as caught:
        services.results_save(actor=ev(setup), application=approved, rows=[row(people[0], "failed")])
    assert caught.value.details[0]["message"] == "赵一已颁发证书，成绩不能修改"


def test_certificate_for_failed_candidate_is_refused(setup, approved, people):
    results = _entered(setup, approved, people)
    with pytest.raises(ServiceError) as caught:
        services.certificates_issue(
            actor=ev(setup),
            application=approved,
            items=[
                {"result": results["赵一"], "official_number": "S000032040005261000123"},
                {"result": results["孙三"], "official_number": "S000032040005261000124"},
            ],
            issue_date=ISSUED,
        )
    assert caught.value.details == [
        {"row": 2, "field": "outcome", "message": "孙三鉴定结果为“不合格”，不能颁发证书"}
    ]
    # All or nothing: 赵一's certificate was not kept either.
    assert Certificate.objects.count() == 0
    assert AssessmentResult.objects.filter(certificate__isnull=False).count() == 0


def test_duplicate_official_number_is_a_row_error(setup, approved, people):
    results = _entered(setup, approved, people)
    first = make_completed_class(setup, names=("李六",), start=dt.date(2026, 9, 1))
    other = services.application_create(
        actor=op(setup), data=app_data(setup, first[0], candidates=1, assessment_date=D(2026, 9, 30))
    )
    other = approve_all(setup, services.application_submit(actor=op(setup), application=other))
    services.results_save(actor=ev(setup), application=other, rows=[row(first[1][0])])
    services.certificates_issue(
        actor=ev(setup),
        application=other,
        items=[{"result": other.results.get(), "official_number": "S000032040005261000123"}],
        issue_date=ISSUED,
    )
    with pytest.raises(ServiceError) as caught:
        services.certificates_issue(
            actor=ev(setup),
            application=approved,
            items=[{"result": results["赵一"], "official_number": "S000032040005261000123", "row": 1}],
            issue_date=ISSUED,
        )
    assert caught.value.details[0]["field"] == "official_number"
    assert caught.value.details[0]["message"].startswith(
        "证书编号：职业技能等级证书编号S000032040005261000123已登记"
    )
    assert Certificate.objects.count() == 1
    results["赵一"].refresh_from_db()
    assert results["赵一"].certificate_id is None


def test_only_the_examiner_issues_certificates(setup, approved, people):
    results = _entered(setup, approved, people)
    with pytest.raises(Forbidden):
        services.certificates_issue(
            actor=op(setup),
            application=approved,
            items=[{"result": results["赵一"], "official_number": "S000032040005261000123"}],
            issue_date=ISSUED,
        )
    assert Certificate.objects.count() == 0


def test_completion_route_uses_the_training_institution(setup):
    cook = "4-03-02-03"  # 西式烹调师: no national evaluation recorded → completion exam
    from tests.training.conftest import approved_plan

    from skillbridge.catalog.models import SkillLevel

    catalog.approved_occupation_set(
        actor=setup.user("cz_hrss_operator"),
        institution=setup.orgs["常州技师学院"],
        occupation=Occupation.objects.get(code=cook),
        levels=list(SkillLevel.objects.filter(code=5)),
    )
    approved_plan(setup, items=((cook, 5, 30),))
    c, people = make_completed_class(setup, names=("吴七",), start=dt.date(2026, 8, 3), occupation=cook)
    with pytest.raises(ServiceError) as caught:
        services.application_create(actor=op(setup), data=app_data(setup, c, candidates=1))
    assert caught.value.field == "examiner"
    application = services.application_create(
        actor=op(setup),
        data=app_data(
            setup, c, candidates=1, examiner=setup.orgs["常州技师学院"], assessment_date=D(2026, 9, 1)
        ),
    )
    assert (application.route, application.certificate_type_id) == ("completion", "training")
    assert application_problems(application) == []
    application = services.application_submit(actor=op(setup), application=application)
    first = application.review.stages.order_by("index").first()
    assert first.org.name == "常州技师学院"
    from skillbridge.accounts.models import RoleGrant

    RoleGrant.objects.create(
        user=setup.user("czjs_operator"), role="reviewer"
    )  # the demo has no reviewer there
    approve_all(
        setup, application, ["czjs_operator", "cz_reviewer", "js_bureau_reviewer", "cz_hrss_reviewer"]
    )
    assert application.status == "approved"
    czjs = setup.user("czjs_operator")
    services.results_save(actor=czjs, application=application, rows=[row(people[0])])
    cert = services.certificates_issue(
        actor=czjs,
        application=application,
        items=[{"result": application.results.get(), "official_number": "CZJS-2026-0001"}],
        issue_date=ISSUED,
    )[0]
    assert (cert.certificate_type_id, cert.level_id, cert.issuer.name) == ("training", None, "常州技师学院")
