"""The person search counts at most PEOPLE_COUNT_CAP matches ("N+ 条" on the page, ``count_capped`` in the
API), in one capped SQL query; small results keep their exact count. A small cap stands in for 1000."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillbridge.api.pagination import capped_count
from skillbridge.registry import selectors
from skillbridge.registry.models import Person

from .conftest import make_person

pytestmark = pytest.mark.django_db

SURNAME = "欧阳"  # a compound surname the demo generator never uses


@pytest.fixture
def five_ouyang(demo):
    unit = demo.orgs["溧阳监狱"]
    return [make_person(unit, name=f"{SURNAME}{given}", release=date(2027, 6, 30)) for given in "一二三四五"]


@pytest.fixture
def cap(monkeypatch):
    def set_cap(value: int) -> None:
        monkeypatch.setattr(selectors, "PEOPLE_COUNT_CAP", value)

    return set_cap


def search(demo):
    return selectors.people_search(demo.user("ly_operator"), q=SURNAME)


def count_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize(
    ("limit", "expected"), [(10, (5, False)), (5, (5, False)), (4, (4, True)), (1, (1, True))]
)
def test_capped_count_is_exact_up_to_the_cap(demo, five_ouyang, limit, expected):
    assert capped_count(search(demo), limit) == expected


def test_capped_count_limits_the_counting_query(demo, five_ouyang):
    with CaptureQueriesContext(connection) as queries:
        assert capped_count(search(demo), 3) == (3, True)
    (sql,) = count_queries(queries)
    assert "LIMIT 4" in sql.upper()
    assert "ORDER BY" not in sql.upper()  # the order of the rows counted does not matter


def test_capped_count_of_an_empty_result(demo):
    assert capped_count(Person.objects.none(), 3) == (0, False)
    assert capped_count(search(demo), 3) == (0, False)


def test_people_count_uses_the_cap(demo, five_ouyang, cap):
    cap(3)
    assert selectors.people_count(search(demo)) == (3, True)
    cap(5)
    assert selectors.people_count(search(demo)) == (5, False)


def test_prefix_search_probes_the_scope_match_by_match(demo, five_ouyang):
    """The scope is an EXISTS the database cannot turn into a (hash) semi-join, so the capped count and the
    first page stop after enough matches; ID-number and unfiltered lists keep the ordinary semi-join."""
    user = demo.user("ly_operator")
    sql = str(selectors.people_search(user, q=SURNAME).query)
    assert "OFFSET 0)" in sql
    assert "OFFSET 0)" not in str(selectors.people_search(user).query)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan and the C collation are PostgreSQL's")
def test_prefix_search_walks_the_name_order_index(demo, five_ouyang):
    people = selectors.people_search(demo.user("ly_operator"), q=SURNAME)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the index the choice
        page = people[:20].explain()
        sql, params = people.order_by().values("pk")[:1001].query.sql_with_params()
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) AS s", params)
        count = "\n".join(row[0] for row in cursor.fetchall())
    for plan in (page, count):
        assert "registry_person_name_prefix" in plan
        assert "SubPlan" in plan and "Hash" not in plan
    assert "Sort" not in page  # the index gives the list's order


def test_prefix_is_a_literal_prefix(demo, five_ouyang):
    unit = demo.orgs["溧阳监狱"]
    make_person(unit, name="欧阳%x")
    make_person(unit, name="欧", birth=date(1990, 1, 1))
    user = demo.user("ly_operator")
    names = lambda q: [p.name for p in selectors.people_search(user, q=q)]  # noqa: E731
    assert names("欧阳%") == ["欧阳%x"]
    assert names("欧阳") == ["欧阳%x", *sorted(p.name for p in five_ouyang)]
    assert names("欧") == ["欧", "欧阳%x", *sorted(p.name for p in five_ouyang)]
    assert names("欧阳一") == ["欧阳一"]
    assert names("欧阳六") == []
    assert selectors._after_prefix("欧阳") == "欧阴"
    assert selectors._after_prefix("a\ud7ff") == "a\ue000"


def test_person_list_shows_a_capped_count(client, demo, five_ouyang, cap):
    client.force_login(demo.user("ly_operator"))
    cap(3)
    html = client.get("/registry/", {"q": SURNAME}).content.decode()
    assert "共 3+ 条（仅列出前 3 条，请缩小查询范围）" in html
    # The pages reach the first `cap` matches, in the list's order (by name).
    names = sorted(p.name for p in five_ouyang)
    assert [name in html for name in names] == [True, True, True, False, False]
    cap(5)
    html = client.get("/registry/", {"q": SURNAME}).content.decode()
    assert "共 5 条" in html and "5+" not in html


def test_person_list_pages_up_to_the_cap(client, demo, cap):
    unit = demo.orgs["溧阳监狱"]
    for i in range(23):
        make_person(unit, name=f"{SURNAME}{i:02d}", release=date(2027, 6, 30))
    client.force_login(demo.user("ly_operator"))
    cap(21)
    html = client.get("/registry/", {"q": SURNAME}).content.decode()
    assert "共 21+ 条，第 1/2 页（仅列出前 21 条，请缩小查询范围）" in html
    html = client.get("/registry/", {"q": SURNAME, "page": 2}).content.decode()
    assert "第 2/2 页" in html and f"{SURNAME}20" in html and f"{SURNAME}21" not in html
    cap(1000)
    html = client.get("/registry/", {"q": SURNAME}).content.decode()
    assert "共 23 条，第 1/2 页</span>" in html


def test_other_lists_keep_their_exact_count(client, demo):
    # web/pagination.html with Django's own Paginator, as every other list uses it.
    client.force_login(demo.user("ly_operator"))
    html = client.get("/imports/").content.decode()
    assert "共 0 条" in html and "+ 条" not in html


def test_people_api_caps_the_count(client, demo, five_ouyang, cap):
    client.force_login(demo.user("ly_operator"))
    cap(3)
    body = client.get("/api/v1/registry/people", {"q": SURNAME, "page_size": 2}).json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (3, True, 2)
    # Pages past the cap still return the rows that are there.
    body = client.get("/api/v1/registry/people", {"q": SURNAME, "page_size": 2, "page": 3}).json()
    assert [p["name"] for p in body["items"]] == [max(p.name for p in five_ouyang)]
    cap(5)
    body = client.get("/api/v1/registry/people", {"q": SURNAME}).json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (5, False, 5)


def test_people_api_documents_the_flag(client):
    schema = client.get("/api/v1/openapi.json").json()
    paged = next(
        s for name, s in schema["components"]["schemas"].items() if "count_capped" in s.get("properties", {})
    )
    assert set(paged["required"]) >= {"items", "count", "count_capped", "page", "page_size"}


def test_other_api_lists_have_no_flag(client, demo):
    client.force_login(demo.user("ly_operator"))
    body = client.get("/api/v1/registry/episodes").json()
    assert "count_capped" not in body and body["count"] == body["count"]


def test_episode_list_shows_a_capped_count(client, demo, episodes, cap):
    """溧阳 has four episodes (conftest ``episodes``); the list counts no further than the cap."""
    client.force_login(demo.user("ly_operator"))
    cap(3)
    html = client.get("/registry/episodes/").content.decode()
    assert "共 3+ 条（仅列出前 3 条，请缩小查询范围）" in html
    assert selectors.episodes_count(selectors.episode_search(demo.user("ly_operator"))) == (3, True)
    cap(4)
    html = client.get("/registry/episodes/").content.decode()
    assert "共 4 条" in html and "4+" not in html


def test_episode_search_by_name_lists_the_people_search_finds_in_name_order(demo, cap):
    """A name prefix lists episodes in name order (then release date), from the people ``people_search``
    finds: with more people than the cap, the first cap + 1 of them, which hold every episode shown."""
    unit = demo.orgs["溧阳监狱"]
    for given, release in (("丙", date(2027, 1, 31)), ("甲", date(2028, 3, 31)), ("乙", date(2026, 12, 31))):
        make_person(unit, name=f"{SURNAME}{given}", release=release, birth=date(1980, 1, 1))
    user = demo.user("ly_operator")
    names = [e.person.name for e in selectors.episode_search(user, q=SURNAME)]
    assert names == ["欧阳丙", "欧阳乙", "欧阳甲"]  # code-point order: 丙 U+4E19, 乙 U+4E59, 甲 U+7532
    assert [e.person.name for e in selectors.episode_search(user)][:1] == ["欧阳乙"]  # unsearched: by release
    cap(2)
    assert selectors.episodes_count(selectors.episode_search(user, q=SURNAME)) == (2, True)
    cap(3)
    assert selectors.episodes_count(selectors.episode_search(user, q=SURNAME)) == (3, False)


def test_number_prefix_uses_the_column_order_where_it_is_code_point_order(monkeypatch):
    """罪犯编号 prefixes: the column itself (its unique index serves the range) on SQLite and on a PostgreSQL
    database whose collation orders by code point; ``COLLATE "C"`` on any other collation."""
    from django.db.models import F
    from django.db.models.functions import Collate

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql":
        assert selectors.number_order("inmate_number") == F("inmate_number")
        return
    monkeypatch.setitem(selectors._database_collations, name, "C.UTF-8")
    assert selectors.number_order("inmate_number") == F("inmate_number")
    monkeypatch.setitem(selectors._database_collations, name, "zh_CN.UTF-8")
    order = selectors.number_order("inmate_number")
    assert isinstance(order, Collate) and order.collation == "C"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_bureau_episode_list_can_walk_the_release_order_index(demo, five_ouyang):
    """At a million episodes the planner walks it (bench.registry_lookup); with a handful of rows a sort is
    cheaper, so sorting is ruled out here to show the index gives the order across the bureau's units."""
    episodes = selectors.episode_search(demo.user("js_bureau_reviewer"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = episodes[:20].explain()
    assert "registry_episode_release" in plan
    assert "Sort" not in plan  # the index gives the list's order: the first page stops after 20
