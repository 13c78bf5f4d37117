"""Signup over real HTTP: the answer never tells whether an address has an account (that shows
only in the address's own mailbox), and the owner of a new address is one click from their
workspace. The password reset form and invitations tell nothing either."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format
from django_scopes import scopes_disabled

from apps.tenants.models import Invitation, Membership, Role, SignupRequest, Tenant, User
from tests.factories import PASSWORD, TenantFactory, UserFactory, member
from tests.http import WebClient
from tests.utils import page_text

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "full_name": "Ayşe Yılmaz",
    "password": "a-long-unusual-passphrase",
    "workspace_name": "Kahve Dükkanı",
    "timezone": "Europe/Istanbul",
    "language": "tr",
}
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/signup/confirm/[^/\s]+/)")


@pytest.fixture
def web(live_server):
    def client() -> WebClient:
        return WebClient(live_server.url)

    return client


def sign_up(client: WebClient, email: str, **form) -> tuple:
    """Post the form, follow its answer; return both."""
    client.get("/signup/")
    answer = client.post("/signup/", {**FORM, "email": email, **form})
    next_page = client.get(answer.location) if answer.status == 302 else None
    return answer, next_page


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def confirm_path(address: str) -> str:
    (message,) = mails_to(address)
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_the_answer_is_the_same_for_a_new_and_a_taken_address(web):
    UserFactory(email="taken@example.com", full_name="Taken Person")
    new_answer, new_page = sign_up(web(), "new@example.com")
    taken_answer, taken_page = sign_up(web(), "Taken@Example.com")

    assert new_answer.status == taken_answer.status == 302
    assert new_answer.location == taken_answer.location == "/signup/sent/"
    assert new_page.status == taken_page.status == 200
    assert page_text(new_page).replace("new@example.com", "ADDRESS") == page_text(
        taken_page
    ).replace("Taken@Example.com", "ADDRESS")
    assert "Check your email" in page_text(new_page)
    assert "We have sent an email to new@example.com" in page_text(new_page)
    # Nobody is signed in and nothing is made before the address is confirmed.
    assert Tenant.objects.count() == 0
    assert User.objects.count() == 1

    # Only the mailboxes tell the two apart.
    (welcome,) = mails_to("new@example.com")
    assert welcome.subject == "Confirm your email address to create Kahve Dükkanı on Sohbet"
    (notice,) = mails_to("taken@example.com")
    assert notice.subject == "Your Sohbet account"
    assert "already has a Sohbet account" in notice.body
    assert "/accounts/login/?next=/app/new/" in notice.body
    assert "/accounts/password/reset/" in notice.body
    assert "/signup/confirm/" not in notice.body


def test_input_errors_are_the_same_for_a_new_and_a_taken_address(web):
    UserFactory(email="taken@example.com")
    emails = ("new@example.com", "taken@example.com")
    answers = [sign_up(web(), email, password="abc12")[0] for email in emails]
    assert [a.status for a in answers] == [400, 400]
    texts = [page_text(a).replace(e, "ADDRESS") for a, e in zip(answers, emails, strict=True)]
    assert texts[0] == texts[1]
    assert "This password is too short" in texts[0]
    assert "already exists" not in texts[0]
    assert mail.outbox == []


def test_the_link_makes_the_workspace_and_signs_the_owner_in(web):
    person = web()
    sign_up(person, "Ayse@Example.com")
    path = confirm_path("ayse@example.com")

    # Opening the link shows one button: a mail scanner that opens it makes nothing.
    page = person.get(path)
    assert page.status == 200
    assert "Create “Kahve Dükkanı”, with your account ayse@example.com as its owner." in page_text(
        page
    )
    assert Tenant.objects.count() == 0
    done = person.post(path, {})
    tenant = Tenant.objects.get(name="Kahve Dükkanı")
    assert done.status == 302 and done.location == f"/app/{tenant.slug}/"
    assert tenant.timezone == "Europe/Istanbul" and tenant.default_language == "tr"
    home = page_text(person.get(done.location))  # the checklist, with the tag to paste
    assert "Kahve Dükkanı" in home and f'"{tenant.widget_key}"' in home
    user = User.objects.get(email="ayse@example.com")
    assert user.full_name == "Ayşe Yılmaz" and user.password.startswith("argon2")
    with scopes_disabled():
        assert Membership.objects.get(user=user, tenant=tenant).role == Role.OWNER
    assert not SignupRequest.objects.exists()

    # The password chosen on the form signs in; the link works once.
    other = web()
    other.get("/accounts/login/")
    signed_in = other.post(
        "/accounts/login/", {"username": "ayse@example.com", "password": FORM["password"]}
    )
    assert signed_in.status == 302
    again = web().get(path)
    assert again.status == 404
    assert "This link is not valid or has expired." in page_text(again)


def told(moment, zone: str) -> str:
    """``moment`` as an English email tells the time in ``zone``."""
    with translation.override("en"):
        return date_format(moment.astimezone(ZoneInfo(zone)), "DATETIME_FORMAT")


def test_the_links_expiry_is_told_in_the_time_zone_of_the_reader(web):
    """The signup link's end in the time zone chosen on the form; an invitation's in the
    workspace's (it said UTC, an hour or three off for most of our customers)."""
    sign_up(web(), "saat@example.com")
    (message,) = mails_to("saat@example.com")
    ends = SignupRequest.objects.get(email="saat@example.com").expires_at
    assert "(Europe/Istanbul)" in message.body and "UTC" not in message.body
    assert told(ends, "Europe/Istanbul") in message.body

    owner = member(TenantFactory(name="Acme", timezone="America/New_York"), Role.OWNER)
    admin = web()
    admin.get("/accounts/login/")
    admin.post("/accounts/login/", {"username": owner.user.email, "password": PASSWORD})
    admin.get(f"/app/{owner.tenant.slug}/members/")
    admin.post(
        f"/app/{owner.tenant.slug}/members/invite/",
        {"email": "new@example.com", "role": "operator"},
    )
    (invited,) = mails_to("new@example.com")
    with scopes_disabled():
        ends = Invitation.objects.get(email="new@example.com").expires_at
    assert "(America/New_York)" in invited.body
    assert told(ends, "America/New_York") in invited.body


