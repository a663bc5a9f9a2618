import datetime as dt

import pytest

from skillbridge.training.demo import load_demo
from skillbridge.training.models import Attendance, TrainingClass

pytestmark = pytest.mark.django_db


def test_demo_creates_a_running_class_and_is_idempotent(demo):
    from skillbridge.catalog.demo import load_demo as catalog_demo
    from skillbridge.registry.demo import load_demo as registry_demo

    today = dt.date(2026, 11, 22)
    catalog_demo()
    registry_demo(today=today)
    message = load_demo(today=today)
    training_class = TrainingClass.objects.get()
    assert message.startswith("已创建培训班")
    assert (training_class.unit.name, training_class.institution.name) == ("溧阳监狱", "常州技师学院")
    assert training_class.application.status == "approved"
    assert training_class.status == "open"
    assert training_class.enrolments.count() > 0
    sessions = list(training_class.sessions.all())
    assert [s.is_locked for s in sessions] == [s.date < today for s in sessions]
    assert Attendance.objects.filter(session__signed_off_at__isnull=False).count() > 0
    assert not any(s.attendance.exists() for s in sessions if s.date >= today)
    assert load_demo(today=today) == "培训演示数据已存在"
    assert TrainingClass.objects.count() == 1
