import datetime as dt

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Forbidden
from skillbridge.supervision import services
from skillbridge.supervision.models import Finding, FindingEvent, ScanRun, ScanStatus

from .conftest import enrol, make_class, person

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def overlap(cz):
    first = make_class(cz, date_from=D(2026, 3, 1), date_to=D(2026, 3, 20))
    second = make_class(cz, date_from=D(2026, 3, 10), date_to=D(2026, 3, 30))
    who = person(cz, name="重叠甲")
    enrol(cz, first, who)
    enrol(cz, second, who)
    return second


def test_scan_runs_as_background_task_and_is_idempotent(
    cz, overlap, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    run.refresh_from_db()
    assert run.status == ScanStatus.DONE
    assert sorted(run.unit_ids) == sorted(cz.orgs[n].pk for n in ("常州监狱", "溧阳监狱", "新康监狱"))
    overlaps = Finding.objects.filter(rule="overlapping_classes")
    assert overlaps.count() == 1
    assert run.new >= 1
    finding = overlaps.get()
    assert finding.first_scan == run
    assert finding.unit == cz.orgs["溧阳监狱"]
    total = Finding.objects.count()
    # A second scan finds the same problems and adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    again.refresh_from_db()
    assert again.status == ScanStatus.DONE
    assert again.new == 0 and again.found == run.found
    assert Finding.objects.count() == total
    assert FindingEvent.objects.filter(finding=finding).count() == 1
    assert AuditEvent.objects.filter(action="supervision.scan.run").count() == 2


def test_closed_finding_is_raised_again_by_a_later_scan(cz, overlap):
    run = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    services.scan_execute(run.pk)
    finding = Finding.objects.get(rule="overlapping_classes")
    services.finding_close(
        actor=cz.user("cz_justice_reviewer"), finding=finding, outcome="confirmed", note="已核实"
    )
    run2 = services.scan_request(actor=cz.user("cz_justice_reviewer"))
    services.scan_execute(run2.pk)
    assert Finding.objects.filter(rule="overlapping_classes").count() == 2
    assert Finding.objects.filter(rule="overlapping_classes", status="open").count() == 1


def test_scan_scope_is_the_requesters_units(cz, overlap):
    # 合肥 HRSS sees no Changzhou unit: its scan finds nothing there.
    run = services.scan_request(actor=cz.user("hf_hrss"))
    services.scan_execute(run.pk)
    assert Finding.objects.count() == 0
    assert ScanRun.objects.get(pk=run.pk).status == ScanStatus.DONE


def test_institution_cannot_scan(cz):
    with pytest.raises(Forbidden):
        services.scan_request(actor=cz.user("czjs_operator"))
    assert ScanRun.objects.count() == 0


def test_claim_scan_runs_claim_rules_on_that_claim_only(cz):
    from decimal import Decimal

    from .conftest import certificate, claim_line

    tc = make_class(cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 20))
    claim, _line = claim_line(cz, certificate(cz, tc, person(cz), D(2026, 6, 25)), amount=Decimal("1200"))
    other, _ = claim_line(cz, certificate(cz, tc, person(cz), D(2026, 6, 25)), amount=Decimal("1300"))
    run = services.scan_request(actor=cz.user("cz_hrss_reviewer"), claim=claim)
    services.scan_execute(run.pk)
    assert list(Finding.objects.values_list("rule", "claim_id")) == [("amount_above_standard", claim.pk)]
    assert other.pk != claim.pk
