import pytest

from skillbridge.certificates.demo import load_demo
from skillbridge.certificates.models import Certificate, CreditEntry, VerificationCheck
from skillbridge.registry.demo import load_demo as load_registry_demo

pytestmark = pytest.mark.django_db


def test_demo_is_realistic_and_idempotent(demo):
    load_registry_demo()
    first = load_demo()
    assert first["issued"] > 0 and first["revoked"] == 1
    count = Certificate.objects.count()
    assert count == first["issued"]
    assert set(Certificate.objects.values_list("issuer__name", flat=True)) == {"常州市职业技能鉴定指导中心"}
    assert Certificate.objects.filter(status="revoked").count() == 1
    entries = CreditEntry.objects.count()
    second = load_demo()
    assert (second["issued"], second["revoked"]) == (0, 0)
    assert (Certificate.objects.count(), CreditEntry.objects.count()) == (count, entries)
    assert VerificationCheck.objects.count() == 0
