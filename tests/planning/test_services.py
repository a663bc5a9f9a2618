import datetime as dt
from decimal import Decimal

import pytest

from skillbridge.accounts import services as accounts
from skillbridge.approvals.models import ReviewCase, ReviewStatus
from skillbridge.approvals.services import review_approve
from skillbridge.audit.models import AuditEvent
from skillbridge.catalog.models import SpecialAbilityItem
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.planning import selectors, services
from skillbridge.planning.models import Agreement, AgreementStatus, AnnualPlan, PlanItem
from skillbridge.planning.selectors import SubjectKey, agreement_in_force, plan_in_force, planned_trainees

from .conftest import AGREEMENT, ELECTRICIAN, HOUSEKEEPING, PASTRY, WELDER, approve_all, line, make_plan

pytestmark = pytest.mark.django_db


def counts():
    return AnnualPlan.objects.count(), PlanItem.objects.count(), ReviewCase.objects.count()


# ---- plans -------------------------------------------------------------------------------------------------


def test_create_sets_changzhou_deadline_and_audits(demo):
    plan = make_plan(demo)
    assert plan.review.doc_type == "annual_plan"
    assert plan.review.title == "溧阳监狱2027年度职业技能培训计划"
    assert plan.review.due_date == dt.date(2026, 11, 30)
    assert plan.review.status == ReviewStatus.DRAFT
    assert [(i.occupation.code, i.planned_trainees, i.budget) for i in plan.items.all()] == [
        (ELECTRICIAN, 20, Decimal("24000.00")),
        (PASTRY, 10, Decimal("10000.00")),
    ]
    assert AuditEvent.objects.filter(action="plan.create", object_id=str(plan.pk)).count() == 1


@pytest.mark.parametrize("trainees", [0, -3])
def test_trainees_must_be_positive(demo, trainees):
    with pytest.raises(ServiceError, match="第2项：计划培训人数须大于0") as exc:
        make_plan(demo, items=[line(), line(PASTRY, trainees)])
    assert exc.value.field == "planned_trainees"
    assert counts() == (0, 0, 0)


def test_item_with_both_occupation_and_special_item(demo):
    item = SpecialAbilityItem.objects.create(code="ZX-001", name="中式面点制作", region_code="320400")
    with pytest.raises(ServiceError, match="职业（工种）与专项职业能力只能选择其中一项") as exc:
        make_plan(demo, items=[line(special_item=item)])
    assert exc.value.field == "special_item"
    assert counts() == (0, 0, 0)


def test_item_needs_a_subject_and_changzhou_needs_a_budget(demo):
    with pytest.raises(ServiceError, match="请选择职业（工种）或专项职业能力") as exc:
        make_plan(demo, items=[line(code=None)])
    assert exc.value.field == "occupation"
    with pytest.raises(ServiceError, match="请填写经费预算") as exc:
        make_plan(demo, items=[line(budget=None)])
    assert exc.value.field == "budget"
    assert counts() == (0, 0, 0)


def test_entrepreneurship_line_by_project_name(demo):
    plan = make_plan(
        demo, items=[line(code=None, level=None, category="entrepreneurship", project_name="SIYB")]
    )
    assert plan.items.get().subject_name == "SIYB"


def test_duplicate_plan_for_same_unit_and_year(demo):
    make_plan(demo)
    before = counts()
    with pytest.raises(Conflict, match="溧阳监狱2027年度培训计划已存在（草稿）") as exc:
        make_plan(demo)
    assert exc.value.field == "year"
    assert counts() == before
    make_plan(demo, year=2028)  # another year is fine


def test_only_the_unit_itself_drafts_its_plan(demo):
    with pytest.raises(Forbidden):
        services.plan_create(actor=demo.user("xk_operator"), unit=demo.orgs["溧阳监狱"], year=2027)
    with pytest.raises(Forbidden):
        services.plan_create(actor=demo.user("ly_reviewer"), unit=demo.orgs["溧阳监狱"], year=2027)
    assert counts() == (0, 0, 0)


def test_items_cannot_change_after_submission(demo):
    plan = make_plan(demo)
    services.plan_submit(actor=demo.user("ly_operator"), plan=plan)
    item = plan.items.first()
    for call in (
        lambda: services.plan_item_update(actor=demo.user("ly_operator"), item=item, data=line(trainees=99)),
        lambda: services.plan_item_add(actor=demo.user("ly_operator"), plan=plan, item=line(WELDER)),
        lambda: services.plan_item_delete(actor=demo.user("ly_operator"), item=item),
    ):
        with pytest.raises(Conflict, match="计划已报送（当前状态：审核中），不能修改计划项目") as exc:
            call()
        assert exc.value.field == "status"
    assert [i.planned_trainees for i in plan.items.all()] == [20, 10]


