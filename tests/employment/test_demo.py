import datetime as dt

import pytest

from skillbridge.accounts.models import User
from skillbridge.employment import selectors
from skillbridge.employment.demo import load_demo
from skillbridge.employment.models import (
    AssistanceAgreement,
    EmploymentProfile,
    EventAttendance,
    FollowUp,
    Handover,
    ServiceEvent,
)

pytestmark = pytest.mark.django_db


def test_demo_creates_the_services_and_is_idempotent(demo):
    today = dt.date(2026, 11, 22)
    assert load_demo(today=today).startswith("已创建就业服务演示数据")
    pes = User.objects.select_related("organisation").get(username="cz_pes_operator")
    assert (pes.organisation.org_type, pes.organisation.region_code) == (
        "public_employment_service",
        "320400",
    )
    assert EmploymentProfile.objects.count() == 4
    assert set(Handover.objects.values_list("person__name", "status")) == {
        ("王立新", "in_service"),
        ("周建军", "received"),
    }
    follow_up = FollowUp.objects.get()
    assert (follow_up.milestone_months, follow_up.due_on, follow_up.employer_sector) == (
        3,
        dt.date(2026, 10, 22),
        "C",
    )
    assert EventAttendance.objects.count() == 3 and ServiceEvent.objects.count() == 1
    assert AssistanceAgreement.objects.get().provider == pes.organisation
    ly = User.objects.get(username="ly_operator")
    rows = selectors.people_rows(ly, today=today)
    assert [(r.episode.person.name, r.status) for r in rows] == [
        ("周建军", "received"),
        ("吴海涛", "profiled"),
        ("郑国平", "profiled"),
    ]
    rate = selectors.employment_rate(pes, date_from=dt.date(2026, 1, 1), date_to=today)
    assert (rate.total.persons, rate.total.employed, rate.uncertified.persons) == (1, 1, 1)
    assert load_demo(today=today) == "就业服务演示数据已存在"
    assert EmploymentProfile.objects.count() == 4 and Handover.objects.count() == 2
