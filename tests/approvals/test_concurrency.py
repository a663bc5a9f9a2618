"""Real concurrent transactions: only meaningful on PostgreSQL (SQLite serialises every writer)."""

import threading

import pytest
from django.db import connection

from skillbridge.approvals import services
from skillbridge.approvals.models import ReviewStage
from skillbridge.errors import ServiceError

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Start the calls at the same instant on separate connections; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        from django.db import connections

        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the outcome is what the test checks
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_reviewers_approving_at_once_record_one_approval(demo):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; CI runs this on PostgreSQL")
    operator = demo.user("ly_operator")
    case = services.review_create(
        actor=operator, doc_type="annual_plan", title="并发测试", unit=operator.organisation
    )
    case = services.review_submit(actor=operator, case=case)
    stage_id = case.current_stage_id
    reviewer, head = demo.user("cz_reviewer"), demo.user("cz_head")

    outcomes = run_together(
        lambda: services.review_approve(actor=reviewer, case=case, stage_id=stage_id),
        lambda: services.review_approve(actor=head, case=case, stage_id=stage_id),
    )

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], ServiceError) and errors[0].code == "conflict"
    assert ReviewStage.objects.filter(case=case, decision="approve").count() == 1
    case.refresh_from_db()
    assert case.current_stage.key == "bureau_confirm"


def test_double_submit_at_once_creates_one_round(demo):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; CI runs this on PostgreSQL")
    operator = demo.user("ly_operator")
    case = services.review_create(
        actor=operator, doc_type="annual_plan", title="并发报送", unit=operator.organisation
    )
    outcomes = run_together(
        lambda: services.review_submit(actor=operator, case=case),
        lambda: services.review_submit(actor=demo.user("ly_operator"), case=case),
    )
    assert sum(isinstance(o, Exception) for o in outcomes) == 1
    assert ReviewStage.objects.filter(case=case).count() == 3
