"""Employment rate of certified versus non-certified released persons: hand-computed, exact numbers."""

from decimal import Decimal

import pytest

from skillbridge.employment import selectors

from .conftest import D, certify, follow, handed, new_person, released_and_received

pytestmark = pytest.mark.django_db


@pytest.fixture
def released_people(cz):
    """Six people released in 2026 H1 (A–F) and one released in July (G), all handed to 常州:

    A certified before release, employed at 3 months (trained occupation), unemployed at 6 months;
    B certified on the release day, employed at 3 months (not the trained occupation);
    C certified only after release (counts as not certified), employed at 3 months;
    D never certified, unemployed at 3 months; E never certified, self-employed at 3 months (trained);
    F never certified, no follow-up yet (not counted); G released outside the period, employed.
    """
    people = {}
    for key, released_on in [
        ("A", D(2026, 1, 31)),
        ("B", D(2026, 2, 15)),
        ("C", D(2026, 3, 1)),
        ("D", D(2026, 3, 10)),
        ("E", D(2026, 6, 30)),
        ("F", D(2026, 5, 1)),
        ("G", D(2026, 7, 1)),
    ]:
        people[key] = released_and_received(cz, name=f"刑释{key}", released_on=released_on)
    certify(cz, people["A"].person, D(2025, 12, 1))
    certify(cz, people["A"].person, D(2025, 6, 1), status="revoked")
    certify(cz, people["B"].person, D(2026, 2, 15))
    certify(cz, people["C"].person, D(2026, 3, 2))
    certify(cz, people["D"].person, D(2025, 1, 1), status="revoked")
    follow(cz, people["A"], 3, done_on=D(2026, 4, 30))
    follow(cz, people["A"], 6, done_on=D(2026, 7, 31), form="unemployed")
    follow(cz, people["B"], 3, done_on=D(2026, 5, 15), trained=False)
    follow(cz, people["C"], 3, done_on=D(2026, 6, 1), sector="H", trained=False)
    follow(cz, people["D"], 3, done_on=D(2026, 6, 10), form="unemployed")
    follow(cz, people["E"], 3, done_on=D(2026, 9, 30), form="self_employed", sector="O")
    follow(cz, people["G"], 3, done_on=D(2026, 10, 1))
    return people


def figures(rate):
    return [(g.key, g.persons, g.employed, g.uses_trained, g.rate, g.trained_share) for g in rate.groups]


def test_latest_follow_up_per_person(cz, released_people):
    rate = selectors.employment_rate(
        cz.user("cz_pes_operator"), date_from=D(2026, 1, 1), date_to=D(2026, 6, 30)
    )
    # certified: A (latest: 6 months, unemployed), B employed → 1/2; not certified: C, D, E → 2/3.
    assert figures(rate) == [
        ("certified", 2, 1, 0, Decimal("50.0"), Decimal("0.0")),
        ("uncertified", 3, 2, 1, Decimal("66.7"), Decimal("50.0")),
        ("total", 5, 3, 1, Decimal("60.0"), Decimal("33.3")),
    ]


def test_at_a_milestone(cz, released_people):
    rate = selectors.employment_rate(
        cz.user("cz_hrss_operator"), date_from=D(2026, 1, 1), date_to=D(2026, 6, 30), milestone=3
    )
    assert figures(rate) == [
        ("certified", 2, 2, 1, Decimal("100.0"), Decimal("50.0")),
        ("uncertified", 3, 2, 1, Decimal("66.7"), Decimal("50.0")),
        ("total", 5, 4, 2, Decimal("80.0"), Decimal("50.0")),
    ]
    six = selectors.employment_rate(
        cz.user("cz_hrss_operator"), date_from=D(2026, 1, 1), date_to=D(2026, 6, 30), milestone=6
    )
    assert figures(six)[2] == ("total", 1, 0, 0, Decimal("0.0"), None)


def test_period_bounds_are_inclusive(cz, released_people):
    user = cz.user("ly_operator")
    assert (
        selectors.employment_rate(user, date_from=D(2026, 1, 31), date_to=D(2026, 1, 31)).total.persons == 1
    )
    assert selectors.employment_rate(user, date_from=D(2026, 2, 1), date_to=D(2026, 2, 14)).total.persons == 0
    assert selectors.employment_rate(user, date_from=D(2026, 6, 30), date_to=D(2026, 7, 1)).total.persons == 2


def test_scope(cz, released_people):
    period = {"date_from": D(2026, 1, 1), "date_to": D(2026, 12, 31)}
    assert selectors.employment_rate(cz.user("ly_operator"), **period).total.persons == 6
    assert selectors.employment_rate(cz.user("xk_operator"), **period).total.persons == 0
    assert selectors.employment_rate(cz.user("hf_pes_operator"), **period).total.persons == 0
    empty = selectors.employment_rate(cz.user("hf_pes_operator"), **period)
    assert (empty.total.rate, empty.certified.rate) == (None, None)
    unit = cz.orgs["新康监狱"]
    assert selectors.employment_rate(cz.user("cz_hrss_operator"), unit=unit, **period).total.persons == 0


def test_person_not_handed_over_is_not_in_the_figure(cz):
    person = new_person(cz, name="未移交", release=D(2026, 3, 1), released_on=D(2026, 3, 1))
    handed(cz, new_person(cz, name="在押", release=D(2027, 3, 1)))
    rate = selectors.employment_rate(cz.user("ly_operator"), date_from=D(2026, 1, 1), date_to=D(2026, 12, 31))
    assert rate.total.persons == 0 and person.pk not in rate.total.person_ids