def test_submitting_twice_and_empty_plan(demo):
    empty = make_plan(demo, items=[])
    with pytest.raises(ServiceError, match="计划没有任何培训项目，不能报送"):
        services.plan_submit(actor=demo.user("ly_operator"), plan=empty)
    services.plan_item_add(actor=demo.user("ly_operator"), plan=empty, item=line())
    services.plan_submit(actor=demo.user("ly_operator"), plan=empty)
    with pytest.raises(Conflict, match="不能重复报送"):
        services.plan_submit(actor=demo.user("ly_operator"), plan=empty)
    empty.review.refresh_from_db()
    assert empty.review.round == 1


def test_approving_out_of_order_through_the_engine(demo):
    plan = make_plan(demo)
    case = services.plan_submit(actor=demo.user("ly_operator"), plan=plan).review
    with pytest.raises(Forbidden, match="当前环节为“牵头监狱汇总”，应由常州监狱办理"):
        review_approve(actor=demo.user("cz_hrss_reviewer"), case=case, stage_id=case.current_stage_id)
    case.refresh_from_db()
    assert (case.status, case.current_stage.key) == ("in_review", "lead_aggregate")
    assert plan_in_force(demo.orgs["溧阳监狱"], 2027) == []


def test_approved_plan_is_in_force(demo):
    plan = make_plan(demo)
    services.plan_submit(actor=demo.user("ly_operator"), plan=plan)
    case = approve_all(demo, plan)
    assert case.status == "approved"
    plan.refresh_from_db()
    assert plan.status_label == "已核准"
    unit = demo.orgs["溧阳监狱"]
    electrician = SubjectKey.of(plan.items.get(occupation__code=ELECTRICIAN))
    assert planned_trainees(unit, 2027, electrician) == 20
    assert planned_trainees(unit, 2027, SubjectKey("employment", occupation_id=1)) is None


def test_returned_plan_can_be_edited_and_resubmitted(demo):
    from skillbridge.approvals.services import review_return

    plan = make_plan(demo)
    case = services.plan_submit(actor=demo.user("ly_operator"), plan=plan).review
    review_return(
        actor=demo.user("cz_reviewer"), case=case, stage_id=case.current_stage_id, opinion="电工人数偏多"
    )
    item = plan.items.get(occupation__code=ELECTRICIAN)
    services.plan_item_update(
        actor=demo.user("ly_operator"), item=item, data=line(trainees=15, budget="18000")
    )
    case = services.plan_submit(actor=demo.user("ly_operator"), plan=plan).review
    assert (case.status, case.round) == ("in_review", 2)


# ---- adjustments and temporary additions ---------------------------------------------------------------------


def test_adjustment_and_temporary_addition_keep_history(demo):
    operator = demo.user("ly_operator")
    plan = make_plan(demo)
    with pytest.raises(Conflict, match="尚未审核通过"):
        services.plan_adjustment_create(actor=operator, plan=plan, kind="adjustment", reason="调整")
    services.plan_submit(actor=operator, plan=plan)
    approve_all(demo, plan)
    with pytest.raises(ServiceError, match="请填写调整理由"):
        services.plan_adjustment_create(actor=operator, plan=plan, kind="adjustment", reason=" ")

    adjustment = services.plan_adjustment_create(
        actor=operator, plan=plan, kind="adjustment", reason="刑释人数变化"
    )
    assert adjustment.review.doc_type == "plan_adjustment"
    assert adjustment.based_on == plan
    assert adjustment.items.count() == 2  # copied from the plan in force
    with pytest.raises(Conflict, match="已有一份未办结的计划调整"):
        services.plan_adjustment_create(actor=operator, plan=plan, kind="adjustment", reason="再调整")
    item = adjustment.items.get(occupation__code=ELECTRICIAN)
    services.plan_item_update(actor=operator, item=item, data=line(trainees=25, budget="30000"))
    services.plan_submit(actor=operator, plan=adjustment)
    approve_all(demo, adjustment)

    temporary = services.plan_adjustment_create(
        actor=operator, plan=plan, kind="temporary", reason="新增家政"
    )
    assert temporary.items.count() == 0
    services.plan_item_add(actor=operator, plan=temporary, item=line(HOUSEKEEPING, 12, budget="9600"))
    services.plan_submit(actor=operator, plan=temporary)
    approve_all(demo, temporary)

    in_force = sorted(
        (i.occupation.code, i.planned_trainees) for i in plan_in_force(demo.orgs["溧阳监狱"], 2027)
    )
    assert in_force == [(PASTRY, 10), (HOUSEKEEPING, 12), (ELECTRICIAN, 25)]
    versions = selectors.plan_versions(plan)
    assert [(v.kind, v.total_trainees) for v in versions] == [
        ("annual", 30),
        ("adjustment", 35),
        ("temporary", 12),
    ]
    # the original is unchanged
    assert plan.items.get(occupation__code=ELECTRICIAN).planned_trainees == 20


