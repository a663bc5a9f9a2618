"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Test-only settings made here:
- DJANGO_ALLOW_ASYNC_UNSAFE: the Playwright sync API runs an event loop in the main thread, so Django
  would refuse the ORM calls the tests make (arranging data, checking results) while it runs.
- DEMO_MODE = True (fixture `demo_mode`): demo accounts keep their printed password; without it they must
  change it first (tested separately).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
DEMO_PASSWORD = "Skill@2026demo"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"未找到 Chromium：{CHROMIUM} 不存在。浏览器测试使用 Debian 的 chromium 软件包"
            "（apt-get install chromium fonts-noto-cjk），不下载 Playwright 自带的浏览器。",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # launch() always starts Chromium with a fresh, temporary user-data dir (removed on close).
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True


class Session:
    """One browser context (own cookies) on the live server, with requests elsewhere blocked and recorded."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.origin = urlsplit(base_url).netloc
        self.external_requests: list[str] = []
        self.context = browser.new_context(
            locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=base_url
        )
        self.context.set_default_timeout(10_000)
        self.context.route("**/*", self._only_live_server)
        self.page = self.context.new_page()

    def _only_live_server(self, route):
        url = route.request.url
        if urlsplit(url).netloc == self.origin or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            # No internet for the platform: a page that reaches out (e.g. to a CDN) is a defect.
            self.external_requests.append(url)
            route.abort("internetdisconnected")

    def login(self, username: str, password: str = DEMO_PASSWORD):
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_load_state("load")
        return page

    def screenshot(self, name: str):
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser, live_server):
    s = Session(browser, live_server.url)
    yield s
    s.close()


@pytest.fixture
def new_session(browser, live_server):
    """A factory for further sessions (a second user at the same time)."""
    opened = []

    def make():
        opened.append(Session(browser, live_server.url))
        return opened[-1]

    yield make
    for s in opened:
        s.close()
