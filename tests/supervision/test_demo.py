import datetime as dt

import pytest

from skillbridge.supervision.demo import load_demo
from skillbridge.supervision.models import CreditRating, Inspection, Notice, ScanRun

pytestmark = pytest.mark.django_db


def test_demo_loads_once(cz):
    from skillbridge.training.demo import load_demo as training_demo

    training_demo(today=dt.date(2026, 11, 20))
    message = load_demo(today=dt.date(2026, 11, 20))
    assert "风险扫描" in message and "督查1项" in message and "通报1项" in message
    assert Inspection.objects.get().status == "rectifying"
    assert Notice.objects.get().kind == "praise"
    assert CreditRating.objects.get().year == 2026
    assert ScanRun.objects.get().status == "done"
    assert load_demo(today=dt.date(2026, 11, 20)) == "监督检查演示数据已存在"
    assert (ScanRun.objects.count(), Inspection.objects.count(), CreditRating.objects.count()) == (1, 1, 1)
