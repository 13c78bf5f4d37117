"""The inbox for a real team, in headless Chromium against a real web process: two operators
(two browser contexts), several visitors (socket clients and the real chat page), assignment,
filters, snooze, private notes with @mentions, bulk actions, labels, shortcuts, the queue.

Ayşe (admin) and Mehmet (operator, team Billing) share the workspace "Lale Çiçekçilik". Automatic
assignment is off unless a test says otherwise, so conversations stay where the test puts them.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from apps.conversations import services
from apps.conversations.models import Activity, Conversation, Message
from apps.tenants.models import Membership, Role, Team
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in
from tests.browser.test_inbox import NOTIFICATION_SPY, Inbox, new_conversation
from tests.factories import PASSWORD, TenantFactory, member
from tests.utils import in_thread

pytestmark = pytest.mark.browser

AYSE = "Ayşe Kaya"
MEHMET = "Mehmet Yılmaz"


class Crew:
    def __init__(self, tenant, ayse: Membership, mehmet: Membership, billing: Team):
        self.tenant, self.ayse, self.mehmet, self.billing = tenant, ayse, mehmet, billing

    def conversation(self, number: int) -> Conversation:
        with scope(tenant=self.tenant):
            return in_thread(Conversation.objects.select_related("visitor").get, number=number)


@pytest.fixture
def crew(transactional_db) -> Crew:
    def make() -> Crew:
        tenant = TenantFactory(name="Lale Çiçekçilik", auto_assign=False)
        ayse = member(tenant, role=Role.ADMIN, full_name=AYSE)
        mehmet = member(tenant, full_name=MEHMET)
        with scope(tenant=tenant):
            billing = Team.objects.create(tenant=tenant, name="Billing")
            mehmet.teams.add(billing)
        return Crew(tenant, ayse, mehmet, billing)

    return in_thread(make)


def inbox_for(asgi_page, tenant, who: Membership, path: str = "", **page_options) -> Inbox:
    page = asgi_page(**page_options)
    log_in(page, who.user.email, PASSWORD)
    inbox = Inbox(page, tenant.slug)
    inbox.open(path)
    return inbox


def fill(template: str, **values) -> str:
    """A page string with its %(name)s placeholders filled, as the page does."""
    for key, value in values.items():
        template = template.replace(f"%({key})s", str(value))
    return template


def rows(inbox: Inbox):
    return inbox.page.locator("#inbox-list button.conv")


def numbers_shown(inbox: Inbox) -> list[int]:
    return [int(n) for n in rows(inbox).evaluate_all("els => els.map(e => e.dataset.number)")]


def expect_numbers(inbox: Inbox, numbers: list[int]) -> None:
    expect(rows(inbox)).to_have_count(len(numbers))
    inbox.page.wait_for_function(
        "want => JSON.stringify([...document.querySelectorAll('#inbox-list button.conv')]"
        ".map(e => Number(e.dataset.number))) === JSON.stringify(want)",
        arg=numbers,
    )


def tab(inbox: Inbox, key: str):
    return inbox.page.get_by_role("tab", name=re.compile(rf"^{re.escape(inbox.s(key))}\b"))


def timeline_lines(inbox: Inbox):
    return inbox.messages.locator(".msg-activity .msg-body")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# --- assignment ----------------------------------------------------------------------------------


def test_assigning_to_a_teammate_moves_it_to_their_mine_live(asgi, asgi_page, crew, screenshot):
    visitor = new_conversation(asgi, crew.tenant, "Merhaba, faturam yanlış geldi.")
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse)
    mehmet = inbox_for(asgi_page, crew.tenant, crew.mehmet)

    # Mehmet looks at his own conversations: none yet, and the list says so.
    tab(mehmet, "filter_mine").click()
    expect(tab(mehmet, "filter_mine")).to_have_attribute("aria-selected", "true")
    expect(mehmet.page.locator("#inbox-list-empty")).to_have_text(mehmet.s("empty_mine"))
    expect(mehmet.page.locator("#inbox-count-mine")).to_have_text("0")
    expect(mehmet.page.locator("#inbox-count-unassigned")).to_have_text("1")
    # He is in a team: "My teams" is offered to him (Ayşe is in none: not to her).
    expect(tab(mehmet, "filter_teams")).to_be_visible()
    expect(tab(ayse, "filter_teams")).to_be_hidden()
    expect(ayse.item(1).locator(".conv-assignee")).to_have_text(ayse.s("unassigned"))

    ayse.item(1).click()
    picker = ayse.page.locator("#inbox-assignee")
    expect(picker).to_contain_text(ayse.s("unassigned"))
    picker.click()
    expect(picker).to_have_attribute("aria-expanded", "true")
    menu = ayse.page.get_by_role("menu", name=ayse.s("assignee_label"))
    expect(
        menu.get_by_role("menuitemradio", name=re.compile(ayse.s("unassigned")))
    ).to_have_attribute("aria-checked", "true")
    # Mehmet is online (his inbox is open): the menu says so.
    expect(menu.get_by_role("menuitemradio", name=re.compile(MEHMET))).to_contain_text(
        ayse.s("member_online")
    )
    screenshot(ayse.page, "workflow_assignee_menu")
    menu.get_by_role("menuitemradio", name=re.compile(MEHMET)).click()

    line = fill(ayse.s("activity_assigned"), actor=AYSE, name=MEHMET)
    expect(timeline_lines(ayse)).to_have_text([line])
    expect(picker).to_contain_text(MEHMET)
    expect(menu).to_have_count(0)

    # Live on Mehmet's side: under Mine, with a toast saying who gave it to him.
    expect(mehmet.item(1)).to_be_visible()
    expect(mehmet.item(1).locator(".conv-assignee-name")).to_have_text(mehmet.s("assignee_you"))
    expect(mehmet.page.locator("#inbox-count-mine")).to_have_text("1")
    toast = mehmet.page.locator(
        ".toast", has_text=fill(mehmet.s("alert_assigned"), name=AYSE, number=1)
    )
    expect(toast).to_be_visible()
    screenshot(mehmet.page, "workflow_assigned_toast")
    toast.get_by_role("button", name=mehmet.s("toast_open")).click()
    expect(mehmet.page.locator("#inbox-conv-number")).to_have_text("#1")
    expect(timeline_lines(mehmet)).to_have_text([line])

    # Routed to Billing: a line for both, the row names the team, Mehmet's "My teams" has it.
    ayse.page.locator("#inbox-team-picker").click()
    ayse.page.get_by_role("menuitemradio", name="Billing").click()
    team_line = fill(ayse.s("activity_team"), team="Billing", actor=AYSE)
    expect(timeline_lines(mehmet)).to_have_text([line, team_line])
    expect(ayse.item(1).locator(".conv-team")).to_have_text("Billing")
    tab(mehmet, "filter_teams").click()
    expect_numbers(mehmet, [1])

    # Ayşe's Unassigned view no longer has it.
    tab(ayse, "filter_unassigned").click()
    expect(ayse.item(1)).to_have_count(0)
    expect(ayse.page.locator("#inbox-list-empty")).to_have_text(ayse.s("empty_unassigned"))
    screenshot(ayse.page, "workflow_assigned")
    with scope(tenant=crew.tenant):
        assert crew.conversation(1).assignee_id == crew.mehmet.user_id
    visitor.close()


# --- filters -------------------------------------------------------------------------------------


# Changes made from the test process reach the server's sockets: a layer both share.
@pytest.mark.redis
def test_filters_show_the_right_rows_and_follow_live_changes(asgi, asgi_page, crew, screenshot):
    visitors = [new_conversation(asgi, crew.tenant, f"Soru {n}") for n in range(1, 6)]
    with scope(tenant=crew.tenant):
        vip = in_thread(services.label_create, membership=crew.ayse, name="VIP", color="#d97706")
        in_thread(
            services.conversation_assign,
            membership=crew.ayse,
            conversation=crew.conversation(1),
            assignee=crew.ayse.user_id,
        )
        in_thread(
            services.conversation_assign,
            membership=crew.ayse,
            conversation=crew.conversation(2),
            assignee=crew.mehmet.user_id,
        )
        in_thread(
            services.conversation_set_status,
            membership=crew.ayse,
            conversation=crew.conversation(3),
            status="pending",
        )
        in_thread(
            services.conversation_label,
            membership=crew.ayse,
            conversation=crew.conversation(4),
            add=[vip.pk],
        )
        in_thread(
            services.conversation_set_status,
            membership=crew.ayse,
            conversation=crew.conversation(5),
            status="resolved",
        )
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse)
    page, s = ayse.page, ayse.s

    # All open ones, last activity first; counts per assignee filter.
    expect_numbers(ayse, [4, 2, 1])
    expect(page.locator("#inbox-count-all")).to_have_text("3")
    expect(page.locator("#inbox-count-mine")).to_have_text("1")
    expect(page.locator("#inbox-count-unassigned")).to_have_text("1")
    expect(ayse.item(2).locator(".conv-assignee")).to_contain_text(MEHMET)
    expect(ayse.item(2).locator(".avatar")).to_have_text("MY")
    chip = ayse.item(4).locator(".chip")
    expect(chip).to_have_text("VIP")
    assert chip.locator(".chip-dot").evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(217, 119, 6)"
    )
    screenshot(page, "workflow_filters_all")

    page.get_by_label(s("filter_sort"), exact=True).select_option("waiting")
    expect_numbers(ayse, [1, 2, 4])
    page.get_by_label(s("filter_sort"), exact=True).select_option("newest")
    expect_numbers(ayse, [4, 2, 1])

    tab(ayse, "filter_mine").click()
    expect_numbers(ayse, [1])
    tab(ayse, "filter_unassigned").click()
    expect_numbers(ayse, [4])

    status = page.get_by_label(s("filter_status"), exact=True)
    status.select_option("pending")
    expect_numbers(ayse, [3])
    expect(ayse.item(3).locator(".status")).to_have_text(s("status_pending"))
    status.select_option("snoozed")
    expect(rows(ayse)).to_have_count(0)
    expect(page.locator("#inbox-list-empty")).to_have_text(s("empty_unassigned"))
    tab(ayse, "filter_all").click()
    expect(page.locator("#inbox-list-empty")).to_have_text(s("empty_snoozed"))
    status.select_option("resolved")
    expect_numbers(ayse, [5])
    status.select_option("open")
    label = page.get_by_label(s("filter_by_label"), exact=True)
    label.select_option(label="VIP")
    expect_numbers(ayse, [4])

    # Live: someone labels #1 VIP and it joins the view; #4 is unlabelled and leaves it.
    with scope(tenant=crew.tenant):
        in_thread(
            services.conversation_label,
            membership=crew.mehmet,
            conversation=crew.conversation(1),
            add=[vip.pk],
        )
    expect_numbers(ayse, [4, 1])
    with scope(tenant=crew.tenant):
        in_thread(
            services.conversation_label,
            membership=crew.mehmet,
            conversation=crew.conversation(4),
            remove=[vip.pk],
        )
    expect_numbers(ayse, [1])
    # A visitor's message (a summary without labels) keeps the labels the row had.
    visitors[0].say("Hâlâ bekliyorum")
    expect(ayse.item(1).locator(".conv-preview")).to_have_text("Hâlâ bekliyorum")
    expect(ayse.item(1).locator(".chip")).to_have_text("VIP")

    # The choice survives a reload (this browser remembers it).
    ayse.open()
    expect(label).to_have_value(str(vip.pk))
    expect_numbers(ayse, [1])
    screenshot(page, "workflow_filters_label")
    for visitor in visitors:
        visitor.close()


# Every count the tabs show, as the operator sees them change (a tab can never hold more
# conversations than "All" does).
TAB_COUNTS_SPY = """() => {
  window.shownCounts = [];
  const read = () => Object.fromEntries(["mine", "unassigned", "all"].map(
    (n) => [n, document.getElementById("inbox-count-" + n).textContent]));
  new MutationObserver(() => window.shownCounts.push(read())).observe(
    document.getElementById("inbox-assignee-tabs"),
    {subtree: true, childList: true, characterData: true});
}"""


@pytest.mark.redis
def test_the_tab_counts_stay_true_as_new_conversations_are_assigned(
    asgi, asgi_page, crew, screenshot
):
    """New conversations, assigned to Ayşe the moment they come in, then one handed to a
    colleague: each tab counts what it holds all along, and no tab ever counts more than All."""
    crew.tenant.auto_assign = True
    in_thread(crew.tenant.save, update_fields=["auto_assign"])
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse)
    page = ayse.page
    expect(page.locator("#inbox-count-all")).to_have_text("0")
    page.evaluate(TAB_COUNTS_SPY)

    visitors = [new_conversation(asgi, crew.tenant, f"Soru {n}") for n in (1, 2)]
    expect_numbers(ayse, [2, 1])
    expect(ayse.item(2).locator(".conv-assignee")).to_contain_text(ayse.s("assignee_you"))
    expect(ayse.item(1).locator(".conv-assignee")).to_contain_text(ayse.s("assignee_you"))
    expect(page.locator("#inbox-count-mine")).to_have_text("2")
    expect(page.locator("#inbox-count-all")).to_have_text("2")
    with scope(tenant=crew.tenant):
        in_thread(
            services.conversation_assign,
            membership=crew.ayse,
            conversation=crew.conversation(2),
            assignee=crew.mehmet.user_id,
        )
    expect(ayse.item(2).locator(".conv-assignee")).to_contain_text(MEHMET)
    expect(page.locator("#inbox-count-mine")).to_have_text("1")
    expect(page.locator("#inbox-count-unassigned")).to_have_text("0")
    expect(page.locator("#inbox-count-all")).to_have_text("2")
    screenshot(page, "workflow_tab_counts")
    shown = page.evaluate("window.shownCounts")
    impossible = [
        counts
        for counts in shown
        if counts["all"]
        and any(counts[tab] and int(counts[tab]) > int(counts["all"]) for tab in counts)
    ]
    assert not impossible, shown

    # Her own: only #1, and #2 (in the view before) never shows in this one.
    page.evaluate(
        """() => { window.shownRows = [];
        new MutationObserver(() => window.shownRows.push([...document.querySelectorAll(
          '#inbox-list button.conv')].map((e) => Number(e.dataset.number)))).observe(
          document.getElementById("inbox-list"), {childList: true}); }"""
    )
    tab(ayse, "filter_mine").click()
    expect_numbers(ayse, [1])
    assert all(2 not in numbers for numbers in page.evaluate("window.shownRows"))
    for visitor in visitors:
        visitor.close()


# --- snooze and pending --------------------------------------------------------------------------


def test_snooze_from_the_menu_then_mark_pending(asgi, asgi_page, crew, screenshot):
    visitor = new_conversation(asgi, crew.tenant, "Yarın tekrar yazar mısınız?")
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse, timezone_id="Europe/Istanbul")
    page, s = ayse.page, ayse.s
    ayse.item(1).click()
    # The conversation is on screen (its history came) before she reaches for the menu.
    expect(ayse.messages.get_by_text("Yarın tekrar yazar mısınız?")).to_be_visible()

    page.locator("#inbox-snooze").click()
    menu = page.get_by_role("menu", name=s("snooze_menu"))
    expect(menu.get_by_role("menuitem")).to_have_count(3)
    screenshot(page, "workflow_snooze_menu")
    # A time in the past is refused in the menu itself.
    page.get_by_label(s("snooze_custom")).fill("2020-01-01T09:00")
    page.locator("#inbox-popover").get_by_role("button", name=s("snooze_submit")).click()
    expect(page.locator("#inbox-popover .form-error")).to_have_text(s("snooze_future"))
    menu.get_by_role("menuitem", name=re.compile(s("snooze_tomorrow"))).click()

    status = page.locator("#inbox-conv-status")
    expect(status).to_have_text(re.compile("^" + re.escape(fill(s("snoozed_until"), when=""))))
    expect(timeline_lines(ayse)).to_have_text(
        [re.compile("^" + re.escape(s("activity_snoozed").split("%(when)s")[0]))]
    )
    expect(ayse.item(1)).to_have_count(0)  # not among the open ones any more
    page.get_by_label(s("filter_status"), exact=True).select_option("snoozed")
    expect(ayse.item(1).locator(".status")).to_have_text(status.text_content())
    screenshot(page, "workflow_snoozed")
    # Tomorrow 9:00 on the operator's clock (Istanbul), whatever the server's.
    istanbul = ZoneInfo("Europe/Istanbul")
    tomorrow = (datetime.now(istanbul) + timedelta(days=1)).date()
    until = crew.conversation(1).snoozed_until
    assert until.astimezone(istanbul) == datetime(
        tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=istanbul
    )

    page.get_by_role("button", name=s("mark_open")).click()
    expect(status).to_have_text(s("status_open"))
    page.get_by_role("button", name=s("mark_pending")).click()
    expect(status).to_have_text(s("status_pending"))
    expect(timeline_lines(ayse).last).to_have_text(fill(s("activity_pending"), actor=AYSE))
    page.get_by_label(s("filter_status"), exact=True).select_option("pending")
    expect_numbers(ayse, [1])
    # The visitor writes: it is open again, and the timeline says why.
    visitor.say("Merhaba?")
    expect(status).to_have_text(s("status_open"))
    expect(ayse.item(1)).to_have_count(0)
    expect(timeline_lines(ayse).last).to_have_text(s("activity_reopened_visitor"))
    visitor.close()


# --- private notes -------------------------------------------------------------------------------


def test_private_note_with_mention_reaches_the_team_never_the_visitor(
    asgi, asgi_page, crew, screenshot
):
    # The visitor uses the real chat page.
    widget = asgi_page(width=420, height=700)
    widget.goto(f"/w/{crew.tenant.widget_key}/chat/")
    widget.get_by_label("Message").fill("I was charged twice.")
    widget.get_by_label("Message").press("Enter")

    mehmet = inbox_for(asgi_page, crew.tenant, crew.mehmet)
    mehmet.page.add_init_script(NOTIFICATION_SPY)
    mehmet.open()
    mehmet.page.locator("#inbox-notify").click()  # notifications on, in his browser
    expect(mehmet.page.get_by_role("dialog", name=mehmet.s("prefs_title"))).to_be_visible()
    mehmet.page.keyboard.press("Escape")
    mehmet.item(1).click()

    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse)
    page, s = ayse.page, ayse.s
    ayse.item(1).click()
    page.get_by_role("radio", name=s("mode_note")).click()
    expect(page.locator("#inbox-composer")).to_have_class(re.compile("is-note"))
    composer = page.get_by_label(s("note_label"))
    expect(composer).to_have_attribute("placeholder", s("note_placeholder"))
    composer.press_sequentially("@Meh")
    option = page.get_by_role("option", name=re.compile(MEHMET))
    expect(option).to_have_attribute("aria-selected", "true")
    screenshot(page, "workflow_mention_picker")
    composer.press("Enter")
    expect(composer).to_have_value(f"@{MEHMET} ")
    composer.press_sequentially("can you refund the second charge?")
    composer.press("Enter")
    expect(composer).to_have_value("")

    body = f"@{MEHMET} can you refund the second charge?"
    note = ayse.messages.locator(".msg-note")
    expect(note.locator(".msg-body")).to_have_text(body)
    expect(note.locator(".note-kind")).to_have_text(s("private_note"))
    expect(note.locator(".mention")).to_have_text(f"@{MEHMET}")
    expect(note).not_to_have_class(re.compile("is-sending"))
    screenshot(page, "workflow_note")

    # Mehmet: the note live in the conversation he has open, a toast and a notification.
    expect(mehmet.messages.locator(".msg-note .msg-body")).to_have_text(body)
    expect(mehmet.messages.locator(".msg-note .msg-author")).to_have_text(AYSE)
    toast = mehmet.page.locator(".toast-mention")
    expect(toast).to_contain_text(fill(s("alert_mention"), name=AYSE, number=1))
    expect(toast).to_contain_text("can you refund the second charge?")
    mehmet.page.wait_for_function("window.__notes.length === 1")
    assert mehmet.page.evaluate("window.__notes[0].title") == fill(
        s("alert_mention"), name=AYSE, number=1
    )
    screenshot(mehmet.page, "workflow_mention_toast")

    # Ayşe answers the visitor after the note: once the answer is on the chat page, the note
    # would have been too. It is not, anywhere on the page.
    page.get_by_role("radio", name=s("mode_reply")).click()
    reply = page.get_by_label(s("reply_label"))
    reply.fill("We are refunding it now.")
    reply.press("Enter")
    expect(widget.get_by_role("log")).to_contain_text("We are refunding it now.")
    assert "refund the second charge" not in widget.locator("html").inner_text()
    assert "refund the second charge" not in widget.content()
    screenshot(widget, "workflow_widget_without_note")
    with scopes_disabled():
        bodies = in_thread(lambda: [m.body for m in Message.objects.all()])
        notes = in_thread(lambda: [a.body for a in Activity.objects.filter(kind="note")])
    assert "refund the second charge" not in bodies
    assert notes == [body]

    # A note on a resolved conversation is refused; the text stays in the composer.
    page.get_by_role("button", name=s("resolve"), exact=True).click()
    expect(page.locator("#inbox-conv-status")).to_have_text(s("status_resolved"))
    text = page.locator("#inbox-composer-text")
    text.focus()
    page.keyboard.press("Control+Alt+KeyN")  # back to note mode, from the composer
    expect(page.locator("#inbox-composer")).to_have_class(re.compile("is-note"))
    text.fill("Follow up next week")
    text.press("Enter")
    expect(page.locator("#inbox-inline-error")).to_contain_text(
        "This conversation is resolved. Reopen it to add a note."
    )
    expect(text).to_have_value("Follow up next week")
    expect(ayse.messages.locator(".msg-note")).to_have_count(1)


# --- bulk actions --------------------------------------------------------------------------------


# Changes made from the test process reach the server's sockets: a layer both share.
@pytest.mark.redis
def test_bulk_resolve_and_assign(asgi, asgi_page, crew, screenshot):
    visitors = [new_conversation(asgi, crew.tenant, f"Toplu {n}") for n in range(1, 4)]
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse)
    page, s = ayse.page, ayse.s
    expect_numbers(ayse, [3, 2, 1])
    bar = page.get_by_role("region", name=s("bulk_actions"))
    expect(bar).to_be_hidden()

    page.get_by_role("checkbox", name=re.compile(r"#1\b")).check()
    page.get_by_role("checkbox", name=re.compile(r"#2\b")).check()
    expect(bar).to_be_visible()
    expect(bar.locator("#inbox-bulk-count")).to_have_text(fill(s("selected_count"), count=2))
    select_all = page.get_by_label(s("select_all"))
    assert select_all.evaluate("e => e.indeterminate")
    screenshot(page, "workflow_bulk_selected")
    bar.get_by_role("button", name=s("resolve"), exact=True).click()

    expect_numbers(ayse, [3])
    expect(bar).to_be_hidden()  # bulk_done cleared the selection
    expect(page.locator(".toast", has_text=fill(s("bulk_done"), count=2))).to_be_visible()
    assert {crew.conversation(n).status for n in (1, 2)} == {"resolved"}

    # Select all (one left) and assign it to Mehmet.
    select_all.check()
    bar.get_by_role("button", name=s("bulk_assign")).click()
    page.get_by_role("menuitem", name=re.compile(MEHMET)).click()
    expect(ayse.item(3).locator(".conv-assignee")).to_contain_text(MEHMET)
    expect(bar).to_be_hidden()

    # A label deleted while the menu is open: the server refuses, the bar says why, and the
    # selection stays for another try.
    with scope(tenant=crew.tenant):
        doomed = in_thread(services.label_create, membership=crew.ayse, name="Old", color="#4b5563")
    select_all.check()
    bar.get_by_role("button", name=s("bulk_label")).click()
    item = page.get_by_role("menuitem", name="Old")
    expect(item).to_be_visible()
    with scope(tenant=crew.tenant):
        in_thread(services.label_delete, membership=crew.ayse, label_id=doomed.pk)
    item.click()
    expect(bar.get_by_role("alert")).to_have_text("No such label in this workspace.")
    expect(bar.locator("#inbox-bulk-count")).to_have_text(fill(s("selected_count"), count=1))
    screenshot(page, "workflow_bulk_error")
    bar.get_by_role("button", name=s("bulk_clear")).click()
    expect(bar).to_be_hidden()

    page.get_by_label(s("filter_status"), exact=True).select_option("resolved")
    expect_numbers(ayse, [2, 1])
    screenshot(page, "workflow_bulk_done")
    for visitor in visitors:
        visitor.close()


# --- labels --------------------------------------------------------------------------------------


def test_create_a_label_apply_it_and_filter_by_it(asgi, asgi_page, crew, screenshot):
    visitors = [new_conversation(asgi, crew.tenant, f"Etiket {n}") for n in (1, 2)]
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse)
    mehmet = inbox_for(asgi_page, crew.tenant, crew.mehmet)
    page, s = ayse.page, ayse.s
    ayse.item(1).click()

    page.locator("#inbox-label-add").click()
    expect(page.get_by_role("menu", name=s("labels_add"))).to_contain_text(s("labels_none"))
    page.get_by_role("menuitem", name=s("label_new")).click()
    page.get_by_label(s("label_name"), exact=True).fill("VIP")
    page.get_by_label(s("label_color"), exact=True).fill("#7c3aed")
    screenshot(page, "workflow_label_form")
    page.get_by_role("button", name=s("label_create")).click()

    header_chip = page.locator("#inbox-conv-labels .chip")
    expect(header_chip).to_have_text(re.compile("^VIP"))
    expect(timeline_lines(ayse)).to_have_text(
        [fill(s("activity_labels"), changes="+VIP", actor=AYSE)]
    )
    expect(ayse.item(1).locator(".chip")).to_have_text("VIP")
    expect(mehmet.item(1).locator(".chip")).to_have_text("VIP")  # live, name and all

    # The same name again is refused, in the form.
    page.locator("#inbox-label-add").click()
    page.get_by_role("menuitem", name=s("label_new")).click()
    page.get_by_label(s("label_name"), exact=True).fill("vip")
    page.get_by_role("button", name=s("label_create")).click()
    expect(page.locator("#inbox-popover .form-error")).to_have_text(
        "A label with this name already exists."
    )
    page.keyboard.press("Escape")

    # Filter by it: only #1; on Mehmet's side too, from his own menu.
    page.get_by_label(s("filter_by_label"), exact=True).select_option(label="VIP")
    expect_numbers(ayse, [1])
    mehmet.page.get_by_label(s("filter_by_label"), exact=True).select_option(label="VIP")
    expect_numbers(mehmet, [1])
    screenshot(page, "workflow_label_filter")

    # Remove it with ×: the row leaves the VIP view, the timeline says so.
    page.get_by_role("button", name=fill(s("label_remove"), name="VIP")).click()
    expect(header_chip).to_have_count(0)
    expect(ayse.item(1)).to_have_count(0)
    expect(mehmet.item(1)).to_have_count(0)
    expect(timeline_lines(ayse).last).to_have_text(
        fill(s("activity_labels"), changes="\u2212VIP", actor=AYSE)
    )
    for visitor in visitors:
        visitor.close()


# --- keyboard ------------------------------------------------------------------------------------


def test_keyboard_shortcuts_and_their_help(asgi, asgi_page, crew, screenshot):
    visitors = [new_conversation(asgi, crew.tenant, f"Klavye {n}") for n in (1, 2)]
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse)
    page, s = ayse.page, ayse.s
    expect_numbers(ayse, [2, 1])

    page.keyboard.press("?")
    help_ = page.get_by_role("dialog", name=s("shortcuts_title"))
    expect(help_).to_be_visible()
    expect(help_).to_contain_text(s("shortcut_assign_me"))
    expect(help_).to_contain_text(s("shortcut_snooze"))
    screenshot(page, "workflow_help")
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()

    page.keyboard.press("j")
    expect(ayse.item(2)).to_be_focused()
    page.keyboard.press("j")
    expect(ayse.item(1)).to_be_focused()
    page.keyboard.press("k")
    expect(ayse.item(2)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#inbox-conv-number")).to_have_text("#2")

    page.locator("#inbox-messages-scroll").click()  # out of the composer
    page.keyboard.press("a")
    expect(page.locator("#inbox-assignee")).to_contain_text(AYSE)
    page.keyboard.press("n")
    composer = page.locator("#inbox-composer-text")
    expect(composer).to_be_focused()
    expect(page.locator("#inbox-composer")).to_have_class(re.compile("is-note"))
    page.keyboard.type("?")  # typing, not a shortcut
    expect(help_).to_be_hidden()
    expect(composer).to_have_value("?")
    composer.fill("")
    page.locator("#inbox-messages-scroll").click()
    page.keyboard.press("r")
    expect(page.locator("#inbox-composer")).not_to_have_class(re.compile("is-note"))
    page.locator("#inbox-messages-scroll").click()
    page.keyboard.press("l")
    expect(page.get_by_role("menu", name=s("labels_add"))).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu", name=s("labels_add"))).to_have_count(0)
    expect(page.locator("#inbox-label-add")).to_be_focused()
    page.locator("#inbox-messages-scroll").click()
    page.keyboard.press("s")
    expect(page.get_by_role("menu", name=s("snooze_menu"))).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name=re.compile(s("snooze_tomorrow")))).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("#inbox-messages-scroll").click()
    page.keyboard.press("e")
    expect(page.locator("#inbox-conv-status")).to_have_text(s("status_resolved"))
    for visitor in visitors:
        visitor.close()


# --- the visitor's place in the queue ------------------------------------------------------------


def test_visitor_sees_their_place_in_the_queue(asgi, asgi_page, crew, screenshot):
    tenant = crew.tenant
    tenant.auto_assign = True
    in_thread(tenant.save, update_fields=["auto_assign"])
    with scope(tenant=tenant):
        in_thread(Membership.objects.filter(pk=crew.ayse.pk).update, capacity=1)
    ayse = inbox_for(asgi_page, tenant, crew.ayse)  # online: she takes the first chat
    first = new_conversation(asgi, tenant, "İlk soru")
    expect(ayse.item(1).locator(".conv-assignee-name")).to_have_text(ayse.s("assignee_you"))

    widget = asgi_page(width=420, height=700)
    widget.goto(f"/w/{tenant.widget_key}/chat/")
    queue = widget.locator("#queue")
    expect(queue).to_be_hidden()
    widget.get_by_label("Message").fill("Is anyone there?")
    widget.get_by_label("Message").press("Enter")
    expect(queue).to_have_text("You are number 1 in line. An operator will be with you shortly.")
    expect(queue).to_have_attribute("role", "status")
    screenshot(widget, "workflow_widget_queue")
    expect(ayse.item(2).locator(".conv-assignee")).to_have_text(ayse.s("unassigned"))

    # Ayşe resolves her first chat: she has room, the queue moves, the line goes away.
    ayse.item(1).click()
    ayse.page.get_by_role("button", name=ayse.s("resolve"), exact=True).click()
    expect(queue).to_be_hidden()
    expect(ayse.item(2).locator(".conv-assignee-name")).to_have_text(ayse.s("assignee_you"))
    first.close()


# --- preferences ---------------------------------------------------------------------------------


def test_notification_preferences_are_kept(asgi, asgi_page, crew, screenshot):
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse)
    page, s = ayse.page, ayse.s
    button = page.locator("#inbox-notify")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    dialog = page.get_by_role("dialog", name=s("prefs_title"))
    sound = dialog.get_by_label(f"{s('prefs_sound')}: {s('prefs_mention')}")
    expect(sound).to_be_checked()
    screenshot(page, "workflow_prefs")
    sound.uncheck()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(button).to_be_focused()

    ayse.open()
    page.locator("#inbox-notify").click()
    expect(dialog.get_by_label(f"{s('prefs_sound')}: {s('prefs_mention')}")).not_to_be_checked()
    expect(dialog.get_by_label(f"{s('prefs_desktop')}: {s('prefs_mention')}")).to_be_checked()
    with scope(tenant=crew.tenant):
        saved = in_thread(Membership.objects.get, pk=crew.ayse.pk).notify
    assert saved["mention"] == {"desktop": True, "sound": False}


# --- narrow screens ------------------------------------------------------------------------------


def test_the_team_inbox_on_a_phone(asgi, asgi_page, crew, screenshot):
    visitors = [new_conversation(asgi, crew.tenant, f"Telefon {n}") for n in (1, 2)]
    with scope(tenant=crew.tenant):
        vip = in_thread(services.label_create, membership=crew.ayse, name="VIP", color="#db2777")
        refund = in_thread(
            services.label_create, membership=crew.ayse, name="Refund request", color="#0891b2"
        )
        conversation = crew.conversation(1)
        in_thread(
            services.conversation_label,
            membership=crew.ayse,
            conversation=conversation,
            add=[vip.pk, refund.pk],
        )
        in_thread(
            services.conversation_assign,
            membership=crew.ayse,
            conversation=conversation,
            assignee=crew.mehmet.user_id,
            team=crew.billing.pk,
        )
        in_thread(
            services.note_add,
            membership=crew.ayse,
            conversation=conversation,
            body=f"@{MEHMET} please call them",
        )
    ayse = inbox_for(asgi_page, crew.tenant, crew.ayse, width=390, height=844)
    page, s = ayse.page, ayse.s
    expect_numbers(ayse, [2, 1])
    assert no_horizontal_scroll(page)
    screenshot(page, "workflow_phone_list")

    ayse.page.get_by_role("checkbox", name=re.compile(r"#2\b")).check()
    expect(page.get_by_role("region", name=s("bulk_actions"))).to_be_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "workflow_phone_bulk")
    page.get_by_role("button", name=s("bulk_clear")).click()

    ayse.item(1).click()
    expect(ayse.messages.locator(".msg-note")).to_be_visible()
    page.get_by_role("radio", name=s("mode_note")).click()
    assert no_horizontal_scroll(page)
    screenshot(page, "workflow_phone_conversation")
    assert_accessible(page, name="a conversation on a phone")
    # The messages keep the screen: the header shows the title and Resolve, and the other
    # buttons behind "More actions" (they took two thirds of it, leaving a line of messages).
    assert page.locator("#inbox-messages-scroll").bounding_box()["height"] > 844 * 0.35
    expect(page.locator("#inbox-assignee")).to_be_hidden()
    expect(page.get_by_role("button", name=s("resolve"), exact=True)).to_be_visible()
    more = page.get_by_role("button", name=s("more_actions"))
    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    assert no_horizontal_scroll(page)
    screenshot(page, "workflow_phone_more_actions")
    page.locator("#inbox-assignee").click()
    menu = page.get_by_role("menu", name=s("assignee_label"))
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(page, "workflow_phone_menu")
    page.keyboard.press("Escape")
    page.locator("#inbox-messages-scroll").click()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name=s("shortcuts_title"))).to_be_visible()
    screenshot(page, "workflow_phone_help")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name=s("shortcuts_title"))).to_be_hidden()

    # One pane at a time: the conversation, then the visitor's details, and back.
    conversation = page.get_by_role("region", name=s("conversation"), exact=True)
    visitor_pane = page.get_by_role("complementary", name=s("visitor_panel"))
    details = page.get_by_role("button", name=s("visitor_details"))
    expect(visitor_pane).to_be_hidden()
    expect(details).to_have_attribute("aria-expanded", "false")
    details.click()
    expect(visitor_pane).to_be_visible()
    expect(visitor_pane).to_be_focused()
    expect(conversation).to_be_hidden()
    expect(page.get_by_role("region", name=s("conversations"), exact=True)).to_be_hidden()
    box = visitor_pane.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert no_horizontal_scroll(page)
    screenshot(page, "workflow_phone_visitor")
    assert_accessible(page, name="the visitor pane on a phone")

    page.get_by_role("button", name=s("back_to_conversation")).click()
    expect(visitor_pane).to_be_hidden()
    expect(conversation).to_be_visible()
    expect(details).to_be_focused()
    expect(details).to_have_attribute("aria-expanded", "false")

    page.get_by_role("button", name=s("back_to_list"), exact=True).click()
    expect(conversation).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(ayse.item(1)).to_be_focused()  # where the person was, not lost at the top
    screenshot(page, "workflow_phone_back_to_list")
    for visitor in visitors:
        visitor.close()
