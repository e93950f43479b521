"""The national comparison in a real browser: a member of a sharing organisation compares it with peers."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from organisations.models import Organisation, Region, Role
from tests.e2e.conftest import check_current_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_organisation, make_user
from tests.indicators.indicator_factories import add_values, make_indicator, make_template


def test_a_member_compares_the_organisation_with_peers_of_its_region(
    page: Page, org_a: Organisation, region: Region
) -> None:
    other_region = Region.objects.create(code="98", name_fi="Tunturi-Aapa")
    Organisation.objects.filter(pk=org_a.pk).update(shares_indicator_data=True)
    near = make_organisation(name="Naapurila", region=region, population=9000, shares_indicator_data=True)
    far = make_organisation(name="Kaukola", region=other_region, population=40000, shares_indicator_data=True)
    hidden = make_organisation(name="Piilola", region=region, population=5000)  # does not share
    projects = make_template(code="projects", name_fi="Hankkeet", name_en="Projects", unit="projects")
    stays = make_template(
        code="stays", name_fi="Yöpymiset", name_en="Overnight stays", unit="overnight stays", per_capita=True
    )
    rows: list[tuple[Organisation, dict[int, float | str | None], dict[int, float | str | None]]] = [
        (org_a, {2023: 6, 2024: 8}, {2024: 24690}),  # 2,000 per 1,000 residents
        (near, {2023: 3, 2024: 4}, {2024: 9000}),  # 1,000
        (far, {2023: 12, 2024: 15}, {2024: 120000}),  # 3,000
        (hidden, {2024: 77777}, {2024: 77777}),
    ]
    for organisation, project_values, stay_values in rows:
        add_values(make_indicator(organisation=organisation, template=projects), project_values)
        add_values(make_indicator(organisation=organisation, template=stays), stay_values)
    viewer = make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="en"))

    sign_in(page, viewer)
    page.get_by_role("link", name="National comparison").click()
    expect(page).to_have_url(re.compile(re.escape(url("national:comparison")) + "$"))
    expect(page.locator("h1")).to_have_text("National comparison")
    check_current_page(page, "national-default")

    # Choose a template: the results change in place and the address follows.
    page.get_by_label("Indicator").select_option("stays")
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"template=stays"))
    expect(page.locator("#live-region")).to_contain_text("3 organisations compared")
    ranking = page.locator("#ranking-table tbody")
    expect(ranking.locator("tr")).to_have_count(3)
    expect(ranking.locator("tr").nth(0)).to_contain_text("Kaukola")
    expect(ranking.locator("tr.own")).to_contain_text("Aakkosla")
    expect(ranking.locator("tr.own")).to_contain_text("2,000.00")
    # Both charts of the swapped-in fragment are drawn (their JSON survives htmx in a <template>).
    expect(page.locator("figure.chart-distribution")).to_have_attribute(
        "data-drawn", "chart-national-distribution"
    )
    expect(page.locator("figure[data-drawn='chart-national-trend'] .main-svg").first).to_be_visible()

    # Peers of the same region: Kaukola leaves, the hidden organisation never comes.
    page.get_by_label("the same region").check()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"peers=region"))
    expect(page.locator("#live-region")).to_contain_text("2 organisations compared")
    expect(ranking.locator("tr")).to_have_count(2)
    expect(page.locator("#national-results")).to_contain_text("organisations of the region Järvi-Pohjola")
    expect(page.locator("#national-results")).not_to_contain_text("Kaukola")
    expect(page.locator("main")).not_to_contain_text("Piilola")
    expect(page.locator("main")).not_to_contain_text("77777")
    expect(page.locator("main")).not_to_contain_text("77,777")
    check_current_page(page, "national-region")

    # The address holds the filters: a reload shows the same comparison.
    page.reload()
    expect(page.get_by_label("the same region")).to_be_checked()
    expect(page.locator("#ranking-table tbody tr")).to_have_count(2)


def test_a_steward_sees_the_national_view_without_an_own_organisation(
    page: Page, association: Organisation, org_a: Organisation
) -> None:
    Organisation.objects.filter(pk=org_a.pk).update(shares_indicator_data=True)
    template = make_template(code="projects", name_fi="Hankkeet", name_en="Projects", unit="projects")
    add_values(make_indicator(organisation=org_a, template=template), {2023: 6, 2024: 8})
    steward = make_member(organisation=association, role=Role.STEWARD, user=make_user(language="en"))
    sign_in(page, steward)
    page.get_by_role("link", name="National comparison").click()
    expect(page.locator("#ranking-table tbody tr")).to_have_count(1)
    expect(page.locator("#ranking-table")).not_to_contain_text("your organisation")
    expect(page.get_by_label("the same region")).to_have_count(0)
    check_current_page(page, "national-steward")
