import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.tenants.models import Membership, Role, Tenant, User
from tests.factories import PASSWORD, TenantFactory, UserFactory, member
from tests.utils import page_text

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Ayşe Yılmaz",
    "email": "Ayse@Example.com",
    "password": "a-long-unusual-passphrase",
    "workspace_name": "Kahve Dükkanı",
    "timezone": "Europe/Istanbul",
    "language": "tr",
}


def test_signup_creates_owner_workspace_and_lands_on_onboarding(client):
    response = client.post(reverse("tenants:signup"), SIGNUP)
    tenant = Tenant.objects.get(name="Kahve Dükkanı")
    assert response.status_code == 302
    assert response.url == reverse("tenants:onboarding", kwargs={"slug": tenant.slug})
    assert tenant.slug == "kahve-dukkani"
    assert tenant.timezone == "Europe/Istanbul" and tenant.default_language == "tr"
    user = User.objects.get(email="ayse@example.com")
    assert user.password.startswith("argon2")
    with scopes_disabled():
        assert Membership.objects.get(user=user, tenant=tenant).role == Role.OWNER

    page = client.get(response.url)
    assert page.status_code == 200
    body = page_text(page)
    assert "Welcome to Kahve Dükkanı" in body
    assert f'"{tenant.widget_key}"' in body and "/widget.js" in body


def test_signup_bad_input_shows_errors_and_creates_nothing(client):
    UserFactory(email="taken@example.com")
    response = client.post(
        reverse("tenants:signup"),
        {**SIGNUP, "email": "taken@example.com", "password": "123"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This password is too short" in body
    assert Tenant.objects.count() == 0
    # What the person typed is kept.
    assert 'value="Kahve Dükkanı"' in body


def test_signup_with_existing_email_but_valid_password_says_so(client):
    UserFactory(email="taken@example.com")
    response = client.post(reverse("tenants:signup"), {**SIGNUP, "email": "TAKEN@example.com"})
    assert response.status_code == 400
    assert "An account with this email address already exists." in response.content.decode()
    assert Tenant.objects.count() == 0


def test_slugs_are_unique_and_reserved_words_avoided(client):
    owner = UserFactory()
    from apps.tenants import services

    first = services.tenant_create(name="Acme", owner=owner)
    second = services.tenant_create(name="Acme", owner=owner)
    reserved = services.tenant_create(name="Admin", owner=owner)
    assert first.slug == "acme" and second.slug.startswith("acme-") and second.slug != "acme"
    assert reserved.slug == "admin-team"


def test_login_logout_and_home_redirect(client):
    m = member(TenantFactory(), Role.OPERATOR, email="op@example.com")
    response = client.post(reverse("login"), {"username": "op@example.com", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get(reverse("tenants:home"))
    assert home.url == reverse("tenants:dashboard", kwargs={"slug": m.tenant.slug})
    client.post(reverse("logout"))
    assert client.get(reverse("tenants:home")).status_code == 302


def test_user_in_two_workspaces_gets_a_chooser_then_their_last_one(client):
    user = UserFactory()
    a, b = TenantFactory(name="Alpha"), TenantFactory(name="Beta")
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=a, user=user)
    MembershipFactory(tenant=b, user=user, role=Role.ADMIN)
    client.force_login(user)
    chooser = client.get(reverse("tenants:home"))
    assert chooser.status_code == 200
    assert "Alpha" in chooser.content.decode() and "Beta" in chooser.content.decode()
    client.get(reverse("tenants:dashboard", kwargs={"slug": b.slug}))
    assert client.get(reverse("tenants:home")).url.endswith(f"/app/{b.slug}/")


def test_password_reset_email_is_sent_from_a_job_and_works(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="forgot@example.com")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("password_reset"), {"email": "forgot@example.com"})
    assert len(callbacks) == 1  # enqueued after commit, not sent on the request path
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"},
    )
    assert done.status_code == 302
    assert client.login(username="forgot@example.com", password="brand-new-secret-77")


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_language_switches_interface(client):
    user = UserFactory()
    member(TenantFactory())
    client.force_login(user)
    response = client.post(reverse("profile"), {"full_name": "Ali", "language": "tr"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "tr"
    page = client.get(reverse("profile"))
    assert page["Content-Language"] == "tr"
    assert "Profil ve dil" in page.content.decode()


def test_profile_rejects_unknown_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), {"full_name": "Ali", "language": "xx"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.language == ""
