"""From the assessment app's passed result to a certificate, its credits and the person's archive (the
assessment set-up and services are the assessment app's; this checks the certificates side)."""

from decimal import Decimal

import pytest
from django.test import Client
from tests.assessment import conftest as assessment_fixtures

from skillbridge.assessment import services as assessment
from skillbridge.certificates import selectors
from skillbridge.certificates.models import CreditEntry

from .conftest import D

pytestmark = pytest.mark.django_db

setup = assessment_fixtures.setup
completed = assessment_fixtures.completed
completed_class = assessment_fixtures.completed_class
people = assessment_fixtures.people
draft = assessment_fixtures.draft
approved = assessment_fixtures.approved


def test_archive_shows_class_hours_result_certificate_and_credits(setup, approved, people):
    zhao, _qian, sun = people
    evaluator = setup.user("cz_eval_operator")
    assessment.results_save(
        actor=evaluator,
        application=approved,
        rows=[
            {"person_id": zhao.pk, "theory_score": "80", "practical_score": "85", "outcome": "passed"},
            {"person_id": sun.pk, "theory_score": "45", "practical_score": "50", "outcome": "failed"},
        ],
    )
    result = approved.results.get(person=zhao)
    (cert,) = assessment.certificates_issue(
        actor=evaluator,
        application=approved,
        items=[{"result": result, "official_number": "S320400202600000000777"}],
        issue_date=D(2026, 11, 20),
    )
    archive = selectors.archive(setup.user("ly_operator"), zhao.pk)
    assert [(row.enrolment.status, row.classroom_minutes, row.hours) for row in archive.classes] == [
        ("completed", 1000, Decimal("22.2"))
    ]
    assert archive.results_available is True
    assert [(r.theory_score, r.practical_score, r.outcome) for r in archive.results] == [
        (Decimal("80.0"), Decimal("85.0"), "passed")
    ]
    assert [c.pk for c in archive.certificates] == [cert.pk]
    assert sorted(CreditEntry.objects.filter(person=zhao).values_list("source", "amount")) == [
        ("certificate", Decimal("10.00")),
        ("class", Decimal("11.00")),
    ]
    assert archive.credit_total == Decimal("21.00")
    client = Client()
    client.force_login(setup.user("ly_operator"))
    page = client.get(f"/certificates/archive/{zhao.pk}/").content.decode()
    assert "S320400202600000000777" in page and "合格" in page and "21.00" in page
    # The failed candidate has a result and class credits but no certificate.
    sun_archive = selectors.archive(setup.user("ly_operator"), sun.pk)
    assert (len(sun_archive.results), sun_archive.certificates) == (1, [])
