import datetime as dt

import pytest

from skillbridge.assessment.demo import load_demo
from skillbridge.assessment.models import AssessmentApplication
from skillbridge.certificates.models import Certificate

pytestmark = pytest.mark.django_db


def test_demo_builds_an_approved_assessment_with_results_and_is_idempotent(demo):
    from skillbridge.catalog.demo import load_demo as catalog_demo
    from skillbridge.registry.demo import load_demo as registry_demo
    from skillbridge.training.demo import load_demo as training_demo

    today = dt.date(2026, 11, 22)
    catalog_demo()
    registry_demo(today=today)
    training_demo(today=today)
    message = load_demo(today=today)
    assert message.startswith("已创建鉴定申报"), message
    application = AssessmentApplication.objects.get()
    assert (application.status, application.route, application.examiner.name) == (
        "approved",
        "evaluation",
        "常州市职业技能鉴定指导中心",
    )
    assert application.training_class.status == "completed"
    outcomes = list(application.results.order_by("id").values_list("outcome", flat=True))
    assert outcomes[:3] == ["passed", "failed", "absent"]
    passed = application.results.filter(outcome="passed")
    assert passed.count() == Certificate.objects.count() == len(outcomes) - 2
    assert all(r.certificate.status == "valid" for r in passed)
    assert load_demo(today=today) == "鉴定演示数据已存在"
    assert AssessmentApplication.objects.count() == 1
