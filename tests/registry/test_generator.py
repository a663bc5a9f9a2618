from datetime import date

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from skillbridge.registry import demo as registry_demo
from skillbridge.registry import generator
from skillbridge.registry.idnumbers import parse_id_number
from skillbridge.registry.models import Episode, Person, ReleaseDateChange

from .conftest import run_import

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


def first_ids(units, seed):
    return [g.person["id_number"] for g in generator.generate(units, 5, seed, TODAY)]


def test_same_seed_same_first_five_id_numbers(demo):
    units = generator.default_units()
    assert first_ids(units, 7) == first_ids(units, 7)
    assert first_ids(units, 7) != first_ids(units, 8)


def test_generated_numbers_are_valid_and_consistent(demo):
    records = list(generator.generate(generator.default_units(), 500, 3, TODAY))
    assert len({r.person["id_number"] for r in records}) == 500
    for r in records:
        info = parse_id_number(r.person["id_number"])
        assert (info.birth_date, info.sex) == (r.person["birth_date"], r.person["sex"])
        assert (
            r.episode["term_start"] <= TODAY < r.episode["expected_release_date"]
        )  # serving, not yet released
    changzhou = [r for r in records if r.unit.name == "溧阳监狱"]
    assert all(
        r.person["id_number"][:4] in ("3204",) or r.person["household_registration"] for r in changzhou
    )
    assert any(r.episode["has_skill"] for r in records) and any(
        r.episode["can_study"] is False for r in records
    )


def test_command_inserts_and_is_rerunnable(demo):
    call_command("generate", people=300, seed=5, units=["溧阳监狱", "新康监狱"], today=TODAY)
    assert Person.objects.count() == 300 and Episode.objects.count() == 300
    assert ReleaseDateChange.objects.exists()
    assert set(Episode.objects.values_list("unit__name", flat=True)) == {"溧阳监狱", "新康监狱"}
    call_command("generate", people=300, seed=5, units=["溧阳监狱", "新康监狱"], today=TODAY)
    assert Person.objects.count() == 300
    for number in Person.objects.values_list("id_number", flat=True)[:50]:
        parse_id_number(number)


def test_roster_file_imports_cleanly(demo, tmp_path):
    path = tmp_path / "roster.xlsx"
    call_command("generate", people=40, seed=9, units=["溧阳监狱"], today=TODAY, xlsx=str(path))
    assert Person.objects.count() == 0
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    headers = sheet[0]
    rows = [dict(zip(headers, values, strict=True)) for values in sheet[1:]]
    assert len(rows) == 40
    errors, totals = run_import(demo.user("ly_operator"), rows, batch_size=15)
    assert errors == [] and totals == (40, 0)
    errors, totals = run_import(demo.user("ly_operator"), rows, batch_size=15)
    assert errors == [] and totals == (0, 40)
    assert Person.objects.count() == 40


def test_demo_loader_is_idempotent_and_mixed(demo):
    registry_demo.load_demo(today=TODAY)
    counts = {
        name: Episode.objects.filter(unit__name=name).count()
        for name in ("常州监狱", "溧阳监狱", "新康监狱", "安徽省蜀山监狱", "安徽省合肥强制隔离戒毒所")
    }
    assert sum(counts[n] for n in ("常州监狱", "溧阳监狱", "新康监狱")) == 60
    assert counts["安徽省蜀山监狱"] + counts["安徽省合肥强制隔离戒毒所"] == 20
    registry_demo.load_demo(today=TODAY)
    assert Person.objects.count() == 80
    from skillbridge.registry.selectors import eligibility_at

    decisions = [eligibility_at(p, TODAY) for p in Person.objects.prefetch_related("episodes__unit")]
    eligible = sum(d.allowed for d in decisions)
    assert 5 <= eligible <= 60
    codes = {r.code for d in decisions for r in d.reasons}
    assert {"remaining_term", "has_skill"} <= codes


def test_roster_through_the_import_machinery(demo, tmp_path, settings, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from skillbridge.imports.models import ImportJob
    from skillbridge.imports.services import import_job_create

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    path = tmp_path / "roster.xlsx"
    call_command("generate", people=30, seed=11, units=["溧阳监狱"], today=TODAY, xlsx=str(path))

    def run():
        upload = SimpleUploadedFile("名单.xlsx", path.read_bytes(), content_type="application/octet-stream")
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(
                user=demo.user("ly_operator"), importer_key="registry.people", upload=upload
            )
        return ImportJob.objects.get(pk=job.pk)

    job = run()
    assert (job.status, job.created, job.updated) == ("done", 30, 0), job.message
    job = run()
    assert (job.status, job.created, job.updated) == ("done", 0, 30), job.message
    assert Person.objects.count() == 30
