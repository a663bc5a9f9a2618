"""Fixtures: Anhui plans approved through the planning services, certificates issued through the
certificates service by an Anhui evaluation institution, a Jiangsu-general unit for project advances."""

import datetime as dt
import itertools

import pytest
from tests.registry.conftest import make_person

from skillbridge.accounts import services as accounts
from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel
from skillbridge.certificates import services as certificates
from skillbridge.funds.demo import approved_plan

D = dt.date
ELECTRICIAN = "6-31-01-03"
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _signing_key(tmp_path_factory, monkeypatch):
    """Certificates are signed: a throw-away Ed25519 key, never the one in DATA_DIR."""
    path = tmp_path_factory.getbasetemp() / "funds_signing_key.pem"
    monkeypatch.setenv("SKILLBRIDGE_SIGNING_KEY_FILE", str(path))
    monkeypatch.delenv("SKILLBRIDGE_SIGNING_KEY", raising=False)
    return path


@pytest.fixture
def plan_2025(demo):
    """安徽省蜀山监狱's approved 2025 plan: 电工 6 + 中式面点师 4 = 10 trainees."""
    unit = demo.orgs["安徽省蜀山监狱"]
    approved_plan(demo.user("ah_prison_operator"), unit, 2025, [(ELECTRICIAN, 5, 6), ("4-03-02-02", 5, 4)])
    return unit


@pytest.fixture
def ah_evaluator(demo):
    org = accounts.organisation_create(
        actor=None,
        name="合肥市职业技能鉴定指导中心（测试）",
        org_type="evaluation_institution",
        region_code="340100",
        policy_pack="anhui",
    )
    return accounts.user_create(
        actor=None,
        username="hf_eval_operator",
        full_name="合肥鉴定中心经办",
        organisation=org,
        roles=["operator"],
        password="Skill@2026test",
    )


ISSUED_2025 = D(2025, 11, 20)


def certify(demo, evaluator, people, *, issue_date=ISSUED_2025, unit="安徽省蜀山监狱"):
    """One valid 电工五级 skill-level certificate per person, issued by the Anhui evaluation institution."""
    issued = []
    for person in people:
        issued.append(
            certificates.certificate_issue(
                actor=evaluator,
                person=person,
                unit=demo.orgs[unit],
                certificate_type=CertificateType.objects.get(code="skill_level"),
                issuer=evaluator.organisation,
                issue_date=issue_date,
                official_number=f"S34010000000000{next(_numbers):07d}",
                occupation=Occupation.objects.get(code=ELECTRICIAN),
                level=SkillLevel.objects.get(code=5),
            )
        )
    return issued


def inmates(demo, count, unit="安徽省蜀山监狱", start=0):
    return [
        make_person(
            demo.orgs[unit], name=f"学员{start + i}", release=D(2027, 6, 30), number=f"AH{start + i:05d}"
        )
        for i in range(count)
    ]
