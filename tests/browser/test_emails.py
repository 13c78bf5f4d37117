"""The emails a visitor gets, as a mail program shows them: the HTML part rendered in
Chromium, on a phone's width and a desktop's. Sent through a real SMTP server on loopback."""

import pytest
from playwright.sync_api import expect

from tests.offline.test_email_out import Chat, due_later, html_of
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = "https://lale.example/orders/" + "a1b2c3d4" * 12


def shown(page, html: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.set_content(html)
    # A mail program's pane scrolls down, never sideways.
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"wider than the pane at {width} px: {widths}"


def test_the_replies_email_reads_well_on_a_phone_and_a_desktop(mail, page, screenshot):
    def conversation():
        chat = Chat()
        chat.visitor_writes("Is my order on its way?")
        chat.operator_writes(f"It left this morning. Follow it here: {LINK}")
        assert due_later() == 1

    in_thread(conversation)  # the page's event loop runs in this thread
    [email] = mail.messages()
    html = html_of(email)
    for width in (360, 1024):
        shown(page, html, width)
        expect(page.get_by_text("Is my order on its way?")).to_be_visible()
        expect(page.get_by_text("It left this morning.")).to_be_visible()
        expect(page.get_by_text("Ayşe Kaya")).to_be_visible()
        expect(page.get_by_role("link", name=LINK)).to_have_attribute("href", LINK)
        screenshot(page, f"email_replies_{width}")


def test_the_transcript_with_ratings_reads_well_on_a_phone(mail, page, screenshot):
    def conversation():
        chat = Chat(transcript_on_resolve=True)
        chat.visitor_writes("Can I change the colour of my vase?")
        chat.operator_writes("Yes, until it ships. Which colour would you like?")
        chat.resolve()

    in_thread(conversation)
    [email] = mail.messages()
    shown(page, html_of(email), 360)
    expect(page.get_by_text("Can I change the colour of my vase?")).to_be_visible()
    expect(page.get_by_text("Yes, until it ships.")).to_be_visible()
    # Each star says what it gives, for a screen reader too.
    for score in range(1, 6):
        expect(page.get_by_role("link", name=f"{score} out of 5", exact=True)).to_be_visible()
    screenshot(page, "email_transcript_360")
