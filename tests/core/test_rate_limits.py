"""Every form that takes a credential is rate limited, over real HTTP: per client address, and
per account where the form names one, so a guess spread over many addresses is slowed too.
Over a limit the answer is 429 with a page saying so, in the person's language; another
address is not slowed by someone else's guesses."""

import time
from unittest import mock

import pytest
from django.core import mail

from tests.factories import PASSWORD, TenantFactory, UserFactory, member
from tests.http import ADDRESS_META_KEY, WebClient
from tests.utils import page_text

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_DOWN = "Too many attempts. Please wait a few minutes and try again (at most an hour)."


@pytest.fixture(autouse=True)
def one_window():
    """django-ratelimit counts in fixed windows: a test whose requests straddled a window's end
    would see its count start again (a CI run failed so). Its clock stands still here."""
    frozen = time.time()
    with mock.patch("django_ratelimit.core.time") as clock:
        clock.time.return_value = frozen
        yield


@pytest.fixture
def web(live_server, settings):
    """``web("203.0.113.7")``: a client at that address (the server reads it from X-Real-IP, as
    behind a proxy)."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_IP_META_KEY = ADDRESS_META_KEY

    def client(address: str, language: str = "en") -> WebClient:
        return WebClient(live_server.url, address=address, language=language)

    return client


def signed_in(web, user, address: str, *, admin: bool = False) -> WebClient:
    login = "/admin/login/" if admin else "/accounts/login/"
    client = web(address)
    client.get(login)
    response = client.post(login, {"username": user.email, "password": PASSWORD})
    assert response.status == 302, page_text(response)
    return client


def test_guessing_the_admin_password_ends_in_429_and_another_address_still_signs_in(web):
    UserFactory(email="root@sohbet.test", is_staff=True, is_superuser=True)
    attacker = web("203.0.113.7")
    attacker.get("/admin/login/")
    codes = [
        attacker.post(
            "/admin/login/", {"username": "root@sohbet.test", "password": f"guess-{n}"}
        ).status
        for n in range(11)
    ]
    assert codes == [200] * 10 + [429]
    # Now even the right password is refused from that address.
    refused = attacker.post("/admin/login/", {"username": "root@sohbet.test", "password": PASSWORD})
    assert refused.status == 429
    assert "Slow down" in page_text(refused) and SLOW_DOWN in page_text(refused)
    assert attacker.cookie("sessionid") is None

    staff = web("198.51.100.20")
    staff.get("/admin/login/")
    response = staff.post(
        "/admin/login/",
        {"username": "root@sohbet.test", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status == 302 and response.location == "/admin/"
    assert "Site administration" in page_text(staff.get("/admin/"))


def test_a_guess_spread_over_many_addresses_is_limited_per_account(web):
    """Twenty attempts an hour per account, counted over the operators' login and the admin's
    together; the next one is refused from any address, and other accounts are not touched."""
    owner = member(TenantFactory(), email="owner@shop.test").user
    codes = []
    for n in range(21):
        login = "/admin/login/" if n % 2 else "/accounts/login/"
        client = web(f"203.0.113.{n + 1}")
        client.get(login)
        codes.append(client.post(login, {"username": "Owner@Shop.test ", "password": "x"}).status)
    assert codes == [200] * 20 + [429]

    fresh = web("198.51.100.99")
    fresh.get("/accounts/login/")
    refused = fresh.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert refused.status == 429
    other = member(TenantFactory(), email="other@shop.test").user
    response = fresh.post("/accounts/login/", {"username": other.email, "password": PASSWORD})
    assert response.status == 302


@pytest.mark.parametrize(
    "path, form, limit",
    [
        ("/accounts/login/", {"username": "someone@shop.test", "password": "wrong"}, 10),
        ("/admin/login/", {"username": "someone@shop.test", "password": "wrong"}, 10),
        # A new address each time: the count per address shows, not the one per mailbox.
        ("/accounts/password/reset/", {"email": "nobody-{n}@shop.test"}, 10),
        (
            "/signup/",
            {
                "full_name": "Ayşe",
                "email": "ayse-{n}@shop.test",
                "password": "short",
                "workspace_name": "Shop",
                "timezone": "UTC",
                "language": "en",
            },
            10,
        ),
    ],
)
def test_every_credential_form_is_limited_per_address(web, path, form, limit):
    attacker = web("203.0.113.7")
    attacker.get(path)
    codes = [
        attacker.post(path, {k: v.format(n=n) for k, v in form.items()}).status
        for n in range(limit + 1)
    ]
    assert 429 not in codes[:limit] and codes[-1] == 429
    neighbour = web("203.0.113.8")
    neighbour.get(path)
    assert neighbour.post(path, {k: v.format(n=99) for k, v in form.items()}).status != 429


@pytest.mark.parametrize("admin", [False, True], ids=["operators", "admin"])
def test_guessing_the_old_password_on_the_change_form_is_limited(web, admin):
    """A stolen session does not buy unlimited guesses at the account's password: ten a minute
    from one address, twenty an hour for the account from any."""
    user = UserFactory(is_staff=admin, is_superuser=admin)
    path = "/admin/password_change/" if admin else "/accounts/password/change/"
    thief = signed_in(web, user, "203.0.113.7", admin=admin)
    new = "n3w-Secret-passphrase"
    guess = {"old_password": "guess", "new_password1": new, "new_password2": new}
    codes = [thief.post(path, guess).status for _ in range(11)]
    assert codes == [200] * 10 + [429]
    for n in range(9):  # 11 counted so far; the account's twentieth, from other addresses
        thief.address = f"198.51.100.{n + 1}"
        assert thief.post(path, guess).status == 200
    thief.address = "198.51.100.50"
    assert thief.post(path, guess).status == 429


@pytest.mark.parametrize(
    "path",
    ["/accounts/reset/MQ/bad-token/", "/invite/not-a-real-invitation/", "/signup/confirm/nope/"],
    ids=["password reset link", "invitation link", "signup link"],
)
def test_secret_links_are_limited_per_address(web, path):
    attacker = web("203.0.113.7")
    codes = [attacker.get(path).status for _ in range(21)]
    assert 429 not in codes[:20] and codes[-1] == 429
    assert web("203.0.113.8").get(path).status != 429


def test_password_reset_mails_one_address_five_times_an_hour_at_most(web):
    UserFactory(email="forgetful@shop.test")
    codes = []
    for n in range(7):
        client = web(f"203.0.113.{n + 1}")
        client.get("/accounts/password/reset/")
        codes.append(
            client.post("/accounts/password/reset/", {"email": "Forgetful@shop.test"}).status
        )
    assert codes == [302] * 5 + [429] * 2
    assert [m.to for m in mail.outbox] == [["forgetful@shop.test"]] * 5


def test_the_429_page_speaks_the_persons_language(web):
    attacker = web("203.0.113.7", language="tr")
    attacker.get("/accounts/login/")
    for _ in range(10):
        attacker.post("/accounts/login/", {"username": "a@shop.test", "password": "x"})
    refused = attacker.post("/accounts/login/", {"username": "a@shop.test", "password": "x"})
    assert refused.status == 429
    assert refused.header("Content-Language") == "tr"
    assert "Biraz yavaşlayın" in page_text(refused)
