"""The contract between the import machinery (this app) and each domain's importer.

An importer declares its columns (the template's exact headers) and validates and writes rows in
batches. The machinery guards the upload, reads it with python-calamine, converts each cell to the
column's kind, collects per-row errors (row, column, Chinese message), and writes nothing unless the
whole file is valid. The sheet is read once: pass 1 converts and validates every row and keeps each
valid batch in the importer's compact staging form (`Importer.stage`); pass 2 writes the staged batches
inside one transaction, without reading or converting the file again.

On PostgreSQL pass 2 may run alongside pass 1 (`services._Writer`): ``write`` and ``finish`` are then called
on another thread, with a database connection of its own, while ``validate`` and ``stage`` go on with the
next batches. So ``write`` must use only what ``stage`` put in its batch, what ``prepare`` loaded, and
state of its own (not what ``validate`` keeps updating), and ``validate`` must catch rows repeated within
the file itself: its reads do not see the rows written so far, which are not committed yet.
"""

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal, NamedTuple

Kind = Literal["text", "date", "int", "decimal", "bool", "choice"]
TRUE_WORDS = {"是", "有", "Y", "y", "yes", "true", "1", "√"}
FALSE_WORDS = {"否", "无", "N", "n", "no", "false", "0", "×", ""}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    kind: Kind = "text"
    choices: Mapping[str, str] | None = None  # cell label (Chinese) → stored code
    max_length: int | None = None
    sample: str = ""
    help: str = ""


@dataclass
class RowErrors:
    """Errors found in a file; capped so a wholly wrong file cannot exhaust memory."""

    limit: int = 5000
    items: list[tuple[int, str, str]] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, header: str, message: str) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append((row, header, message))

    def __bool__(self) -> bool:
        return self.total > 0


class Row(NamedTuple):  # a named tuple: cheap to make 100,000 times
    number: int  # the spreadsheet row number as the user sees it (header is row 1)
    values: dict[str, Any] | None
    # Set instead of ``values`` for a row the importer's ``fast_path`` took whole (see there).
    staged: Any = None


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; the message is shown to the user."""


def convert(column: Column, raw: Any) -> Any:
    """Turn a calamine cell value into the column's Python value (None for an empty cell)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if column.required:
            raise CellError("必填项为空")
        return None
    if column.kind == "text":
        text = (str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)).strip()
        if column.max_length and len(text) > column.max_length:
            raise CellError(f"长度不能超过{column.max_length}个字符")
        return text
    if column.kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        text = str(raw).strip().replace("/", "-").replace(".", "-")
        for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise CellError(f"“{raw}”不是有效日期（格式如 2026-03-01）")
    if column.kind == "int":
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise CellError(f"“{raw}”不是整数") from None
        if not value.is_finite() or value != value.to_integral_value():
            raise CellError(f"“{raw}”不是整数")
        return int(value)
    if column.kind == "decimal":
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise CellError(f"“{raw}”不是有效数字") from None
        if not value.is_finite():  # "NaN", "Infinity"
            raise CellError(f"“{raw}”不是有效数字")
        return value
    if column.kind == "bool":
        if isinstance(raw, bool):  # a real TRUE/FALSE cell
            return raw
        text = str(int(raw)) if isinstance(raw, float) else str(raw).strip()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise CellError(f"“{raw}”应填“是”或“否”")
    if column.kind == "choice":
        text = (str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)).strip()
        if text in column.choices:
            return column.choices[text]
        raise CellError(f"“{raw}”不在可选值中（{'、'.join(column.choices)}）")
    raise AssertionError(column.kind)


_NON_BLANK_FALSE_WORDS = FALSE_WORDS - {""}


