"""xlsx importers for subsidy standards and the institution directory (registered in apps.py).

Both are for the city HRSS, for its own city. Re-importing a file updates, never duplicates: a standard
whose amount changed is closed and a new row created from the file's effective date (history kept).
"""

import datetime as dt

from skillbridge.accounts.models import Organisation, Role
from skillbridge.audit.services import audit_record
from skillbridge.errors import Forbidden, ServiceError
from skillbridge.imports.base import Column, Importer, Row, RowErrors

from .models import (
    INSTITUTION_TYPES,
    CertificateType,
    InstitutionProfile,
    Occupation,
    SkillLevel,
    SpecialAbilityItem,
    SubsidyStandard,
    subject_key,
)
from .services import PROFILE_FIELDS, clean_amount, standard_subject_problem
from .validators import credit_code_problem

LEVEL_CHOICES = {
    "五级/初级工": "5",
    "四级/中级工": "4",
    "三级/高级工": "3",
    "二级/技师": "2",
    "一级/高级技师": "1",
    "五级": "5",
    "四级": "4",
    "三级": "3",
    "二级": "2",
    "一级": "1",
    "初级工": "5",
    "中级工": "4",
    "高级工": "3",
    "技师": "2",
    "高级技师": "1",
}
CERTIFICATE_CHOICES = {
    "职业资格证书": "qualification",
    "职业技能等级证书": "skill_level",
    "专项职业能力证书": "special_ability",
    "特种作业操作证书": "special_operation",
    "特种设备作业人员证书": "special_equipment",
    "培训合格证书": "training",
}


def _require_city_hrss(user) -> None:
    if user.organisation.org_type != "city_hrss" or not user.has_role(
        Role.OPERATOR, Role.REVIEWER, Role.UNIT_HEAD
    ):
        raise Forbidden("只有市人力资源和社会保障局可以导入补贴标准和机构目录")


