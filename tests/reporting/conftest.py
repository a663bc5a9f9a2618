"""A hand-computed world for the dashboard figures (period 2026, today 2026-11-22).

People and custody episodes, releases and transfers go through the registry services; classes, enrolments,
certificates and claims are written as rows (their apps' services are built in parallel), with exactly the
states the figures count. Expected figures (see test_figures.py):

溧阳监狱 (常州): due 赵一 (released 03-31, certified 02-10 → before), 钱二 (06-30, certified 08-01 → after
release), 孙三 (09-30, none), 吴六 (12-15, revoked) → due 4, certified before release 1; 李四 releases 2027;
周五 transferred away 05-01 (due at 新康). Certificates first issued in 2026: 赵一 (reissued 03-01: counted
once), 钱二, 李四, 周五 → 4 (吴六's revoked). Classes: 电工 (03-01…03-20: 赵一, 钱二, 李四 completed, 孙三
failed), 焊工 (12-01, open: 李四, 吴六) → enrolled 6, completed 3, classes 2; assessment of 03-22: 赵一,
钱二 passed, 孙三 failed, 李四 absent → assessed 3.
常州监狱: 郑七 due 07-01 certified 07-01 (day of release) → 1/1; 王八 (2025-12-31) and 冯九 (2027-01-01) not
due; class of 2025-12-20 ended 2026-01-10 (郑七 completed) → enrolled 0, completed 1; certified 1.
新康监狱: 周五 due 10-31, certified at 溧阳 04-01 → 1/1.
南京监狱 (南京): 陈十 due 05-05, certified 01-01 → 1/1; class 04-01…04-30 (陈十 completed) → 1/1/1, certified 1.
安徽省蜀山监狱: 褚一 due 2026-08-01 no certificate; class ended 06-30, data never entered → 1 deadline missed.
Subsidies (溧阳, claim filled 04-10, paid): 赵一 accepted 1200, 李四 accepted 1200, 钱二 rejected in review
1200 → claimed 3 / 3600, approved 2 / 2400, rejected 1, noticed 2 / 2400, disbursed 2400, paid 2400; a draft
claim of 常州监狱 (郑七 1000) counts nowhere.
"""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from tests.registry.conftest import make_person
from tests.training.conftest import ELECTRICIAN, WELDER, approved_plan

from skillbridge.accounts import services as accounts
from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel
from skillbridge.certificates.models import Certificate
from skillbridge.registry import services as registry
from skillbridge.registry.models import Episode
from skillbridge.training.models import ClassApplication, Enrolment, TrainingClass

D = dt.date
TODAY = D(2026, 11, 22)
_numbers = itertools.count(1)


@pytest.fixture
def pages_on_today(monkeypatch):
    """The pages (which take today's date from the clock) as if today were TODAY, like the selectors' tests."""
    from django.utils import timezone

    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: TODAY if value is None else real(value, tz)
    )


def episode_of(person):
    return Episode.objects.filter(person=person).order_by("-id").first()


def make_class(unit, *, occupation=ELECTRICIAN, level=5, start, end=None, ended=None, institution, people=(),
               user, plan_year=None, entered=None):  # fmt: skip
    n = next(_numbers)
    application = ClassApplication.objects.create(
        unit=unit,
        institution=institution,
        plan_year=plan_year or start.year,
        category="employment",
        occupation=Occupation.objects.get(code=occupation),
        level=SkillLevel.objects.get(code=level),
        trainees=len(people) or 1,
        period_number=n,
        period_total=9,
        date_from=start,
        date_to=end or start + dt.timedelta(days=19),
        days=18,
        theory_hours=48,
        practice_hours=72,
        teachers="王建国",
        textbooks="《电工》",
        venue="教育中心",
        filled_on=start - dt.timedelta(days=20),
        created_by=user,
    )
    training_class = TrainingClass.objects.create(
        application=application,
        unit=unit,
        institution=institution,
        date_from=start,
        date_to=application.date_to,
        status="completed" if ended else "open",
        ended_on=ended,
        data_entered_on=entered,
    )
    for person, status in people:
        Enrolment.objects.create(
            training_class=training_class,
            person=person,
            episode=episode_of(person),
            status=status,
            exit_on=ended if status in ("completed", "failed") else None,
            enrolled_by=user,
        )
    return training_class


