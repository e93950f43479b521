"""Browser tests: pytest-playwright drives the system Chromium against pytest-django's live_server.

One browser and one live server serve the whole run; each test gets a fresh browser context (cookies)
and a flushed database (the live server runs in another thread, so tests use transactional_db).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from organisations.models import Organisation, Region, User
from tests.factories import PASSWORD, make_organisation

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")  # noqa: S108  (for a person to look at; outside the repository on purpose)
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 812}
WIDTHS: dict[str, ViewportSize] = {"desktop": DESKTOP, "phone": PHONE}
AXE_OPTIONS = {
    # The four tags are not cumulative: each names only the rules new at that level and version.
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
_axe = Axe()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests `e2e` and run them after all others (see allow_async_unsafe)."""
    here = Path(__file__).parent
    browser_tests = [item for item in items if here in item.path.parents]
    for item in browser_tests:
        item.add_marker(pytest.mark.e2e)
    chosen = set(browser_tests)
    items[:] = [item for item in items if item not in chosen] + browser_tests


@pytest.fixture(scope="session", autouse=True)
def allow_async_unsafe() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in the test thread from its start to the end
    of the session; the ORM calls the tests make there are synchronous and safe, so Django's guard
    against async contexts is switched off. Only from the first browser test on (they run last): set
    at import, the variable would leak into every other test, and into the environment of the
    subprocesses some of them start (`check --deploy` rightly fails on it)."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (never a downloaded Playwright build)."""
    if not CHROMIUM.exists():
        message = (
            f"No Chromium at {CHROMIUM}: install the Debian package `chromium` (apt-get install chromium)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # in CI a missing browser must not pass silently as skips
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: Any) -> dict[str, Any]:
    # An English browser: the product must still answer in Finnish until the person chooses otherwise.
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": DESKTOP,
        "locale": "en-US",
    }


@dataclass
class Console:
    """What the browser reported: console messages and uncaught page errors, with the page's URL."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", lambda msg: self.messages.append(f"[{msg.type}] {msg.text} at {page.url}"))
        page.on("pageerror", lambda error: self.errors.append(f"{error} at {page.url}"))
        # No page of the product opens alert/confirm/prompt: one that appears is injected script
        # (QUALITY "rich text": no dialog fires). Dismissed so the test goes on and then fails.
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"[{dialog.type}] {dialog.message}")
        dialog.dismiss()

    def csp_messages(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "Refused to" in m]

    def assert_clean(self) -> None:
        problems = self.csp_messages() + self.errors + [f"dialog {d}" for d in self.dialogs]
        assert not problems, "The browser reported:\n" + "\n".join(problems)


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(page: Page, console: Console) -> Iterator[Page]:
    """pytest-playwright's page, watched: every test ends with no CSP message and no page error."""
    console.watch(page)
    yield page
    console.assert_clean()


# --- data ---------------------------------------------------------------------------------------


@pytest.fixture
def region(transactional_db: None) -> Region:
    return Region.objects.create(code="99", name_fi="Järvi-Pohjola", name_sv="Sjö-Norrbotten")


@pytest.fixture
def org_a(region: Region) -> Organisation:
    return make_organisation(
        name="Aakkosla", slug="aakkosla", code="990", region=region, population=12345, name_sv="Abckby"
    )


@pytest.fixture
def org_b(region: Region) -> Organisation:
    return make_organisation(name="Beetala", slug="beetala", code="991", region=region)


@pytest.fixture
def association(transactional_db: None) -> Organisation:
    return make_organisation(
        name="Suomen Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto"
    )


# --- helpers ------------------------------------------------------------------------------------


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def sign_in(page: Page, user: User, password: str = PASSWORD) -> None:
    page.goto(url("login"))
    page.locator("#id_login").fill(user.username)
    page.locator("#id_password").fill(password)
    # The password form (the page may also hold one button per organisation's identity service).
    page.locator(f"main form[action='{url('login')}'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))


def user_menu(page: Page) -> Any:
    return page.locator("header details.dropdown").filter(has=page.locator(f"form[action='{url('logout')}']"))


def organisation_menu(page: Page) -> Any:
    return page.locator("header details.dropdown").filter(
        has_not=page.locator(f"form[action='{url('logout')}']")
    )


def sign_out(page: Page) -> None:
    menu = user_menu(page)
    menu.locator("summary").click()
    menu.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("login")) + r"$"))


def wait_for_htmx(page: Page) -> None:
    """Wait until htmx has finished: no element still requesting, swapping or settling."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)


def assert_accessible(page: Page, label: str) -> None:
    results = _axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{label} ({page.url}):\n{results.generate_report()}"


def assert_no_sideways_scroll(page: Page, label: str) -> None:
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest('.table-wrap'))
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                           + (el.className && typeof el.className === 'string' ? '.' + el.className : ''));
            return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
        }"""
    )
    assert overflow["scroll"] <= overflow["width"], f"{label} scrolls sideways ({page.url}): {overflow}"


def check_page(page: Page, path: str, label: str, *, status: int = 200) -> None:
    """Open a page and check it at desktop and phone widths: axe, no sideways scroll, screenshots."""
    response = page.goto(path)
    assert response is not None and response.status == status, f"{label}: {path} answered {response}"
    check_current_page(page, label)


def check_current_page(page: Page, label: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width_name, size in WIDTHS.items():
        page.set_viewport_size(size)
        assert_accessible(page, f"{label} at {width_name} width")
        if width_name == "phone":
            assert_no_sideways_scroll(page, label)
        page.screenshot(path=SHOTS / f"{label}-{width_name}.png", full_page=True)
    page.set_viewport_size(DESKTOP)
