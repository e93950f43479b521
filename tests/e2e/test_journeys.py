"""The main journeys in a real browser: sign in and out, language, organisation switch, members, keyboard."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page, expect

from organisations.models import Membership, Organisation, Role, User
from tests.e2e.conftest import (
    PHONE,
    SHOTS,
    Console,
    assert_accessible,
    check_current_page,
    organisation_menu,
    sign_in,
    sign_out,
    url,
    user_menu,
    wait_for_htmx,
)
from tests.factories import PASSWORD, make_member, make_organisation, make_user


def test_sign_in_and_out(page: Page, org_a: Organisation) -> None:
    user = make_member(organisation=org_a, user=make_user(name="Aino Admin"), role=Role.ADMIN)

    page.goto(url("start"))
    expect(page).to_have_url(re.compile(re.escape(url("login")) + r"\?next=/$"))
    page.locator("#id_login").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_contain_text("Aino Admin")
    expect(page.locator(f"main a[href='{url('organisation_home', 'aakkosla')}']")).to_have_text("Aakkosla")
    expect(user_menu(page).locator("summary")).to_have_text("Aino Admin")

    sign_out(page)
    # Signed out for real: the start page sends the browser back to the sign-in form.
    page.goto(url("start"))
    expect(page).to_have_url(re.compile(re.escape(url("login"))))


def test_wrong_password_is_refused_with_a_message(page: Page, org_a: Organisation) -> None:
    user = make_member(organisation=org_a)
    page.goto(url("login"))
    page.locator("#id_login").fill(user.username)
    page.locator("#id_password").fill("not-the-password")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(re.escape(url("login"))))
    expect(page.locator("#id_password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#login-error")).to_be_visible()
    check_current_page(page, "login-error")


def test_language_choice_follows_the_person(page: Page, org_a: Organisation) -> None:
    user = make_member(organisation=org_a)
    html = page.locator("html")

    # The browser asks for English (see browser_context_args); with no choice made, Finnish it is.
    page.goto(url("login"))
    expect(html).to_have_attribute("lang", "fi")
    sign_in(page, user)
    expect(html).to_have_attribute("lang", "fi")
    expect(page.get_by_role("button", name="suomi", exact=True)).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="svenska", exact=True).click()
    expect(html).to_have_attribute("lang", "sv")
    expect(page).to_have_url(re.compile(r"/$"))  # back on the page where the switch was used
    expect(page.get_by_role("button", name="svenska", exact=True)).to_have_attribute("aria-pressed", "true")
    user.refresh_from_db()
    assert user.language == "sv"

    page.goto(url("organisation_home", "aakkosla"))
    expect(html).to_have_attribute("lang", "sv")
    # Organisation names follow the language when the registry has one, marked for screen readers.
    expect(page.locator("main h1")).to_have_text("Abckby")
    expect(page.locator("main h1")).to_have_attribute("lang", "sv")

    sign_out(page)
    expect(html).to_have_attribute("lang", "sv")  # the cookie keeps the sign-in page in Swedish
    # A new device: no cookie, yet the choice comes back with the person at sign-in.
    page.context.clear_cookies()
    page.goto(url("login"))
    expect(html).to_have_attribute("lang", "fi")
    sign_in(page, user)
    expect(html).to_have_attribute("lang", "sv")


def test_switch_organisation_from_the_header(page: Page, org_a: Organisation, org_b: Organisation) -> None:
    user = make_member(organisation=org_a, role=Role.ADMIN)
    make_member(organisation=org_b, user=user, role=Role.VIEWER)
    sign_in(page, user)
    page.goto(url("organisation_home", "aakkosla"))
    expect(page.locator("main h1")).to_have_text("Aakkosla")

    menu = organisation_menu(page)
    menu.locator("summary").click()
    expect(menu.locator("a[aria-current=page]")).to_have_text("Aakkosla")
    menu.get_by_role("link", name="Beetala").click()

    expect(page).to_have_url(re.compile(re.escape(url("organisation_home", "beetala")) + "$"))
    expect(page.locator("main h1")).to_have_text("Beetala")
    expect(page.locator("header .current-org")).to_contain_text("Beetala")
    expect(organisation_menu(page).locator("a[aria-current=page]")).to_have_text("Beetala")
    # The viewer of Beetala is not offered its administration (the admin of Aakkosla was).
    expect(page.locator(f"a[href='{url('organisations:member_list', 'beetala')}']")).to_have_count(0)


def test_header_menus_fit_on_a_phone(page: Page, org_a: Organisation, org_b: Organisation) -> None:
    user = make_member(organisation=org_a, user=make_user(name="Aino Admin"))
    make_member(organisation=org_b, user=user)
    long_name = "Pohjois-Pohjanmaan hyvinvointialueen kuntayhtymä"
    make_member(organisation=make_organisation(name=long_name), user=user)
    sign_in(page, user)
    page.goto(url("organisation_home", "aakkosla"))
    page.set_viewport_size(PHONE)
    for name, menu in [("organisations", organisation_menu(page)), ("user", user_menu(page))]:
        menu.locator("summary").click()
        items = menu.locator("summary + ul")
        expect(items).to_have_css("opacity", "1")  # Pico fades the menu in; axe must see it settled
        box = items.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
        for link in menu.locator("summary + ul a").all():
            expect(link).to_be_in_viewport(ratio=1)  # readable in full, not cut at the screen's edge
        if name == "organisations":
            expect(menu.get_by_role("link", name=long_name)).to_be_visible()
        assert_accessible(page, f"{name} menu open on a phone")
        page.screenshot(path=SHOTS / f"menu-{name}-phone.png")
        menu.locator("summary").click()
        expect(items).to_be_hidden()


def test_admin_adds_a_member_and_changes_a_role(
    page: Page, console: Console, org_a: Organisation, mailoutbox: list[mail.EmailMessage]
) -> None:
    admin = make_member(organisation=org_a, user=make_user(name="Aino Admin"), role=Role.ADMIN)
    editor = make_member(organisation=org_a, user=make_user(name="Eero Editori"), role=Role.EDITOR)
    sign_in(page, admin)
    page.goto(url("organisations:member_list", "aakkosla"))

    # A new person: they get an account without a password and an invitation by email.
    add = page.locator("section[aria-labelledby=add-heading] form")
    add.locator("#id_email").fill("uusi.henkilo@example.invalid")
    add.locator("#id_name").fill("Uusi Henkilö")
    add.locator("#id_role").select_option("viewer")
    add.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(re.escape(url("organisations:member_list", "aakkosla")) + "$"))
    expect(page.locator("#live-region")).to_contain_text("uusi.henkilo@example.invalid")
    new_row = page.locator("tbody tr").filter(has_text="uusi.henkilo@example.invalid")
    expect(new_row.locator("th")).to_contain_text("Uusi Henkilö")
    expect(new_row.locator("select")).to_have_value("viewer")
    assert [message.to for message in mailoutbox] == [["uusi.henkilo@example.invalid"]]
    invitation = str(mailoutbox[0].body)
    accept_path = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", invitation)
    assert accept_path, invitation
    check_current_page(page, "members-after-add")

    # Change the editor's role in place: htmx swaps the row and announces the result.
    membership = Membership.objects.get(user=editor, organisation=org_a)
    row = page.locator(f"#member-{membership.pk}")
    row.locator("select").select_option("admin")
    new_label = row.locator("select option:checked").inner_text()
    with page.expect_response(url("organisations:member_role", "aakkosla", membership.pk)) as answer:
        row.locator(f"#save-role-{membership.pk}").click()
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"  # htmx did it, not a page load
    wait_for_htmx(page)

    expect(page).to_have_url(re.compile(re.escape(url("organisations:member_list", "aakkosla")) + "$"))
    expect(row.locator("select")).to_have_value("admin")
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    live = page.locator("#live-region")
    expect(live).to_have_attribute("role", "status")
    expect(live).to_contain_text("Eero Editori")
    expect(live).to_contain_text(new_label)
    expect(page.locator("[id=live-region]")).to_have_count(1)  # the out-of-band swap kept one region
    # Focus stays on the control the person used (htmx restores it by id), never on <body>.
    focused = page.evaluate("() => document.activeElement && document.activeElement.id")
    assert focused == f"save-role-{membership.pk}"
    console.assert_clean()  # no CSP complaint after the swap either
    check_current_page(page, "members-after-role-change")

    # The invited person follows the link, chooses a password and is signed in.
    sign_out(page)
    page.goto(accept_path.group(1))
    page.wait_for_url(re.compile(r"/set-password/$"))
    check_current_page(page, "invitation-accept")
    page.locator("#id_new_password1").fill("a-long-and-new-passphrase-42")
    page.locator("#id_new_password2").fill("a-long-and-new-passphrase-42")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_contain_text("Uusi Henkilö")
    assert User.objects.get(email="uusi.henkilo@example.invalid").has_usable_password()


def _assert_focus_ring(page: Page) -> None:
    """The focused element shows a solid outline of at least 2px (Pico's faint shadow does not count)."""
    ring = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                element: el.outerHTML.slice(0, 120),
                solid: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                outline: style.outline,
            };
        }"""
    )
    assert ring["solid"], f"no visible focus ring: {ring}"


def _tab_to(page: Page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the element matching selector has focus; every stop must show its focus ring."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        _assert_focus_ring(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def test_keyboard_only_sign_in_and_out(page: Page, org_a: Organisation) -> None:
    user = make_member(organisation=org_a, user=make_user(name="Kaisa Keyboard"))
    page.goto(url("login"))
    expect(page.locator("#id_login")).to_be_focused()  # the form field has autofocus
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_contain_text("Kaisa Keyboard")

    # The first Tab stop of a page is the skip link, shown when focused, and it moves focus to <main>.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    _assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # The user menu opens from the keyboard and its sign-out button is reachable.
    page.goto(url("start"))
    _tab_to(page, "header details.dropdown:has(form) > summary")
    page.keyboard.press("Enter")
    expect(user_menu(page)).to_have_attribute("open", "")
    _tab_to(page, f"form[action='{url('logout')}'] button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(url("login")) + "$"))
    page.goto(url("start"))
    expect(page).to_have_url(re.compile(re.escape(url("login"))))
