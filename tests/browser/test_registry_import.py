"""A prison operator imports a roster through the browser, fixes a bad row, and surveys next year's trainees.

溧阳监狱's operator downloads the template, uploads five people (one with a wrong ID check character), reads
the error table and the error report, uploads the corrected file, then finds the five in the 摸排 for next
year and exports 附件3. The import task runs in the request (ImmediateBackend) once the upload commits.
"""

import io
import re
from datetime import date, datetime

import pytest
import xlsxwriter
from django.utils import timezone
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from skillbridge.policy.loader import get_pack
from skillbridge.registry.idnumbers import CHECK_CHARS, make_id_number, mask_id_number
from skillbridge.registry.models import Episode, Person
from skillbridge.registry.tables import SURVEY_HEADERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "溧阳监狱"
IMPORTER_TITLE = "人员及羁押（矫正）信息"
# Compound surnames: never produced by the demo generator, so each name finds exactly one person.
NAMES = ("欧阳明远", "司马清泉", "上官文博", "诸葛建国", "东方振华")
PACK_NAME = get_pack("changzhou").name
BAD = 1  # index in NAMES of the row with a wrong check character: spreadsheet row 3


@pytest.fixture(autouse=True)
def _import_in_request(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def sheet_rows(content: bytes, index: int = 0) -> list[list]:
    with CalamineWorkbook.from_filelike(io.BytesIO(content)) as book:
        return book.get_sheet_by_index(index).to_python()


def download(page, link) -> tuple[str, bytes]:
    with page.expect_download() as info:
        link.click()
    d = info.value
    with open(d.path(), "rb") as f:
        return d.suggested_filename, f.read()


def roster_people(next_year: int) -> list[dict]:
    """Five inmates of 溧阳监狱 eligible under the Changzhou pack in ``next_year``: released within the next
    24 months (February to June of next year), no skill, able to study, able to work."""
    people = []
    for i, name in enumerate(NAMES):
        birth = date(1980 + i, 3 + i, 10 + i)
        release = date(next_year, 2 + i, 15)
        people.append(
            {
                "姓名": name,
                "身份证号码": make_id_number("320481", birth, 101 + 2 * i),
                "性别": "男",
                "出生日期": birth,
                "民族": "汉族",
                "文化程度": "初中",
                "户籍地": "江苏省常州市溧阳市",
                "人员类别": "服刑人员",
                "是否残疾": "否",
                "是否低收入": "否",
                "所在单位": UNIT,
                "类型": "服刑",
                "罪犯编号/案件编号": f"32048100{next_year}{i + 1:02d}",
                "刑期起日": date(next_year - 6, 1, 10),
                "刑期止日": release,
                "预计释放日期": release,
                "有无劳动能力": "有",
                "有无一技之长": "无",
                "能否正常学习": "是",
                "就业意向": ("烹饪", "电工", "汽车维修", "保洁", "面点")[i],
            }
        )
    return people


def with_wrong_check_char(number: str) -> str:
    return number[:17] + next(c for c in CHECK_CHARS if c != number[17])


def roster_xlsx(headers: list[str], people: list[dict]) -> bytes:
    """A filled-in copy of the template: its header row, then one row per person (no sample row)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("人员")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, person in enumerate(people, start=1):
        for col, header in enumerate(headers):
            value = person.get(header)
            if isinstance(value, date):
                sheet.write_datetime(r, col, datetime(value.year, value.month, value.day), day)
            elif value is not None:
                sheet.write_string(r, col, value)  # ID numbers and codes stay text
    book.close()
    return out.getvalue()


def upload(page, tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    page.locator("input[type=file]").set_input_files(path)
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_load_state("load")


def test_operator_imports_a_roster_fixes_a_bad_row_and_surveys_next_year(demo, demo_mode, session, tmp_path):
    next_year = timezone.localdate().year + 1
    people = roster_people(next_year)
    good_id = people[BAD]["身份证号码"]
    people[BAD]["身份证号码"] = with_wrong_check_char(good_id)

    page = session.login("ly_operator")
    page.get_by_role("link", name="Excel导入").click()
    expect(page.locator("h1")).to_have_text("Excel导入")
    page.get_by_role("link", name=IMPORTER_TITLE).click()
    expect(page.locator("h1")).to_have_text(f"导入：{IMPORTER_TITLE}")
    session.screenshot("registry_import_page")

    filename, template = download(page, page.get_by_role("link", name="下载导入模板"))
    assert filename == f"{IMPORTER_TITLE}_导入模板.xlsx"
    headers = [str(h) for h in sheet_rows(template)[0]]
    assert {"姓名", "身份证号码", "所在单位", "预计释放日期", "有无一技之长", "能否正常学习"} <= set(headers)
    assert set(headers) <= set(people[0]) | {"联系电话", "一技之长"}

    # First upload: one wrong check character, so nothing is written.
    upload(page, tmp_path, "溧阳监狱人员名单.xlsx", roster_xlsx(headers, people))
    expect(page.locator("h1")).to_have_text(f"{IMPORTER_TITLE}：溧阳监狱人员名单.xlsx")
    expect(page.locator("#job-status h2")).to_have_text("状态：校验未通过")
    message = "身份证号码校验位错误（第18位与前17位不符），请核对"
    expect(page.locator("#job-status .alert-danger")).to_have_text(
        f"校验未通过，未写入任何数据。第3行“身份证号码”列：{message}"
    )
    error_rows = page.locator("#job-status tbody tr")
    expect(error_rows).to_have_count(1)
    assert [t.strip() for t in error_rows.locator("td").all_inner_texts()] == ["3", "身份证号码", message]
    session.screenshot("registry_import_invalid")
    assert not Person.objects.filter(name__in=NAMES).exists()

    filename, report = download(page, page.get_by_role("link", name="下载错误报告"))
    assert filename.startswith("导入错误报告_") and filename.endswith(".xlsx")
    assert sheet_rows(report) == [["行号", "列", "错误说明"], [3, "身份证号码", message]]

    # Second upload: the corrected row.
    people[BAD]["身份证号码"] = good_id
    page.get_by_role("link", name="返回导入记录").click()
    page.get_by_role("link", name=IMPORTER_TITLE).click()
    upload(page, tmp_path, "溧阳监狱人员名单（更正）.xlsx", roster_xlsx(headers, people))
    expect(page.locator("#job-status h2")).to_have_text("状态：已完成")
    expect(page.locator("#job-status .alert-success")).to_have_text("导入完成：新增 5 条，更新 0 条")
    expect(page.locator("#job-status p.sb-muted")).to_have_text("数据行 5 · 新增 5 · 更新 0 · 错误 0")
    expect(page.locator("#job-status table")).to_have_count(0)
    session.screenshot("registry_import_done")
    assert Episode.objects.filter(person__name__in=NAMES, unit__name=UNIT).count() == 5

    # Next year's survey of 溧阳监狱 lists all five, ID numbers masked.
    page.get_by_role("link", name="人员信息").click()
    page.get_by_role("link", name="培训对象摸排").click()
    expect(page.locator("h1")).to_have_text("培训对象摸排")
    page.get_by_label("单位", exact=True).select_option(label=UNIT)
    page.get_by_label("摸排年度", exact=True).fill(str(next_year))
    page.get_by_role("button", name="摸排").click()
    expect(page.locator("main p").first).to_contain_text(f"{UNIT} {next_year} 年度：适用《{PACK_NAME}》")
    eligible = page.locator("table").first.locator("tbody tr")
    for person in people:
        row = eligible.filter(has_text=person["姓名"])
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text(mask_id_number(person["身份证号码"]))
        expect(row.locator("td").nth(3)).to_have_text(person["罪犯编号/案件编号"])
        expect(row.locator("td").nth(4)).to_have_text(person["预计释放日期"].isoformat())
        assert person["身份证号码"] not in page.content()
    session.screenshot("registry_survey")

    filename, annex3 = download(
        page, page.get_by_role("link", name="导出附件3《江苏省特殊人群职业技能培训人员信息表》")
    )
    assert filename == f"江苏省特殊人群职业技能培训人员信息表-{UNIT}-{next_year}.xlsx"
    rows = sheet_rows(annex3)
    assert rows[0] == SURVEY_HEADERS
    by_name = {row[1]: row for row in rows[1:]}
    assert set(NAMES) <= set(by_name)
    for person in people:
        row = dict(zip(SURVEY_HEADERS, by_name[person["姓名"]], strict=True))
        assert row["身份证号码"] == mask_id_number(person["身份证号码"])
        assert (row["监狱（戒毒所）"], row["预计释放日期"]) == (UNIT, person["预计释放日期"].isoformat())
        assert (row["有无一技之长"], row["能否正常学习"]) == ("无", "是")

    # One of them in detail: masked, eligible today too (released within 24 months).
    eligible.filter(has_text=NAMES[0]).get_by_role("link", name=NAMES[0]).click()
    expect(page.locator("h1")).to_have_text(NAMES[0])
    expect(page.locator("#id-number")).to_have_text(mask_id_number(people[0]["身份证号码"]))
    verdict = page.locator(".sb-card").filter(has_text="是否为培训对象")
    expect(verdict.locator("p").first).to_have_text(re.compile(r"^符合培训条件，剩余 \d+ 个月$"))
    expect(verdict.locator("p").nth(1)).to_have_text(
        f"依据：{UNIT}适用的《{PACK_NAME}》；{UNIT} · 服刑 · {people[0]['罪犯编号/案件编号']}"
        f"（预计释放日期 {people[0]['预计释放日期']:%Y-%m-%d}）"
    )
    session.screenshot("registry_person_detail")
    assert session.external_requests == []
