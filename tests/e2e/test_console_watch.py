"""The console watch that every browser test relies on must itself notice a CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Console, url


def test_an_injected_inline_script_is_refused_and_noticed(
    page: Page, console: Console, transactional_db: None
) -> None:
    page.goto(url("accessibility"))
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => {
                const script = document.createElement('script');
                script.textContent = 'document.body.dataset.injected = "yes"';
                document.head.appendChild(script);
            }"""
        )
    expect(page.locator("body")).not_to_have_attribute("data-injected", "yes")
    with pytest.raises(AssertionError, match="Content Security Policy"):
        console.assert_clean()
    console.messages.clear()  # the violation was the point of this test; the teardown check stays quiet