def make_certificate(person, unit, issued, *, issuer, user, status="valid", supersedes=None):
    return Certificate.objects.create(
        person=person,
        unit=unit,
        certificate_type=CertificateType.objects.get(code="skill_level")
        if CertificateType.objects.filter(code="skill_level").exists()
        else CertificateType.objects.first(),
        occupation=Occupation.objects.get(code=ELECTRICIAN),
        level=SkillLevel.objects.get(code=5),
        issuer=issuer,
        issue_date=issued,
        official_number=f"Z{next(_numbers):08d}",
        verification_code=f"V{next(_numbers):08d}",
        status=status,
        supersedes=supersedes,
        issued_by=user,
    )


def make_claim(unit, claimant, *, status, filled, lines, user, disbursed=None, paid=None):
    from skillbridge.subsidies.models import Claim, ClaimLine

    claim = Claim.objects.create(
        kind="training",
        claimant=claimant,
        unit=unit,
        year=filled.year,
        claimant_name=claimant.name,
        subject_name="电工",
        date_from=filled - dt.timedelta(days=40),
        date_to=filled - dt.timedelta(days=20),
        filled_on=filled,
        status=status,
        line_count=len(lines),
        claimed_total=sum(amount for _, _, amount, _ in lines),
        accepted_total=sum(amount for _, _, amount, decision in lines if decision == "accepted"),
        disbursed_amount=disbursed,
        paid_amount=paid,
        created_by=user,
    )
    for person, certificate, amount, decision in lines:
        ClaimLine.objects.create(
            claim=claim,
            kind="training",
            person=person,
            certificate=certificate,
            occupation=certificate.occupation,
            level=certificate.level,
            certificate_type=certificate.certificate_type,
            certificate_date=certificate.issue_date,
            amount=amount,
            year=filled.year,
            decision=decision,
            is_active=decision != "rejected",
        )
    return claim


def make_assessment(training_class, on, examiner, user, outcomes):
    from skillbridge.assessment.models import AssessmentApplication, AssessmentResult

    application = AssessmentApplication.objects.create(
        unit=training_class.unit,
        training_class=training_class,
        occupation=training_class.application.occupation,
        level=training_class.application.level,
        route="evaluation",
        certificate_type=CertificateType.objects.get(code="skill_level"),
        examiner=examiner,
        assessment_date=on,
        candidates=len(outcomes),
        filled_on=on - dt.timedelta(days=10),
        created_by=user,
    )
    for person, outcome in outcomes.items():
        AssessmentResult.objects.create(
            application=application,
            enrolment=training_class.enrolments.get(person=person),
            person=person,
            outcome=outcome,
            entered_by=user,
        )
    return application


class World:
    pass


