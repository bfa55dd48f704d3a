"""Playwright driving Debian's Chromium against pytest-django's live server.

``page_as(user)`` hands the test client's session cookie to the browser; tests that are about
logging in use the real login form instead.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from guji.models import User

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("GUJI_SHOTS_DIR", "/tmp/regtest-shots"))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run these")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; allow Django's ORM beside it.
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as pw:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        args = ["--disable-background-networking", "--disable-component-update"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")
        with pw.chromium.launch(executable_path=str(CHROMIUM), args=args) as browser:
            yield browser


@pytest.fixture
def context(browser, live_server):
    # zh-CN, as the city's staff browse: LocaleMiddleware then serves Simplified Chinese.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page_as(context, live_server, client):
    def open_page(user: User):
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        return context.new_page()

    return open_page


@pytest.fixture(scope="session")
def t():
    """The Simplified Chinese a user reads for an English msgid, to locate elements by it."""

    def translate(msgid: str) -> str:
        with translation.override("zh-hans"):
            return gettext(msgid)

    return translate


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
