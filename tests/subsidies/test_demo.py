import datetime as dt

import pytest

from skillbridge.subsidies.demo import load_demo
from skillbridge.subsidies.models import Claim

pytestmark = pytest.mark.django_db


def test_demo_builds_claims_from_the_assessed_class_and_is_idempotent(demo):
    from skillbridge.assessment.demo import load_demo as assessment_demo
    from skillbridge.catalog.demo import load_demo as catalog_demo
    from skillbridge.registry.demo import load_demo as registry_demo
    from skillbridge.training.demo import load_demo as training_demo

    today = dt.date(2026, 11, 22)
    catalog_demo()
    registry_demo(today=today)
    training_demo(today=today)
    assert assessment_demo(today=today).startswith("已创建鉴定申报")
    message = load_demo()
    assert message.startswith("已创建补贴申领"), message
    training = Claim.objects.get(kind="training")
    assert training.status == "in_review"
    assert training.review.current_stage.key == "bureau_review"
    assert training.claimant.name == "常州技师学院"
    assert training.accepted_count == training.lines.count() > 0
    assessment = Claim.objects.get(kind="assessment")
    assert assessment.status == "draft" and assessment.claimant.name == "常州市职业技能鉴定指导中心"
    assert assessment.assessment is not None
    assert load_demo() == "补贴申领演示数据已存在"
    assert Claim.objects.count() == 2
