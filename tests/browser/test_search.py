"""Inbox search in a real browser, against the server (the visitor writes over the real socket)."""

import json
import re

from django_scopes import scope
from playwright.sync_api import expect

from apps.tenants.services import widget_settings_get
from tests.browser.test_inbox import (  # noqa: F401 (fixtures)
    XSS,
    live,
    new_conversation,
    sign_in_to_inbox,
    team,
)
from tests.factories import signed_identity
from tests.utils import in_thread


@live
def test_operator_finds_a_word_from_a_visitor_message_and_opens_it(
    asgi,
    asgi_page,
    team,  # noqa: F811
    screenshot,
):
    tenant, operator = team
    with scope(tenant=tenant):
        secret = in_thread(widget_settings_get, tenant=tenant).identity_secret
    body = "Siparişim İstanbul'a hâlâ gelmedi, yardım eder misiniz?"
    wanted = new_conversation(asgi, tenant, body)
    wanted.send(
        "identify",
        **signed_identity(secret, "u-7", name="Zeynep Arslan", email="zeynep@example.com"),
    )
    wanted.expect("ready")
    other = new_conversation(asgi, tenant, "Fiyat listesi lazım " + XSS[0])
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    expect(page.locator("#inbox-list button")).to_have_count(2)
    strings = json.loads(page.locator("#search-strings").text_content())

    field = page.get_by_role("searchbox", name=strings["label"])
    field.press_sequentially("istanbul")
    results = page.locator("#inbox-search-results button")
    expect(results).to_have_count(1)
    expect(page.locator("#inbox-list")).to_be_hidden()  # the results replace the list
    hit = results.first
    expect(hit.locator("mark")).to_have_text(["İstanbul"])  # found and marked despite the İ
    expect(hit).to_contain_text("Zeynep Arslan")
    expect(page.locator("#inbox-search-status")).to_have_text(
        strings["results_count"].replace("%(count)s", "1")
    )
    screenshot(page, "search_results")

    hit.click()
    number = int(hit.get_attribute("data-number"))
    expect(page).to_have_url(re.compile(rf"/app/{tenant.slug}/inbox/{number}/$"))
    expect(page.locator("#inbox-conv-number")).to_have_text(f"#{number}")
    expect(inbox.messages.locator(".msg-visitor .msg-body")).to_have_text(body)
    expect(hit).to_have_class(re.compile("is-selected"))
    screenshot(page, "search_opened")

    # The visitor's name is searchable too, and visitor text stays text.
    field.fill("zeyn")
    expect(results.first.locator(".conv-name mark")).to_have_text("Zeynep")
    expect(results.first.locator(".search-email mark")).to_have_text("zeynep")
    screenshot(page, "search_by_name")
    field.fill("fiyat")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(XSS[0])
    expect(results.first.locator("img")).to_have_count(0)
    field.fill("x")
    expect(page.locator("#inbox-search-status")).to_have_text(strings["too_short"])
    field.fill("qqqqzz")
    expect(page.locator("#inbox-search-status")).to_have_text(
        strings["no_results"].replace("%(query)s", "qqqqzz")
    )

    # Escape clears the search and brings the list back.
    field.press("Escape")
    expect(field).to_have_value("")
    expect(page.locator("#inbox-search-results")).to_be_hidden()
    expect(page.locator("#inbox-list button")).to_have_count(2)
    # "/" from anywhere but a text field puts the caret in the search field.
    page.locator("#inbox-list button").first.focus()
    page.keyboard.press("/")
    expect(field).to_be_focused()
    assert inbox.dialogs == []
    wanted.close()
    other.close()


