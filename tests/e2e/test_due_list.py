"""The start page's due-and-overdue list in a real browser, with axe: it empties as things are done."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from indicators.models import Indicator, Observation
from organisations.models import Organisation, Role
from tests.e2e.conftest import check_page, sign_in, url
from tests.factories import make_member, make_user


def test_start_page_lists_what_is_due_and_empties_when_done(page: Page, org_a: Organisation) -> None:
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(name="Eero Editori"))
    last_year = timezone.localdate().year - 1
    indicator = Indicator.objects.create(
        organisation=org_a, name_fi="Työllisyysaste", chain_level="outcome", responsible=editor
    )
    sign_in(page, editor)
    check_page(page, url("start"), "start-due-list")
    expect(page.locator("section[aria-labelledby=due-heading]")).to_contain_text("Työllisyysaste")
    link = page.locator("section[aria-labelledby=due-heading] a", has_text="Työllisyysaste").first
    expect(link).to_have_attribute("href", url("indicators:detail", org_a.slug, indicator.pk))

    # Recording the missing values empties the list.
    Observation.objects.create(indicator=indicator, period=dt.date(last_year, 1, 1), value=Decimal("70"))
    Observation.objects.create(indicator=indicator, period=dt.date(last_year + 1, 1, 1), value=Decimal("71"))
    page.goto(url("start"))
    expect(page.locator("section[aria-labelledby=due-heading]")).not_to_contain_text("Työllisyysaste")
