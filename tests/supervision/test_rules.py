"""Every risk rule: a seeded case that must be found and a near miss that must not."""

import datetime as dt
from decimal import Decimal

import pytest

from skillbridge.catalog import services as catalog
from skillbridge.registry.services import episode_status_change
from skillbridge.supervision import rules
from skillbridge.supervision.models import Rule

from .conftest import attend, certificate, claim_line, enrol, make_class, person, scan_ctx, session

pytestmark = pytest.mark.django_db
D = dt.date


def keys(found):
    return sorted(c.key for c in found)


def test_overlapping_classes_found_and_adjacent_classes_not(cz):
    first = make_class(cz, date_from=D(2026, 3, 1), date_to=D(2026, 3, 20))
    overlapping = make_class(cz, date_from=D(2026, 3, 20), date_to=D(2026, 4, 5), unit="常州监狱")
    adjacent = make_class(cz, date_from=D(2026, 3, 21), date_to=D(2026, 4, 10))
    a, b = person(cz, name="重叠甲"), person(cz, name="相邻乙")
    e1, e2 = enrol(cz, first, a), enrol(cz, overlapping, a)
    enrol(cz, first, b)
    enrol(cz, adjacent, b)  # starts the day after: a near miss
    # Released from the first class before the overlap: not a problem either.
    c = person(cz, name="中途丙")
    enrol(cz, first, c, status="released", exit_on=D(2026, 3, 10))
    enrol(cz, overlapping, c)
    found = rules.overlapping_classes(scan_ctx(cz))
    assert keys(found) == [f"overlap:{e1.pk}:{e2.pk}"]
    finding = found[0]
    assert finding.unit_id == cz.orgs["常州监狱"].pk
    assert finding.evidence["overlap"] == ["2026-03-20", "2026-03-20"]
    assert finding.evidence["person"] == "重叠甲"
    assert finding.object_url == f"/training/classes/{overlapping.pk}/"


def test_attendance_after_release_found_release_day_not(cz):
    tc = make_class(cz, date_from=D(2026, 5, 4), date_to=D(2026, 5, 29))
    released, stays = person(cz, name="释放甲"), person(cz, name="当天乙")
    e1, e2 = enrol(cz, tc, released), enrol(cz, tc, stays)
    s1, s2, s3 = (session(cz, tc, D(2026, 5, d)) for d in (6, 7, 8))
    for s in (s1, s2, s3):
        attend(cz, s, e1, 120)
    attend(cz, s1, e2, 120)
    attend(cz, s2, e2, 120)
    attend(cz, s3, e2, 0)  # absent after release: no finding
    episode_status_change(
        actor=cz.user("ly_operator"),
        episode=released.episodes.get(),
        to_status="released",
        changed_on=D(2026, 5, 6),
    )
    episode_status_change(
        actor=cz.user("ly_operator"),
        episode=stays.episodes.get(),
        to_status="released",
        changed_on=D(2026, 5, 7),
    )
    found = rules.attendance_after_exit(scan_ctx(cz))
    assert keys(found) == [f"after_exit:{e1.pk}"]
    assert [s["date"] for s in found[0].evidence["sessions"]] == ["2026-05-07", "2026-05-08"]
    assert found[0].evidence["left_on"] == "2026-05-06"


def _uniform_class(cz, sessions, trainees=5, vary_last=False):
    tc = make_class(cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 30))
    enrolments = [enrol(cz, tc, person(cz)) for _ in range(trainees)]
    for day in range(1, sessions + 1):
        s = session(cz, tc, D(2026, 6, day))
        for i, e in enumerate(enrolments):
            attend(cz, s, e, 90 if (vary_last and day == sessions and i == 0) else 120)
    return tc


def test_identical_attendance_at_threshold_found_one_short_not(cz):
    found_class = _uniform_class(cz, 10)
    near_miss = _uniform_class(cz, 10, vary_last=True)  # 9 identical sessions
    small = make_class(cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 30))
    few = [enrol(cz, small, person(cz)) for _ in range(4)]  # below the class-size threshold
    for day in range(1, 12):
        s = session(cz, small, D(2026, 6, day))
        for e in few:
            attend(cz, s, e, 120)
    found = rules.identical_attendance(scan_ctx(cz))
    assert keys(found) == [f"identical:{found_class.pk}"]
    assert found[0].evidence["identical_sessions"] == 10
    assert found[0].evidence["threshold"] == 10
    assert near_miss.pk != found_class.pk


