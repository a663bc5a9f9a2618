"""The main pages by role, each rendered in the browser and saved as a full-page screenshot."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def texts(locator) -> list[str]:
    return [text.strip() for text in locator.all_inner_texts()]


def row_of(page, first_cell: str):
    row = page.locator("tbody tr").filter(has=page.locator("td:first-child", has_text=first_cell))
    expect(row).to_have_count(1)
    return texts(row.locator("td"))


def test_policy_pack_page(demo, demo_mode, session):
    page = session.login("ly_operator")
    page.get_by_role("link", name="政策参数").click()
    expect(page.locator("h1")).to_have_text("政策参数")
    page.goto("/policy/changzhou/")
    expect(page.locator("h1")).to_have_text("常州市特殊人群职业技能培训及评价 版本 2022.1")
    expect(page.get_by_role("heading", name="审核流程", exact=True)).to_be_visible()
    steps = page.locator("h3", has_text="年度培训计划").locator("xpath=following-sibling::ol[1]/li")
    assert [step.split("（")[0] for step in texts(steps)] == [
        "牵头监狱汇总",
        "省监狱管理局审核确认备案",
        "市人社局核准",
    ]
    session.screenshot("policy_pack_changzhou")


def test_organisations_page_shows_the_city_hrss_scope(demo, demo_mode, session):
    page = session.login("cz_hrss_reviewer")
    page.get_by_role("link", name="组织机构").click()
    expect(page).to_have_url(f"{session.base_url}/organisations/")
    expect(page.locator("h1")).to_have_text("组织机构")
    # Its own organisation and the units located in Changzhou, by region code.
    assert texts(page.locator("tbody tr td:first-child")) == [
        "常州市人力资源和社会保障局",
        "常州监狱",
        "新康监狱",
        "溧阳监狱",
    ]
    # Only the system administrator manages organisations.
    expect(page.get_by_role("link", name="新增", exact=True)).to_have_count(0)
    assert row_of(page, "常州监狱") == [
        "常州监狱",
        "监狱",
        "320404",
        "江苏省监狱管理局",
        "是",
        "常州市特殊人群职业技能培训及评价",
        "启用",
    ]
    session.screenshot("organisations_cz_hrss")


def test_users_page_for_the_system_admin(demo, demo_mode, session):
    page = session.login("sysadmin")
    expect(page.locator("h1")).to_have_text("用户管理")
    expect(page.get_by_role("link", name="新增用户")).to_be_visible()
    assert row_of(page, "ly_operator") == [
        "ly_operator",
        "溧阳监狱教育科经办",
        "溧阳监狱",
        "经办",
        "—",
        "启用",
    ]
    session.screenshot("users_sysadmin")


def test_security_page_shows_and_unlocks_a_locked_account(demo, demo_mode, settings, session, new_session):
    # The production hasher first, so the page shows what production runs (MD5 still verifies fixtures).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    intruder = new_session()
    for _ in range(5):
        intruder.login("ly_operator", "Wrong@2026pass")
    expect(intruder.page.locator("h1")).to_have_text("账号已被临时锁定")

    page = session.login("secadmin")
    expect(page).to_have_url(f"{session.base_url}/security/")
    expect(page.locator("h1")).to_have_text("安全设置")
    assert row_of(page, "连续登录失败锁定次数") == [
        "连续登录失败锁定次数",
        "5 次",
        "SKILLBRIDGE_LOCKOUT_FAILURES",
    ]
    assert row_of(page, "锁定时长") == ["锁定时长", "30 分钟", "SKILLBRIDGE_LOCKOUT_MINUTES"]
    assert row_of(page, "密码存储算法") == ["密码存储算法", "Argon2", "—"]
    locked = row_of(page, "ly_operator")
    assert locked[:3] == ["ly_operator", "127.0.0.1", "5"]
    session.screenshot("security_secadmin")

    page.locator("tbody tr", has_text="ly_operator").get_by_role("button", name="解锁").click()
    expect(page.get_by_role("alert")).to_have_text("已解锁账号“ly_operator”。")
    expect(page.get_by_role("cell", name="当前没有被锁定的账号")).to_be_visible()
    intruder.login("ly_operator")
    expect(intruder.page.locator("h1")).to_have_text("待办事项")


def test_api_docs_render_without_internet(demo, demo_mode, session):
    # Every request outside the live server is aborted and recorded by the session (no CDN allowed).
    page = session.page
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request.url.removeprefix(session.base_url)))
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("特殊人群职业技能培训及评价管理平台 API")
    expect(page.locator(".swagger-ui .opblock-tag").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert session.external_requests == []
    assert "/static/ninja/swagger-ui-bundle.js" in loaded
    session.screenshot("api_docs")
