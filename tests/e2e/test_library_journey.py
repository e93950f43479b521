"""The shared indicator library in a real browser: a steward curates a template; a coordinator finds it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from indicators.library import load_indicator_library
from indicators.models import IndicatorTemplate
from organisations.models import Organisation, Role
from tests.e2e.conftest import check_current_page, check_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user


def test_steward_creates_publishes_and_revises_a_template(page: Page, association: Organisation) -> None:
    load_indicator_library()
    steward = make_member(organisation=association, role=Role.STEWARD, user=make_user(language="en"))
    sign_in(page, steward)
    page.get_by_role("link", name="Indicator library").click()
    expect(page).to_have_url(re.compile(re.escape(url("library:list")) + "$"))
    check_current_page(page, "library-list-steward")

    page.get_by_role("button", name="New template", exact=True).click()
    check_current_page(page, "library-create")
    page.locator("#id_code").fill("intl-twin-town-visits")
    page.locator("#id_name_fi").fill("Ystävyyskuntavierailut")
    page.locator("#id_name_en").fill("Twin-town visits")
    page.locator("#id_unit").fill("visits")
    page.locator("#id_chain_level").select_option("output")
    page.locator("#id_source").select_option("sotkanet")
    page.locator("#id_source_code").fill("not a number")

    # The SDG search field arrives by htmx; the targets it finds can be ticked, and stay ticked.
    search = page.locator("#sdg-search")
    search.fill("17.17")
    wait_for_htmx(page)
    expect(page.locator("#sdg-picker")).to_contain_text("1 more target matches")
    page.get_by_role("checkbox", name=re.compile(r"^17\.17 ")).check()
    search.fill("tourism")
    wait_for_htmx(page)
    expect(page.get_by_role("checkbox", name=re.compile(r"^17\.17 "))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile(r"^8\.9 "))).not_to_be_checked()
    search.press("Enter")  # runs the search, does not submit the template form
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(re.escape(url("library:create")) + "$"))

    page.get_by_role("button", name="Save the draft").click()
    # A Sotkanet source needs a numeric id: the form says so and keeps everything typed.
    expect(page.locator("#id_source_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_name_en")).to_have_value("Twin-town visits")
    expect(page.get_by_role("checkbox", name=re.compile(r"^17\.17 "))).to_be_checked()
    page.locator("#id_source").select_option("manual")
    page.get_by_role("button", name="Save the draft").click()

    expect(page).to_have_url(re.compile(re.escape(url("library:detail", "intl-twin-town-visits")) + "$"))
    expect(page.locator("#live-region")).to_contain_text("was saved")
    expect(page.locator("h1")).to_have_text("Twin-town visits")
    check_current_page(page, "library-draft-detail")

    page.get_by_role("button", name="Publish", exact=True).click()
    check_current_page(page, "library-publish-first")
    page.locator("#id_change_note").fill("First version for the twin-town network")
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.locator("#live-region")).to_contain_text("Version 1 is published")

    # Edit the working copy, then publish version 2: the page shows the difference and the note.
    page.get_by_role("button", name="Edit", exact=True).click()
    page.locator("#id_unit").fill("partnerships")
    page.get_by_role("button", name="Save the working copy").click()
    expect(page.locator("#live-region")).to_contain_text("Organisations see version 1")
    check_current_page(page, "library-working-copy")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("table")).to_contain_text("partnerships")
    page.locator("#id_change_note").fill("Count partnerships, not single visits")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_role("heading", name="Version 2")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Count partnerships, not single visits")
    check_current_page(page, "library-detail-versions")

    template = IndicatorTemplate.objects.get(code="intl-twin-town-visits")
    assert template.published_version == 2
    assert list(template.sdg_targets.values_list("code", flat=True)) == ["17.17"]

    # Retire, after a confirmation page.
    page.get_by_role("button", name="Retire", exact=True).click()
    check_current_page(page, "library-retire")
    page.get_by_role("button", name="Retire the template").click()
    expect(page).to_have_url(re.compile(re.escape(url("library:list")) + "$"))
    expect(page.locator("#live-region")).to_contain_text("was retired")


def test_coordinator_filters_the_library_and_opens_a_template(page: Page, org_a: Organisation) -> None:
    load_indicator_library()
    coordinator = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    sign_in(page, coordinator)
    check_page(page, url("library:list"), "library-list")
    results = page.locator("#library-results")
    expect(results.locator("h2")).to_have_text("49 templates")
    expect(page.get_by_role("button", name="New template", exact=True)).to_have_count(0)

    # Filters update the results in place and keep themselves in the address.
    page.get_by_label("Chain level").select_option("impact")
    wait_for_htmx(page)
    expect(results.locator("h2")).to_have_text("3 templates")
    expect(page).to_have_url(re.compile(r"chain_level=impact"))
    expect(page.locator("#live-region")).to_contain_text("3 templates found")
    page.get_by_label(re.compile("^Search names")).fill("emissions")
    wait_for_htmx(page)
    expect(results.locator("h2")).to_have_text("1 template")
    expect(page).to_have_url(re.compile(r"q=emissions"))
    expect(page.get_by_label(re.compile("^Search names"))).to_be_focused()
    check_current_page(page, "library-list-filtered")

    # The address keeps the filters: opening it afresh shows the same results.
    page.reload()
    expect(results.locator("h2")).to_have_text("1 template")

    results.get_by_role("link", name="Greenhouse gas emissions per resident").click()
    expect(page.locator("h1")).to_have_text("Greenhouse gas emissions per resident")
    expect(page.locator("main")).to_contain_text("13.2")
    adopt = page.get_by_role("link", name=re.compile("^Adopt for"))
    expect(adopt).to_have_attribute("href", re.compile(r"\?template=intl-ghg-emissions-per-resident$"))
    check_current_page(page, "library-detail")

    page.go_back()
    expect(results.locator("h2")).to_have_text("1 template")