@live
def test_the_filters_stay_through_a_search_and_the_search_says_it_looks_everywhere(
    asgi,
    asgi_page,
    team,  # noqa: F811
    screenshot,
):
    """An operator who chose a view (Unassigned, pending, newest first) searches, then clears
    the search: the same view is there again. While searching, the filters (which the search
    does not apply: it finds any conversation the operator may see) are put aside, and the
    page says so; a result in another status shows its status."""
    tenant, operator = team
    found = new_conversation(asgi, tenant, "Kargom nerede kaldı?")
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    expect(page.locator("#inbox-list button")).to_have_count(1)
    strings = json.loads(page.locator("#search-strings").text_content())

    unassigned = page.get_by_role("tab", name=re.compile(inbox.s("filter_unassigned")))
    unassigned.click()
    page.locator("#inbox-filter-status").select_option("pending")
    page.locator("#inbox-filter-sort").select_option("newest")
    expect(unassigned).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-list-empty")).to_have_text(inbox.s("empty_unassigned"))

    field = page.get_by_role("searchbox", name=strings["label"])
    field.press_sequentially("kargom")
    results = page.locator("#inbox-search-results button")
    # Found although it is open, not pending: the search looks in every conversation…
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(inbox.s("status_open"))
    # …and says so, the filters it does not use put aside meanwhile.
    expect(page.locator("#inbox-search-scope")).to_have_text(strings["scope_all"])
    expect(page.locator(".list-filters")).to_be_hidden()
    screenshot(page, "search_scope")

    field.press("Escape")
    expect(page.locator(".list-filters")).to_be_visible()
    expect(page.locator("#inbox-search-scope")).to_be_hidden()
    expect(unassigned).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-filter-status")).to_have_value("pending")
    expect(page.locator("#inbox-filter-sort")).to_have_value("newest")
    expect(page.locator("#inbox-list-empty")).to_have_text(inbox.s("empty_unassigned"))

    # The clear button too, and after a result was opened.
    field.fill("kargom")
    results.first.click()
    expect(page.locator("#inbox-conv-number")).to_have_text(re.compile(r"#\d+"))
    page.locator("#inbox-search-clear").click()
    expect(unassigned).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-filter-status")).to_have_value("pending")
    expect(page.locator("#inbox-filter-sort")).to_have_value("newest")
    # And after a reload (the filters are remembered in this browser).
    page.reload()
    expect(page.locator("#inbox-banner")).to_be_hidden()
    expect(unassigned).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-filter-status")).to_have_value("pending")
    screenshot(page, "search_cleared_filters_kept")
    assert inbox.dialogs == []
    found.close()


@live
def test_the_inbox_opens_on_the_filter_its_address_names(
    asgi,
    asgi_page,
    team,  # noqa: F811
    screenshot,
):
    """``?assignee=…&status=…`` selects that view on load (the home page's counts link there)
    and leaves the address clean, so that the operator's own choices are what a reload shows."""
    tenant, operator = team
    visitor = new_conversation(asgi, tenant, "Merhaba, iade yapmak istiyorum")
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    mine = page.get_by_role("tab", name=re.compile(inbox.s("filter_mine")))
    everyone = page.get_by_role("tab", name=re.compile(inbox.s("filter_all")))
    expect(everyone).to_have_attribute("aria-selected", "true")

    inbox.open("?assignee=mine&status=pending")
    expect(mine).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-filter-status")).to_have_value("pending")
    expect(page.locator("#inbox-list-empty")).to_have_text(inbox.s("empty_mine"))
    expect(page).to_have_url(re.compile(rf"/app/{tenant.slug}/inbox/$"))
    screenshot(page, "inbox_from_address")

    # (The conversation was assigned to the operator, online, as it came in.)
    inbox.open("?assignee=mine&status=open")
    expect(mine).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-filter-status")).to_have_value("open")
    expect(page.locator("#inbox-list button")).to_have_count(1)

    # Nonsense in the address changes nothing.
    inbox.open("?assignee=nobody&status=<b>")
    expect(mine).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-filter-status")).to_have_value("open")

    # The home page's counts open the inbox on their view.
    page.goto(f"/app/{tenant.slug}/")
    page.locator('a[data-stat="mine"]').click()
    expect(page.locator("#inbox-banner")).to_be_hidden()
    expect(mine).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-filter-status")).to_have_value("open")
    page.goto(f"/app/{tenant.slug}/")
    page.locator('a[data-stat="unassigned"]').click()
    unassigned = page.get_by_role("tab", name=re.compile(inbox.s("filter_unassigned")))
    expect(unassigned).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-list-empty")).to_have_text(inbox.s("empty_unassigned"))
    page.goto(f"/app/{tenant.slug}/")
    page.locator('a[data-stat="waiting"]').click()
    expect(everyone).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inbox-filter-sort")).to_have_value("waiting")
    expect(page.locator("#inbox-list button")).to_have_count(1)
    visitor.close()
