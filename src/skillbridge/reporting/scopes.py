"""One scope per dashboard: a unit, a lead unit's group, a city (设区市, 4-digit region prefix) or a province.

The scope is cut from `Organisation.objects.visible_units(user)`: a drill-down can narrow it (province → one
city → one unit) but never widen it. A unit sees itself; a city bureau its city's units; a provincial bureau
the units of its system in its province. One addition: a lead unit (牵头单位, e.g. 常州监狱) aggregates the
units of its kind in its city before they go up (DESIGN §2; 常司发〔2022〕42号), so its top scope is that
group (`lead_group`) — their figures only: people lists stay with the units themselves (`Scope.figures_only`).
"""

from dataclasses import dataclass, field

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import CITY_SCOPE, PROVINCIAL_SCOPE, UNIT_TYPES
from skillbridge.errors import Forbidden, NotFound

from . import namecache

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}  # fmt: skip

LEVEL_LABELS = {"province": "全省", "city": "设区市", "lead": "牵头单位汇总", "unit": "单位"}


@dataclass
class Scope:
    level: str  # province | city | unit
    code: str  # "32" | "3204" | unit primary key
    name: str
    units: list = field(default_factory=list)
    trail: list = field(default_factory=list)  # [(level, code, name)] from the user's top scope down
    # True when the scope holds units outside the user's visible units (a lead unit's group): figures may be
    # shown, the people behind them may not.
    figures_only: bool = False

    @property
    def unit_ids(self) -> list[int]:
        return [u.pk for u in self.units]

    @property
    def child_level(self) -> str | None:
        return {"province": "city", "city": "unit", "lead": "unit"}.get(self.level)

    def as_dict(self) -> dict:
        return {"level": self.level, "code": self.code, "name": self.name}


def city_names(region_codes) -> dict[str, str]:
    """City prefix → city name, from the city bureaus' names (常州市人力资源和社会保障局 → 常州市), through the
    process's name cache (`namecache`)."""
    prefixes = {code[:4] for code in region_codes}
    names = namecache.names.get({"city": prefixes}, _read_city_names)["city"]
    return {p: names.get(p, f"{p}00") for p in prefixes}


def _read_city_names(wanted: dict[str, list]) -> dict[str, dict]:
    bureaus = Organisation.objects.filter(
        region_code__in=[p + "00" for p in wanted["city"]], org_type__in=list(CITY_SCOPE)
    ).values_list("region_code", "name")
    names = {}
    for code, name in sorted(bureaus):
        if "市" in name and code[:4] not in names:
            names[code[:4]] = name[: name.index("市") + 1]
    return {"city": names}


def lead_group(org: Organisation):
    """The units a lead unit aggregates: those of its kind in its city, itself included (as the approval
    chains resolve `lead_unit`, in reverse)."""
    return Organisation.objects.filter(org_type=org.org_type, region_code__startswith=org.city_prefix)


def top_level(user) -> str:
    org = user.organisation
    org_type = org.org_type
    if org_type in UNIT_TYPES:
        return "lead" if org.is_lead_unit else "unit"
    if org_type in CITY_SCOPE:
        return "city"
    if org_type in PROVINCIAL_SCOPE:
        return "province"
    raise Forbidden("您所在单位没有统计数据权限", field="scope")


def _denied(user, field: str, value, message: str) -> NotFound:
    """An out-of-scope drill-down is answered like a missing one, and audited."""
    from skillbridge.audit.services import audit_denied

    audit_denied(
        action="scope.denied", actor=user, object_type=f"reporting.{field}", object_id=str(value)[:50]
    )
    return NotFound(message, field=field)


def scope_for(user, *, city: str | None = None, unit: int | str | None = None) -> Scope:
    """The user's dashboard scope, optionally narrowed to one city or one unit inside it."""
    level = top_level(user)
    org = user.organisation
    visible = lead_group(org) if level == "lead" else Organisation.objects.visible_units(user)
    units = list(visible.order_by("region_code", "name"))
    if level == "unit":
        scope = Scope("unit", str(org.pk), org.name, units)
    elif level == "lead":
        city_name = city_names([org.region_code])[org.city_prefix]
        name = f"{city_name}各{org.get_org_type_display()}（{org.name}牵头）"
        scope = Scope("lead", str(org.pk), name, units, figures_only=len(units) > 1)
    elif level == "city":
        prefix = org.city_prefix
        scope = Scope("city", prefix, city_names([org.region_code])[prefix], units)
    else:
        prefix = org.province_prefix
        scope = Scope("province", prefix, PROVINCES.get(prefix, prefix + "0000"), units)
    scope.trail = [(scope.level, scope.code, scope.name)]
    if city and level == "province":
        chosen = [u for u in units if u.region_code.startswith(str(city))]
        if len(str(city)) != 4 or not chosen:
            raise _denied(user, "city", city, "该设区市不在您的数据权限范围内")
        scope = Scope("city", str(city), city_names([str(city)])[str(city)], chosen, scope.trail)
        scope.trail = [*scope.trail, ("city", scope.code, scope.name)]
    elif city and str(city) != org.city_prefix:
        raise _denied(user, "city", city, "该设区市不在您的数据权限范围内")
    if unit not in (None, ""):
        chosen = [u for u in scope.units if str(u.pk) == str(unit)]
        if not chosen:
            raise _denied(user, "unit", unit, "该单位不在您的数据权限范围内")
        target = chosen[0]
        trail = list(scope.trail)
        if scope.level == "province":
            prefix = target.region_code[:4]
            trail.append(("city", prefix, city_names([prefix])[prefix]))
        if scope.level != "unit":
            trail.append(("unit", str(target.pk), target.name))
        scope = Scope(
            "unit", str(target.pk), target.name, [target], trail, target.pk != org.pk and level == "lead"
        )
    return scope


def require_people(user, scope: Scope) -> None:
    """People lists (names, ID numbers) only for units the user may read: a lead unit sees its group's
    figures, not their people."""
    if scope.figures_only:
        raise _denied(
            user, "unit", scope.code, "人员名单仅限本单位及其主管部门查看，牵头单位只能查看汇总数据"
        )
