"""The indicator journeys in a real browser: adopt a template, fill the grid with the keyboard, follow an
indicator's chart, targets and template updates; axe and the CSP console watch on every page.

The people here use the interface in English, so that the texts the tests look for do not depend on the
state of the Finnish and Swedish catalogues."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from indicators.models import Indicator, Observation
from organisations.models import Organisation, Role
from tests.e2e.conftest import check_current_page, check_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user
from tests.indicators.indicator_factories import (
    add_target,
    add_values,
    make_indicator,
    make_template,
    publish_version,
)


def focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def test_adopt_a_template_and_follow_it(page: Page, org_a: Organisation) -> None:
    editor = make_member(
        organisation=org_a, role=Role.EDITOR, user=make_user(name="Eero Editori", language="en")
    )
    make_template(code="statfin-m411", name_fi="Väkiluku", unit="persons", chain_level="context")
    make_template(code="intl-eu-funding", name_fi="EU-rahoitus", unit="€/resident", chain_level="output")
    sign_in(page, editor)

    # From the organisation's home page to its (empty) indicator list.
    page.goto(url("organisation_home", org_a.slug))
    page.locator(f"main a[href='{url('indicators:list', org_a.slug)}']").click()
    expect(page.locator("#empty-heading")).to_be_visible()
    check_current_page(page, "indicators-empty")

    # The library search narrows as one types (htmx), and the URL keeps the query.
    page.locator(f"main a[href='{url('indicators:adopt', org_a.slug)}']").first.click()
    check_current_page(page, "indicators-adopt-search")
    page.locator("#id_q").fill("EU")
    expect(page.locator("#template-results article")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=EU"))
    page.locator("#template-results a[role=button]").click()

    # Adopt with a baseline, the responsible person and a first target; a bad number first.
    expect(page.locator("h1")).to_contain_text("EU-rahoitus")
    check_current_page(page, "indicators-adopt-form")
    page.locator("#id_baseline_value").fill("14,2 €")
    page.locator("#id_baseline_period").fill("2019")
    page.locator("#id_responsible").select_option(label="Eero Editori")
    page.locator("#id_target_value").fill("25")
    page.locator("#id_target_period").fill("2030")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_baseline_value")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_target_value")).to_have_value("25")  # nothing typed is lost
    page.locator("#id_baseline_value").fill("14,2")
    page.locator("main form button[type=submit]").click()

    indicator = Indicator.objects.get(organisation=org_a)
    expect(page).to_have_url(re.compile(rf"/indicators/{indicator.pk}/$"))
    expect(page.locator("#live-region")).to_contain_text("EU-rahoitus")
    assert (indicator.baseline_value, indicator.responsible) == (Decimal("14.2"), editor)

    # Record two values; the chart and its table appear.
    for period, value, status in (("2020", "16,8", "final"), ("2021", "9,5", "preliminary")):
        page.locator(f"main a[href='{url('indicators:value', org_a.slug, indicator.pk)}']").first.click()
        page.locator("#id_period").fill(period)
        page.locator("#id_value").fill(value)
        page.locator("#id_status").select_option(status)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#live-region")).to_contain_text(period)
    expect(page.locator("figure.chart .main-svg").first).to_be_visible()
    expect(page.locator("#trajectory-table tbody tr")).to_have_count(12)  # 2019-2030
    expect(page.locator(".chart-canvas .scatterlayer .trace")).to_have_count(6)
    page.locator("details.how-computed summary").click()
    expect(page.locator("details.how-computed")).to_contain_text("least-squares")
    check_current_page(page, "indicator-detail")

    # Revise the target: the reason is required, the old target stays in the history.
    page.locator(f"main a[href='{url('indicators:targets', org_a.slug, indicator.pk)}']").first.click()
    page.locator("#id_period").fill("2030")
    page.locator("#id_value").fill("28")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_reason")).to_have_attribute("aria-invalid", "true")
    check_current_page(page, "indicator-targets-error")
    page.locator("#id_reason").fill("Uusi ohjelmakausi")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main table tbody tr")).to_have_count(2)

    # The list: status in colour and words, filters by htmx, in the URL.
    page.goto(url("indicators:list", org_a.slug))
    expect(page.locator(".indicator-table tbody tr")).to_have_count(1)
    check_current_page(page, "indicators-list")
    page.locator("#filter-status").select_option("context")
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"status=context"))
    expect(page.locator("#indicator-table")).to_contain_text("No indicator matches")


def test_fill_the_grid_with_the_keyboard(page: Page, org_a: Organisation) -> None:
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    population = make_indicator(organisation=org_a, name="Väkiluku", unit="persons")
    add_values(population, {2019: 61840})
    projects = make_indicator(organisation=org_a, name="Hankkeet", unit="projects")
    sign_in(page, editor)
    this_year = dt.date.today().year  # noqa: DTZ011  (the grid's default columns follow the server's date)
    first = this_year - 7

    page.goto(url("indicators:grid", org_a.slug))
    check_current_page(page, "indicators-grid")
    # Hankkeet comes first (Finnish order), Väkiluku below it.
    page.locator(f"#v-{projects.pk}-{first}").focus()
    page.keyboard.type("7")
    page.keyboard.press("Tab")  # right
    assert focused_id(page) == f"v-{projects.pk}-{first + 1}"
    page.keyboard.type("8")
    page.keyboard.press("Enter")  # down, and never a submit
    assert focused_id(page) == f"v-{population.pk}-{first + 1}"
    page.keyboard.type("1.234,5")  # refused: a point and a comma
    page.keyboard.press("ArrowUp")
    assert focused_id(page) == f"v-{projects.pk}-{first + 1}"
    page.keyboard.press("ArrowLeft")  # the whole text is selected on entering, so the arrow moves on
    assert focused_id(page) == f"v-{projects.pk}-{first}"
    # The cell just left checked itself.
    expect(page.locator(f"#err-{population.pk}-{first + 1}")).to_contain_text("mixes a comma and a point")
    expect(page.locator(f"#v-{population.pk}-{first + 1}")).to_have_attribute("aria-invalid", "true")
    assert Observation.objects.count() == 1

    # One save: the bad cell keeps all of it unsaved, and everything typed is still there.
    page.locator("#grid-save").click()
    wait_for_htmx(page)
    expect(page.locator("#live-region")).to_contain_text("Nothing was saved")
    expect(page.locator(f"#v-{projects.pk}-{first}")).to_have_value("7")
    assert focused_id(page) == "grid-save"  # focus stays on the control used
    assert Observation.objects.count() == 1
    check_current_page(page, "indicators-grid-errors")

    page.locator(f"#v-{population.pk}-{first + 1}").fill("61 910")
    page.keyboard.press("Tab")
    page.locator("#grid-save").click()
    wait_for_htmx(page)
    expect(page.locator("#live-region")).to_contain_text("3 new")
    values = {(o.indicator_id, o.period.year): o.value for o in Observation.objects.all()}
    assert values[(projects.pk, first)] == 7
    assert values[(projects.pk, first + 1)] == 8
    assert values[(population.pk, first + 1)] == 61910


def test_a_template_update_is_shown_and_accepted(page: Page, org_a: Organisation) -> None:
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    template = make_template(
        code="intl-active-projects", name_fi="Kansainväliset hankkeet", data_lag_months=3
    )
    indicator = make_indicator(organisation=org_a, template=template, baseline=(2019, 9))
    add_values(indicator, {2019: 9, 2020: 10, 2021: 7, 2022: 8, 2023: 12, 2024: 14})
    add_target(indicator, 2030, 14)
    publish_version(template, change_note="Julkaisuviive on kuusi kuukautta", data_lag_months=6)
    sign_in(page, editor)

    page.goto(url("indicators:list", org_a.slug))
    expect(page.locator(".badge-update")).to_be_visible()
    page.locator(".indicator-table a").first.click()
    expect(page.locator(".template-update")).to_contain_text("Julkaisuviive on kuusi kuukautta")
    expect(page.locator(".template-update table tbody tr")).to_have_count(1)
    check_current_page(page, "indicator-template-update")
    page.locator(".template-update button[value=accept]").click()
    expect(page.locator(".template-update")).to_have_count(0)
    indicator.refresh_from_db()
    assert (indicator.template_version, indicator.data_lag_months) == (2, 6)

    # The remaining editing pages pass axe too.
    check_page(page, url("indicators:edit", org_a.slug, indicator.pk), "indicator-edit")
    check_page(page, url("indicators:create", org_a.slug), "indicator-create")
    check_page(page, url("indicators:value", org_a.slug, indicator.pk) + "?period=2024", "indicator-value")


def test_a_viewer_reads_the_indicator_page(page: Page, org_a: Organisation) -> None:
    viewer = make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="en"))
    indicator = make_indicator(
        organisation=org_a, name="Kasvihuonekaasupäästöt", direction="lower", baseline=(2019, "6.1")
    )
    add_values(indicator, {2019: "6.1", 2020: "5.6", 2021: "5.7", 2022: "5.2", 2023: "4.8"})
    add_values(indicator, {2024: "4.5"}, status="preliminary")
    add_target(indicator, 2025, "4.3")
    add_target(indicator, 2030, "3.05")
    sign_in(page, viewer)
    page.goto(url("indicators:detail", org_a.slug, indicator.pk))
    expect(page.locator("figure.chart .main-svg").first).to_be_visible()
    expect(page.locator(".page-actions")).to_have_count(0)
    check_current_page(page, "indicator-detail-viewer")
