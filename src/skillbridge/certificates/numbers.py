"""Format checks of official certificate numbers (证书编号), per certificate type.

Public sources disagree on some formats and older certificates follow older rules, so a mismatch is a
warning stored on the certificate (`number_warning`), never a refusal. The number is kept exactly as
printed on the certificate.
"""

import re

# certificate type code → (pattern, what a number usually looks like)
FORMATS: dict[str, tuple[re.Pattern, str]] = {
    "qualification": (re.compile(r"^\d{15,18}$"), "15–18位数字"),
    "skill_level": (re.compile(r"^S\d{17,21}$"), "字母S开头，后接17–21位数字"),
    "special_ability": (re.compile(r"^[A-Z0-9]{8,24}$"), "8–24位大写字母或数字"),
    # 特种作业操作证、特种设备作业人员证 use the holder's ID number (the former with a leading T).
    "special_operation": (re.compile(r"^T?\d{17}[\dX]$"), "T加18位身份证号码"),
    "special_equipment": (re.compile(r"^\d{17}[\dX]$"), "18位身份证号码"),
    "training": (
        re.compile(r"^[0-9A-Za-z\-（）()〔〕\[\]第号字\u4e00-\u9fff]{4,64}$"),
        "4–64位文字、字母或数字",
    ),
}


def clean_number(text: str) -> str:
    return (text or "").strip()


def number_warning(type_code: str, number: str) -> str:
    """'' when the number looks like the type's usual format, else a Chinese hint for the operator."""
    rule = FORMATS.get(type_code)
    if rule is None or rule[0].match(number):
        return ""
    return f"证书编号格式与该类证书常见格式（{rule[1]}）不一致，请核对原证（不影响保存）"
