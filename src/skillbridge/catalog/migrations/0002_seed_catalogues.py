"""Load the CSCO 2022 occupations (catalog/data/csco2022_occupations.csv), skill levels and certificate types.

The CSV repeats four codes (two exact duplicates; 2-03-01-00 as both a 小类 and an occupation): the first
occurrence of a code at the most detailed level is kept. Where an intermediate group is absent, the
parent is the nearest existing ancestor derived from the code.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "csco2022_occupations.csv"

LEVELS = [
    (5, "五级", "初级工"),
    (4, "四级", "中级工"),
    (3, "三级", "高级工"),
    (2, "二级", "技师"),
    (1, "一级", "高级技师"),
]

# code, name, is_national, issuer org type, has levels, for special-ability items
CERTIFICATE_TYPES = [
    ("qualification", "职业资格证书", True, "evaluation_institution", True, False),
    ("skill_level", "职业技能等级证书", True, "evaluation_institution", True, False),
    ("special_ability", "专项职业能力证书", True, "evaluation_institution", False, True),
    ("special_operation", "特种作业操作证书", True, "evaluation_institution", False, False),
    ("special_equipment", "特种设备作业人员证书", True, "evaluation_institution", False, False),
    ("training", "培训合格证书", False, "training_institution", False, False),
]


def ancestor_codes(code):
    """Candidate parents from the most specific: 6-31-01-03 → 6-31-01-00, 6-31-00-00, 6-00-00-00."""
    parts = code.split("-")
    for i in (3, 2, 1):
        if parts[i] != "00":
            yield "-".join(parts[:i] + ["00"] * (4 - i))


def load(apps, schema_editor):
    Occupation = apps.get_model("catalog", "Occupation")
    SkillLevel = apps.get_model("catalog", "SkillLevel")
    CertificateType = apps.get_model("catalog", "CertificateType")

    SkillLevel.objects.bulk_create([SkillLevel(code=c, name=n, title=t) for c, n, t in LEVELS])
    CertificateType.objects.bulk_create(
        [
            CertificateType(
                code=code,
                name=name,
                is_national=national,
                issuer_org_type=issuer,
                has_levels=levels,
                for_special_items=items,
                sort_order=i,
            )
            for i, (code, name, national, issuer, levels, items) in enumerate(CERTIFICATE_TYPES, start=1)
        ]
    )

    rows = {}
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip()
            level = int(row["level"])
            if code in rows and rows[code]["level"] >= level:
                continue
            rows[code] = {
                "level": level,
                "name": row["name"].strip(),
                "green": row["green"] == "1",
                "digital": row["digital"] == "1",
            }
    Occupation.objects.bulk_create(
        [Occupation(code=code, **values) for code, values in sorted(rows.items())], batch_size=1000
    )
    ids = dict(Occupation.objects.values_list("code", "id"))
    updates = []
    for occupation in Occupation.objects.all():
        parent = next((ids[c] for c in ancestor_codes(occupation.code) if c in ids), None)
        if parent is not None:
            occupation.parent_id = parent
            updates.append(occupation)
    Occupation.objects.bulk_update(updates, ["parent"], batch_size=1000)


def unload(apps, schema_editor):
    for name in ("Occupation", "SkillLevel", "CertificateType"):
        model = apps.get_model("catalog", name)
        if name == "Occupation":
            model.objects.update(parent=None)
        model.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
