"""The dashboards' display names come through a per-process cache (`reporting.namecache`): a warm dashboard reads
none of them, a rename through the platform shows at once, a change made behind its back within MAX_AGE."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillbridge.accounts import services as accounts
from skillbridge.accounts.models import Organisation
from skillbridge.reporting import namecache, selectors
from skillbridge.reporting.periods import parse_period
from skillbridge.reporting.scopes import scope_for

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def dashboard(user):
    return selectors.dashboard(scope_for(user), parse_period("2026", today=TODAY), today=TODAY)


def institutions(user) -> list[str]:
    return [row["name"] for row in dashboard(user)["breakdown"]["institution"]]


def name_reads(captured) -> list[str]:
    """The statements that read display names: of catalogue entries and institutions, of city bureaus."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if "'institution_id'" in q["sql"]
        or ("city_hrss" in q["sql"] and "reporting_figurecell" not in q["sql"])
    ]


def test_a_warm_dashboard_reads_no_names(world):
    bureau = world.demo.user("js_bureau_reviewer")
    with CaptureQueriesContext(connection) as cold:
        first = dashboard(bureau)
    with CaptureQueriesContext(connection) as warm:
        second = dashboard(bureau)
    assert second == first
    assert len(name_reads(cold)) == 2  # the catalogue entries and institutions; the cities
    assert name_reads(warm) == []
    assert len(warm.captured_queries) == len(cold.captured_queries) - 2
    assert [row["name"] for row in first["rows"]] == ["南京市", "常州市"]
    assert [row["name"] for row in first["breakdown"]["institution"]] == ["常州技师学院"]


def test_a_rename_through_the_platform_shows_at_once(world):
    user = world.demo.user("ly_operator")
    assert institutions(user) == ["常州技师学院"]
    accounts.organisation_update(
        actor=world.demo.user("sysadmin"), organisation=world.school, name="常州技师学院（新）"
    )
    assert institutions(user) == ["常州技师学院（新）"]


def test_a_change_made_behind_its_back_shows_after_max_age(world, monkeypatch):
    user = world.demo.user("ly_operator")
    assert institutions(user) == ["常州技师学院"]
    Organisation.objects.filter(pk=world.school.pk).update(
        name="常州技师学院（二）"
    )  # no signal: another process
    assert institutions(user) == ["常州技师学院"]
    now = namecache.monotonic()
    monkeypatch.setattr(namecache, "monotonic", lambda: now + namecache.MAX_AGE - 1)
    assert institutions(user) == ["常州技师学院"]
    monkeypatch.setattr(namecache, "monotonic", lambda: now + namecache.MAX_AGE + 1)
    assert institutions(user) == ["常州技师学院（二）"]
