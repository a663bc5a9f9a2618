"""Institution credit rating: computed from measured facts with the pack's weights, reproducible from the stored
facts, explained factor by factor; it feeds designation (exemption needs a good grade, D allows revocation)."""

import datetime as dt
from decimal import Decimal

import pytest

from skillbridge.catalog import services as catalog
from skillbridge.catalog.models import Designation
from skillbridge.errors import Conflict, Forbidden
from skillbridge.supervision import services
from skillbridge.supervision.models import CreditRating
from skillbridge.supervision.rating import compute_grade

from .conftest import certificate, enrol, make_class, person

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2027, 1, 15)


@pytest.fixture
def rated_year(cz):
    """常州技师学院 in 2026: one class ended, 4 completed + 1 failed, 3 of the 4 certified."""
    tc = make_class(cz, date_from=D(2026, 5, 4), date_to=D(2026, 5, 29), ended_on=D(2026, 5, 29))
    people = [person(cz) for _ in range(5)]
    for p in people[:4]:
        enrol(cz, tc, p, status="completed", exit_on=D(2026, 5, 29))
    enrol(cz, tc, people[4], status="failed", exit_on=D(2026, 5, 29))
    for p in people[:3]:
        certificate(cz, tc, p, D(2026, 6, 10))
    return tc


def test_rating_from_facts_with_reasons(cz, rated_year):
    rating = services.rating_compute(
        actor=cz.user("cz_hrss_reviewer"), institution=cz.orgs["常州技师学院"], year=2026, today=TODAY
    )
    f = rating.facts
    assert (f["completed"], f["failed"], f["certified"]) == (4, 1, 3)
    assert (f["attendance_anomalies"], f["rejected_claim_lines"], f["inspection_issues"]) == (0, 0, 0)
    assert f["dishonesty_records"] == 0
    assert f["classes_due"] == 0  # Changzhou sets no data-entry deadline: timeliness not counted
    # Weights 25/25/10/10/10/10 (timeliness left out, total 90): pass 0.8, certification 0.75, others 1.
    # (25×0.8 + 25×0.75 + 40) / 90 × 100 = 78.75 / 90 × 100 = 87.50 → B (A ≥ 90, B ≥ 75).
    assert rating.score == Decimal("87.50")
    assert rating.grade == "B"
    items = {r["factor"]: r for r in rating.reasons["items"]}
    assert items["pass_rate"]["text"] == "结业4人，未结业1人，合格率80.0%"
    assert items["pass_rate"]["points"] == "22.22"
    assert items["certification_rate"]["text"] == "结业4人中3人取得证书，获证率75.0%"
    assert items["timeliness"]["points"] is None
    assert "得分87.50分" in rating.reasons["summary"]


def test_recomputing_from_stored_facts_gives_the_stored_grade(cz, rated_year):
    rating = services.rating_compute(
        actor=cz.user("cz_hrss_reviewer"), institution=cz.orgs["常州技师学院"], year=2026, today=TODAY
    )
    stored = CreditRating.objects.get(pk=rating.pk)
    again = compute_grade(stored.facts, stored.params)
    assert (Decimal(again["score"]), again["grade"]) == (stored.score, stored.grade)
    assert again["reasons"] == stored.reasons["items"]
    # And a second computation from the (unchanged) data updates the same row with the same result.
    rating2 = services.rating_compute(
        actor=cz.user("cz_hrss_reviewer"), institution=cz.orgs["常州技师学院"], year=2026, today=TODAY
    )
    assert (rating2.pk, rating2.grade, rating2.score) == (rating.pk, "B", Decimal("87.50"))
    assert CreditRating.objects.count() == 1


def test_dishonesty_caps_the_grade_at_d(cz, rated_year):
    catalog.dishonesty_record_create(
        actor=cz.user("cz_hrss_operator"), institution=cz.orgs["常州技师学院"], source="常人社罚〔2026〕3号",
        recorded_on=D(2026, 8, 1), description="虚报培训人数",
    )  # fmt: skip
    rating = services.rating_compute(
        actor=cz.user("cz_hrss_reviewer"), institution=cz.orgs["常州技师学院"], year=2026, today=TODAY
    )
    # 87.50 − dishonesty weight share (10/90 × 100 = 11.11) = 76.39, capped to D by the record.
    assert (rating.score, rating.grade) == (Decimal("76.39"), "D")
    assert "有失信记录，等级最高为D级" in rating.reasons["summary"]


