"""A new workspace's time zone and language start as the owner's browser's, not UTC and
English."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_signup_starts_with_the_browsers_time_zone_and_language(new_page, screenshot):
    page = new_page(locale="tr-TR", timezone_id="Europe/Istanbul")
    page.goto("/signup/")
    expect(page.locator("#id_timezone")).to_have_value("Europe/Istanbul")
    expect(page.locator("#id_language")).to_have_value("tr")
    screenshot(page, "signup_time_zone_tr")

    elsewhere = new_page(timezone_id="America/Sao_Paulo")
    elsewhere.goto("/signup/")
    expect(elsewhere.locator("#id_timezone")).to_have_value("America/Sao_Paulo")
    expect(elsewhere.locator("#id_language")).to_have_value("en")
