"""The rollup behind the dashboards: its figures equal the live computation exactly (every scope level, every
period kind), change as expected after new data and a refresh, and are refreshed in the background."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from skillbridge.reporting import selectors
from skillbridge.reporting.models import FigureCell, RollupRun, RollupStatus, RollupUnit
from skillbridge.reporting.periods import parse_period
from skillbridge.reporting.scopes import scope_for

from .conftest import TODAY, make_certificate, make_claim, make_class, refresh

pytestmark = pytest.mark.django_db

PERIODS = ["2026", "2025", "2027", *(f"2026Q{q}" for q in range(1, 5)), "2025Q4",
           *(f"2026-{m:02d}" for m in range(1, 13)), "2025-12"]  # fmt: skip


def both(user, code, **drill):
    scope = scope_for(user, **drill)
    period = parse_period(code, today=TODAY)
    live = selectors.dashboard(scope, period, today=TODAY, live=True)
    rolled = selectors.dashboard(scope, period, today=TODAY)
    for data in (live, rolled):
        data.pop("source"), data.pop("computed_at")
    return live, rolled


def scopes(world):
    demo = world.demo
    return [
        (demo.user("js_bureau_reviewer"), {}),
        (demo.user("js_bureau_reviewer"), {"city": "3204"}),
        (demo.user("js_bureau_reviewer"), {"unit": world.ly.pk}),
        (demo.user("cz_hrss_reviewer"), {}),
        (demo.user("ly_operator"), {}),
        (demo.user("cz_operator"), {}),
        (demo.user("ah_operator") if "ah_operator" in demo.users else demo.user("ly_operator"), {}),
    ]


def test_rollup_equals_live_for_every_scope_and_period(world):
    checked = 0
    for user, drill in scopes(world):
        for code in PERIODS:
            live, rolled = both(user, code, **drill)
            assert rolled == live, (user.username, drill, code)
            checked += 1
    assert checked == 7 * len(PERIODS)
    # Not vacuous: the fixture's figures are there in the rollup.
    live, rolled = both(world.demo.user("ly_operator"), "2026")
    assert (rolled["totals"]["due"], rolled["totals"]["due_certified"], rolled["totals"]["enrolled"]) == (
        4,
        1,
        6,
    )
    assert rolled["totals"]["approved_amount"] == "2400.00"


def test_new_data_shows_after_a_refresh(world):
    user = world.demo.user("ly_operator")
    scope = scope_for(user)
    q3 = parse_period("2026Q3", today=TODAY)
    before = selectors.dashboard(scope, q3, today=TODAY)
    assert (before["totals"]["due"], before["totals"]["due_certified"]) == (1, 0)
    # 孙三 (released 2026-09-30) is certified on 2026-09-01; a new class starts in August; a claim in July.
    cert = make_certificate(
        world.people["sun"], world.ly, dt.date(2026, 9, 1), issuer=world.school, user=world.ly_user
    )
    make_class(world.ly, start=dt.date(2026, 8, 3), ended=dt.date(2026, 8, 20), institution=world.school,
               user=world.ly_user, people=[(world.people["sun"], "completed")])  # fmt: skip
    make_claim(world.ly, world.school, status="in_review", filled=dt.date(2026, 7, 15), user=world.ly_user,
               lines=[(world.people["sun"], cert, Decimal(800), "accepted")])  # fmt: skip
    stale = selectors.dashboard(scope, q3, today=TODAY)
    assert stale["totals"] == before["totals"]  # the page shows the figures as of the last refresh
    run = refresh(units=[world.ly.pk], months=[dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 7, 1)])
    assert run.status == RollupStatus.DONE
    after = selectors.dashboard(scope, q3, today=TODAY)
    t = after["totals"]
    assert (t["due"], t["due_certified"], t["cert_rate"]) == (1, 1, 1.0)
    assert (t["enrolled"], t["completed"], t["classes"], t["certified"]) == (
        before["totals"]["enrolled"] + 1, before["totals"]["completed"] + 1, before["totals"]["classes"] + 1,
        before["totals"]["certified"] + 1,
    )  # fmt: skip
    assert (t["claim_lines"], t["claimed_amount"], t["approved_lines"]) == (
        before["totals"]["claim_lines"] + 1, f"{Decimal(before['totals']['claimed_amount']) + 800:.2f}",
        before["totals"]["approved_lines"] + 1,
    )  # fmt: skip
    # Plan-year actual (2026) moved too, and every period still equals the live figures.
    assert after["plan_vs_actual"]["by_unit"][0]["actual"] == 7
    for code in PERIODS:
        live, rolled = both(user, code)
        assert rolled == live, code
        live, rolled = both(world.demo.user("js_bureau_reviewer"), code)
        assert rolled == live, code


def test_partial_refresh_leaves_other_units_and_months_alone(world):
    cz_cells = FigureCell.objects.filter(unit=world.cz).count()
    assert cz_cells > 0
    make_certificate(
        world.people["sun"], world.ly, dt.date(2026, 9, 1), issuer=world.school, user=world.ly_user
    )
    refresh(units=[world.ly.pk], months=[dt.date(2026, 5, 1)])  # not the month of the new certificate
    assert FigureCell.objects.filter(unit=world.cz).count() == cz_cells
    q3 = parse_period("2026Q3", today=TODAY)
    assert selectors.dashboard(scope_for(world.ly_user), q3, today=TODAY)["totals"]["due_certified"] == 0
    call_command("reporting_refresh", "--unit", str(world.ly.pk), "--month", "2026-09")
    assert selectors.dashboard(scope_for(world.ly_user), q3, today=TODAY)["totals"]["due_certified"] == 1
    live, rolled = both(world.demo.user("js_bureau_reviewer"), "2026")
    assert rolled == live


def test_dashboard_shows_when_figures_were_computed_and_queues_a_refresh(client, world):
    client.force_login(world.demo.user("ly_operator"))
    page = client.get("/reporting/?period=2026")
    assert "数据更新于 " in page.content.decode() and "（尚未计算）" not in page.content.decode()
    assert "更新数据" in page.content.decode()
    assert page.context["data"]["computed_at"] is not None
    RollupUnit.objects.filter(unit=world.ly).delete()
    page = client.get("/reporting/?period=2026")
    assert "（尚未计算）" in page.content.decode()
    runs = RollupRun.objects.count()
    response = client.post("/reporting/refresh/", {"query": "period=2026"})
    assert response.status_code == 302 and response["Location"] == "/reporting/?period=2026"
    run = RollupRun.objects.latest("pk")
    assert RollupRun.objects.count() == runs + 1
    assert (run.status, run.unit_ids) == (RollupStatus.QUEUED, [world.ly.pk])
    # What the background task runs:
    from skillbridge.reporting.services import rollup_run_execute

    assert rollup_run_execute(run.pk) == RollupStatus.DONE
    run.refresh_from_db()
    assert run.status == RollupStatus.DONE and run.cells == FigureCell.objects.filter(unit=world.ly).count()
    assert "（尚未计算）" not in client.get("/reporting/?period=2026").content.decode()


def test_refresh_denied_outside_scope_and_without_role(client, world):
    client.force_login(world.demo.user("ly_operator"))
    runs = RollupRun.objects.count()
    assert client.post("/reporting/refresh/", {"unit": world.cz.pk}).status_code == 404
    client.force_login(world.demo.user("czjs_operator"))
    assert client.post("/reporting/refresh/", {}).status_code == 403
    assert RollupRun.objects.count() == runs


def test_opening_a_stale_dashboard_queues_one_refresh(client, world):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(world.demo.user("ly_operator"))
    runs = RollupRun.objects.count()
    client.get("/reporting/?period=2026")  # just computed by the fixture: nothing to queue
    assert RollupRun.objects.count() == runs
    RollupUnit.objects.filter(unit=world.ly).update(refreshed_at=timezone.now() - timedelta(minutes=16))
    client.get("/reporting/?period=2026")
    client.get("/reporting/?period=2026Q3")  # already queued: not again
    assert RollupRun.objects.count() == runs + 1
    run = RollupRun.objects.latest("pk")
    assert (run.status, run.unit_ids, run.requested_by.username) == (
        RollupStatus.QUEUED,
        [world.ly.pk],
        "ly_operator",
    )
    # A user who may not refresh (a training institution) never queues one.
    RollupRun.objects.filter(pk=run.pk).update(status=RollupStatus.DONE)
    client.force_login(world.demo.user("czjs_operator"))
    client.get("/reporting/?period=2026")
    assert RollupRun.objects.count() == runs + 1


def test_reading_stale_figures_through_the_api_queues_one_refresh(client, world):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(world.demo.user("ly_operator"))
    runs = RollupRun.objects.count()
    assert client.get("/api/v1/reporting/dashboard", {"period": "2026"}).status_code == 200
    assert RollupRun.objects.count() == runs
    RollupUnit.objects.filter(unit=world.ly).update(refreshed_at=timezone.now() - timedelta(minutes=16))
    assert client.get("/api/v1/reporting/dashboard", {"period": "2026"}).status_code == 200
    assert client.get("/api/v1/reporting/dashboard", {"period": "2026Q3"}).status_code == 200
    assert RollupRun.objects.count() == runs + 1
    run = RollupRun.objects.latest("pk")
    assert (run.status, run.unit_ids, run.requested_by.username) == (
        RollupStatus.QUEUED,
        [world.ly.pk],
        "ly_operator",
    )
