"""Interface language: a signed-in user's choice, and an anonymous Turkish browser."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from playwright.sync_api import expect

from apps.tenants.models import Role
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

HERO = "Talk to your visitors the moment they need you."


def turkish(msgid: str) -> str:
    """The Turkish catalogue's translation of ``msgid``; fails when it has none."""
    po_path = Path(settings.LOCALE_PATHS[0]) / "tr" / "LC_MESSAGES" / "django.po"
    if not po_path.exists():
        pytest.fail(f"No Turkish catalogue at {po_path}")
    entry = polib.pofile(str(po_path)).find(msgid)
    if entry is None or not entry.msgstr or "fuzzy" in entry.flags:
        pytest.fail(f"The Turkish catalogue does not translate {msgid!r}")
    return entry.msgstr


def test_user_switches_interface_to_turkish(page, login, screenshot):
    operator = in_thread(lambda: member(TenantFactory(name="Lokanta"), Role.OPERATOR, language=""))
    login(page, operator.user)
    expect(page.get_by_role("link", name="Inbox", exact=True)).to_be_visible()

    page.goto("/accounts/profile/")
    expect(page.get_by_role("heading", name="Profile and language")).to_be_visible()
    language = page.get_by_label("Interface language")
    expect(language).to_have_value("")
    language.select_option(label="Turkish")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    in_thread(operator.user.refresh_from_db)
    assert operator.user.language == "tr"

    # The browser still asks for English; the person's own choice wins.
    page.goto(f"/app/{operator.tenant.slug}/")
    expect(page.get_by_role("heading", name="Lokanta")).to_be_visible()
    screenshot(page, "dashboard_turkish")
    expect(page.get_by_role("link", name="Gelen kutusu", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Inbox", exact=True)).to_have_count(0)


def test_anonymous_turkish_browser_gets_turkish_landing(new_page, screenshot):
    english = new_page(locale="en-US")
    english.goto("/")
    expect(english.get_by_role("heading", name=HERO)).to_be_visible()

    page = new_page(locale="tr-TR")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    screenshot(page, "landing_turkish")
    expect(page.get_by_role("heading", name=turkish(HERO))).to_be_visible()
    expect(page.get_by_role("link", name=turkish("Create your workspace"))).to_be_visible()
    expect(page.get_by_role("heading", name=HERO)).to_have_count(0)


def test_profile_confirmation_is_in_the_newly_chosen_language(page, login):
    operator = in_thread(lambda: member(TenantFactory(), Role.OPERATOR, language=""))
    login(page, operator.user)
    page.goto("/accounts/profile/")
    page.get_by_label("Interface language").select_option(label="Turkish")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name=turkish("Profile and language"))).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(turkish("Profile saved."))
