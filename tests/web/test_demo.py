import pytest
from django.core.management import call_command

from skillbridge.accounts.models import Organisation, User
from skillbridge.catalog.models import Designation
from skillbridge.registry.models import Person

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
        )

    first_counts = counts()
    call_command("demo")
    assert counts() == first_counts
    assert first_counts == (18, 26, 2, 80)
    assert "演示账号（密码均为 Skill@2026demo）" in first
    assert "ly_operator" in first and "溧阳监狱" in first and "经办" in first
    assert User.objects.get(username="ly_operator").must_change_password is True
