"""Read helpers for the API and the pack page: plain, JSON-able structures with every value's source."""

from datetime import date
from decimal import Decimal

from .loader import get_pack, load_all
from .schema import ACTORS, DOC_TYPES, ORG_TYPES, POPULATION_CATEGORIES, DayOfYear, PolicyPack, Sourced

SECTIONS = {
    "organisation": "适用单位",
    "eligibility": "培训对象",
    "subsidy": "补贴与资金",
    "training": "培训实施",
    "deadlines": "时限",
    "supervision": "监督检查与信用评价",
    "employment": "就业服务",
}


def _plain(value: object) -> object:
    if isinstance(value, DayOfYear):
        return value.model_dump()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _display(value: object) -> str:
    """Chinese text of a value: codes become their labels, dates and lists read naturally."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, DayOfYear):
        return value.describe()
    if isinstance(value, tuple):
        return "、".join(_display(v) for v in value)
    if isinstance(value, str):
        return (
            ORG_TYPES.get(value)
            or POPULATION_CATEGORIES.get(value)
            or {"one_year": "一年内", "never": "不可重复"}.get(value, value)
        )
    return str(value)


PERCENT_WORDS = ("比例", "占比", "率")


def _display_for(label: str, value: object) -> str:
    """Ratios read as percentages (0.4 → 40%; a share tolerance 0.05 → ±5个百分点)."""
    if isinstance(value, Decimal) and "容差" in label:
        return f"±{(value * 100).normalize():f}个百分点"
    if isinstance(value, Decimal) and value <= 1 and any(word in label for word in PERCENT_WORDS):
        return f"{(value * 100).normalize():f}%"
    return _display(value)


def _item(key: str, label: str, sourced: Sourced) -> dict:
    return {
        "key": key,
        "label": label,
        "value": _plain(sourced.value),
        "display": _display_for(label, sourced.value),
        "source": sourced.source,
        "platform_default": sourced.is_platform_default,
    }


def _section_items(section: object, step_names: dict[str, str] | None = None) -> list[dict]:
    items = []
    for name, field in type(section).model_fields.items():
        value = getattr(section, name)
        if isinstance(value, Sourced):
            items.append(_item(name, field.title or name, value))
        elif isinstance(value, dict):  # deadlines.plan: one item per plan step
            items += [
                _item(f"{name}.{key}", f"{field.title}：{(step_names or {}).get(key, key)}", rule)
                for key, rule in value.items()
            ]
    return items


def _header(pack: PolicyPack) -> dict:
    return {
        "code": pack.code,
        "name": pack.name,
        "version": pack.version,
        "effective_date": _item("effective_date", "生效日期", pack.effective_date),
        "region_prefixes": list(pack.region_prefixes.value),
        "documents": [document.model_dump(mode="json") for document in pack.documents],
    }


def _plan_step_names(pack: PolicyPack) -> dict[str, str]:
    return {"submit": "单位报送", **{stage.key: stage.name for stage in pack.chains.get("annual_plan", ())}}


def list_packs() -> list[dict]:
    return [_header(pack) for _, pack in sorted(load_all().items())]


def packs_for_region(region_code: str) -> list[str]:
    """Codes of the packs covering a region code, the most specific (longest prefix) first."""
    matches = [
        (max(len(p) for p in pack.region_prefixes.value if region_code.startswith(p)), code)
        for code, pack in load_all().items()
        if any(region_code.startswith(p) for p in pack.region_prefixes.value)
    ]
    return [code for _, code in sorted(matches, key=lambda m: (-m[0], m[1]))]


def pack_summary(code: str) -> dict:
    """Every parameter of a pack with its label, value, display text and source."""
    pack = get_pack(code)
    return {
        **_header(pack),
        "sections": [
            {"key": key, "label": label, "items": items}
            for key, label in SECTIONS.items()
            if (items := _section_items(getattr(pack, key), _plan_step_names(pack)))
        ],
        "chains": [
            {
                "doc_type": doc_type,
                "label": DOC_TYPES[doc_type],
                "stages": [
                    {
                        **stage.model_dump(),
                        "actor_label": ORG_TYPES[stage.org_type] if stage.org_type else ACTORS[stage.actor],
                    }
                    for stage in stages
                ],
            }
            for doc_type, stages in sorted(
                pack.chains.items(), key=lambda item: list(DOC_TYPES).index(item[0])
            )
        ],
        "targets": [
            {
                **target.model_dump(mode="json", exclude={"target"}),
                **_item(target.key, target.name, target.target),
            }
            for target in pack.targets
        ],
        "reference_provinces": [
            {
                "province": ref.province,
                "document": ref.document.model_dump(mode="json"),
                "items": _section_items(ref.eligibility) + _section_items(ref),
            }
            for ref in pack.reference_provinces
        ],
    }
