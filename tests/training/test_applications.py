import pytest

from skillbridge.approvals.models import ReviewCase, ReviewStatus
from skillbridge.audit.models import AuditEvent
from skillbridge.catalog import services as catalog
from skillbridge.catalog.models import Designation, Occupation, SkillLevel
from skillbridge.errors import Conflict, ServiceError
from skillbridge.training import services
from skillbridge.training.checks import application_problems
from skillbridge.training.models import ClassApplication, TrainingClass

from .conftest import WELDER, D, application_data, approve_application, approve_through_chain

pytestmark = pytest.mark.django_db


def create(demo, **overrides):
    return services.application_create(
        actor=demo.user("ly_operator"), data=application_data(demo, **overrides)
    )


def refused_submit(demo, application) -> ServiceError:
    before = (
        ReviewCase.objects.count(),
        AuditEvent.objects.filter(action="training.application.submit").count(),
    )
    with pytest.raises(ServiceError) as caught:
        services.application_submit(actor=demo.user("ly_operator"), application=application)
    application.refresh_from_db()
    assert application.review_id is None
    assert (
        ReviewCase.objects.count(),
        AuditEvent.objects.filter(action="training.application.submit").count(),
    ) == before
    return caught.value


def test_a_valid_application_passes_every_check_and_goes_through_the_changzhou_chain(cz, application):
    assert application_problems(application) == []
    application = services.application_submit(actor=cz.user("ly_operator"), application=application)
    case = application.review
    assert case.doc_type == "class_application"
    assert case.status == ReviewStatus.IN_REVIEW
    assert [(s.name, s.org.name) for s in case.stages.order_by("index")] == [
        ("省监狱管理局意见", "江苏省监狱管理局"),
        ("市人社局意见", "常州市人力资源和社会保障局"),
    ]
    approve_through_chain(cz, case, ["js_bureau_reviewer", "cz_hrss_reviewer"])
    application.refresh_from_db()
    assert application.status == ReviewStatus.APPROVED
    # The final approval opened the class in the same transaction.
    training_class = TrainingClass.objects.get()
    assert (training_class.unit.name, training_class.institution.name) == ("溧阳监狱", "常州技师学院")
    assert (training_class.date_from, training_class.date_to) == (D(2026, 12, 1), D(2026, 12, 20))
    assert services.class_open(actor=cz.user("ly_operator"), application=application) == training_class
    opened = AuditEvent.objects.get(action="training.class.open")
    assert opened.actor.username == "cz_hrss_reviewer"


def test_class_dates_outside_the_plan_year(cz):
    application = create(cz, date_to=D(2027, 1, 10), days=30)
    error = refused_submit(cz, application)
    assert error.field == "date_to"
    assert (
        error.message
        == "培训时间：结束日期2027年1月10日不在计划年度2026年内（须在2026年1月1日至2026年12月31日之间）"
    )


def test_trainees_over_the_plan_lines_capacity_counts_other_non_rejected_applications(cz):
    create(cz, trainees=18, period_number=1)  # a draft: not rejected, so it draws on the line
    second = create(
        cz, trainees=13, period_number=2, date_from=D(2026, 12, 21), date_to=D(2026, 12, 30), days=10
    )
    error = refused_submit(cz, second)
    assert error.field == "trainees"
    assert (
        error.message
        == "培训人数：13人超过计划剩余名额12人（2026年度计划30人，本单位其他未被否决的办班申报已占18人）"
    )
    second.trainees = 12
    second.save()
    assert application_problems(second) == []


def test_a_rejected_application_gives_its_places_back(cz):
    first = create(cz, trainees=30)
    first = services.application_submit(actor=cz.user("ly_operator"), application=first)
    from skillbridge.approvals import services as approvals

    approvals.review_reject(
        actor=cz.user("js_bureau_reviewer"),
        case=first.review,
        stage_id=first.review.current_stage_id,
        opinion="师资不足",
    )
    second = create(cz, trainees=30, period_number=2)
    assert application_problems(second) == []


def test_an_undesignated_institution(cz):
    from skillbridge.accounts.models import Organisation

    school = Organisation.objects.create(
        name="常州新星职业培训学校",
        org_type="training_institution",
        region_code="320402",
        policy_pack="changzhou",
    )
    error = refused_submit(cz, create(cz, institution=school))
    assert error.field == "institution"
    assert (
        error.message
        == "培训机构：常州新星职业培训学校在开班日期2026年12月1日不是本市定点培训机构（未认定、认定已过期或已撤销）"
    )
    messages = [d["message"] for d in error.details]
    assert (
        "培训机构：本单位与常州新星职业培训学校没有覆盖培训时间（2026年12月1日至2026年12月20日）的已签订合作协议"
        in messages
    )


