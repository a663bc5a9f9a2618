import itertools
from datetime import date

import pytest

from skillbridge.imports.base import CellError, Row, RowErrors, convert
from skillbridge.registry import services
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.registry.importers import PeopleImporter

_sequence = itertools.count(11, 2)  # odd: men


def new_id(region="320402", birth=date(1988, 5, 17), sequence=None) -> str:
    return make_id_number(region, birth, next(_sequence) % 1000 if sequence is None else sequence)


def make_person(
    unit,
    *,
    name="张伟",
    birth=date(1988, 5, 17),
    release=date(2027, 6, 30),
    start=date(2020, 1, 1),
    has_skill=False,
    can_study=True,
    labour=True,
    category="inmate",
    number=None,
    id_number=None,
    kind="custody",
):
    number = number or f"N{next(_sequence):06d}"
    return services.person_create(
        actor=None,
        unit=unit,
        person={
            "name": name,
            "id_number": id_number or new_id(birth=birth),
            "population_category": category,
            "education": "junior",
            "household_registration": "江苏省常州市天宁区",
        },
        episode={
            "kind": kind,
            "inmate_number": number,
            "term_start": start,
            "term_end": release,
            "expected_release_date": release,
            "has_skill": has_skill,
            "can_study": can_study,
            "labour_capacity": labour,
        },
    )


@pytest.fixture
def person_factory(demo):
    return make_person


@pytest.fixture
def episodes(demo):
    """溧阳: 孙丙 released, 赵甲 and 钱乙 in custody, 李丁 transferred to 新康 (a new episode there); 新康: 吴戊."""
    ly, xk = demo.orgs["溧阳监狱"], demo.orgs["新康监狱"]
    zhao = make_person(ly, name="赵甲", number="LY1001", start=date(2021, 3, 1), release=date(2026, 9, 30))
    qian = make_person(ly, name="钱乙", number="LY1002", release=date(2027, 6, 30), has_skill=True)
    sun = make_person(
        ly, name="孙丙", number="LY1003", release=date(2026, 3, 31), labour=None, can_study=False
    )
    services.episode_status_change(
        actor=None, episode=sun.episodes.get(), to_status="released", changed_on=date(2026, 3, 31)
    )
    li = make_person(ly, name="李丁", number="LY1004", release=date(2026, 12, 31))
    services.episode_status_change(
        actor=None,
        episode=li.episodes.get(),
        to_status="transferred",
        changed_on=date(2025, 6, 1),
        to_unit=xk,
        new_inmate_number="XK2001",
    )
    wu = make_person(xk, name="吴戊", number="XK2002", release=date(2026, 10, 31))
    return {"zhao": zhao, "qian": qian, "sun": sun, "li": li, "wu": wu}


def run_import(user, rows: list[dict], *, batch_size=2):
    """What the imports machinery does: convert cells, validate every batch, write only if all is valid."""
    from django.db import transaction

    importer = PeopleImporter(user)
    importer.check_permission()
    importer.prepare()
    errors = RowErrors()
    converted = []
    for number, raw in enumerate(rows, start=2):
        values = {}
        for column in importer.columns:
            try:
                values[column.key] = convert(column, raw.get(column.header))
            except CellError as exc:
                errors.add(number, column.header, str(exc))
                values[column.key] = None
        converted.append(Row(number, values))
    batches = [converted[i : i + batch_size] for i in range(0, len(converted), batch_size)]
    for batch in batches:
        importer.validate(batch, errors)
    if errors:
        return errors.items, None
    totals = [0, 0]
    with transaction.atomic():
        for batch in batches:
            created, updated = importer.write(batch)
            totals[0] += created
            totals[1] += updated
        importer.finish()
    return [], tuple(totals)
