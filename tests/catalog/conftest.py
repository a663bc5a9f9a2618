import datetime as dt

import pytest

from skillbridge.catalog.models import CertificateType, Occupation, SkillLevel

D = dt.date


@pytest.fixture
def cz(demo):
    """The platform demo plus the catalogue demo (standards, profiles, designations in Changzhou)."""
    from skillbridge.catalog.demo import load_demo

    load_demo()
    return demo


def occ(code: str) -> Occupation:
    return Occupation.objects.get(code=code)


def level(code: int) -> SkillLevel:
    return SkillLevel.objects.get(code=code)


def cert(code: str) -> CertificateType:
    return CertificateType.objects.get(code=code)
