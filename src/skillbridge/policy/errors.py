"""Exceptions of the policy app; every message is Chinese because it reaches users and operators."""


class PolicyError(Exception):
    """Base class, so callers can catch every policy failure at once."""


class PackError(PolicyError):
    """A pack file cannot be read or does not validate.

    ``problems`` keeps ``(key_path, message)`` pairs so a caller can show them one per line.
    """

    def __init__(self, file_name: str, problems: list[tuple[str, str]]):
        self.file_name = file_name
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {path or '（根）'}：{message}" for path, message in self.problems)
        super().__init__(f"政策包文件 {file_name} 有误：\n{lines}")


class UnknownPack(PolicyError, LookupError):
    def __init__(self, code: str, known: list[str]):
        self.code = code
        super().__init__(f"未知的政策包「{code}」，现有：{'、'.join(known) or '无'}")


class RuleNotDefined(PolicyError, LookupError):
    """The pack does not state a value the caller cannot do without (e.g. a prepayment ratio)."""

    def __init__(self, pack_code: str, what: str):
        self.pack_code = pack_code
        super().__init__(f"政策包「{pack_code}」未规定{what}")


class CalendarNotCovered(PolicyError):
    """The official calendar has no data for the year: guessing Monday–Friday would be wrong."""

    def __init__(self, year: int, version: str, first: int, last: int):
        self.year = year
        super().__init__(
            f"工作日历未覆盖{year}年，请更新 chinesecalendar 版本"
            f"（当前版本 {version} 仅覆盖 {first}—{last} 年，国务院办公厅发布次年节假日安排后会更新）"
        )
