"""Every submitted claim is scanned by the claim rules, queued in the submitting transaction."""

import pytest
from tests.subsidies.conftest import (  # noqa: F401 — the subsidies fixtures, reused
    application,
    certified_class,
    claim,
    cz,
    running_class,
    trainees,
    training_class,
)

from skillbridge.subsidies import services as subsidies
from skillbridge.supervision.models import ScanRun
from skillbridge.supervision.rules import CLAIM_RULES

pytestmark = pytest.mark.django_db


def test_submitting_a_claim_queues_a_scan_of_that_claim(cz, claim):  # noqa: F811
    assert not ScanRun.objects.exists()
    subsidies.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    run = ScanRun.objects.get()
    assert (run.claim_id, run.unit_ids, run.rules) == (
        claim.pk,
        [claim.unit_id],
        [str(r) for r in CLAIM_RULES],
    )
    assert run.requested_by.username == "czjs_operator"


def test_a_refused_submission_queues_nothing(cz, claim):  # noqa: F811
    with pytest.raises(Exception):  # noqa: B017 — the subsidies tests check the exact refusal
        subsidies.claim_submit(actor=cz.user("ly_operator"), claim=claim)
    assert not ScanRun.objects.exists()