class StandardsImporter(Importer):
    key = "catalog.standards"
    title = "补贴标准"
    result_url_name = "catalog:standard_list"
    columns = (
        Column("year", "年度", required=True, kind="int", sample="2026"),
        Column(
            "occupation_code",
            "职业编码",
            max_length=10,
            sample="6-31-01-03",
            help="职业（细类）编码，与专项职业能力编码二选一",
        ),
        Column("item_code", "专项职业能力编码", max_length=30, sample="", help="本市专项职业能力项目编码"),
        Column("level", "等级", kind="choice", choices=LEVEL_CHOICES, sample="五级/初级工"),
        Column(
            "certificate_type",
            "证书类型",
            required=True,
            kind="choice",
            choices=CERTIFICATE_CHOICES,
            sample="职业技能等级证书",
        ),
        Column("amount", "补贴标准（元）", required=True, kind="decimal", sample="1200"),
        Column("valid_from", "生效日期", kind="date", sample="2026-01-01", help="为空则自当年1月1日起"),
        Column("note", "备注", max_length=200, sample=""),
    )

    def check_permission(self) -> None:
        _require_city_hrss(self.user)

    def prepare(self) -> None:
        self.region = self.user.organisation.city_prefix + "00"
        self.levels = {level.code: level for level in SkillLevel.objects.all()}
        self.cert_types = {c.code: c for c in CertificateType.objects.all()}
        self.items = {
            i.code: i for i in SpecialAbilityItem.objects.filter(region_code=self.region, is_active=True)
        }
        self.seen: dict[tuple[int, str], int] = {}
        self.created = self.updated = self.unchanged = 0

    def _header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def _resolve(self, rows: list[Row]) -> dict[str, Occupation]:
        codes = {r.values.get("occupation_code") for r in rows} - {None}
        return {o.code: o for o in Occupation.objects.filter(code__in=codes)}

    def _parsed(self, row: Row, occupations: dict[str, Occupation]):
        """(occupation, item, level, cert, key) of a row, or (field, message) on the first problem."""
        v = row.values
        occupation = item = None
        if v.get("occupation_code") and v.get("item_code"):
            return ("occupation_code", "职业编码与专项职业能力编码只能填写其一")
        if v.get("occupation_code"):
            occupation = occupations.get(v["occupation_code"])
            if occupation is None:
                return ("occupation_code", f"职业编码“{v['occupation_code']}”不在国家职业分类大典（2022）中")
        elif v.get("item_code"):
            item = self.items.get(v["item_code"])
            if item is None:
                return ("item_code", f"本市没有编码为“{v['item_code']}”的专项职业能力项目")
        else:
            return ("occupation_code", "职业编码与专项职业能力编码须填写其一")
        level = self.levels[int(v["level"])] if v.get("level") else None
        cert = self.cert_types[v["certificate_type"]]
        problem = standard_subject_problem(
            occupation=occupation, special_item=item, level=level, certificate_type=cert
        )
        if problem:
            field = {"occupation": "occupation_code", "special_item": "item_code"}.get(problem[0], problem[0])
            if field == "occupation_code" and item is not None:
                field = "item_code"
            return (field, problem[1])
        key = subject_key(
            occupation_code=occupation.code if occupation else None,
            item_id=item.pk if item else None,
            level=level.code if level else None,
            cert_type=cert.code,
        )
        return (occupation, item, level, cert, key)

    def validate(self, rows: list[Row], errors: RowErrors) -> None:
        occupations = self._resolve(rows)
        parsed = {}
        for row in rows:
            result = self._parsed(row, occupations)
            if len(result) == 2:
                errors.add(row.number, self._header(result[0]), result[1])
                continue
            year = row.values["year"]
            if not 2000 <= year <= 2100:
                errors.add(row.number, self._header("year"), f"年度“{year}”不正确")
                continue
            try:
                clean_amount(row.values["amount"])
            except ServiceError as exc:
                errors.add(row.number, self._header("amount"), exc.message)
                continue
            valid_from = row.values.get("valid_from") or dt.date(year, 1, 1)
            if valid_from.year != year:
                errors.add(row.number, self._header("valid_from"), f"生效日期须在{year}年度内")
                continue
            key = result[4]
            first = self.seen.get((year, key))
            if first is not None:
                errors.add(
                    row.number,
                    self._header("occupation_code"),
                    f"与第{first}行重复（同一年度、职业、等级、证书类型）",
                )
                continue
            self.seen[(year, key)] = row.number
            parsed[row.number] = (year, key, valid_from, row)
        if not parsed:
            return
        current = self._current({(y, k) for y, k, _, _ in parsed.values()})
        for year, key, valid_from, row in parsed.values():
            old = current.get((year, key))
            amount = clean_amount(row.values["amount"])
            if old is not None and old.amount != amount and valid_from <= old.valid_from:
                errors.add(
                    row.number,
                    self._header("valid_from"),
                    f"已有{old.valid_from}起执行的标准{old.amount}元，调整的生效日期须晚于该日期",
                )

    def _current(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], SubsidyStandard]:
        years = {y for y, _ in keys}
        names = {k for _, k in keys}
        found = SubsidyStandard.objects.filter(
            region_code=self.region, year__in=years, key__in=names, valid_to__isnull=True
        )
        return {(s.year, s.key): s for s in found if (s.year, s.key) in keys}

    def write(self, rows: list[Row]) -> tuple[int, int]:
        occupations = self._resolve(rows)
        entries = []
        for row in rows:
            occupation, item, level, cert, key = self._parsed(row, occupations)
            year = row.values["year"]
            entries.append((row, occupation, item, level, cert, key, year))
        current = self._current({(e[6], e[5]) for e in entries})
        org, actor = self.user.organisation, self.user
        to_close, to_create, pairs = [], [], []
        created = updated = 0
        for row, occupation, item, level, cert, key, year in entries:
            amount = clean_amount(row.values["amount"])
            valid_from = row.values.get("valid_from") or dt.date(year, 1, 1)
            note = row.values.get("note") or ""
            old = current.get((year, key))
            if old is not None and old.amount == amount:
                self.unchanged += 1
                continue
            new = SubsidyStandard(
                region_code=self.region,
                year=year,
                occupation=occupation,
                special_item=item,
                level=level,
                certificate_type=cert,
                key=key,
                amount=amount,
                valid_from=valid_from,
                note=note,
                maintained_by=org,
                created_by=actor,
            )
            if old is None:
                created += 1
            else:
                old.valid_to = valid_from - dt.timedelta(days=1)
                to_close.append(old)
                pairs.append((old, new))
                updated += 1
            to_create.append(new)
        # Close first: the open-row unique constraint allows one open row per standard.
        SubsidyStandard.objects.bulk_update(to_close, ["valid_to"])
        for old, new in pairs:
            new.previous = old
        SubsidyStandard.objects.bulk_create(to_create)
        self.created += created
        self.updated += updated
        return created, updated

    def audit_summary(self) -> dict:
        return {"region_code": getattr(self, "region", ""), "unchanged": getattr(self, "unchanged", 0)}


