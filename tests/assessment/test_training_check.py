"""The enrolment check “same occupation and level already certified” (training/checks.py), block or warning
by the unit's pack (`enrolment_checks.already_certified`)."""

import pytest
from tests.training.conftest import application_data, approve_application

from skillbridge.assessment import services
from skillbridge.catalog.models import SkillLevel
from skillbridge.certificates import services as certificates
from skillbridge.errors import ServiceError
from skillbridge.policy.loader import get_pack
from skillbridge.training import checks
from skillbridge.training import services as training

from .conftest import D, op

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(setup, approved, people):
    ev = setup.user("cz_eval_operator")
    zhao = people[0]
    services.results_save(
        actor=ev,
        application=approved,
        rows=[{"person_id": zhao.pk, "theory_score": "80", "practical_score": "80", "outcome": "passed"}],
    )
    cert = services.certificates_issue(
        actor=ev,
        application=approved,
        items=[{"result": approved.results.get(), "official_number": "S000032040005261000777"}],
        issue_date=D(2026, 11, 20),
    )[0]
    return zhao, cert


def _new_class(demo, level=5):
    if level != 5:
        from decimal import Decimal

        from skillbridge.catalog.models import Occupation
        from skillbridge.planning.models import AnnualPlan, PlanItem

        PlanItem.objects.get_or_create(
            plan=AnnualPlan.objects.get(unit=demo.orgs["溧阳监狱"], year=2026),
            category="employment",
            occupation=Occupation.objects.get(code="6-31-01-03"),
            level=SkillLevel.objects.get(code=level),
            defaults={"planned_trainees": 10, "planned_classes": 1, "budget": Decimal(12000)},
        )
    application = training.application_create(
        actor=op(demo), data=application_data(demo, trainees=5, level=SkillLevel.objects.get(code=level))
    )
    approve_application(demo, application)
    return training.class_open(actor=op(demo), application=application)


def test_same_occupation_and_level_certified_blocks_in_changzhou(setup, certified):
    zhao, _cert = certified
    c = _new_class(setup)
    decision = checks.enrolment_check(c, zhao, today=D(2026, 11, 22))
    reason = next(r for r in decision.reasons if r.code == "already_certified")
    assert reason.severity == "block"
    assert reason.message == (
        "已持有有效的职业技能等级证书（电工，五级/初级工，编号S000032040005261000777，2026年11月20日发证），"
        "与本班职业（工种）、等级相同"
    )
    assert reason.source.startswith("常司发〔2022〕42号")
    with pytest.raises(ServiceError):
        training.enrolments_add(actor=op(setup), training_class=c, people=[zhao], today=D(2026, 11, 22))
    assert c.enrolments.count() == 0


def test_pack_flag_makes_it_a_warning(setup, certified, monkeypatch):
    zhao, _cert = certified
    c = _new_class(setup)
    changzhou, anhui = get_pack("changzhou"), get_pack("anhui")
    flagged = changzhou.model_copy(update={"enrolment_checks": anhui.enrolment_checks})
    monkeypatch.setattr(checks, "get_pack", lambda code: flagged)
    decision = checks.enrolment_check(c, zhao, today=D(2026, 11, 22))
    reason = next(r for r in decision.reasons if r.code == "already_certified")
    assert reason.severity == "warn"
    assert decision.allowed


def test_other_level_or_revoked_certificate_does_not_match(setup, certified):
    zhao, cert = certified
    higher = _new_class(setup, level=4)
    assert "already_certified" not in [
        r.code for r in checks.enrolment_check(higher, zhao, today=D(2026, 11, 22)).reasons
    ]
    certificates.certificate_revoke(
        actor=setup.user("cz_eval_operator"), certificate=cert, reason="信息录入错误"
    )
    same = _new_class(setup)
    assert "already_certified" not in [
        r.code for r in checks.enrolment_check(same, zhao, today=D(2026, 11, 22)).reasons
    ]
