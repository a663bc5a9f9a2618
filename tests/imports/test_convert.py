"""`base.convert` on the values python-calamine produces."""

import datetime as dt
from decimal import Decimal

import pytest

from skillbridge.imports.base import CellError, Column, convert

DATE = Column("d", "日期", kind="date")
INT = Column("n", "人数", kind="int")
DEC = Column("m", "金额", kind="decimal")
BOOL = Column("b", "是否", kind="bool")
CHOICE = Column("c", "类别", kind="choice", choices={"1": "one", "甲": "a"})
TEXT = Column("t", "编号", required=True, max_length=4)


@pytest.mark.parametrize(
    ("column", "raw", "value"),
    [
        (DATE, dt.datetime(2026, 3, 1, 8, 0), dt.date(2026, 3, 1)),
        (DATE, "2026年3月1日", dt.date(2026, 3, 1)),
        (DATE, "20260301", dt.date(2026, 3, 1)),
        (INT, 3.0, 3),
        (DEC, 12.5, Decimal("12.5")),
        (BOOL, True, True),
        (BOOL, False, False),
        (BOOL, 1.0, True),
        (BOOL, "是", True),
        (CHOICE, 1.0, "one"),
        (CHOICE, " 甲 ", "a"),
        (TEXT, 1234.0, "1234"),
        (DATE, "  ", None),
    ],
)
def test_converts(column, raw, value):
    assert convert(column, raw) == value


@pytest.mark.parametrize(
    ("column", "raw", "message"),
    [
        (TEXT, "", "必填项为空"),
        (TEXT, "ABCDE", "长度不能超过4个字符"),
        (DATE, 45000.0, "“45000.0”不是有效日期（格式如 2026-03-01）"),
        (INT, 2.5, "“2.5”不是整数"),
        (INT, "inf", "“inf”不是整数"),
        (DEC, "NaN", "“NaN”不是有效数字"),
        (DEC, "Infinity", "“Infinity”不是有效数字"),
        (BOOL, "可能", "“可能”应填“是”或“否”"),
        (CHOICE, 2.0, "“2.0”不在可选值中（1、甲）"),
    ],
)
def test_refuses(column, raw, message):
    with pytest.raises(CellError) as caught:
        convert(column, raw)
    assert str(caught.value) == message
