"""Read pack files (TOML, stdlib ``tomllib``) into validated ``PolicyPack`` objects.

A bad pack raises ``PackError`` naming the file and the key path of every problem, so whoever edits
a pack sees exactly what to fix; ``apps.PolicyConfig.ready`` loads all packs so this fails start-up.
"""

import re
import tomllib
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from .errors import PackError, UnknownPack
from .schema import PolicyPack

PACK_DIR = Path(__file__).resolve().parent / "packs"

# Chinese wording for the pydantic errors a pack author can make; anything else keeps pydantic's text.
_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的键（拼写错误，或不属于此处）",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "bool_type": "须为布尔值 true 或 false",
    "string_type": "须为字符串",
    "decimal_type": "须为数值",
    "decimal_parsing": "须为数值",
    "date_type": "须为日期，如 2022-01-01",
    "date_parsing": "须为日期，如 2022-01-01",
    "date_from_datetime_parsing": "须为日期，如 2022-01-01",
    "date_from_datetime_inexact": "须为日期（不含时间），如 2022-01-01",
    "list_type": "须为数组",
    "tuple_type": "须为数组",
    "dict_type": "须为表（table）",
    "model_type": "须为表（table）",
    "model_attributes_type": "须为表（table）",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
}
_BOUNDS = {
    "greater_than": "大于",
    "greater_than_equal": "不小于",
    "less_than": "小于",
    "less_than_equal": "不大于",
}


def _key_path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _problem(error: dict) -> tuple[str, str]:
    ctx = error.get("ctx") or {}
    loc = tuple(error["loc"]) + tuple(str(ctx["field"]).split(".") if "field" in ctx else ())
    is_key = bool(loc) and loc[-1] == "[key]"  # the table key itself is wrong, not its value
    path = _key_path(loc[:-1] if is_key else loc)
    kind = error["type"]
    if kind == "missing" and loc and loc[-1] == "source":
        message = "缺少出处 source：每个取值都须注明政策条款，或“平台默认（政策未规定）”"
    elif kind in ("model_type", "model_attributes_type") and str(ctx.get("class_name", "")).startswith(
        "Sourced"
    ):
        message = '须写成带出处的表，如 { value = …, source = "文号 条款" }'
    elif kind == "literal_error":
        message = f"取值须为 {'、'.join(re.split(r', | or ', str(ctx.get('expected'))))} 之一"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        limit = next(v for k, v in ctx.items() if k in ("gt", "ge", "lt", "le"))
        message = f"须{_BOUNDS[kind]} {limit}"
    elif kind == "string_pattern_mismatch":
        message = f"格式不符（须匹配 {ctx.get('pattern')}）"
    else:
        message = _MESSAGES.get(kind, error["msg"])
    if is_key:
        message = f"键名{message}"
    if kind not in ("missing", "extra_forbidden") and not isinstance(error.get("input"), dict):
        message += f"（实际为 {error.get('input')!r}）"
    return path, message


def load_pack(path: Path | str) -> PolicyPack:
    """Load and validate one pack; the file name (without .toml) must equal the pack code."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError(path.name, [("", f"无法读取文件：{exc.strerror or exc}")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PackError(path.name, [("", f"不是合法的 TOML：{exc}")]) from exc
    try:
        pack = PolicyPack.model_validate(data)
    except ValidationError as exc:
        raise PackError(path.name, [_problem(error) for error in exc.errors()]) from exc
    if pack.code != path.stem:
        raise PackError(path.name, [("code", f"政策包代码「{pack.code}」须与文件名「{path.stem}」一致")])
    return pack


@cache
def _load_dir(directory: Path) -> dict[str, PolicyPack]:
    return {file.stem: load_pack(file) for file in sorted(directory.glob("*.toml"))}


def load_all() -> dict[str, PolicyPack]:
    """Every shipped pack by code; files are read once per process."""
    return dict(_load_dir(PACK_DIR))


def get_pack(code: str) -> PolicyPack:
    packs = _load_dir(PACK_DIR)
    if code not in packs:
        raise UnknownPack(code, sorted(packs))
    return packs[code]
