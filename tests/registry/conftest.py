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
