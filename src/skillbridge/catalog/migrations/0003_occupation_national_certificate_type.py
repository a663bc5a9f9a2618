"""The assessment route of an occupation (002 二(七)): which national certificate an evaluation institution
can award for it, or none (the training institution's completion exam and 培训合格证书).

Seed data — a short, conservative list, to be kept current by the HRSS (catalog.services.occupation_route_set):
- 职业资格证书: skilled-trade occupations in the 国家职业资格目录（2021年版）(人力资源社会保障部, 2021-11-23):
  焊工, 消防设施操作员.
- 职业技能等级证书: occupations with a 国家职业技能标准 for which 职业技能等级认定 by a registered
  (备案) evaluation institution is available in Jiangsu (江苏省职业技能等级认定 occupations list):
  电工, 中式烹调师, 中式面点师, 西式面点师, 茶艺师, 保育师, 养老护理员, 家政服务员, 美发师, 汽车维修工,
  电子商务师, 互联网营销师, 砌筑工, 钢筋工, 缝纫工, 园林绿化工.
Every other occupation has no national evaluation until the HRSS records one.
"""

import django.db.models.deletion
from django.db import migrations, models

QUALIFICATION = ["6-18-02-04", "4-07-05-03"]
SKILL_LEVEL = [
    "6-31-01-03",
    "4-03-02-01",
    "4-03-02-02",
    "4-03-02-04",
    "4-03-02-07",
    "4-10-01-03",
    "4-10-01-05",
    "4-10-01-06",
    "4-10-03-02",
    "4-12-01-01",
    "4-01-06-01",
    "4-01-06-02",
    "6-29-01-01",
    "6-29-01-04",
    "6-05-01-03",
    "4-09-10-01",
]


def seed(apps, schema_editor):
    Occupation = apps.get_model("catalog", "Occupation")
    Occupation.objects.filter(code__in=QUALIFICATION).update(national_certificate_type_id="qualification")
    Occupation.objects.filter(code__in=SKILL_LEVEL).update(national_certificate_type_id="skill_level")


def unseed(apps, schema_editor):
    apps.get_model("catalog", "Occupation").objects.update(national_certificate_type=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_seed_catalogues"),
    ]

    operations = [
        migrations.AddField(
            model_name="occupation",
            name="national_certificate_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalog.certificatetype",
                verbose_name="可评价的国家证书",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
