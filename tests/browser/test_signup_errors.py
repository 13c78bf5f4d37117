"""Signup with bad input: the errors are on screen and the typed values stay."""

import pytest
from playwright.sync_api import expect

from apps.tenants.models import Tenant, User
from tests.factories import UserFactory
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def fill_signup(page, *, name: str, email: str, password: str, workspace: str) -> None:
    page.goto("/signup/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Company or workspace name").fill(workspace)
    page.get_by_role("button", name="Create workspace").click()


def test_a_taken_email_is_not_revealed_and_the_short_password_is(page, screenshot):
    in_thread(UserFactory, email="taken@example.com")
    fill_signup(
        page, name="Zeynep Kaya", email="taken@example.com", password="abc12", workspace="Kaya Co"
    )

    expect(page.get_by_role("heading", name="Create your workspace")).to_be_visible()
    screenshot(page, "signup_errors")
    expect(page.get_by_label("Your name")).to_have_value("Zeynep Kaya")
    expect(page.get_by_label("Work email")).to_have_value("taken@example.com")
    expect(page.get_by_label("Company or workspace name")).to_have_value("Kaya Co")
    # One error, the same as for an address without an account.
    expect(page.get_by_role("alert")).to_have_count(1)
    expect(page.get_by_role("alert")).to_contain_text(
        "This password is too short. It must contain at least 8 characters."
    )
    assert not in_thread(Tenant.objects.filter(name="Kaya Co").exists)
    assert in_thread(User.objects.filter(email="taken@example.com").count) == 1


def test_short_password_error_is_shown_at_the_password_field(page):
    fill_signup(
        page, name="Zeynep Kaya", email="zeynep@example.com", password="abc12", workspace="Kaya Co"
    )

    expect(page.get_by_label("Your name")).to_have_value("Zeynep Kaya")
    expect(page.get_by_label("Work email")).to_have_value("zeynep@example.com")
    expect(page.get_by_label("Company or workspace name")).to_have_value("Kaya Co")
    error = page.get_by_text("This password is too short. It must contain at least 8 characters.")
    expect(error).to_be_visible()
    # Next to the field it is about: inside the same field group as the Password input.
    password_field = page.locator(".field").filter(has=page.get_by_label("Password"))
    expect(password_field.get_by_role("alert")).to_contain_text("This password is too short.")
    assert not in_thread(User.objects.filter(email="zeynep@example.com").exists)