def test_certificate_before_class_end_found_same_day_not(cz):
    tc = make_class(cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 30), ended_on=D(2026, 6, 28))
    early = certificate(cz, tc, person(cz), D(2026, 6, 27))
    certificate(cz, tc, person(cz), D(2026, 6, 28))
    found = rules.certificate_before_end(scan_ctx(cz))
    assert keys(found) == [f"cert_early:{early.pk}"]
    assert found[0].evidence["class_end"] == "2026-06-28"


def test_subsidy_count_over_three_found_three_not(cz):
    four, three = person(cz, name="四次甲"), person(cz, name="三次乙")
    for who, n in ((four, 4), (three, 3)):
        for i in range(n):
            tc = make_class(cz, date_from=D(2026, 1 + 2 * i, 1), date_to=D(2026, 1 + 2 * i, 20))
            # Different levels, so only the count rule applies.
            cert = certificate(cz, tc, who, D(2026, 1 + 2 * i, 25))
            from skillbridge.catalog.models import SkillLevel

            cert.level = SkillLevel.objects.get(code=5 - i)
            cert.save()
            claim_line(cz, cert)
    found = rules.subsidy_limit(scan_ctx(cz))
    assert keys(found) == [f"subsidy_count:{four.pk}:2026"]
    assert found[0].evidence["count"] == 4
    assert found[0].evidence["cap"] == 3


def test_same_occupation_level_twice_across_regions_found_after_a_year_not(cz):
    twice, later = person(cz, name="重复甲"), person(cz, name="隔年乙")
    tc1 = make_class(cz, date_from=D(2026, 1, 5), date_to=D(2026, 1, 25))
    tc2 = make_class(cz, date_from=D(2026, 8, 1), date_to=D(2026, 8, 20))
    c1 = certificate(cz, tc1, twice, D(2026, 1, 30))
    c2 = certificate(cz, tc2, twice, D(2026, 8, 25))
    claim_line(cz, c1)
    # The second claim was made in Anhui (another region): still the same person's subsidy.
    claim_line(cz, c2, unit=cz.orgs["安徽省蜀山监狱"])
    c3 = certificate(cz, tc1, later, D(2025, 8, 24))
    c4 = certificate(cz, tc2, later, D(2026, 8, 25))  # 366 days later: outside the one-year window
    claim_line(cz, c3)
    claim_line(cz, c4)
    found = rules.subsidy_limit(scan_ctx(cz))
    repeat = [c for c in found if c.key.startswith("subsidy_repeat")]
    assert [c.evidence["person"] for c in repeat] == ["重复甲"]
    assert {line["region"] for line in repeat[0].evidence["lines"]} == {"320481", "340104"}


def test_claim_by_dishonest_institution_found_clean_one_not(cz):
    tc = make_class(cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 20))
    clean_class = make_class(
        cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 20), institution="常州市天宁区职业培训学校"
    )
    claim, _ = claim_line(cz, certificate(cz, tc, person(cz), D(2026, 6, 25)))
    clean, _ = claim_line(cz, certificate(cz, clean_class, person(cz), D(2026, 6, 25)))
    catalog.dishonesty_record_create(
        actor=cz.user("cz_hrss_operator"),
        institution=cz.orgs["常州技师学院"],
        source="常人社罚〔2026〕3号",
        recorded_on=D(2026, 6, 24),
        description="虚报培训人数",
    )
    found = rules.institution_ineligible(scan_ctx(cz, claim_id=claim.pk))
    assert keys(found) == [f"ineligible_claim:{claim.pk}"]
    assert "失信记录" in found[0].summary
    assert rules.institution_ineligible(scan_ctx(cz, claim_id=clean.pk)) == []


def test_class_outside_designation_found_inside_not(cz):
    outside = make_class(cz, date_from=D(2028, 1, 2), date_to=D(2028, 1, 20))  # designation ends 2027-12-31
    make_class(cz, date_from=D(2027, 12, 31), date_to=D(2028, 1, 20))  # last designated day
    found = [c for c in rules.institution_ineligible(scan_ctx(cz)) if c.key.startswith("ineligible_class")]
    assert keys(found) == [f"ineligible_class:{outside.pk}"]
    assert "定点" in found[0].summary


