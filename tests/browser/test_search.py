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
