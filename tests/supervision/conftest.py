"""Fixtures: the Changzhou demo with the catalogue (常州技师学院 designated 2026–2027) and helpers that write
the anomalies the risk rules look for straight into the training / certificate / subsidy tables — the other
apps' services refuse them, which is the point: the scans catch what slipped through (or was imported)."""

import datetime as dt
from decimal import Decimal
from itertools import count

import pytest
from tests.registry.conftest import make_person
from tests.training.conftest import ELECTRICIAN

from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel
from skillbridge.certificates.models import Certificate
from skillbridge.training.models import (
    Attendance,
    ClassApplication,
    Enrolment,
    TrainingClass,
    TrainingSession,
)

D = dt.date
_seq = count(1)


@pytest.fixture
def cz(demo):
    from skillbridge.catalog.demo import load_demo

    load_demo()
    return demo


def make_class(
    demo,
    *,
    date_from,
    date_to,
    unit="溧阳监狱",
    institution="常州技师学院",
    ended_on=None,
    data_entered_on=None,
    teachers="王建国",
    venue="教学楼",
):
    user = demo.user("ly_operator")
    application = ClassApplication.objects.create(
        unit=demo.orgs[unit],
        institution=demo.orgs[institution],
        plan_year=date_from.year,
        category="employment",
        occupation=Occupation.objects.get(code=ELECTRICIAN),
        level=SkillLevel.objects.get(code=5),
        trainees=20,
        period_number=next(_seq),
        period_total=99,
        date_from=date_from,
        date_to=date_to,
        days=10,
        theory_hours=40,
        practice_hours=60,
        teachers=teachers,
        textbooks="《电工（初级）》",
        venue=venue,
        filled_on=date_from,
        created_by=user,
    )
    return TrainingClass.objects.create(
        application=application,
        unit=demo.orgs[unit],
        institution=demo.orgs[institution],
        date_from=date_from,
        date_to=date_to,
        ended_on=ended_on,
        status="completed" if ended_on else "open",
        data_entered_on=data_entered_on,
    )


def person(demo, unit="溧阳监狱", name=None):
    n = next(_seq)
    return make_person(demo.orgs[unit], name=name or f"学员{n}", number=f"SV{n:05d}")


def enrol(demo, training_class, who, status="active", exit_on=None):
    return Enrolment.objects.create(
        training_class=training_class,
        person=who,
        episode=who.episodes.order_by("-id").first(),
        status=status,
        exit_on=exit_on,
        enrolled_by=demo.user("ly_operator"),
    )


def session(demo, training_class, day, start="09:00", minutes=120, teacher="王建国", kind="theory"):
    return TrainingSession.objects.create(
        training_class=training_class,
        date=day,
        start_time=dt.time.fromisoformat(start),
        minutes=minutes,
        kind=kind,
        topic="安全用电",
        teacher=teacher,
        created_by=demo.user("ly_operator"),
    )


def attend(demo, sess, enrolment, minutes):
    return Attendance.objects.create(
        session=sess, enrolment=enrolment, minutes=minutes, marked_by=demo.user("ly_operator")
    )


def certificate(demo, training_class, who, issue_date, number=None):
    n = next(_seq)
    return Certificate.objects.create(
        person=who,
        unit=training_class.unit,
        training_class=training_class,
        certificate_type=CertificateType.objects.order_by("sort_order").first(),
        occupation=Occupation.objects.get(code=ELECTRICIAN),
        level=SkillLevel.objects.get(code=5),
        issuer=demo.orgs["常州市职业技能鉴定指导中心"],
        issue_date=issue_date,
        official_number=number or f"CERT{n:08d}",
        verification_code=f"V{n:010d}",
        issued_by=demo.user("cz_eval_operator"),
    )


def claim_line(
    demo, cert, *, amount=Decimal("1000"), standard=Decimal("1000"), status="in_review", year=None, unit=None
):
    from skillbridge.subsidies.models import Claim, ClaimLine

    tc = cert.training_class
    claim = Claim.objects.create(
        kind="training",
        claimant=tc.institution,
        unit=unit or tc.unit,
        year=year or cert.issue_date.year,
        training_class=None,
        claimant_name=tc.institution.name,
        subject_name="电工",
        date_from=tc.date_from,
        date_to=tc.date_to,
        filled_on=cert.issue_date,
        status=status,
        created_by=demo.user("czjs_operator"),
    )
    line = ClaimLine.objects.create(
        claim=claim,
        kind="training",
        person=cert.person,
        certificate=cert,
        occupation=cert.occupation,
        level=cert.level,
        certificate_type=cert.certificate_type,
        certificate_date=cert.issue_date,
        standard_amount=standard,
        amount=amount,
        year=year or cert.issue_date.year,
    )
    return claim, line


def scan_ctx(demo, units=("溧阳监狱", "常州监狱", "新康监狱"), today=None, claim_id=None):
    from skillbridge.supervision.rules import ScanContext

    today = today or D(2026, 12, 31)
    return ScanContext(unit_ids=[demo.orgs[u].pk for u in units], today=today, claim_id=claim_id)