@pytest.fixture
def world(demo):
    w = World()
    w.demo = demo
    sysadmin = demo.user("sysadmin")
    orgs = demo.orgs
    w.nanjing_hrss = accounts.organisation_create(
        actor=sysadmin, name="南京市人力资源和社会保障局", org_type="city_hrss", region_code="320100",
        policy_pack="jiangsu-special",
    )  # fmt: skip
    w.nj = accounts.organisation_create(
        actor=sysadmin, name="南京监狱", org_type="prison", region_code="320106", policy_pack="jiangsu-special",
        parent=orgs["江苏省监狱管理局"],
    )  # fmt: skip
    w.ly, w.cz, w.xk = orgs["溧阳监狱"], orgs["常州监狱"], orgs["新康监狱"]
    w.ah = orgs["安徽省蜀山监狱"]
    school, evaluator = orgs["常州技师学院"], orgs["常州市职业技能鉴定指导中心"]
    w.school = school
    ly_user, cz_user = demo.user("ly_operator"), demo.user("cz_operator")
    w.ly_user = ly_user

    def person(unit, name, release, **kw):
        return make_person(unit, name=name, release=release, number=f"R{next(_numbers):05d}", **kw)

    zhao = person(w.ly, "赵一", D(2026, 3, 31))
    qian = person(w.ly, "钱二", D(2026, 6, 30))
    sun = person(w.ly, "孙三", D(2026, 9, 30))
    li = person(w.ly, "李四", D(2027, 5, 1))
    zhou = person(w.ly, "周五", D(2026, 10, 31))
    wu = person(w.ly, "吴六", D(2026, 12, 15))
    zheng = person(w.cz, "郑七", D(2026, 7, 1))
    wang = person(w.cz, "王八", D(2025, 12, 31))
    feng = person(w.cz, "冯九", D(2027, 1, 1))
    chen = person(w.nj, "陈十", D(2026, 5, 5))
    chu = person(w.ah, "褚一", D(2026, 8, 1), id_number=None)
    w.people = dict(zhao=zhao, qian=qian, sun=sun, li=li, zhou=zhou, wu=wu, zheng=zheng, wang=wang,
                    feng=feng, chen=chen, chu=chu)  # fmt: skip

    registry.episode_status_change(
        actor=ly_user, episode=episode_of(zhao), to_status="released", changed_on=D(2026, 3, 31)
    )
    registry.episode_status_change(
        actor=ly_user,
        episode=episode_of(zhou),
        to_status="transferred",
        changed_on=D(2026, 5, 1),
        to_unit=w.xk,
    )

    old = make_certificate(zhao, w.ly, D(2026, 2, 10), issuer=evaluator, user=ly_user, status="superseded")
    w.zhao_cert = make_certificate(zhao, w.ly, D(2026, 3, 1), issuer=evaluator, user=ly_user, supersedes=old)
    w.qian_cert = make_certificate(qian, w.ly, D(2026, 8, 1), issuer=evaluator, user=ly_user)
    w.li_cert = make_certificate(li, w.ly, D(2026, 3, 25), issuer=evaluator, user=ly_user)
    make_certificate(zhou, w.ly, D(2026, 4, 1), issuer=evaluator, user=ly_user)
    make_certificate(wu, w.ly, D(2026, 5, 5), issuer=evaluator, user=ly_user, status="revoked")
    w.zheng_cert = make_certificate(zheng, w.cz, D(2026, 7, 1), issuer=evaluator, user=cz_user)
    make_certificate(chen, w.nj, D(2026, 1, 1), issuer=evaluator, user=ly_user)

    ly_class = make_class(w.ly, start=D(2026, 3, 1), ended=D(2026, 3, 20), institution=school, user=ly_user,
               people=[(zhao, "completed"), (qian, "completed"), (sun, "failed"), (li, "completed")])  # fmt: skip
    make_class(w.ly, occupation=WELDER, level=4, start=D(2026, 12, 1), institution=school, user=ly_user,
               people=[(li, "active"), (wu, "active")])  # fmt: skip
    make_class(w.cz, start=D(2025, 12, 20), ended=D(2026, 1, 10), institution=school, user=cz_user,
               people=[(zheng, "completed")], entered=D(2026, 1, 12))  # fmt: skip
    make_class(w.nj, start=D(2026, 4, 1), ended=D(2026, 4, 30), institution=school, user=ly_user,
               people=[(chen, "completed")])  # fmt: skip
    w.ah_class = make_class(w.ah, start=D(2026, 6, 1), ended=D(2026, 6, 30), institution=school, user=ly_user,
                            people=[(chu, "completed")])  # fmt: skip

    make_assessment(ly_class, D(2026, 3, 22), evaluator, ly_user,
                    {zhao: "passed", qian: "passed", sun: "failed", li: "absent"})  # fmt: skip
    make_claim(w.ly, school, status="paid", filled=D(2026, 4, 10), user=ly_user,
               disbursed=Decimal("2400.00"), paid=Decimal("2400.00"),
               lines=[(zhao, w.zhao_cert, Decimal(1200), "accepted"), (li, w.li_cert, Decimal(1200), "accepted"),
                      (qian, w.qian_cert, Decimal(1200), "rejected")])  # fmt: skip
    make_claim(w.cz, school, status="draft", filled=D(2026, 7, 10), user=cz_user,
               lines=[(zheng, w.zheng_cert, Decimal(1000), "pending")])  # fmt: skip
    approved_plan(demo, "ly_operator", 2026)
    refresh()
    return w


def refresh(**kw):
    """Rebuild the dashboards' rollup (the background job) after the fixture's data went in."""
    from skillbridge.reporting.services import rollup_refresh

    return rollup_refresh(actor=None, **kw)
