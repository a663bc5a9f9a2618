"""Resident ID numbers (公民身份号码, GB 11643-1999): checksum, derived birth date and sex, masking.

18 characters: 6-digit region code, 8-digit birth date (YYYYMMDD), 3-digit sequence (odd = male,
even = female), and a check character from ISO 7064 MOD 11-2 (0-9 or X). The old 15-digit numbers are
not accepted: every record must carry the 18-digit number.
"""

import re
from dataclasses import dataclass
from datetime import date
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII digits only (``\d`` would take full-width ones)
_ZEROS = ord("0") * sum(WEIGHTS)  # what the weighted sum of the digits' character codes has over theirs


class InvalidIdNumber(ValueError):
    """The message is Chinese and names what is wrong; it never echoes the full number."""


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    number: str
    region_code: str
    birth_date: date
    sex: str  # "M" or "F"


def check_char(first17: str) -> str:
    """The check character for the first 17 digits (ASCII). Weighs the characters' codes in one C-level
    pass and takes off what the code of "0" adds: the roster import runs this for every row."""
    codes = first17.encode("ascii", "replace")
    if len(codes) != len(WEIGHTS) or not codes.isdigit():
        raise ValueError(f"expected {len(WEIGHTS)} ASCII digits, got {first17!r}")
    return CHECK_CHARS[(sum(map(mul, codes, WEIGHTS)) - _ZEROS) % 11]


def normalise(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def parse_id_number(value: str) -> IdNumberInfo:
    """Validate and decode; raises ``InvalidIdNumber`` with a Chinese message."""
    number = normalise(value)
    if not number:
        raise InvalidIdNumber("身份证号码不能为空")
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber("不支持15位旧身份证号码，请填写18位身份证号码")
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号码须为18位（现为{len(number)}位）")
    if not SHAPE.match(number):
        raise InvalidIdNumber("身份证号码格式不正确：前17位须为数字，末位为数字或X")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号码中的出生日期（第7至14位）不是有效日期") from None
    if birth.year < 1900:
        raise InvalidIdNumber("身份证号码中的出生日期（第7至14位）不是有效日期")
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber("身份证号码校验位错误（第18位与前17位不符），请核对")
    return IdNumberInfo(number, number[:6], birth, "M" if int(number[16]) % 2 else "F")


def make_id_number(region_code: str, birth_date: date, sequence: int) -> str:
    """A valid number (used by the generator and tests): ``sequence`` 0-999, odd for men."""
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def mask_id_number(number: str) -> str:
    """``320402********1234``: region code and last four characters only."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"
