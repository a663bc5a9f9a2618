import pytest
from django.core.management import call_command

from skillbridge.accounts.models import Organisation, User
from skillbridge.assessment.models import AssessmentApplication
from skillbridge.catalog.models import Designation
from skillbridge.certificates.models import Certificate
from skillbridge.employment.models import Handover
from skillbridge.funds.models import FundEntry
from skillbridge.registry.models import Person
from skillbridge.reporting.models import PeriodicReport
from skillbridge.subsidies.models import Claim
from skillbridge.supervision.models import CreditRating

pytestmark = pytest.mark.django_db


def test_demo_command_is_idempotent_and_prints_the_accounts(capsys):
    call_command("demo")
    first = capsys.readouterr().out

    def counts():
        return (
            Organisation.objects.count(),
            User.objects.count(),
            Designation.objects.count(),
            Person.objects.count(),
            AssessmentApplication.objects.count(),
            Certificate.objects.count(),
            Claim.objects.count(),
            FundEntry.objects.count(),
            CreditRating.objects.count(),
            Handover.objects.count(),
            PeriodicReport.objects.count(),
        )

    first_counts = counts()
    call_command("demo")
    assert counts() == first_counts
    # organisations, users, designations, people, 附件6, certificates, claims, fund entries, ratings, handovers, reports
    assert first_counts == (20, 29, 2, 84, 1, 8, 2, 5, 1, 2, 1)
    assert "演示账号（密码均为 Skill@2026demo）" in first
    assert "ly_operator" in first and "溧阳监狱" in first and "经办" in first
    assert User.objects.get(username="ly_operator").must_change_password is True