def test_signing_up_twice_then_confirming_one_ends_the_other(web):
    person = web()
    sign_up(person, "twice@example.com")
    sign_up(person, "twice@example.com", workspace_name="Second Try")
    first, second = (CONFIRM_LINK.search(m.body).group(1) for m in mails_to("twice@example.com"))
    person.get(second)
    assert person.post(second, {}).status == 302
    assert web().get(first).status == 404
    assert list(Tenant.objects.values_list("name", flat=True)) == ["Second Try"]


def test_an_expired_link_makes_nothing(web, settings):
    settings.SIGNUP_TTL_DAYS = 0
    person = web()
    sign_up(person, "late@example.com")
    page = person.get(confirm_path("late@example.com"))
    assert page.status == 404
    assert "This link is not valid or has expired. Sign up again, or log in." in page_text(page)
    assert not User.objects.filter(email="late@example.com").exists()


def test_the_account_holder_signs_in_from_the_notice_and_creates_the_workspace(web):
    UserFactory(email="taken@example.com")
    sign_up(web(), "taken@example.com")
    (notice,) = mails_to("taken@example.com")
    login = re.search(r"https?://[^/\s]+(/accounts/login/\S*)", notice.body).group(1)
    owner = web()
    owner.get(login)
    answer = owner.post(login, {"username": "taken@example.com", "password": PASSWORD})
    assert answer.status == 302 and answer.location == "/app/new/"
    assert "Workspace name" in page_text(owner.get("/app/new/"))


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(web):
    UserFactory(email="known@example.com")
    pages = []
    for email in ("known@example.com", "unknown@example.com"):
        client = web()
        client.get("/accounts/password/reset/")
        answer = client.post("/accounts/password/reset/", {"email": email})
        pages.append((answer.status, answer.location, page_text(client.get(answer.location))))
    assert pages[0] == pages[1]
    assert pages[0][:2] == (302, "/accounts/password/reset/sent/")
    assert "If an account exists for that address" in pages[0][2]
    assert [m.to for m in mail.outbox] == [["known@example.com"]]


def test_inviting_an_address_with_or_without_an_account_answers_the_same(web):
    """The inviting admin cannot learn whether someone has a Sohbet account (in any workspace):
    only the invited mailbox, through its secret link, sees whether to log in or sign up."""
    owner = member(TenantFactory(name="Acme"), Role.OWNER)
    member(TenantFactory(name="Elsewhere"), email="ayse@example.com")
    admin = web()
    admin.get("/accounts/login/")
    admin.post("/accounts/login/", {"username": owner.user.email, "password": PASSWORD})
    members = f"/app/{owner.tenant.slug}/members/"
    admin.get(members)
    pages = []
    for email in ("ayse@example.com", "mehmet@example.com"):
        answer = admin.post(f"{members}invite/", {"email": email, "role": "operator"})
        assert answer.status == 302 and answer.location == members
        text = page_text(admin.get(members))
        pages.append(text.replace(email, "ADDRESS"))
    for text in pages:
        assert "Invitation sent to ADDRESS." in text
        assert "ADDRESS Operator expires" in text
        assert "account" not in text.lower()
    # The emails differ in their secret link only.
    emails = {
        m.to[0]: (m.subject, re.sub(r"/invite/[^/\s]+/", "/invite/LINK/", m.body))
        for m in mail.outbox
    }
    assert emails["ayse@example.com"] == emails["mehmet@example.com"]


def test_a_link_whose_address_got_an_account_meanwhile_says_to_log_in(web):
    person = web()
    sign_up(person, "invited@example.com")
    path = confirm_path("invited@example.com")
    UserFactory(email="invited@example.com")  # joined through an invitation in between
    person.get(path)
    answer = person.post(path, {})
    assert answer.status == 409
    assert "An account with this email address already exists. Log in to use it." in page_text(
        answer
    )
    assert Tenant.objects.count() == 0
    assert person.get("/app/").location.startswith("/accounts/login/")  # not signed in