class InstitutionsImporter(Importer):
    key = "catalog.institutions"
    title = "培训和评价机构目录"
    result_url_name = "catalog:institution_list"
    columns = (
        Column(
            "name",
            "机构名称",
            required=True,
            max_length=100,
            sample="常州技师学院",
            help="须为已建档的本市培训机构或评价机构",
        ),
        Column("credit_code", "统一社会信用代码", required=True, max_length=18, sample="123204004662870540"),
        Column("legal_representative", "法定代表人", required=True, max_length=50, sample="张建国"),
        Column("address", "地址", required=True, max_length=200, sample="常州市武进区滆湖中路28号"),
        Column("contact_person", "联系人", required=True, max_length=50, sample="李老师"),
        Column("contact_phone", "联系电话", required=True, max_length=30, sample="0519-86331234"),
        Column("bank_name", "开户银行", max_length=100, sample="中国工商银行常州分行"),
        Column("bank_account", "银行账号", max_length=40, sample="1105020109000123456"),
        Column(
            "qualifications", "资质", max_length=2000, sample="技工院校；职业技能等级认定社会培训评价组织"
        ),
        Column("capacity", "年培训（鉴定）能力（人次）", kind="int", sample="3000"),
    )

    def check_permission(self) -> None:
        _require_city_hrss(self.user)

    def prepare(self) -> None:
        self.prefix = self.user.organisation.city_prefix
        self.seen_names: dict[str, int] = {}
        self.seen_codes: dict[str, int] = {}

    def _header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def _institutions(self, rows: list[Row]) -> dict[str, Organisation]:
        names = {r.values["name"] for r in rows}
        return {
            o.name: o
            for o in Organisation.objects.filter(
                name__in=names, org_type__in=INSTITUTION_TYPES, region_code__startswith=self.prefix
            )
        }

    def validate(self, rows: list[Row], errors: RowErrors) -> None:
        orgs = self._institutions(rows)
        codes = {(r.values.get("credit_code") or "").upper() for r in rows}
        holders = dict(
            InstitutionProfile.objects.filter(credit_code__in=codes).values_list(
                "credit_code", "organisation__name"
            )
        )
        for row in rows:
            v = row.values
            name, code = v["name"], v["credit_code"].upper()
            if name not in orgs:
                errors.add(row.number, self._header("name"), f"“{name}”不是本市已建档的培训机构或评价机构")
            elif name in self.seen_names:
                errors.add(row.number, self._header("name"), f"与第{self.seen_names[name]}行重复")
            else:
                self.seen_names[name] = row.number
            problem = credit_code_problem(code)
            if problem:
                errors.add(row.number, self._header("credit_code"), problem)
            elif code in self.seen_codes:
                errors.add(
                    row.number,
                    self._header("credit_code"),
                    f"与第{self.seen_codes[code]}行的统一社会信用代码重复",
                )
            elif holders.get(code, name) != name:
                errors.add(row.number, self._header("credit_code"), f"已被“{holders[code]}”使用")
            else:
                self.seen_codes[code] = row.number
            if v.get("capacity") is not None and v["capacity"] < 0:
                errors.add(row.number, self._header("capacity"), "不能为负数")

    def write(self, rows: list[Row]) -> tuple[int, int]:
        orgs = self._institutions(rows)
        existing = {
            p.organisation_id: p for p in InstitutionProfile.objects.filter(organisation__in=orgs.values())
        }
        to_create, to_update = [], []
        for row in rows:
            org = orgs[row.values["name"]]
            values = {f: row.values.get(f) or ("" if f != "capacity" else 0) for f in PROFILE_FIELDS}
            values["credit_code"] = values["credit_code"].upper()
            profile = existing.get(org.pk)
            if profile is None:
                to_create.append(InstitutionProfile(organisation=org, **values))
            else:
                for field, value in values.items():
                    setattr(profile, field, value)
                to_update.append(profile)
        # Codes may move between two institutions of the file: clear them first so uniqueness holds.
        if to_update:
            for profile in to_update:
                InstitutionProfile.objects.filter(pk=profile.pk).update(credit_code=f"~{profile.pk}")
            InstitutionProfile.objects.bulk_update(to_update, [*PROFILE_FIELDS])
        InstitutionProfile.objects.bulk_create(to_create)
        for profile in [*to_create, *to_update]:
            audit_record(
                action="catalog.institution.import",
                actor=self.user,
                obj=profile,
                changes={"credit_code": profile.credit_code},
            )
        return len(to_create), len(to_update)
