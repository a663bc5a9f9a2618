"""Real concurrent transactions on PostgreSQL (SQLite serialises every writer, so these skip there)."""

import pytest
from django.db import IntegrityError, connection, transaction
from tests.approvals.test_concurrency import run_together

from skillbridge.approvals.models import ReviewStage
from skillbridge.errors import ServiceError
from skillbridge.subsidies import services
from skillbridge.subsidies.models import Claim, ClaimLine

from .conftest import history_line

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; CI runs this on PostgreSQL")


def test_double_submit_creates_one_claim(cz, certified_class):
    actor = cz.user("czjs_operator")
    outcomes = run_together(
        lambda: services.claim_create(actor=actor, kind="training", training_class=certified_class),
        lambda: services.claim_create(actor=actor, kind="training", training_class=certified_class),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], ServiceError) and errors[0].code == "conflict"
    assert Claim.objects.filter(training_class=certified_class).count() == 1
    assert ClaimLine.objects.filter(is_active=True).count() == 3


def test_certificate_paid_at_most_once_when_two_claims_race(cz, claim, trainees):
    """Two claims each insert an active line for the same certificate at the same instant (as if both had
    passed their checks): the database lets exactly one commit."""
    line = ClaimLine.objects.filter(claim=claim).first()
    other = history_line(cz, trainees[0]).claim
    line.is_active = False
    line.save(update_fields=["is_active"])

    def take(claim_id):
        def call():
            with transaction.atomic():
                copy = ClaimLine.objects.get(pk=line.pk)
                copy.pk, copy.claim_id, copy.is_active = None, claim_id, True
                copy.save()
                return copy.pk

        return call

    outcomes = run_together(take(claim.pk), take(other.pk))
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], IntegrityError), outcomes
    assert (
        ClaimLine.objects.filter(certificate_id=line.certificate_id, kind="training", is_active=True).count()
        == 1
    )


def test_reviewer_reactivating_a_line_while_another_claim_holds_the_certificate(cz, claim):
    """A line rejected and then accepted again cannot take back a certificate another line now holds."""
    services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    line = ClaimLine.objects.filter(claim=claim).order_by("id").first()
    services.claim_line_decide(actor=cz.user("ly_reviewer"), line=line, decision="rejected", reason="重复")
    holder = history_line(cz, line.person).claim
    ClaimLine.objects.filter(claim=holder).update(certificate=line.certificate)
    with pytest.raises(ServiceError, match="该证书已在其他有效申领中"):
        services.claim_line_decide(
            actor=cz.user("ly_reviewer"), line=line, decision="accepted", reason="复核"
        )
    line.refresh_from_db()
    assert line.is_active is False and line.decision == "rejected"


def test_approval_cannot_be_recorded_twice_concurrently(cz, claim):
    claim = services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    stage_id = claim.review.current_stage_id
    outcomes = run_together(
        lambda: services.claim_review(
            actor=cz.user("ly_reviewer"), claim=claim, action="approve", stage_id=stage_id
        ),
        lambda: services.claim_review(
            actor=cz.user("ly_reviewer"), claim=claim, action="approve", stage_id=stage_id
        ),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], ServiceError)
    assert ReviewStage.objects.filter(case=claim.review, decision="approve").count() == 1
