import pytest
from django.core import mail
from django.urls import reverse

from apps.tenants.models import Role
from tests.factories import PASSWORD, TenantFactory, UserFactory, member

pytestmark = pytest.mark.django_db


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