def test_amount_above_standard_found_equal_not(cz):
    tc = make_class(cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 20))
    _, above = claim_line(cz, certificate(cz, tc, person(cz), D(2026, 6, 25)), amount=Decimal("1000.01"))
    claim_line(cz, certificate(cz, tc, person(cz), D(2026, 6, 25)), amount=Decimal("1000.00"))
    found = rules.amount_above_standard(scan_ctx(cz))
    assert keys(found) == [f"amount:{above.pk}"]
    assert found[0].evidence["excess"] == "0.01"


def test_teacher_in_two_places_found_back_to_back_not(cz):
    a = make_class(cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 20), venue="溧阳监狱实训楼")
    b = make_class(
        cz, date_from=D(2026, 6, 1), date_to=D(2026, 6, 20), unit="常州监狱", venue="常州监狱教学楼"
    )
    s1 = session(cz, a, D(2026, 6, 2), "09:00", 120, teacher="王建国（高级技师）、陈明")
    s2 = session(cz, b, D(2026, 6, 2), "10:30", 90, teacher="王建国")
    session(cz, a, D(2026, 6, 3), "09:00", 120, teacher="李强")
    session(cz, b, D(2026, 6, 3), "11:00", 60, teacher="李强")  # starts when the other ends
    found = rules.teacher_double_booked(scan_ctx(cz))
    assert keys(found) == [f"teacher:{s1.pk}:{s2.pk}"]
    assert found[0].evidence["teacher"] == "王建国"
    assert [s["venue"] for s in found[0].evidence["sessions"]] == ["溧阳监狱实训楼", "常州监狱教学楼"]


def test_teacher_names_drop_titles():
    assert rules.teacher_names("王建国（高级技师）、陈明, 李强") == {"王建国", "陈明", "李强"}


def test_late_data_entry_found_on_deadline_not(cz):
    # Anhui: 10 working days after 考核结业. 2026-06-01 (Mon) + 10 working days = 2026-06-15 (Mon).
    late = make_class(
        cz, unit="安徽省蜀山监狱", date_from=D(2026, 5, 1), date_to=D(2026, 5, 31),
        ended_on=D(2026, 6, 1), data_entered_on=D(2026, 6, 16),
    )  # fmt: skip
    make_class(
        cz, unit="安徽省蜀山监狱", date_from=D(2026, 5, 1), date_to=D(2026, 5, 31),
        ended_on=D(2026, 6, 1), data_entered_on=D(2026, 6, 15),
    )  # fmt: skip
    ctx = scan_ctx(cz, units=("安徽省蜀山监狱",))
    found = rules.late_data_entry(ctx)
    assert keys(found) == [f"late_entry:{late.pk}"]
    assert found[0].evidence["deadline"] == "2026-06-15"
    assert found[0].evidence["overdue_working_days"] == 1


def _enrol_many(cz, month, n, institution="常州技师学院"):
    tc = make_class(cz, date_from=D(2026, month, 1), date_to=D(2026, month, 20), institution=institution)
    for _ in range(n):
        enrol(cz, tc, person(cz))


def test_institution_spike_found_below_factor_not(cz):
    # 常州技师学院: 2 a month for Jan–Jun (average 2), then 21 in July (> 3 × 2, ≥ 20): a spike.
    for month in range(1, 7):
        _enrol_many(cz, month, 2)
    _enrol_many(cz, 7, 21)
    # 天宁区职业培训学校: average 7, then 21 in July = exactly 3 × 7: not above the factor.
    for month in range(1, 7):
        _enrol_many(cz, month, 7, institution="常州市天宁区职业培训学校")
    _enrol_many(cz, 7, 21, institution="常州市天宁区职业培训学校")
    found = rules.institution_spike(scan_ctx(cz))
    assert keys(found) == [f"spike:{cz.orgs['常州技师学院'].pk}:2026-07"]
    assert found[0].evidence["count"] == 21
    assert found[0].evidence["baseline_monthly_average"] == "2.00"
    assert found[0].unit_id is None


def test_rule_registry_is_complete():
    assert set(rules.RULES) == set(Rule)


def test_pack_section_has_every_threshold_with_its_source():
    from skillbridge.policy.selectors import pack_summary

    for code in ("changzhou", "anhui"):
        section = next(s for s in pack_summary(code)["sections"] if s["key"] == "supervision")
        items = {i["key"]: i for i in section["items"]}
        assert len(items) == 20
        assert items["identical_attendance_min_sessions"]["value"] == 10
        assert items["rectification_working_days"]["value"] == 15
        assert all(i["platform_default"] for i in items.values())
        assert items["exemption_min_grade"]["display"] == "B"
