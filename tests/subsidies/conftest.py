"""Fixtures: the training app's running 溧阳监狱 class (电工 五级, 常州技师学院, three trainees 赵一 钱二 孙三)
with a certificate each (职业技能等级证书 五级, issued by 常州市职业技能鉴定指导中心), and helpers for a
person's earlier subsidy history and for walking a claim through the Changzhou chain."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from tests.training import conftest as training_fixtures
from tests.training.conftest import ELECTRICIAN, WELDER

from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel
from skillbridge.certificates.models import Certificate
from skillbridge.subsidies import services
from skillbridge.subsidies.models import Claim, ClaimLine, ClaimStatus

D = dt.date
ISSUED = D(2026, 12, 22)
CHAIN = ["ly_reviewer", "cz_reviewer", "js_bureau_reviewer", "cz_hrss_reviewer"]
_numbers = itertools.count(1)
HISTORY_DAY = D(2026, 3, 1)

# The training app's fixtures, reused.
cz = training_fixtures.cz
application = training_fixtures.application
training_class = training_fixtures.training_class
trainees = training_fixtures.trainees
running_class = training_fixtures.running_class


def make_certificate(
    demo, person, *, in_class=None, occupation=ELECTRICIAN, level=5, on=ISSUED, status="valid"
):
    n = next(_numbers)
    return Certificate.objects.create(
        person=person,
        unit=demo.orgs["溧阳监狱"] if in_class is None else in_class.unit,
        training_class=in_class,
        certificate_type=CertificateType.objects.get(code="skill_level"),
        occupation=Occupation.objects.get(code=occupation),
        level=SkillLevel.objects.get(code=level) if level else None,
        issuer=demo.orgs["常州市职业技能鉴定指导中心"],
        issue_date=on,
        official_number=f"S{on.year}{n:08d}",
        verification_code=f"V{n:09d}",
        status=status,
        issued_by=demo.user("cz_eval_operator"),
    )


def history_line(
    demo,
    person,
    *,
    occupation=WELDER,
    level=5,
    on=HISTORY_DAY,
    amount="1000.00",
    institution="常州技师学院",
):
    """An earlier, paid subsidy of `person` (a certificate outside the class and a paid claim)."""
    certificate = make_certificate(demo, person, occupation=occupation, level=level, on=on)
    claim = Claim.objects.create(
        kind="training",
        claimant=demo.orgs[institution],
        unit=certificate.unit,
        year=on.year,
        claimant_name=institution,
        subject_name="历史申领",
        date_from=on,
        date_to=on,
        filled_on=on,
        status=ClaimStatus.PAID,
        created_by=demo.user("czjs_operator"),
    )
    return ClaimLine.objects.create(
        claim=claim,
        kind="training",
        person=person,
        certificate=certificate,
        occupation=certificate.occupation,
        level=certificate.level,
        certificate_type=certificate.certificate_type,
        certificate_date=on,
        amount=Decimal(amount),
        year=on.year,
        decision="accepted",
    )


@pytest.fixture
def certified_class(cz, running_class, trainees):
    for person in trainees:
        make_certificate(cz, person, in_class=running_class)
    return running_class


@pytest.fixture
def claim(cz, certified_class):
    return services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )


def line_of(claim, name):
    return ClaimLine.objects.get(claim=claim, person__name=name)


def approve_all(demo, claim, reviewers=CHAIN):
    for username in reviewers:
        claim = services.claim_review(actor=demo.user(username), claim=claim, action="approve")
    return claim
