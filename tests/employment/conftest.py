"""Fixtures: the demo organisations (including the public employment services of 常州 and 合肥), people of
溧阳监狱 approaching release or released, profiles and handovers built through the employment and registry services.

Certificates are created as model rows (the certificates app's services are being built in parallel)."""

import datetime as dt
import itertools

import pytest
from tests.registry.conftest import make_person

from skillbridge.catalog.models import CertificateType, Occupation
from skillbridge.certificates.models import Certificate
from skillbridge.employment import services
from skillbridge.registry import services as registry
from skillbridge.registry.models import Episode

D = dt.date
CZ_PES = "常州市公共就业服务中心"
HF_PES = "合肥市公共就业服务中心"
_numbers = itertools.count(1)
RELEASE = D(2027, 3, 31)
HANDED_ON = D(2026, 12, 1)
RELEASED_ON = D(2026, 5, 31)
LATER = D(2027, 12, 31)


@pytest.fixture
def cz(demo):
    return demo


def episode_of(person) -> Episode:
    return person.episodes.get()


def new_person(demo, *, unit="溧阳监狱", name="周建军", release=RELEASE, released_on=None):
    n = next(_numbers)
    person = make_person(demo.orgs[unit], name=name, release=release, number=f"E{n:05d}")
    if released_on is not None:
        registry.episode_status_change(
            actor=demo.user("ly_operator" if unit == "溧阳监狱" else "xk_operator"),
            episode=episode_of(person),
            to_status="released",
            changed_on=released_on,
        )
    return person


def profile_for(demo, person, *, username="ly_operator", region="320481", **data):
    payload = {
        "employment_intention": "电工",
        "destination_region": region,
        "destination_address": "溧阳市",
        "needs": ["job_referral"],
        "needs_note": "",
        **data,
    }
    return services.profile_save(actor=demo.user(username), episode=episode_of(person), data=payload)


def handed(demo, person, *, on=HANDED_ON, receive_on=None, username="ly_operator"):
    profile = profile_for(demo, person, username=username)
    handover = services.handover_create(
        actor=demo.user(username), profile=profile, recipient=demo.orgs[CZ_PES], handed_over_on=on
    )
    if receive_on:
        handover = services.handover_receive(
            actor=demo.user("cz_pes_operator"), handover=handover, on=receive_on
        )
    return handover


def released_and_received(demo, name="王立新", released_on=RELEASED_ON):
    person = new_person(demo, name=name, release=released_on, released_on=released_on)
    return handed(demo, person, on=released_on, receive_on=released_on + dt.timedelta(days=2))


def follow(demo, handover, months, *, done_on, form="employed", sector="C", trained=True, today=LATER):
    data = {"done_on": done_on, "employment_form": form}
    if form != "unemployed":
        data.update(employer_name="某公司", employer_sector=sector, uses_trained_occupation=trained)
    return services.follow_up_record(
        actor=demo.user("cz_pes_operator"), handover=handover, milestone_months=months, data=data, today=today
    )


def certify(demo, person, issued_on, *, status="valid"):
    return Certificate.objects.create(
        person=person,
        unit=demo.orgs["溧阳监狱"],
        certificate_type=CertificateType.objects.get(name="职业技能等级证书"),
        occupation=Occupation.objects.get(code="6-31-01-03"),
        issuer=demo.orgs["常州市职业技能鉴定指导中心"],
        issue_date=issued_on,
        official_number=f"Y{person.pk:06d}{issued_on:%Y%m%d}",
        verification_code=f"V{person.pk:07d}{issued_on:%m%d}"[:16],
        status=status,
        issued_by=demo.user("cz_eval_operator"),
    )
