from datetime import date

import pytest

from skillbridge.registry.idnumbers import (
    InvalidIdNumber,
    check_char,
    make_id_number,
    mask_id_number,
    parse_id_number,
)


def iso7064_mod11_2(first17: str) -> str:
    """Independent formula: checksum value = (12 - Σ(d_i · 2^(17-i) mod 11) mod 11) mod 11, 10 → X."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


# The worked example of GB 11643-1999 (ends in X) and numbers built with the independent formula.
EXAMPLE_X = "11010519491231002X"


def test_standard_example_with_x_is_valid():
    assert iso7064_mod11_2(EXAMPLE_X[:17]) == "X"
    info = parse_id_number(EXAMPLE_X)
    assert (info.birth_date, info.sex, info.region_code) == (date(1949, 12, 31), "F", "110105")


def test_lower_case_x_is_accepted_and_normalised():
    assert parse_id_number(EXAMPLE_X.lower()).number == EXAMPLE_X


@pytest.mark.parametrize(
    "first17", ["32040219880517013", "34010420000229001", "32048119650101999", "11010519491231002"]
)
def test_checksum_agrees_with_independent_formula(first17):
    assert check_char(first17) == iso7064_mod11_2(first17)
    assert parse_id_number(first17 + iso7064_mod11_2(first17)).number == first17 + iso7064_mod11_2(first17)


@pytest.mark.parametrize("first17", ["32040219880517013", "11010519491231002"])
def test_every_wrong_check_character_is_rejected(first17):
    right = iso7064_mod11_2(first17)
    for wrong in "0123456789X":
        if wrong != right:
            with pytest.raises(InvalidIdNumber, match="校验位错误"):
                parse_id_number(first17 + wrong)


def test_derived_birth_date_and_sex():
    man = make_id_number("320402", date(1988, 5, 17), 131)
    woman = make_id_number("320402", date(1988, 5, 17), 132)
    assert parse_id_number(man).sex == "M"
    assert parse_id_number(woman).sex == "F"
    assert parse_id_number(man).birth_date == date(1988, 5, 17)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("320402880517131", "不支持15位"),
        ("3204021988051713", "须为18位"),
        ("32040219880517131Y", "格式不正确"),
        ("３2040219880517131" + "3", "格式不正确"),  # a full-width digit (``\d`` would take it)
        ("32040219881317131" + "0", "出生日期"),
        ("", "不能为空"),
    ],
)
def test_malformed_numbers(value, message):
    with pytest.raises(InvalidIdNumber, match=message):
        parse_id_number(value)


def test_invalid_date_even_with_right_checksum():
    first17 = "32040219880230131"  # 30 February
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        parse_id_number(first17 + iso7064_mod11_2(first17))


def test_mask():
    assert mask_id_number("320402198805171234") == "320402********1234"
    assert mask_id_number(EXAMPLE_X) == "110105********002X"


def test_check_char_takes_only_seventeen_ascii_digits():
    assert check_char("11010519491231002") == "X"
    for bad in ("1101051949123100", "110105194912310021", "１1010519491231002", "1101051949123100X"):
        with pytest.raises(ValueError, match="17 ASCII digits"):
            check_char(bad)
