"""Fixtures: the training app's Changzhou set-up (溧阳监狱 class of 电工 五级 with 常州技师学院, three trainees
赵一 钱二 孙三), the class run and completed through the training services, and certificate helpers."""

import datetime as dt

import pytest
from tests.training import conftest as training_fixtures

from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel
from skillbridge.certificates import services
from skillbridge.training import services as training

# The training app's fixtures, re-exported for this package.
D = training_fixtures.D
cz = training_fixtures.cz
application = training_fixtures.application
training_class = training_fixtures.training_class
trainees = training_fixtures.trainees
running_class = training_fixtures.running_class

ELECTRICIAN = "6-31-01-03"
ISSUE_DATE = D(2026, 11, 28)


@pytest.fixture(autouse=True)
def _signing_key(tmp_path_factory, monkeypatch):
    """One throw-away Ed25519 key for the test session, never the one in DATA_DIR."""
    path = tmp_path_factory.getbasetemp() / "certificate_signing_key.pem"
    monkeypatch.setenv("SKILLBRIDGE_SIGNING_KEY_FILE", str(path))
    monkeypatch.delenv("SKILLBRIDGE_SIGNING_KEY", raising=False)
    return path


def _session(demo, the_class, day, minutes, kind, topic):
    return training.session_create(
        actor=demo.user("ly_operator"),
        training_class=the_class,
        data={
            "date": day,
            "start_time": dt.time(8, 30),
            "minutes": minutes,
            "kind": kind,
            "topic": topic,
            "teacher": "王建国",
        },
    )


@pytest.fixture
def completed_class(cz, running_class):
    """400 theory + 600 practice minutes, everyone present: 1000 minutes = 22 full 课时 each."""
    op = cz.user("ly_operator")
    sessions = [
        _session(cz, running_class, D(2026, 12, 1), 400, "theory", "安全用电基础"),
        _session(cz, running_class, D(2026, 12, 2), 600, "practice", "照明电路安装"),
    ]
    for s in sessions:
        training.attendance_mark_all_present(actor=op, session=s)
        training.session_sign_off(actor=op, session=s)
    training.class_complete(actor=op, training_class=running_class, ended_on=D(2026, 12, 20))
    running_class.refresh_from_db()
    return running_class


def issue(
    demo,
    person,
    *,
    number="S320400000000000000001",
    level=5,
    unit="溧阳监狱",
    actor="cz_eval_operator",
    type_code="skill_level",
    issue_date=ISSUE_DATE,
    **extra,
):
    return services.certificate_issue(
        actor=demo.user(actor),
        person=person,
        unit=demo.orgs[unit],
        certificate_type=CertificateType.objects.get(code=type_code),
        issuer=demo.orgs["常州市职业技能鉴定指导中心"]
        if type_code != "training"
        else demo.orgs["常州技师学院"],
        issue_date=issue_date,
        official_number=number,
        occupation=extra.pop("occupation", Occupation.objects.get(code=ELECTRICIAN)),
        level=SkillLevel.objects.get(code=level) if level else None,
        **extra,
    )