# ---- Anhui -------------------------------------------------------------------------------------------------


def test_anhui_deadlines_budget_compilation_and_issue(demo):
    operator = demo.user("ah_prison_operator")
    unit = operator.organisation
    plan = services.plan_create(actor=operator, unit=unit, year=2027, items=[line(budget=None, trainees=40)])
    assert plan.review.due_date == dt.date(2027, 1, 31)
    assert plan.items.get().budget == Decimal("48000.00")  # 40 × 1200
    plan = services.plan_submit(actor=operator, plan=plan)
    assert plan.review.due_date == dt.date(2027, 2, 28)  # the bureau compiles by end of February
    assert plan.status_label == "审核中"
    bureau_case = plan.review
    review_approve(
        actor=demo.user("ah_prison_bureau"), case=bureau_case, stage_id=bureau_case.current_stage_id
    )
    bureau_case.refresh_from_db()
    assert (bureau_case.current_stage.key, bureau_case.due_date) == ("hrss_filing", dt.date(2027, 3, 10))

    rows = selectors.compilation(demo.user("ah_prison_bureau"), year=2027)
    assert [(r.city, r.unit.name, r.trainees, r.budget, r.status) for r in rows] == [
        ("合肥市", "安徽省蜀山监狱", 40, Decimal("48000.00"), "审核中")
    ]
    approve_all(demo, plan)
    plan.refresh_from_db()
    assert plan.status_label == "已下达"
    assert selectors.compilation(operator, year=2027)[0].status == "已下达"
    rehab = selectors.compilation(demo.user("ah_rehab_bureau"), year=2027)
    assert [(r.unit.name, r.trainees, r.status) for r in rehab] == [("安徽省合肥强制隔离戒毒所", 0, "未报送")]


# ---- agreements --------------------------------------------------------------------------------------------


def new_agreement(demo, institution="常州技师学院", **changes):
    actor = demo.user("ly_operator")
    return services.agreement_create(
        actor=actor, unit=actor.organisation, institution=demo.orgs[institution], **{**AGREEMENT, **changes}
    )


def test_agreement_parties_prefilled_from_directory(catalog):
    fields = {
        k: v for k, v in AGREEMENT.items() if not k.startswith("institution_") or k == "institution_duties"
    }
    actor = catalog.user("ly_operator")
    agreement = services.agreement_create(
        actor=actor, unit=actor.organisation, institution=catalog.orgs["常州技师学院"], **fields
    )
    assert (agreement.institution_address, agreement.institution_legal_representative) == (
        "常州市武进区滆湖中路28号",
        "周建华",
    )
    assert agreement.institution_contact == "王老师 0519-86331234"
    assert agreement.number == "HZXY-2026-320481-001"
    assert agreement.status == AgreementStatus.DRAFT


def test_agreement_with_undesignated_institution(catalog):
    accounts.organisation_create(
        actor=None,
        name="某未认定培训学校",
        org_type="training_institution",
        region_code="320402",
        policy_pack="changzhou",
    )
    catalog.orgs["某未认定培训学校"] = accounts.Organisation.objects.get(name="某未认定培训学校")
    with pytest.raises(
        ServiceError, match="“某未认定培训学校”在合作期限起始日 2026年01月01日 不是本市定点培训机构"
    ) as exc:
        new_agreement(catalog, "某未认定培训学校")
    assert exc.value.field == "institution"
    with pytest.raises(ServiceError, match="不是培训机构"):
        new_agreement(catalog, "常州市职业技能鉴定指导中心")
    assert Agreement.objects.count() == 0


def test_agreement_beyond_designation_period(catalog):
    with pytest.raises(ServiceError, match="不是本市定点培训机构"):
        new_agreement(catalog, valid_from=dt.date(2028, 1, 1), valid_to=dt.date(2028, 12, 31))
    with pytest.raises(ServiceError, match="定点有效期为 2026年01月01日 至 2027年12月31日") as exc:
        new_agreement(catalog, valid_from=dt.date(2027, 6, 1), valid_to=dt.date(2028, 5, 31))
    assert exc.value.field == "valid_to"
    assert Agreement.objects.count() == 0