def test_a_designation_revoked_before_the_start_date(cz):
    designation = Designation.objects.get(institution=cz.orgs["常州技师学院"])
    catalog.designation_revoke(
        actor=cz.user("cz_justice_reviewer"),
        designation=designation,
        effective_on=D(2026, 11, 30),
        reason="失信",
    )
    error = refused_submit(cz, create(cz))
    assert error.field == "institution"
    assert "不是本市定点培训机构" in error.message


def test_an_agreement_that_ends_before_the_class(cz):
    from skillbridge.planning.models import Agreement

    Agreement.objects.update(valid_to=D(2026, 12, 10))
    error = refused_submit(cz, create(cz))
    assert error.message == (
        "培训机构：本单位与常州技师学院没有覆盖培训时间（2026年12月1日至2026年12月20日）的已签订合作协议"
    )


def test_an_occupation_the_institution_is_not_approved_for(cz):
    error = refused_submit(cz, create(cz, occupation=Occupation.objects.get(code=WELDER)))
    assert (error.field, error.message) == ("occupation", "培训工种：常州技师学院未核准承担“焊工”的培训")
    assert (
        error.details[1]["message"]
        == "培训工种：本单位2026年度已核准的培训计划中没有“就业技能培训：焊工（五级/初级工）”项目"
    )


def test_a_level_the_institution_is_not_approved_for(cz):
    error = refused_submit(cz, create(cz, level=SkillLevel.objects.get(code=3)))
    assert (error.field, error.message) == ("level", "等级：常州技师学院核准的“电工”培训等级不含三级/高级工")


def test_theory_practice_share_against_the_pack(cz):
    error = refused_submit(cz, create(cz, theory_hours=80, practice_hours=40))
    assert error.field == "theory_hours"
    assert error.message.startswith(
        "课时安排：理论课时占 66.67%、实操占 33.33%，须理论约 40%、实操约 60%（允许偏差 ±5%）"
    )


def test_submitting_twice_is_refused_and_changes_nothing(cz, application):
    application = services.application_submit(actor=cz.user("ly_operator"), application=application)
    stages = application.review.stages.count()
    with pytest.raises(Conflict) as caught:
        services.application_submit(actor=cz.user("ly_operator"), application=application)
    assert caught.value.message == "该办班申报当前状态为“审核中”，不能重复报送"
    assert application.review.stages.count() == stages
    assert ReviewCase.objects.count() == 2  # the plan's and this one


def test_returned_application_is_edited_and_resubmitted_with_the_checks(cz, application):
    from skillbridge.approvals import services as approvals

    application = services.application_submit(actor=cz.user("ly_operator"), application=application)
    approvals.review_return(
        actor=cz.user("js_bureau_reviewer"),
        case=application.review,
        stage_id=application.review.current_stage_id,
        opinion="请补充教材",
    )
    application.refresh_from_db()
    data = application_data(cz, textbooks="《电工（初级）》；《安全用电》")
    services.application_update(actor=cz.user("ly_operator"), application=application, data=data)
    application = services.application_submit(actor=cz.user("ly_operator"), application=application)
    assert (application.review.round, application.review.status) == (2, "in_review")


def test_field_checks_on_save(cz):
    with pytest.raises(ServiceError) as caught:
        create(cz, date_to=D(2026, 11, 30))
    assert (caught.value.field, caught.value.message) == ("date_to", "培训时间：结束日期不能早于开始日期")
    with pytest.raises(ServiceError) as caught:
        create(cz, days=25)
    assert caught.value.message == "共计天数须在1至20天之间（培训时间共20个日历日）"
    with pytest.raises(ServiceError) as caught:
        create(cz, period_number=3)
    assert caught.value.message == "培训班期：第3期不能大于共2班"
    assert not ClassApplication.objects.exists()


def test_other_units_cannot_write(cz, application):
    from skillbridge.errors import Forbidden

    with pytest.raises(Forbidden):
        services.application_submit(actor=cz.user("xk_operator"), application=application)
    with pytest.raises(Forbidden):
        services.application_create(actor=cz.user("czjs_operator"), data=application_data(cz))
    application.refresh_from_db()
    assert application.review_id is None


def test_approve_application_helper(cz, application):
    assert approve_application(cz, application).status == "approved"
