"""Catalogue demo data for Changzhou: standards for common prison-training occupations, the profiles of
the demo institutions, a published designation call and current designations for 2026–2027.

Idempotent: only what is missing is created. Needs the organisations of `skillbridge.demo`.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from skillbridge.accounts.models import Organisation

from . import services
from .models import (
    CertificateType,
    DesignationApplication,
    DesignationCall,
    InstitutionProfile,
    Occupation,
    SkillLevel,
    SubsidyStandard,
)
from .selectors import key_for

REGION = "320400"
YEAR = 2026
PERIOD = (dt.date(2026, 1, 1), dt.date(2027, 12, 31))
CALL_TITLE = "关于征集2026—2027年度常州市特殊人群职业技能定点培训机构的公告"

# occupation code, level (None: no level), certificate type, amount (yuan)
STANDARDS = [
    ("6-31-01-03", 5, "skill_level", "1200"),  # 电工
    ("6-31-01-03", 4, "skill_level", "1600"),
    ("6-18-02-04", 5, "skill_level", "1200"),  # 焊工
    ("6-18-02-04", 4, "skill_level", "1600"),
    ("4-03-02-01", 5, "skill_level", "1000"),  # 中式烹调师
    ("4-03-02-01", 4, "skill_level", "1400"),
    ("4-03-02-02", 5, "skill_level", "1000"),  # 中式面点师
    ("4-10-03-01", 5, "skill_level", "900"),  # 美容师
    ("4-10-03-02", 5, "skill_level", "900"),  # 美发师
    ("4-10-01-06", 5, "skill_level", "800"),  # 家政服务员
    ("4-10-01-05", 5, "skill_level", "900"),  # 养老护理员
    ("4-10-01-03", 5, "skill_level", "900"),  # 保育师
    ("4-04-05-01", 5, "skill_level", "1000"),  # 计算机程序设计员
    ("6-05-01-03", 5, "skill_level", "800"),  # 缝纫工
    ("4-01-06-01", 5, "skill_level", "1000"),  # 电子商务师
    ("6-31-01-03", None, "special_operation", "600"),  # 电工 特种作业（低压电工作业）
    ("4-10-01-06", None, "training", "400"),  # 家政服务员 培训合格证书
]

PROFILES = {
    "常州技师学院": {
        "credit_code": "123204004662870540",
        "legal_representative": "周建华",
        "address": "常州市武进区滆湖中路28号",
        "contact_person": "王老师",
        "contact_phone": "0519-86331234",
        "bank_name": "中国工商银行常州武进支行",
        "bank_account": "1105020109000123456",
        "qualifications": "国家级重点技工院校；职业技能等级认定社会培训评价组织",
        "capacity": 3000,
    },
    "常州市天宁区职业培训学校": {
        "credit_code": "52320402MJ5123456B",
        "legal_representative": "陈立新",
        "address": "常州市天宁区青洋北路47号",
        "contact_person": "刘老师",
        "contact_phone": "0519-88101234",
        "bank_name": "江苏银行常州天宁支行",
        "bank_account": "80100188000123456",
        "qualifications": "民办职业培训学校办学许可证",
        "capacity": 1200,
    },
    "常州市职业技能鉴定指导中心": {
        "credit_code": "12320400466001234T",
        "legal_representative": "吴志强",
        "address": "常州市新北区龙锦路1280号",
        "contact_person": "赵老师",
        "contact_phone": "0519-85681234",
        "bank_name": "中国银行常州分行",
        "bank_account": "4650580212345678",
        "qualifications": "职业技能鉴定机构；职业技能等级认定评价机构备案",
        "capacity": 5000,
    },
}

DESIGNATED = {
    "常州技师学院": ["6-31-01-03", "6-18-02-04", "4-04-05-01", "4-01-06-01"],
    "常州市天宁区职业培训学校": ["4-03-02-01", "4-03-02-02", "4-10-03-02", "4-10-01-06", "4-10-01-05"],
}


@transaction.atomic
def load_demo() -> None:
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=[*PROFILES, "常州市司法局"])}
    occupations = {o.code: o for o in Occupation.objects.filter(code__in={s[0] for s in STANDARDS})}
    levels = {lv.code: lv for lv in SkillLevel.objects.all()}
    cert_types = {c.code: c for c in CertificateType.objects.all()}
    existing = set(
        SubsidyStandard.objects.filter(region_code=REGION, year=YEAR).values_list("key", flat=True)
    )
    for code, level, cert, amount in STANDARDS:
        occupation = occupations[code]
        if key_for(occupation, level, cert) in existing:
            continue
        services.standard_create(
            actor=None,
            region_code=REGION,
            year=YEAR,
            occupation=occupation,
            level=levels.get(level),
            certificate_type=cert_types[cert],
            amount=Decimal(amount),
            note="演示数据",
        )

    with_profile = set(InstitutionProfile.objects.values_list("organisation__name", flat=True))
    for name, fields in PROFILES.items():
        if name in orgs and name not in with_profile:
            services.institution_profile_save(actor=None, institution=orgs[name], **fields)

    call = DesignationCall.objects.filter(region_code=REGION, title=CALL_TITLE).first()
    if call is None:
        call = services.designation_call_create(
            actor=None,
            region_code=REGION,
            title=CALL_TITLE,
            content="根据《常州市特殊人群职业技能培训及评价工作实施方案》（常司发〔2022〕42号），"
            "市司法局会同市人力资源和社会保障局面向职业院校和职业技能培训机构征集定点培训机构。",
            published_on=dt.date(2025, 11, 1),
            deadline=dt.date(2025, 11, 30),
            period_from=PERIOD[0],
            period_to=PERIOD[1],
        )
    for name, codes in DESIGNATED.items():
        institution = orgs.get(name)
        if (
            institution is None
            or DesignationApplication.objects.filter(institution=institution, call=call).exists()
        ):
            continue
        application = services.designation_apply(
            actor=None,
            call=call,
            institution=institution,
            occupations=list(Occupation.objects.filter(code__in=codes)),
            statement="演示数据",
            today=call.published_on,
        )
        services.designation_decide(actor=None, application=application, approve=True, opinion="同意认定")