def test_agreement_dates_reversed(catalog):
    with pytest.raises(ServiceError, match="合作期限的起始日期不能晚于截止日期") as exc:
        new_agreement(catalog, valid_from=dt.date(2026, 12, 31), valid_to=dt.date(2026, 1, 1))
    assert exc.value.field == "valid_to"
    with pytest.raises(ServiceError, match="培训人数须大于0"):
        new_agreement(catalog, trainees=0)
    assert Agreement.objects.count() == 0


def test_sign_then_terminate(catalog):
    operator = catalog.user("ly_operator")
    agreement = new_agreement(catalog)
    unit, institution = catalog.orgs["溧阳监狱"], catalog.orgs["常州技师学院"]
    assert agreement_in_force(unit, institution, dt.date(2026, 5, 1)) is None
    with pytest.raises(ServiceError, match="请填写乙方签订日期"):
        services.agreement_sign(
            actor=operator,
            agreement=agreement,
            unit_signatory="孙建国",
            unit_signed_on=dt.date(2025, 12, 20),
            institution_signatory="周建华",
            institution_signed_on=None,
        )
    signed = services.agreement_sign(
        actor=operator,
        agreement=agreement,
        unit_signatory="孙建国",
        unit_signed_on=dt.date(2025, 12, 20),
        institution_signatory="周建华",
        institution_signed_on=dt.date(2025, 12, 22),
    )
    assert signed.status == AgreementStatus.SIGNED
    assert agreement_in_force(unit, institution, dt.date(2026, 5, 1)) == agreement
    with pytest.raises(Conflict, match="不能修改"):
        services.agreement_update(actor=operator, agreement=agreement, trainees=40)
    with pytest.raises(ServiceError, match="终止日期不能早于协议签订日期 2025-12-22"):
        services.agreement_terminate(
            actor=operator, agreement=agreement, terminated_on=dt.date(2025, 12, 1), reason="x"
        )
    services.agreement_terminate(
        actor=operator, agreement=agreement, terminated_on=dt.date(2026, 6, 30), reason="机构停止办学"
    )
    agreement.refresh_from_db()
    assert (agreement.status, agreement.terminated_on) == ("terminated", dt.date(2026, 6, 30))
    assert agreement_in_force(unit, institution, dt.date(2026, 5, 1)) is None
    assert list(
        AuditEvent.objects.filter(object_type="planning.agreement")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["agreement.create", "agreement.sign", "agreement.terminate"]


def test_other_unit_cannot_sign(catalog):
    agreement = new_agreement(catalog)
    with pytest.raises(Forbidden):
        services.agreement_terminate(
            actor=catalog.user("xk_operator"),
            agreement=agreement,
            terminated_on=dt.date(2026, 3, 1),
            reason="x",
        )
    agreement.refresh_from_db()
    assert agreement.status == "draft"


# ---- demo --------------------------------------------------------------------------------------------------


def test_demo_is_idempotent(demo):
    from skillbridge.planning.demo import load_demo

    first = load_demo()
    assert first == {"plans": 2, "agreements": 1}
    before = (
        AnnualPlan.objects.count(),
        PlanItem.objects.count(),
        Agreement.objects.count(),
        AuditEvent.objects.count(),
    )
    assert load_demo() == first
    assert (
        AnnualPlan.objects.count(),
        PlanItem.objects.count(),
        Agreement.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    unit = demo.orgs["溧阳监狱"]
    plan_2026 = AnnualPlan.objects.get(unit=unit, year=2026)
    assert plan_2026.review.status == "approved"
    assert AnnualPlan.objects.get(unit=unit, year=2027).review.status == "draft"
    assert {i.subject_name for i in plan_in_force(unit, 2026)} >= {"电工", "中式面点师", "家政服务员"}
    agreement = Agreement.objects.get()
    assert (agreement.status, agreement.valid_from, agreement.valid_to) == (
        "signed",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )
    assert agreement_in_force(unit, demo.orgs["常州技师学院"], dt.date(2026, 7, 1)) == agreement


def test_review_document_url(demo):
    plan = make_plan(demo)
    assert selectors.review_document_url(plan.review) == f"/planning/{plan.pk}/"
    other = ReviewCase.objects.create(
        doc_type="class_application",
        title="x",
        unit=plan.unit,
        author_org=plan.unit,
        created_by=plan.created_by,
    )
    assert selectors.review_document_url(other) is None
