"""Fixtures: a completed 电工（五级）class of 溧阳监狱 with 常州技师学院 (October 2026: 赵一 and 孙三
completed, 钱二 failed on attendance), 常州市职业技能鉴定指导中心 registered for 电工 五级/四级, and helpers
to build and approve an assessment application through the real services."""

import datetime as dt

import pytest
from tests.registry.conftest import make_person
from tests.training.conftest import application_data, approve_application

from skillbridge.approvals import services as approvals
from skillbridge.assessment import services
from skillbridge.catalog import services as catalog
from skillbridge.catalog.models import Occupation, SkillLevel
from skillbridge.training import services as training

D = dt.date
ELECTRICIAN = "6-31-01-03"
EVALUATOR = "常州市职业技能鉴定指导中心"
CLASS_START = D(2026, 10, 8)
CHAIN = ["cz_eval_operator", "cz_reviewer", "js_bureau_reviewer", "cz_hrss_reviewer"]


def op(demo):
    return demo.user("ly_operator")


def make_completed_class(demo, *, names=("赵一", "钱二", "孙三"), start=CLASS_START, occupation=ELECTRICIAN):
    """A class run and completed through the training services; the second trainee misses half the
    practice and fails on attendance."""
    from tests.training.conftest import approve_application as approve

    application = training.application_create(
        actor=op(demo),
        data=application_data(
            demo,
            occupation=Occupation.objects.get(code=occupation),
            trainees=len(names) + 2,
            date_from=start,
            date_to=start + dt.timedelta(days=20),
            days=15,
            filled_on=start - dt.timedelta(days=10),
        ),
    )
    approve(demo, application)
    c = training.class_open(actor=op(demo), application=application)
    unit = demo.orgs["溧阳监狱"]
    people = [
        make_person(unit, name=name, release=D(2027, 9, 30), number=f"LY{start:%m%d}{i:02d}")
        for i, name in enumerate(names, start=1)
    ]
    training.enrolments_add(actor=op(demo), training_class=c, people=people, today=start)
    sessions = []
    for day, minutes, kind in ((start, 400, "theory"), (start + dt.timedelta(days=1), 600, "practice")):
        s = training.session_create(
            actor=op(demo),
            training_class=c,
            data={
                "date": day,
                "start_time": dt.time(8, 30),
                "minutes": minutes,
                "kind": kind,
                "topic": "电工基础",
                "teacher": "王建国",
            },
        )
        training.attendance_mark_all_present(actor=op(demo), session=s)
        sessions.append(s)
    if len(people) > 1:
        training.attendance_set(
            actor=op(demo), session=sessions[1], entries=[{"person_id": people[1].pk, "minutes": 300}]
        )
    for s in sessions:
        training.session_sign_off(actor=op(demo), session=s)
    training.class_complete(actor=op(demo), training_class=c, ended_on=start + dt.timedelta(days=20))
    c.refresh_from_db()
    return c, people


@pytest.fixture
def setup(demo):
    """Demo + catalogue demo + plan/agreement (training fixtures) + the evaluator's registration."""
    from tests.training.conftest import approved_plan, signed_agreement

    from skillbridge.catalog.demo import load_demo

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
    return demo


@pytest.fixture
def completed(setup):
    return make_completed_class(setup)


@pytest.fixture
def completed_class(completed):
    return completed[0]


@pytest.fixture
def people(completed):
    return completed[1]


def app_data(demo, training_class, **overrides):
    data = {
        "training_class": training_class,
        "examiner": demo.orgs[EVALUATOR],
        "assessment_date": D(2026, 11, 5),
        "candidates": 2,
        "filled_on": D(2026, 10, 29),
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(setup, completed_class):
    return services.application_create(actor=op(setup), data=app_data(setup, completed_class))


def approve_all(demo, application, reviewers=CHAIN):
    case = application.review
    for username in reviewers:
        case = approvals.review_approve(actor=demo.user(username), case=case, stage_id=case.current_stage_id)
    application.refresh_from_db()
    return application


@pytest.fixture
def approved(setup, draft):
    application = services.application_submit(actor=op(setup), application=draft)
    return approve_all(setup, application)


__all__ = ["approve_application"]