def test_count_factors_lose_a_quarter_per_problem():
    params = {
        "weights": dict.fromkeys(
            [
                "pass_rate",
                "certification_rate",
                "attendance",
                "claims",
                "inspections",
                "dishonesty",
                "timeliness",
            ],
            "10",
        ),
        "count_penalty": "0.25",
        "bands": {"A": "90", "B": "75", "C": "60"},
        "dishonesty_max_grade": "D",
    }
    facts = {
        "completed": 0, "failed": 0, "certified": 0, "attendance_anomalies": 2, "claim_lines": 10,
        "rejected_claim_lines": 5, "inspection_issues": 1, "dishonesty_records": 0, "classes_due": 2,
        "classes_on_time": 1,
    }  # fmt: skip
    result = compute_grade(facts, params)
    # Five factors with data, 10 each: attendance 0.5, claims 0 (floor), inspections 0.75, dishonesty 1,
    # timeliness 0.5 → (5 + 0 + 7.5 + 10 + 5) / 50 × 100 = 55 → D.
    assert (result["score"], result["grade"]) == ("55.00", "D")


def test_rating_only_by_a_supervisor(cz, rated_year):
    for username in ("czjs_operator", "ly_operator", "hf_hrss"):
        with pytest.raises(Forbidden):
            services.rating_compute(
                actor=cz.user(username), institution=cz.orgs["常州技师学院"], year=2026, today=TODAY
            )
    assert CreditRating.objects.count() == 0


def _bad_rating(cz):
    catalog.dishonesty_record_create(
        actor=cz.user("cz_hrss_operator"), institution=cz.orgs["常州技师学院"], source="常人社罚〔2027〕1号",
        recorded_on=D(2027, 2, 1), until=D(2027, 6, 30), description="虚报培训人数",
    )  # fmt: skip
    return services.rating_compute(
        actor=cz.user("cz_hrss_reviewer"),
        institution=cz.orgs["常州技师学院"],
        year=2027,
        today=D(2027, 12, 1),
    )


def test_bad_grade_blocks_exemption_and_allows_revocation(cz):
    rating = _bad_rating(cz)
    assert rating.grade == "D"
    kwargs = {
        "actor": cz.user("cz_hrss_reviewer"), "institution": cz.orgs["常州技师学院"], "region_code": "320400",
        "valid_from": D(2028, 1, 1), "valid_to": D(2029, 12, 31), "basis_note": "免于重新认定",
    }  # fmt: skip
    count = Designation.objects.count()
    # The dishonesty record has expired by 2028-03-01, but the 2027 grade D still blocks the exemption.
    with pytest.raises(Conflict, match="2027年度信用等级为D级，低于免于重新认定所需的B级"):
        catalog.designation_exempt(**kwargs, today=D(2028, 3, 1))
    assert Designation.objects.count() == count
    revoked = services.rating_revoke_designations(
        actor=cz.user("cz_justice_reviewer"), rating=rating, reason="信用等级D级", effective_on=D(2027, 12, 2)
    )
    designation = Designation.objects.get(pk=revoked[0])
    assert designation.revoked_on == D(2027, 12, 2)
    assert designation.revoke_reason == "2027年度信用等级D级：信用等级D级"


def test_good_grade_allows_exemption_and_refuses_revocation(cz, rated_year):
    rating = services.rating_compute(
        actor=cz.user("cz_hrss_reviewer"), institution=cz.orgs["常州技师学院"], year=2026, today=TODAY
    )
    assert rating.grade == "B"
    with pytest.raises(Conflict, match="未达到可撤销定点的等级（D级及以下）"):
        services.rating_revoke_designations(actor=cz.user("cz_justice_reviewer"), rating=rating, reason="x")
    assert not Designation.objects.filter(revoked_on__isnull=False).exists()
    exempt = catalog.designation_exempt(
        actor=cz.user("cz_hrss_reviewer"), institution=cz.orgs["常州技师学院"], region_code="320400",
        valid_from=D(2028, 1, 1), valid_to=D(2029, 12, 31), basis_note="B级，无失信记录", today=D(2027, 12, 1),
    )  # fmt: skip
    assert exempt.basis == "exemption"


def test_rating_scope(cz, rated_year):
    rating = services.rating_compute(
        actor=cz.user("cz_hrss_reviewer"), institution=cz.orgs["常州技师学院"], year=2026, today=TODAY
    )

    def visible(username):
        return list(CreditRating.objects.for_user(cz.user(username)))

    assert visible("czjs_operator") == [rating]
    assert visible("cz_justice_reviewer") == [rating]
    assert visible("tn_operator") == []
    assert visible("hf_hrss") == []
