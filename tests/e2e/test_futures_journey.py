"""Foresight in a real browser: build a futures table, write a story from it, add its implications for
the goals, read the robustness view; the library of megatrends and national stories. axe-core on every
futures page at desktop and phone widths, and no CSP message (the console watch of the `page` fixture)."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from futures.models import FutureStory, Implication, Megatrend, WeakSignal
from organisations.models import Organisation, Role
from tests.e2e.conftest import check_current_page, check_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user
from tests.futures.factories import make_driver, make_indicator, make_megatrend, make_story, record
from tests.goals.factories import make_goal, make_strategy


def _live(page: Page) -> object:
    return expect(page.locator("#live-region"))


def test_table_story_implications_and_robustness(
    page: Page, org_a: Organisation, association: Organisation
) -> None:
    editor = make_member(organisation=org_a, user=make_user(language="en"), role=Role.EDITOR)
    strategy = make_strategy(organisation=org_a, name="Aakkosla 2030", status="approved")
    vitality = make_goal(strategy=strategy, title="Vital business life", code="SG1")
    talent = make_goal(strategy=strategy, title="Talent stays", code="SG2")
    megatrend = make_megatrend(name_fi="Tekoäly mullistaa yhteiskunnan perustaa", number=4)
    make_driver(organisation=org_a, name="AI in services", megatrend=megatrend)
    indicator = make_indicator(organisation=org_a, name="Employment rate of foreign-language speakers")
    record(indicator, 2024, "56")
    sign_in(page, editor)

    # The organisation's home page leads to the foresight pages.
    page.goto(url("organisation_home", "aakkosla"))
    page.locator(f"main a[href='{url('futures:index', 'aakkosla')}']").click()
    expect(page.locator("main h1")).to_have_text("Future stories")
    check_current_page(page, "futures-empty-story-list")

    # 1. Build a futures table.
    page.goto(url("futures:table_list", "aakkosla"))
    check_current_page(page, "futures-table-list-empty")
    page.locator("#id_new-name").fill("Aakkosla 2035")
    page.locator("#add-table").click()
    expect(page.locator("main h1")).to_have_text("Aakkosla 2035")
    check_current_page(page, "futures-table-empty")
    for variable, values in [("EU funding", ["Grows", "Shrinks"]), ("Talent", ["Stays", "Leaves"])]:
        page.locator("#id_variable-name").fill(variable)
        page.locator("#add-variable").click()
        wait_for_htmx(page)
        _live(page).to_contain_text(f"The variable “{variable}” was added")  # type: ignore[attr-defined]
        editor_box = page.locator("fieldset.variable-editor", has=page.locator("legend", has_text=variable))
        for value in values:
            editor_box.locator("input[name^='new-value-']").fill(value)
            editor_box.locator("button[id^='add-value-']").click()
            wait_for_htmx(page)
            editor_box = page.locator(
                "fieldset.variable-editor", has=page.locator("legend", has_text=variable)
            )
            expect(editor_box.locator("input[name$='-label'][value='" + value + "']")).to_have_count(1)
    # The focus stays on the control used, not on <body>.
    assert page.evaluate("document.activeElement.id").startswith("add-value-")
    page.locator("#id_pair-first").select_option(label="EU funding: Shrinks")
    page.locator("#id_pair-second").select_option(label="Talent: Stays")
    page.locator("#id_pair-reason").fill("Without funding nobody stays")
    page.locator("#add-pair").click()
    wait_for_htmx(page)
    expect(page.locator("#table-editor ul.pairs")).to_contain_text("Without funding nobody stays")
    expect(page.locator("#table-editor .coverage-summary")).to_contain_text("0 of 4 combinations")
    check_current_page(page, "futures-table-editor")

    # 2. Write a story from the table.
    page.locator("main a[href*='?table=']").first.click()
    expect(page.locator("#id_futures_table")).to_have_value(re.compile(r"\d+"))
    check_current_page(page, "futures-story-form")
    page.locator("#id_title").fill("Networked Aakkosla 2035")
    page.locator("#id_horizon_year").fill("2035")
    page.locator("input[name=kind][value=desirable]").check()
    page.locator("#id_narrative").fill("<p>It is <strong>2035</strong>.</p><script>alert(1)</script>")
    page.locator("#save-story").click()
    expect(page.locator("main h1")).to_have_text("Networked Aakkosla 2035")
    expect(page.locator(".narrative strong")).to_have_text("2035")
    expect(page.locator(".narrative script")).to_have_count(0)

    # Pick an incompatible pair first: flagged; then a consistent choice.
    picks = page.locator("#story-picks")
    picks.get_by_label("Shrinks").check()
    picks.get_by_label("Stays").check()
    page.locator("#save-picks").click()
    wait_for_htmx(page)
    expect(page.locator("#story-picks .flag-warning")).to_be_visible()
    _live(page).to_contain_text("incompatible pair")  # type: ignore[attr-defined]
    page.locator("#story-picks").get_by_label("Grows").check()
    page.locator("#save-picks").click()
    wait_for_htmx(page)
    expect(page.locator("#story-picks .flag-ok")).to_be_visible()

    # A signpost on the organisation's indicator shows where the data is now.
    page.locator("#id_signpost-indicator").select_option(
        label="Employment rate of foreign-language speakers (%)"
    )
    page.locator("#id_signpost-comparison").select_option("above")
    page.locator("#id_signpost-threshold").fill("55")
    page.locator("#add-signpost").click()
    wait_for_htmx(page)
    expect(page.locator("#story-signposts .state-reached")).to_have_text("reached")

    # 3. Add implications for the goals.
    for goal, kind, strength in [(vitality, "opportunity", "2"), (talent, "threat", "3")]:
        form = page.locator("#story-implications form")
        form.locator("#id_implication-goal").select_option(str(goal.pk))
        form.locator(f"input[name='implication-kind'][value='{kind}']").check()
        form.locator(f"input[name='implication-strength'][value='{strength}']").check()
        form.locator("#id_implication-action").fill(f"Act on {goal.code}")
        page.locator("#add-implication").click()
        wait_for_htmx(page)
        expect(page.locator("#story-implications table")).to_contain_text(f"Act on {goal.code}")
    assert Implication.objects.filter(story__organisation=org_a).count() == 2
    check_current_page(page, "futures-story-detail")

    # 4. Read the robustness view: the heat map is drawn and the table carries the same numbers.
    make_story(organisation=org_a, title="Island town 2035", kind="undesirable")
    page.goto(url("futures:robustness", "aakkosla"))
    expect(page.locator("figure.chart .chart-canvas .main-svg").first).to_be_attached()
    table = page.locator("#robustness-table")
    expect(table.locator("tbody tr").nth(0)).to_contain_text("+2")
    expect(table.locator("tbody tr").nth(0)).to_contain_text("holds across futures")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("−3")
    check_current_page(page, "futures-robustness")

    # Every other foresight page of the organisation.
    story = FutureStory.objects.get(title="Networked Aakkosla 2035")
    check_page(page, url("futures:index", "aakkosla"), "futures-story-list")
    check_page(page, url("futures:signposts", "aakkosla"), "futures-signposts")
    check_page(page, url("futures:driver_list", "aakkosla"), "futures-drivers")
    WeakSignal.objects.create(
        organisation=org_a, signal="Real-time AI interpretation", observed_on=timezone.localdate()
    )
    check_page(page, url("futures:signal_list", "aakkosla"), "futures-signals")
    check_page(page, url("futures:story_edit", "aakkosla", story.pk), "futures-story-edit")
    check_page(page, url("futures:story_delete", "aakkosla", story.pk), "futures-story-delete")
    implication = Implication.objects.filter(story=story).first()
    assert implication is not None
    check_page(
        page,
        url("futures:implication_edit", "aakkosla", story.pk, implication.pk),
        "futures-implication-edit",
    )


def test_invalid_story_form_and_the_library(
    page: Page, org_a: Organisation, association: Organisation
) -> None:
    editor = make_member(organisation=org_a, user=make_user(language="en"), role=Role.EDITOR)
    make_megatrend(
        name_fi="Tekoäly mullistaa yhteiskunnan perustaa", number=4, name_en="AI transforms society"
    )
    make_megatrend(
        edition=2023, number=1, name_fi="Luonnon kantokyky murenee", name_en_official=True, is_current=False
    )
    national = make_story(
        organisation=association,
        title="Kunnat verkostoina 2040",
        horizon_year=2040,
        kind="probable",
        narrative="<p>Kunnat toimivat <em>verkostoina</em>.</p>",
        published_at=timezone.now(),
    )
    sign_in(page, editor)

    # A form with errors is a page people see too: the errors are announced and the input kept.
    page.goto(url("futures:story_create", "aakkosla"))
    page.locator("#id_narrative").fill("Keep me")
    page.locator("#save-story").click()
    wait_for_htmx(page)
    expect(page.locator("#id_title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_narrative")).to_have_value("Keep me")
    _live(page).to_contain_text("Check the form")  # type: ignore[attr-defined]
    check_current_page(page, "futures-story-form-invalid")

    # The library: megatrends (current and archived) and national stories, from the header.
    page.locator(f"header a[href='{url('futures_library:megatrends')}']").click()
    expect(page.locator("main h1")).to_have_text("Megatrends")
    check_current_page(page, "library-megatrends")
    page.locator(f"header a[href='{url('futures_library:stories')}']").click()
    check_current_page(page, "library-national-stories")
    page.get_by_role("link", name="Kunnat verkostoina 2040").click()
    expect(page.locator(".narrative em")).to_have_text("verkostoina")
    check_current_page(page, "library-national-story")
    page.get_by_role("button", name="Copy into my organisation").click()
    check_current_page(page, "library-copy")
    page.locator("#copy-story").click()
    expect(page).to_have_url(re.compile(r"/o/aakkosla/futures/stories/\d+/edit/$"))
    copy = FutureStory.objects.get(organisation=org_a)
    assert copy.copied_from == national
    expect(page).to_have_url(re.compile(re.escape(url("futures:story_edit", "aakkosla", copy.pk)) + "$"))
    expect(page.locator("#live-region")).to_contain_text("copied")
    page.locator("#id_title").fill("Aakkosla verkostona 2040")
    page.locator("#save-story").click()
    expect(page.locator(".provenance")).to_contain_text("Kunnat verkostoina 2040")
    national.refresh_from_db()
    assert national.title == "Kunnat verkostoina 2040"


def test_steward_pages(page: Page, association: Organisation) -> None:
    steward = make_member(organisation=association, user=make_user(language="en"), role=Role.STEWARD)
    megatrend = make_megatrend(name_fi="Tekoäly mullistaa yhteiskunnan perustaa", number=4)
    make_megatrend(edition=2023, number=1, name_fi="Luonnon kantokyky murenee", is_current=False)
    draft = make_story(organisation=association, title="Luonnos 2040", horizon_year=2040)
    sign_in(page, steward)
    check_page(page, url("futures_library:megatrends"), "steward-megatrends")
    check_page(page, url("futures_library:megatrend_edit", megatrend.pk), "steward-megatrend-edit")
    page.locator("#id_name_sv").fill("")
    page.locator("#id_description").fill("Tekoäly muuttaa palveluja.")
    page.locator("#save-megatrend").click()
    expect(page.locator("main h1")).to_have_text("Megatrends")
    assert Megatrend.objects.get(pk=megatrend.pk).description == "Tekoäly muuttaa palveluja."
    check_page(page, url("futures_library:megatrend_create"), "steward-megatrend-create")
    check_page(page, url("futures_library:megatrend_delete", megatrend.pk), "steward-megatrend-delete")
    # The association's draft story: the steward publishes it from the story's page.
    check_page(page, url("futures:story_detail", "kuntaliitto", draft.pk), "steward-association-story")
    page.locator("#publish-story").click()
    expect(page.locator("#live-region")).to_contain_text("now published")
    check_page(page, url("futures_library:stories"), "steward-national-stories")
    page.goto(url("futures_library:megatrends"))
    page.locator("#make-current-2023").click()
    expect(page.locator("#live-region")).to_contain_text("2023")
    check_current_page(page, "steward-megatrends-2023-current")