def compile_converter(column: Column) -> Callable[[Any], Any]:
    """``convert`` specialised for one column: the common cell (a non-blank string, or a date for a date
    column) is converted inline; anything else goes through ``convert``, so the values and the
    messages are exactly ``convert``'s."""
    kind = column.kind
    if kind == "text":
        limit = column.max_length

        def text(raw):
            if type(raw) is str:
                value = raw.strip()
                if value and (limit is None or len(value) <= limit):
                    return value
            return convert(column, raw)

        return text
    if kind == "date":

        def date(raw):
            if type(raw) is dt.date:
                return raw
            return convert(column, raw)

        return date
    if kind == "choice":
        choices = dict(column.choices or {})
        choices.pop("", None)  # an empty cell is "blank", never a choice

        def choice(raw):
            if type(raw) is str:
                code = choices.get(raw)
                if code is not None:
                    return code
            return convert(column, raw)

        return choice
    if kind == "bool":

        def boolean(raw):
            if type(raw) is str:
                if raw in TRUE_WORDS:
                    return True
                if raw in _NON_BLANK_FALSE_WORDS:
                    return False
            return convert(column, raw)

        return boolean
    return lambda raw: convert(column, raw)


class Importer(ABC):
    """One kind of import (registered in `imports.registry`). Instances live for one job."""

    key: ClassVar[str]  # e.g. "registry.people"
    title: ClassVar[str]  # e.g. "人员及羁押信息"
    columns: ClassVar[tuple[Column, ...]]
    batch_size: ClassVar[int] = 2000
    result_url_name: ClassVar[str | None] = None  # the list page showing what an import wrote

    def __init__(self, user):
        self.user = user

    @abstractmethod
    def check_permission(self) -> None:
        """Raise `skillbridge.errors.Forbidden` if the user may not run this import."""

    def prepare(self) -> None:  # noqa: B027 — optional hook
        """Load lookups once (e.g. the units in the user's scope, known occupation codes)."""

    def fast_path(self, mapping: list[tuple[int, Column]]) -> Callable[[list], Any] | None:
        """Optional, for large files: given where each column is (cell index, column), a function that turns
        one row's raw cells straight into its staged form when every cell is plainly valid on its own, and
        returns None for anything else. A row it returns None for goes the generic way (``convert``, then
        ``validate``, then ``stage``), which gives the exact messages; so the function may decline whatever
        it does not want to handle, but must never accept a row that the generic way would reject on its
        own cells, nor stage it differently. Rows it accepts reach ``validate`` as
        ``Row(number, values=None, staged=...)``: ``validate`` still does the checks across rows (duplicates
        in the file, the database) for them, and ``stage`` passes them through."""
        return None

    @abstractmethod
    def validate(self, rows: list[Row], errors: RowErrors) -> None:
        """Check a batch of converted rows (bulk DB lookups, rules, duplicates within the file and
        against the database) and `errors.add(row.number, column.header, message)` for each problem."""

    def stage(self, rows: list[Row]) -> list:
        """The compact form in which a validated batch is kept until pass 2 (by default the rows
        themselves). An importer may return, for example, one tuple per row of exactly what it writes,
        so that pass 2 needs neither the file nor the converted cells again."""
        return rows

    @abstractmethod
    def write(self, rows: list) -> tuple[int, int]:
        """Write a batch of valid rows, as ``stage`` returned it (bulk create/update; the same file
        imported twice updates, never duplicates). Runs inside the import's single transaction.
        Returns (created, updated)."""

    def flush(self) -> None:  # noqa: B027 — optional hook
        """Pass 2 alongside pass 1 only: called (inside the transaction) whenever every batch handed over so
        far has been written and the writer would wait for the next. An importer that collects rows in
        ``write`` to insert them in bulk sends what it has now, so the server inserts while pass 1 reads on;
        when it is behind, several batches go in one statement."""

    def finish(self) -> None:  # noqa: B027 — optional hook
        """After the last ``write``, in the same transaction: set-based work over everything written (e.g.
        one duplicate probe for all the rows instead of one per batch)."""

    def audit_summary(self) -> dict:
        """Extra fields for the job's audit event."""
        return {}
