"""Demo people: ~60 across the Changzhou prisons and ~20 in the Anhui units, from the generator with a
fixed seed, so some are eligible today and others not (release too far away, a skill, unable to study,
no labour capacity, age). Idempotent: people already there are skipped.
"""

from django.utils import timezone

from skillbridge.accounts.models import Organisation

from . import generator

DEMO_SEED = 20260101
CHANGZHOU_UNITS = ("常州监狱", "溧阳监狱", "新康监狱")
ANHUI_UNITS = ("安徽省蜀山监狱", "安徽省合肥强制隔离戒毒所")


def load_demo(*, today=None) -> dict[str, int]:
    """Needs the organisations of ``skillbridge.demo``; units missing from the database are skipped."""
    today = today or timezone.localdate()
    by_name = {o.name: o for o in Organisation.objects.filter(name__in=CHANGZHOU_UNITS + ANHUI_UNITS)}
    totals = {"people": 0, "episodes": 0, "release_changes": 0, "skipped": 0}
    for names, count, seed in ((CHANGZHOU_UNITS, 60, DEMO_SEED), (ANHUI_UNITS, 20, DEMO_SEED + 1)):
        units = [by_name[n] for n in names if n in by_name]
        if units:
            counts = generator.insert(generator.generate(units, count, seed, today))
            for key, value in counts.items():
                totals[key] += value
    return totals
